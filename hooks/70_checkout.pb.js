/// <reference path="../vinculo_data/types.d.ts" />
/// <reference path="types/crm.d.ts" />

// A hosted checkout: the customer pays on the provider's own page, so no
// card number ever reaches Vinculo. A manager turns it on in Settings >
// Payments ("checkout") with the provider's address and the signing secret
// the provider gave them, and gives the provider this server's notification
// URL: /api/crm/payment-notifications/checkout. Off (or incomplete), customers are
// not offered it.
//
// Starting a payment:
//   POST <provider>/sessions   Checkout-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">
//     {reference, amount_cents, currency, description, return_url, notify_url}
//   <- {id, url}: the customer is sent to url; the session id is the payment's reference.
// The provider's notification, when the customer paid or the payment failed:
//   POST /api/crm/payment-notifications/checkout   Checkout-Signature: (the same scheme)
//     {id, type: "payment.succeeded" | "payment.failed", session, reference,
//      amount_cents, currency, failure_reason}
// A missing, wrong, stale (over 5 minutes) or replayed signature: 401 and
// nothing written. The same event twice (the provider retries until it gets
// a 200): 200, paid once.
$crm.registerPaymentProvider({
  method: "checkout",
  label: { en: "Card (secure checkout)", "pt-BR": "Cartão (pagamento seguro)" },
  start: (payment) => {
    if (!payment.providerUrl) throw new Error("checkout: no provider address in Settings > Payments")
    const body = JSON.stringify({
      reference: payment.id,
      amount_cents: Math.round(payment.amount * 100),
      currency: payment.currency,
      description: payment.order ? payment.order.number : payment.id,
      return_url: payment.returnUrl,
      notify_url: payment.notifyUrl,
    })
    const res = $http.send({
      url: payment.providerUrl.replace(/\/+$/, "") + "/sessions",
      method: "POST",
      body: body,
      headers: { "content-type": "application/json", "Checkout-Signature": $crm.paymentSignature("checkout", body) },
      timeout: 15,
    })
    if (res.statusCode < 200 || res.statusCode > 299 || !res.json || !res.json.url) {
      throw new Error("checkout: the provider answered " + res.statusCode)
    }
    return { redirect: res.json.url, reference: res.json.id }
  },
  notify: (n) => {
    const why = $crm.checkPaymentSignature("checkout", n.body, n.headers["checkout-signature"] || "")
    if (why) throw new Error("checkout notification refused: " + why)
    let event
    try {
      event = JSON.parse(n.body)
    } catch (_) {
      throw new Error("checkout notification: the body is not JSON")
    }
    const outcome = { "payment.succeeded": "paid", "payment.failed": "failed" }[event.type]
    if (!outcome) throw new Error("checkout notification: unknown type " + event.type)
    return {
      id: event.id,
      payment: event.reference,
      reference: event.session,
      outcome: outcome,
      reason: event.failure_reason || "",
      amount: typeof event.amount_cents === "number" ? event.amount_cents / 100 : undefined,
      currency: event.currency,
    }
  },
})
