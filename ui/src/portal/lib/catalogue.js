// The catalogue, the cart and ordering, through the portal's client. The
// server prices everything (plugins/orders): a product as the customer
// shapes it (quote), the cart on every read, the order when placed; the
// page shows its figures and never sends a price of its own — only the
// total it showed, which the server refuses if it is not its own.
import { pb } from './pb.js'

/**
 * An option of a product, as Settings keep it.
 * @typedef {{key: string, kind: 'choice' | 'addon' | 'quantity' | 'text', label: string, labels?: Record<string, string>, help?: string, required?: boolean, price?: number, choices?: Array<{key: string, label: string, labels?: Record<string, string>, price: number}>, default?: string, min?: number, max?: number, max_length?: number, only_with?: {option: string, choice: string}}} Option
 */

/**
 * A line as the server priced it.
 * @typedef {{product: string, code: string, name: string, quantity: number, base: number, unit_price: number, total: number, currency: string, interval?: string, needs_time?: string, options: Array<{option: string, kind: string, label: string, value?: string, price: number}>, choices: Record<string, unknown>}} PricedLine
 */

/**
 * The cart as the server prices it.
 * @typedef {{lines: Array<PricedLine & {index: number, request: {product: string, choices?: Record<string, unknown>, quantity?: number}, problem?: string, problem_code?: string, problem_params?: Record<string, unknown>}>, total: number, currency: string, needs_time: string, for_company: boolean, left_out?: Array<{name: string, problem?: string, problem_code?: string, problem_params?: Record<string, unknown>}>}} Cart
 */

/** The products of the catalogue, by name. */
export function catalogue() {
  return pb.collection('products').getFullList({ filter: 'active = true && in_catalogue = true', sort: 'name' })
}

/** @param {string} id */
export function product(id) {
  return pb.collection('products').getOne(id)
}

/**
 * The address of a product's picture (a thumbnail when thumb is given).
 * @param {Record<string, any>} p
 * @param {string} file
 * @param {string} [thumb]
 */
export function pictureUrl(p, file, thumb) {
  return pb.files.getURL(p, file, thumb ? { thumb } : undefined)
}

/**
 * An option's or an answer's name in lang.
 * @param {{label: string, labels?: Record<string, string>}} o
 * @param {string} lang
 */
export function labelIn(o, lang) {
  return o?.labels?.[lang]?.trim() || o?.label || ''
}

/**
 * Whether an option is offered with the answers chosen (an option may come
 * only with one answer of a choice: the server judges it too).
 * @param {Option} o
 * @param {Record<string, unknown>} choices
 */
export function offered(o, choices) {
  return !o.only_with || choices[o.only_with.option] === o.only_with.choice
}

/**
 * The answers a product starts with: each choice's first answer chosen by
 * the business, quantities at their least.
 * @param {Option[]} options
 * @returns {Record<string, unknown>}
 */
export function startingChoices(options) {
  /** @type {Record<string, unknown>} */
  const out = {}
  for (const o of options ?? []) {
    if (o.kind === 'choice' && o.default) out[o.key] = o.default
    if (o.kind === 'quantity') out[o.key] = o.min ?? 0
  }
  return out
}

/**
 * The answers to send: only the options offered with them, without blanks.
 * @param {Option[]} options
 * @param {Record<string, unknown>} choices
 */
export function answersToSend(options, choices) {
  /** @type {Record<string, unknown>} */
  const out = {}
  for (const o of options ?? []) {
    const v = choices[o.key]
    if (!offered(o, choices) || v === undefined || v === '' || v === false || v === null) continue
    out[o.key] = o.kind === 'quantity' ? Number(v) : v
  }
  return out
}

/**
 * The server's price for a product as shaped.
 * @param {{product: string, choices: Record<string, unknown>, quantity: number}} line
 * @param {AbortSignal} [signal]
 * @returns {Promise<PricedLine>}
 */
export function quote(line, signal) {
  return pb.send('/api/crm/catalogue/quote', { method: 'POST', body: line, requestKey: null, signal })
}

/** @returns {Promise<Cart>} */
export function getCart() {
  return pb.send('/api/crm/cart', { method: 'GET', requestKey: null })
}

/**
 * One more line in the cart.
 * @param {{product: string, choices: Record<string, unknown>, quantity: number}} line
 * @returns {Promise<Cart>}
 */
export function addToCart(line) {
  return pb.send('/api/crm/cart/lines', { method: 'POST', body: line })
}

/**
 * The cart as edited (quantities, lines taken out).
 * @param {Array<{product: string, choices?: Record<string, unknown>, quantity?: number}>} lines
 * @returns {Promise<Cart>}
 */
export function saveCart(lines) {
  return pb.send('/api/crm/cart', { method: 'PUT', body: { lines }, requestKey: null })
}

/**
 * Places the cart as an order.
 * @param {{placed_for: string, scheduled_at?: string, total: number}} body
 * @returns {Promise<Record<string, any>>}
 */
export function placeOrder(body) {
  return pb.send('/api/crm/cart/order', { method: 'POST', body })
}

/**
 * An earlier order's lines back into the cart; the answer is the cart, with
 * what could not be ordered again.
 * @param {string} id
 * @returns {Promise<Cart>}
 */
export function orderAgain(id) {
  return pb.send(`/api/crm/cart/reorder/${encodeURIComponent(id)}`, { method: 'POST' })
}

/** What was left out of the last "order again", for the cart page to say. */
export const lastReorder = { leftOut: /** @type {Cart['left_out']} */ ([]) }

/**
 * The customer's orders, newest first.
 * @returns {Promise<Array<Record<string, any>>>}
 */
export function myOrders() {
  return pb.collection('orders').getFullList({ sort: '-placed_at' })
}

/**
 * Calls onChange on every change of one order (one subscription per order:
 * see Requests.svelte for why not '*').
 * @param {string} id
 * @param {(e: {action: string, record: Record<string, any>}) => void} onChange
 * @returns {Promise<() => Promise<void>>}
 */
export function watchOrder(id, onChange) {
  return pb.collection('orders').subscribe(id, onChange)
}

/**
 * The words for a problem the server named by code, in the reader's language,
 * else the server's own sentence.
 * @param {{code?: string, message?: string, params?: Record<string, unknown>}} p
 * @param {(key: string, params?: Record<string, unknown>) => string} t
 */
export function problemWords(p, t) {
  const key = `catalogue.err.${String(p?.code ?? '').replace(/^validation_/, '')}`
  const w = t(key, p?.params ?? {})
  return w === key ? p?.message || t('error.invalid') : w
}

/**
 * Each field's problem of a failed request, worded: {field: words}.
 * @param {any} err
 * @param {(key: string, params?: Record<string, unknown>) => string} t
 */
export function problems(err, t) {
  const data = err?.response?.data
  /** @type {Record<string, string>} */
  const out = {}
  if (!data || typeof data !== 'object') return out
  for (const [field, p] of Object.entries(data)) {
    if (p && typeof p === 'object') out[field] = problemWords(/** @type {any} */ (p), t)
  }
  return out
}
