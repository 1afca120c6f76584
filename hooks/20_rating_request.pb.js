/// <reference path="../vinculo_data/types.d.ts" />
/// <reference path="types/crm.d.ts" />

// Ask for a rating when a request closes: the CSAT survey (plugins/surveys).
// Switches: automations.rating_request (on by default) and the CSAT survey
// in Settings > Surveys (survey_settings, kind csat).
//
// When a request moves to a closed status and has no rating yet, a research
// message asking for one is queued through the outbox, in the same
// transaction as the change: the outbox decides, by the customer's research
// consent, channel, hours and choices, when and how it goes (or why it does
// not: never to a customer without that consent or who withdrew it), and nothing
// is queued if the change fails. With automations.rating_page on, the
// message carries a signed link to the rating page (50_rating_page.pb.js);
// otherwise it points to the portal.
if ($crm.enabled("rating_request")) {
  onRecordUpdate((e) => {
    // The stored row, before this change is written.
    const before = $app.findRecordById("cases", e.record.id)
    e.next()

    const kase = e.record
    if (!kase.getBool("closed") || before.getBool("closed") || kase.getInt("rating") > 0) {
      return
    }
    // The manager keeps the CSAT survey on in Settings > Surveys (no row: on).
    let csatOn = true
    try {
      csatOn = $app.findFirstRecordByData("survey_settings", "kind", "csat").getBool("enabled")
    } catch (_) {}
    if (!csatOn) {
      return
    }
    const lib = require(`${__hooks}/lib.js`)
    const contact = $app.findRecordById("contacts", kase.getString("contact"))
    const t = lib.texts[lib.languageOf(contact)]
    const settings = $crm.settings()
    const ref = kase.getString("reference")
    const body = $crm.enabled("rating_page")
      ? t.ratingBody(contact.getString("name"), kase.getString("subject"), ref, lib.ratingLink(kase.id), settings.business.name)
      : t.ratingBodyPortal(contact.getString("name"), kase.getString("subject"), ref, `${settings.publicUrl}/portal/`, settings.business.name)

    $crm.queueMessage({
      contact: contact.id,
      case: kase.id,
      purpose: "research",
      template: "generic",
      subject: t.ratingSubject(ref),
      body: body,
      data: { kind: "rating_request", reference: ref },
    })
  }, "cases")
}

