/// <reference path="../vinculo_data/types.d.ts" />
/// <reference path="types/crm.d.ts" />

// A signed inbound webhook: messages from another channel (a chat widget, a
// phone system, a social inbox, a WhatsApp provider) into the timeline and,
// when they name a request, into its conversation.
// Switch: webhooks.inbound_secret (off while empty).
//
//   POST /api/crm/inbound
//   X-Vinculo-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the secret>
//   {"channel": "whatsapp", "from": {"phone": "+55 11 98765-4321", "name": "João"},
//    "text": "Still no signal", "case": "SUP-0042", "subject": "...", "occurred_at": "..."}
//
// from: {contact} (an id), {email} or {phone}; a sender nobody knows
// becomes a new lead. case: a reference or an id, of that contact's
// requests. A missing or bad signature, or one older than 5 minutes, is
// refused with 401 and writes nothing; a signature accepted before (a
// replayed request) with 409; a body that is not valid with 400. Each
// request is signed anew, retries too. Everything is written in one
// transaction: all or nothing.
// Answer: 201 {"contact": id, "activity": id, "message": id or null}.
if ($crm.enabled("inbound_webhooks")) {
  routerAdd("POST", "/api/crm/inbound", (e) => {
    const raw = toString(e.request.body, 1 << 20)
    const refused = $crm.checkWebhook(raw, e.request.header.get("X-Vinculo-Signature"))
    if (refused === "replayed") {
      throw new ApiError(409, "This signed request was received before: sign each request anew.")
    }
    if (refused) {
      throw new UnauthorizedError("Missing, bad or stale signature.")
    }
    let msg
    try {
      msg = JSON.parse(raw)
    } catch (_) {
      throw new BadRequestError("The body is not JSON.")
    }
    const channels = ["chat", "phone", "social", "sms", "whatsapp", "email", "letter", "web"]
    const from = msg.from || {}
    const errors = {}
    if (!channels.includes(msg.channel)) errors.channel = new ValidationError("invalid", `One of ${channels.join(", ")}.`)
    if (typeof msg.text !== "string" || !msg.text.trim()) errors.text = new ValidationError("required", "The message text.")
    if (!from.contact && !from.email && !from.phone) errors.from = new ValidationError("required", "{contact}, {email} or {phone}.")
    if (Object.keys(errors).length) {
      throw new BadRequestError("Invalid inbound message.", errors)
    }

    const lib = require(`${__hooks}/lib.js`)
    const result = $crm.transaction(() => {
      let contact = $crm.findContact(from.contact ? { id: from.contact } : { email: from.email, phone: from.phone })
      if (!contact) {
        if (from.contact) throw new BadRequestError("Unknown contact.", { from: new ValidationError("unknown", "No such contact.") })
        contact = $crm.createContact(
          { name: from.name || from.email || from.phone, email: from.email || "", mobile: from.phone || "", stage: "lead", source: msg.channel },
          { actor: "integration" },
        )
      }
      let kase = null
      if (msg.case) {
        const found = $app.findRecordsByFilter("cases", "(reference = {:c} || id = {:c}) && contact = {:contact}", "", 1, 0, {
          c: String(msg.case),
          contact: contact.id,
        })
        if (!found.length) throw new BadRequestError("Unknown request.", { case: new ValidationError("unknown", "No such request of this contact.") })
        kase = found[0]
      }
      const entry = $crm.addToTimeline({
        type: lib.activityType(msg.channel),
        channel: msg.channel,
        direction: "inbound",
        subject: msg.subject || "", // none: the workspace names the entry by its type, in the reader's language
        body: msg.text,
        contact: contact.id,
        case: kase ? kase.id : "",
        occurredAt: msg.occurred_at || undefined,
        actor: "integration",
      })
      const message = kase ? $crm.addCaseMessage(kase, msg.text, { actor: "integration" }) : null
      return { contact: contact.id, activity: entry.id, message: message ? message.id : null }
    })
    return e.json(201, result)
  })
}
