// The services a customer runs, through the portal's client. The server
// says what each subscription offers (only what the business and the
// product allow), prices every plan and interval, and works out the
// prorated difference of a change of plan; the page shows its figures and
// sends back only the difference it showed, which the server refuses if it
// no longer matches (plugins/orders: subscriptions*.go, periods.go).
import { pb } from './pb.js'
import { dayKey, parseDate } from '../../lib/format.js'

/**
 * A subscription as the portal shows it.
 * @typedef {{subscription: Record<string, any>, interval: string, actions: string[], plans: Array<{id: string, name: string, price: number, currency: string}>, intervals: Array<{interval: string, price: number}>}} Offer
 */

/**
 * A way of paying on offer.
 * @typedef {{method: string, label?: Record<string, string>, offline: boolean, instructions?: string}} Method
 */

/** Reasons a customer picks when cancelling (crm.CancelReasons). */
export const CANCEL_REASONS = ['too_expensive', 'not_using', 'switching', 'moving', 'problems', 'other']

/**
 * The customer's subscriptions with what each offers, and the ways of paying.
 * @returns {Promise<{services: Offer[], methods: Method[]}>}
 */
export function services() {
  return pb.send('/api/crm/portal/services', { method: 'GET' })
}

/**
 * What moving to another plan costs for the rest of the period.
 * @param {string} id
 * @param {string} product
 * @returns {Promise<{product: string, plan: string, currency: string, interval: string, proration: {days_in_period: number, days_left: number, old_price: number, new_price: number, amount: number}}>}
 */
export function previewChange(id, product) {
  return pb.send(`/api/crm/portal/subscriptions/${encodeURIComponent(id)}/preview`, { method: 'POST', body: { product } })
}

/**
 * Takes an action on a subscription: pause {until}, resume, cancel {when,
 * reason, note}, change_plan {product, expect}, change_interval {interval},
 * change_method {method}. Answer: the subscription's offer, and the payment
 * of an upgrade's difference when there is one.
 * @param {string} id
 * @param {Record<string, unknown>} body
 * @returns {Promise<Offer & {payment?: Record<string, any>}>}
 */
export function act(id, body) {
  return pb.send(`/api/crm/portal/subscriptions/${encodeURIComponent(id)}/action`, { method: 'POST', body })
}

/**
 * A service as the customer shapes it, priced by the server in each interval.
 * @param {{product: string, choices?: Record<string, unknown>, quantity?: number}} line
 * @returns {Promise<{line: import('./catalogue.js').PricedLine, intervals: Array<{interval: string, price: number}>}>}
 */
export function quoteService(line) {
  return pb.send('/api/crm/portal/services/quote', { method: 'POST', body: line })
}

/**
 * Starts a service: its subscription and the first period's payment.
 * @param {{product: string, choices?: Record<string, unknown>, quantity?: number, interval: string, start: string, method: string, total: number}} body
 * @returns {Promise<{subscription: Record<string, any>, payment: Record<string, any>}>}
 */
export function startService(body) {
  return pb.send('/api/crm/portal/services', { method: 'POST', body })
}

const DRAFT = 'vinculo.portal.service-draft'

/**
 * Keeps the product page's choices for the service about to start.
 * @param {{product: string, choices: Record<string, unknown>, quantity: number}} draft
 */
export function keepDraft(draft) {
  try {
    sessionStorage.setItem(DRAFT, JSON.stringify(draft))
  } catch {
    /* private mode: the service starts with the product's defaults */
  }
}

/**
 * The choices kept for product (none when another product's).
 * @param {string} product
 * @returns {{product: string, choices: Record<string, unknown>, quantity: number} | null}
 */
export function draftFor(product) {
  try {
    const d = JSON.parse(sessionStorage.getItem(DRAFT) ?? 'null')
    return d?.product === product ? d : null
  } catch {
    return null
  }
}

/**
 * "YYYY-MM-DD" of the day `days` after the day now falls on in timeZone:
 * the first day a pause may end on is tomorrow where the customer lives.
 * @param {number} days
 * @param {string | undefined} timeZone
 * @param {Date} [now]
 */
export function dayFromToday(days, timeZone, now = new Date()) {
  const today = dayKey(now, timeZone)
  const d = new Date(`${today}T12:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

/**
 * The day a stored moment falls on where the customer lives ("YYYY-MM-DD"):
 * a pause until the 15th ends as the 15th starts in their time zone, and
 * reads as the 15th there.
 * @param {string} value
 * @param {string | undefined} timeZone
 */
export function dayOf(value, timeZone) {
  const d = parseDate(value)
  return d ? dayKey(d, timeZone) : ''
}

/**
 * How a subscription's state reads: the key of its line and its date.
 * @param {Record<string, any>} s
 * @returns {{key: string, date: string} | null}
 */
export function stateLine(s) {
  if (s.status === 'cancelled' && s.cancelled_at) return { key: 'svc.state.cancelled', date: s.cancelled_at }
  if (s.cancel_at) return { key: 'svc.state.ends', date: s.cancel_at }
  if (s.status === 'paused' && s.paused_until) return { key: 'svc.state.paused_until', date: s.paused_until }
  if (s.status === 'paused') return { key: 'svc.state.paused', date: '' }
  if (s.status === 'pending' && s.started_at) return { key: 'svc.state.starts', date: s.started_at }
  if (s.renews_at) return { key: 'svc.state.renews', date: s.renews_at }
  return null
}

/**
 * A method's name in lang: the portal's words, else the provider's label.
 * @param {Method | undefined} m
 * @param {string} key
 * @param {string} lang
 * @param {(k: string) => string} t
 */
export function methodName(m, key, lang, t) {
  const k = `pay.method.${key}`
  const w = t(k)
  if (w !== k) return w
  return m?.label?.[lang] || m?.label?.en || key
}

/**
 * Each field's problem of a failed request, in the reader's words:
 * `svc.err.<field>.<code>`, else `svc.err.<code>`, else the server's message.
 * @param {any} err
 * @param {(key: string, params?: Record<string, unknown>) => string} t
 * @returns {Record<string, string>}
 */
export function fieldProblems(err, t) {
  const data = err?.response?.data
  /** @type {Record<string, string>} */
  const out = {}
  if (!data || typeof data !== 'object') return out
  for (const [field, p] of Object.entries(data)) {
    if (!p || typeof p !== 'object') continue
    const code = String(/** @type {any} */ (p).code ?? '')
    const params = /** @type {any} */ (p).params ?? {}
    let w = ''
    for (const key of [`svc.err.${field}.${code}`, `svc.err.${code}`]) {
      const said = t(key, params)
      if (said !== key) {
        w = said
        break
      }
    }
    out[field] = w || /** @type {any} */ (p).message || t('error.invalid')
  }
  return out
}
