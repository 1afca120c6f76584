/// <reference path="../vinculo_data/types.d.ts" />
/// <reference path="types/crm.d.ts" />

// Hold marketing while a request is open.
// Switch: automations.hold_marketing (on by default), and per request type
// its `hold_marketing` field (dashboard or API).
//
// Nobody with a broken internet connection wants an offer. Before a
// marketing message goes, the outbox asks this hold: while the contact has
// an open request of a type that holds marketing, the message waits. When
// the request closes (or changes type, or is deleted) the outbox looks at
// the contact's waiting marketing again at once; it also looks again daily
// whatever happens. Service messages are never held here.
if ($crm.enabled("hold_marketing")) {
  $crm.holdMessages("open_request", (message, contact, now) => {
    if (message.getString("purpose") !== "marketing") {
      return null
    }
    const open = $app.findRecordsByFilter(
      "cases",
      "contact = {:c} && closed = false && type.hold_marketing = true",
      "created",
      1,
      0,
      { c: contact.id },
    )
    if (open.length === 0) {
      return null
    }
    const kase = open[0]
    const name = kase.getString("reference") || `"${kase.getString("subject")}"`
    const until = new DateTime(now).addDate(0, 0, 1)
    return { until: until, reason: `while request ${name} is open (its type holds marketing)` }
  })
}
