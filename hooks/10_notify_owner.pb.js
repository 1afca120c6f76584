/// <reference path="../vinculo_data/types.d.ts" />
/// <reference path="types/crm.d.ts" />

// Notify the owner when their customer opens a request.
// Switch: automations.notify_owner (on by default).
//
// The timeline writes a "case.opened" entry for every new request, saying
// who opened it. When a customer opened it themselves (in the portal, not
// staff on their behalf, not an import), the contact's owner gets an email.
// The mail is in the owner's language (theirs, else the business's). It
// runs after the request is committed, so a slow or failing mail server
// never undoes the customer's request: a failure is only logged.
if ($crm.enabled("notify_owner")) {
  onRecordAfterCreateSuccess((e) => {
    const entry = e.record
    if (entry.getString("event") === "case.opened" && entry.getString("actor_type") === "customer") {
      try {
        const contact = $app.findRecordById("contacts", entry.getString("contact"))
        const ownerId = contact.getString("owner")
        if (ownerId) {
          const owner = $app.findRecordById("staff", ownerId)
          const kase = $app.findRecordById("cases", entry.getString("case"))
          const meta = $app.settings().meta
          const lib = require(`${__hooks}/lib.js`)
          const t = lib.texts[lib.languageOf(owner)]
          const name = contact.getString("name")
          const ref = kase.getString("reference")
          $app.newMailClient().send(
            new MailerMessage({
              from: { address: meta.senderAddress, name: meta.senderName },
              to: [{ address: owner.email(), name: owner.getString("name") }],
              subject: t.ownerSubject(name, ref, kase.getString("subject")),
              text: t.ownerText(name, ref, kase.getString("subject"), kase.getString("description"),
                `${$crm.settings().publicUrl}/contacts/${contact.id}`),
            }),
          )
        }
      } catch (err) {
        $app.logger().error("notify_owner: the owner was not notified", "entry", entry.id, "error", String(err))
      }
    }
    return e.next()
  }, "activities")
}
