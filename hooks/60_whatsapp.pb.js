/// <reference path="../vinculo_data/types.d.ts" />
/// <reference path="types/crm.d.ts" />

// WhatsApp Business through Meta's Cloud API, both ways. A manager turns it
// on in Settings > Channels with the business's Meta app: its app secret,
// an access token, the phone number id, and a verify token of their own
// choosing; they give Meta this server's webhook URL and that verify token.
// Off (or incomplete), the webhook answers 404 and nothing is sent.
//
//   GET  /api/crm/channels/whatsapp?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…
//        Meta's verification: the challenge back when the token is the
//        account's, else 403.
//   POST /api/crm/channels/whatsapp
//        X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed with the app secret>
//        Each message lands on its contact's timeline (an unknown number
//        becomes a lead), and on their open WhatsApp request (or the one
//        whose reference it names) as the customer's message. A missing or
//        wrong signature: 401, nothing written. A message id taken in
//        before (Meta retries until it gets a 200; a replay): 200, nothing
//        written twice. Delivery statuses are answered 200 and not kept.
//
// Staff answers on a request the customer wrote about on WhatsApp go back
// there, through the outbox (its rules decide), sent with the Cloud API.
// Meta lets a business answer freely within 24 hours of the customer's
// last message; later it refuses (a template message is needed), and the
// outbox records the refusal.
$crm.useProviderSender("whatsapp")

routerAdd("GET", "/api/crm/channels/whatsapp", (e) => {
  const account = $crm.channelAccount("whatsapp")
  if (!account || !account.ready) throw new NotFoundError()
  const q = e.request.url.query()
  if (q.get("hub.mode") !== "subscribe" || !$crm.verifyMetaToken(q.get("hub.verify_token"))) {
    throw new ForbiddenError("The verify token does not match.")
  }
  return e.string(200, q.get("hub.challenge"))
})

routerAdd("POST", "/api/crm/channels/whatsapp", (e) => {
  const account = $crm.channelAccount("whatsapp")
  if (!account || !account.ready) throw new NotFoundError()
  const raw = toString(e.request.body, 1 << 20)
  if (!$crm.verifyMetaSignature(raw, e.request.header.get("X-Hub-Signature-256"))) {
    throw new UnauthorizedError("Missing or wrong X-Hub-Signature-256.")
  }
  let payload
  try {
    payload = JSON.parse(raw)
  } catch (_) {
    throw new BadRequestError("The body is not JSON.")
  }
  const textOf = (m) => {
    switch (m.type) {
      case "text":
        return (m.text && m.text.body) || ""
      case "button":
        return (m.button && m.button.text) || ""
      case "interactive":
        return (m.interactive && ((m.interactive.button_reply || m.interactive.list_reply || {}).title || "")) || ""
      default: // image, audio, document, video, sticker, location...: the caption, else its kind
        return ((m[m.type] && m[m.type].caption) || "").trim() || `[${m.type}]`
    }
  }
  let received = 0
  let duplicates = 0
  for (const entry of payload.entry || []) {
    for (const change of entry.changes || []) {
      if (change.field !== "messages" || !change.value) continue
      const names = {}
      for (const c of change.value.contacts || []) names[c.wa_id] = (c.profile && c.profile.name) || ""
      for (const m of change.value.messages || []) {
        const r = $crm.receiveMessage({
          channel: "whatsapp",
          from: "+" + String(m.from || "").replace(/^\+/, ""),
          name: names[m.from] || "",
          text: textOf(m),
          id: m.id,
          at: m.timestamp ? Number(m.timestamp) * 1000 : undefined,
        })
        if (r.duplicate) duplicates++
        else received++
      }
    }
  }
  return e.json(200, { received, duplicates })
})

// A staff answer on a request the customer wrote about on WhatsApp.
onRecordCreate((e) => {
  e.next()
  const m = e.record
  if (m.getBool("internal") || !m.getString("author_staff") || m.getString("author_customer")) return
  if ($crm.replyChannel(m.getString("case")) !== "whatsapp") return
  const account = $crm.channelAccount("whatsapp")
  if (!account || !account.ready) return
  const kase = e.app.findRecordById("cases", m.getString("case"))
  $crm.queueMessage({
    contact: kase.getString("contact"),
    case: kase.id,
    channel: "whatsapp",
    purpose: "service",
    template: "generic",
    subject: kase.getString("reference"),
    body: m.getString("body"),
  })
}, "case_messages")
