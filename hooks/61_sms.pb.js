/// <reference path="../vinculo_data/types.d.ts" />
/// <reference path="types/crm.d.ts" />

// SMS through Twilio, both ways. A manager turns it on in Settings >
// Channels with the business's Twilio account SID, auth token and number,
// and gives Twilio this server's webhook URL for incoming messages (the
// URL Twilio calls must be the one it signs: set it in Settings when a
// proxy changes it). Off (or incomplete), the webhook answers 404 and
// nothing is sent.
//
//   POST /api/crm/channels/sms   (form-encoded, as Twilio sends it)
//        X-Twilio-Signature: base64 HMAC-SHA1, keyed with the auth token, of
//        the full URL followed by each POST parameter's name and value,
//        sorted by name.
//        The message lands on its contact's timeline (an unknown number
//        becomes a lead), and on their open SMS request (or the one whose
//        reference it names) as the customer's message. A missing or wrong
//        signature: 401, nothing written. A MessageSid taken in before
//        (Twilio retries; a replay): 200, nothing written twice. The answer
//        is empty TwiML: Vinculo answers later, through the outbox.
//
// Staff answers on a request the customer wrote about by SMS go back by
// SMS, through the outbox (its rules decide), sent with Twilio's API.
$crm.useProviderSender("sms")

routerAdd("POST", "/api/crm/channels/sms", (e) => {
  const account = $crm.channelAccount("sms")
  if (!account || !account.ready) throw new NotFoundError()
  const raw = toString(e.request.body, 1 << 20)
  if (!$crm.verifyTwilioSignature(raw, e.request.header.get("X-Twilio-Signature"))) {
    throw new UnauthorizedError("Missing or wrong X-Twilio-Signature.")
  }
  const form = $crm.parseForm(raw)
  if (!form.MessageSid || !form.From) {
    throw new BadRequestError("Not an incoming message: MessageSid and From are missing.")
  }
  let text = (form.Body || "").trim()
  const media = Number(form.NumMedia || 0)
  if (!text && media > 0) text = `[media × ${media}]`
  if (text) {
    $crm.receiveMessage({ channel: "sms", from: form.From, text, id: form.MessageSid })
  }
  return e.blob(200, "text/xml", toBytes('<?xml version="1.0" encoding="UTF-8"?><Response></Response>'))
})

// A staff answer on a request the customer wrote about by SMS.
onRecordCreate((e) => {
  e.next()
  const m = e.record
  if (m.getBool("internal") || !m.getString("author_staff") || m.getString("author_customer")) return
  if ($crm.replyChannel(m.getString("case")) !== "sms") return
  const account = $crm.channelAccount("sms")
  if (!account || !account.ready) return
  const kase = e.app.findRecordById("cases", m.getString("case"))
  $crm.queueMessage({
    contact: kase.getString("contact"),
    case: kase.id,
    channel: "sms",
    purpose: "service",
    template: "generic",
    subject: kase.getString("reference"),
    body: m.getString("body"),
  })
}, "case_messages")
