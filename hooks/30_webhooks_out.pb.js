/// <reference path="../vinculo_data/types.d.ts" />
/// <reference path="types/crm.d.ts" />

// Signed outbound webhooks on chosen events.
// Switch: webhooks.url (off while empty); webhooks.secret signs them;
// webhooks.events chooses the timeline events (or * for all).
//
// Every change that matters writes a timeline entry with its event
// ("case.opened", "deal.won"...). The entries whose event is chosen are
// posted as JSON to webhooks.url, once the change is committed:
//
//   {"id": "<delivery id>", "event": "case.closed", "occurred_at": "...",
//    "data": {"entry": {...the timeline entry...}, "record": {...the record it is about...}}}
//
// with the headers X-Vinculo-Event, X-Vinculo-Delivery and
// X-Vinculo-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">.
// Each delivery is written to the database (webhook_deliveries) in the
// change's transaction, so the change and its webhook are kept or lost
// together; it is sent in the background once the change commits, retried on
// network errors, 429 and 5xx (7 attempts over about 8 hours and a half,
// resumed after a restart), and logged if it gives up.
if ($crm.enabled("webhooks")) {
  onRecordCreate((e) => {
    e.next()
    const entry = e.record
    const event = entry.getString("event")
    const chosen = $crm.settings().webhooks.events
    if (event && (chosen.includes("*") || chosen.includes(event))) {
      try {
        let record = null
        const refCollection = entry.getString("ref_collection")
        if (refCollection && entry.getString("ref_id")) {
          try {
            record = $app.findRecordById(refCollection, entry.getString("ref_id"))
          } catch (_) {
            record = null // deleted since
          }
        }
        $crm.postWebhook(event, { entry: entry, record: record })
      } catch (err) {
        $app.logger().error("webhooks: not queued", "event", event, "entry", entry.id, "error", String(err))
      }
    }
  }, "activities")
}
