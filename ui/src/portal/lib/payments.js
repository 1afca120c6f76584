// Paying an order and reading invoices in the portal. The server decides
// everything: which methods are on offer, the amount, the payment's state
// (from the provider's signed notification or staff recording the money
// received) and the invoice's number. The portal shows it and follows it
// live.
import { pb } from './pb.js'

/** @typedef {{method: string, label?: Record<string, string>, offline: boolean, instructions?: string}} Method */

/** The ways of paying the business has on offer. @returns {Promise<Method[]>} */
export function paymentMethods() {
  return pb.send('/api/crm/portal/payment-methods', { method: 'GET' })
}

/** Starts paying an order with a method: the payment (state, redirect_url, instructions). */
export function payOrder(orderId, method) {
  return pb.send(`/api/crm/portal/orders/${encodeURIComponent(orderId)}/pay`, { method: 'POST', body: { method } })
}

/** The order's payments, newest first. */
export function orderPayments(orderId) {
  return pb.collection('payments').getFullList({ filter: pb.filter('order = {:o}', { o: orderId }), sort: '-created' })
}

/** Follows the customer's payments live (the rules send only their own). */
export function watchPayments(onChange) {
  return pb.collection('payments').subscribe('*', onChange)
}

/** The customer's invoices, newest first. */
export function invoices() {
  return pb.collection('invoices').getList(1, 100, { sort: '-issued_at', skipTotal: true }).then((r) => r.items)
}

export function invoice(id) {
  return pb.collection('invoices').getOne(id)
}

/**
 * Downloads an invoice as PDF or HTML, in the reader's language: the routes
 * act as the signed-in customer, so the file is fetched with the session's
 * token and handed to the browser.
 * @param {string} id @param {string} number @param {'pdf'|'html'} kind @param {string} lang
 */
export async function downloadInvoice(id, number, kind, lang) {
  const path = `/api/crm/portal/invoices/${encodeURIComponent(id)}${kind === 'pdf' ? '/pdf' : ''}?lang=${encodeURIComponent(lang)}`
  const res = await fetch(pb.buildURL(path), { headers: { Authorization: pb.authStore.token } })
  if (!res.ok) throw Object.assign(new Error(`download ${res.status}`), { status: res.status })
  const url = URL.createObjectURL(await res.blob())
  const a = document.createElement('a')
  a.href = url
  a.download = `${number}.${kind}`
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

/** The name of a method in lang: the portal's words for the shipped ones, the provider's label for others. */
export function methodName(m, lang, t) {
  const key = `pay.method.${m.method}`
  const shipped = t(key)
  if (shipped !== key) return shipped
  return m.label?.[lang] ?? m.label?.en ?? m.method
}

/** An order can be paid while it is placed or confirmed. */
export function toPay(status) {
  return status === 'placed' || status === 'confirmed'
}
