// The quotes the business sent the customer, through the portal's client:
// the list (their own, and their company's for its admin), one quote, and
// the customer's answer. The server keeps the record of an acceptance (the
// time, the address, the browser) and turns the quote into an order at its
// quoted prices; the page sends only the name typed, or the reason.
import { pb } from './pb.js'

/** The customer's quotes, newest first. */
export function myQuotes() {
  return pb.collection('quotes').getFullList({ sort: '-created' })
}

/** @param {string} id */
export function quote(id) {
  return pb.collection('quotes').getOne(id)
}

/**
 * Accepts the quote with the full name typed; the answer is {quote, order}.
 * @param {string} id
 * @param {string} name
 * @returns {Promise<{quote: Record<string, any>, order: Record<string, any>}>}
 */
export function accept(id, name) {
  return pb.send(`/api/crm/portal/quotes/${encodeURIComponent(id)}/accept`, { method: 'POST', body: { name } })
}

/**
 * Declines the quote, saying why.
 * @param {string} id
 * @param {string} reason
 */
export function decline(id, reason) {
  return pb.send(`/api/crm/portal/quotes/${encodeURIComponent(id)}/decline`, { method: 'POST', body: { reason } })
}

/**
 * Calls onChange on every change of one quote.
 * @param {string} id
 * @param {(e: {action: string, record: Record<string, any>}) => void} onChange
 */
export function watchQuote(id, onChange) {
  return pb.collection('quotes').subscribe(id, onChange)
}

/** Badge colour of a quote's state. */
export const BADGE = { sent: 'blue', accepted: 'green', declined: 'red', expired: 'amber', withdrawn: 'amber' }

/**
 * Whether a quote may still be answered: sent, and its last day not over
 * (the server judges it again, in the business's time zone).
 * @param {Record<string, any>} q
 * @param {Date} [now]
 */
export function answerable(q, now = new Date()) {
  if (q?.state !== 'sent') return false
  if (!q.valid_until) return true
  return now.toISOString().slice(0, 10) <= q.valid_until
}

/**
 * Each field's problem of a refused answer, worded: {field: words}.
 * @param {any} err
 * @param {(key: string, params?: Record<string, unknown>) => string} t
 */
export function problems(err, t) {
  const data = err?.response?.data
  /** @type {Record<string, string>} */
  const out = {}
  if (!data || typeof data !== 'object') return out
  for (const [field, p] of Object.entries(data)) {
    if (!p || typeof p !== 'object') continue
    const key = `quote.err.${String(/** @type {any} */ (p).code ?? '').replace(/^validation_quote_/, '')}`
    const w = t(key, /** @type {any} */ (p).params ?? {})
    out[field] = w === key ? /** @type {any} */ (p).message || t('error.invalid') : w
  }
  return out
}
