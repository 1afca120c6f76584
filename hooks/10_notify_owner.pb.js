/// <reference path="../vinculo_data/types.d.ts" />
/// <reference path="types/crm.d.ts" />

// Tell the owner when their customer opens a request.
// Switch: automations.notify_owner (on by default).
//
// The timeline writes a "case.opened" entry for every new request, saying
// who opened it. When a customer opened it themselves (in the portal, not
// staff on their behalf, not an import), the contact's owner is told like
// any other notification: in the workspace's bell, and by email as they
// chose for "a customer of mine opened a request" on their profile (at
// once, in the daily digest, or not at all), in their language. It runs
// after the request is committed, and the mail goes after that, retried:
// a slow or failing mail server never undoes the customer's request.
if ($crm.enabled("notify_owner")) {
  onRecordAfterCreateSuccess((e) => {
    const entry = e.record
    if (entry.getString("event") === "case.opened" && entry.getString("actor_type") === "customer") {
      try {
        const contact = $app.findRecordById("contacts", entry.getString("contact"))
        const ownerId = contact.getString("owner")
        if (ownerId) {
          const kase = $app.findRecordById("cases", entry.getString("case"))
          $crm.notify({
            to: ownerId,
            event: "customer_opened",
            collection: "cases",
            record: kase.id,
            data: {
              customer: contact.getString("name"),
              reference: kase.getString("reference"),
              title: kase.getString("subject"),
              excerpt: kase.getString("description").slice(0, 160),
            },
          })
        }
      } catch (err) {
        $app.logger().error("notify_owner: the owner was not notified", "entry", entry.id, "error", String(err))
      }
    }
    return e.next()
  }, "activities")
}
