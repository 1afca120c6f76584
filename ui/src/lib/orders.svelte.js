// Orders and subscriptions, as staff keep them: the list of orders (newest
// placed first, by status, by number or customer), one order, the form's
// lines, the moves of an order's status, and a customer's subscriptions with
// the actions staff take for them. The server owns the rules (plugins/orders):
// it numbers and totals an order, refuses a move that makes no sense (400
// naming status), keeps a shipped order's lines, fills a new subscription
// from its plan, and takes the same subscription actions the portal takes.
import { latestWins } from '../shared/loader.js'
import { PagedList } from './paged.svelte.js'
import { fieldErrors } from './errors.js'
import { search } from './search.js'

export const PER_PAGE = 25
export const STATUSES = ['placed', 'confirmed', 'paid', 'shipped', 'delivered', 'cancelled']

/** The moves an order's status may make (the server's orders.OrderMoves; it refuses the rest). */
export const MOVES = {
  placed: ['confirmed', 'paid', 'shipped', 'cancelled'],
  confirmed: ['paid', 'shipped', 'delivered', 'cancelled'],
  paid: ['shipped', 'delivered', 'cancelled'],
  shipped: ['delivered'],
}

/** Badge colour of an order's or a subscription's status. */
export const BADGE = { placed: 'blue', confirmed: 'blue', paid: 'blue', shipped: 'amber', delivered: 'green', cancelled: 'red', active: 'green', paused: 'amber', pending: 'blue' }

/**
 * Whether an order's lines may still change (until it is shipped).
 * @param {string} status
 */
export function isOpen(status) {
  return status === 'placed' || status === 'confirmed' || status === 'paid'
}

/**
 * An order's line as the form edits it.
 * @typedef {{product: string, name: string, quantity: string, unit_price: string}} LineDraft
 */

/**
 * An order record (items as stored: product code, name, quantity, unit_price).
 * @typedef {{id: string, number: string, contact: string, company?: string, items: Array<{product?: string, name: string, quantity?: number, unit_price?: number}>, total: number, currency: string, status: string, placed_at: string, cancelled_at?: string, internal_notes?: string, expand?: Record<string, any>}} Order
 */

/**
 * A line for a product: its code, name and price, one of it.
 * @param {{code: string, name: string, price: number}} product
 * @returns {LineDraft}
 */
export function lineFor(product) {
  return { product: product.code, name: product.name, quantity: '1', unit_price: String(product.price ?? 0) }
}

/** @param {string | number} v */
function num(v) {
  const n = Number(String(v ?? '').trim().replace(',', '.'))
  return Number.isFinite(n) ? n : NaN
}

/**
 * The total of the lines as the form shows it (the server totals again on save).
 * @param {LineDraft[]} lines
 * @returns {number}
 */
export function linesTotal(lines) {
  let total = 0
  for (const l of lines) {
    const q = num(l.quantity)
    const p = num(l.unit_price)
    if (Number.isFinite(q) && Number.isFinite(p)) total += q * p
  }
  return Math.round(total * 100) / 100
}

/**
 * The form's lines from an order's items.
 * @param {Order['items']} items
 * @returns {LineDraft[]}
 */
export function linesOf(items) {
  return (Array.isArray(items) ? items : []).map((i) => ({
    product: i.product ?? '',
    name: i.name ?? '',
    quantity: String(i.quantity ?? 1),
    unit_price: i.unit_price === undefined || i.unit_price === null ? '' : String(i.unit_price),
  }))
}

/**
 * The record API's body for the order form: numbers as numbers (text that is
 * not a number is sent as typed, for the server to refuse naming items).
 * @param {{contact: string, company?: string, currency: string, lines: LineDraft[], internal_notes?: string}} d
 * @returns {Record<string, unknown>}
 */
export function orderBody(d) {
  const items = d.lines.map((l) => {
    const item = /** @type {Record<string, unknown>} */ ({ name: l.name.trim() })
    if (l.product) item.product = l.product
    item.quantity = Number.isFinite(num(l.quantity)) ? num(l.quantity) : l.quantity
    if (String(l.unit_price).trim() !== '') item.unit_price = Number.isFinite(num(l.unit_price)) ? num(l.unit_price) : l.unit_price
    return item
  })
  return { contact: d.contact, company: d.company ?? '', currency: d.currency.trim().toUpperCase(), items, internal_notes: (d.internal_notes ?? '').trim() }
}

/** The codes of plugins/orders with a message of ours; their params fill it. */
const CODES = {
  validation_order_move: 'orders.err.move',
  validation_order_closed: 'orders.err.closed',
  validation_order_lines: 'orders.err.lines',
  validation_order_line: 'orders.err.line',
  validation_interval_required: 'products.err.interval',
  validation_unknown_product: 'orders.err.unknown_product',
  validation_not_active: 'orders.err.not_active',
  validation_not_paused: 'orders.err.not_paused',
  validation_already_cancelled: 'orders.err.already_cancelled',
  validation_cancelled: 'orders.err.cancelled',
  validation_same_plan: 'orders.err.same_plan',
  validation_past_date: 'orders.err.past_date',
  validation_not_unique: 'orders.err.taken',
}

/**
 * The messages beside each field of a 400, in the reader's language: the
 * orders' own codes (a status named in a param is translated too), then
 * PocketBase's (errors.js).
 * @param {any} err
 * @param {(key: string, params?: object) => string} t
 * @returns {Record<string, string>}
 */
export function ordersFieldErrors(err, t) {
  const out = fieldErrors(err, t)
  const data = err?.response?.data ?? {}
  for (const [field, problem] of Object.entries(data)) {
    const key = CODES[/** @type {any} */ (problem)?.code]
    if (!key) continue
    const params = { ...(/** @type {any} */ (problem).params ?? {}) }
    for (const p of ['from', 'to', 'status']) if (params[p]) params[p] = t(`status.${params[p]}`)
    out[field] = t(key, params)
  }
  return out
}

/** The list of orders: newest placed first, by status, by number or customer name. */
export class OrderList extends PagedList {
  status = $state('')
  query = $state('')

  /** @param {import('pocketbase').default} pb */
  constructor(pb) {
    super()
    this.pb = pb
  }

  /** The record API's filter for the list's status and query. */
  filter() {
    const parts = []
    if (this.status) parts.push(this.pb.filter('status = {:s}', { s: this.status }))
    const q = this.query.trim()
    if (q) parts.push(this.pb.filter('(number ~ {:q} || contact.name ~ {:q})', { q }))
    return parts.join(' && ')
  }

  /** @returns {Promise<void>} */
  async load() {
    await this.latest.run(() => this.pb.collection('orders').getList(this.page, PER_PAGE, {
      filter: this.filter(), sort: '-placed_at', expand: 'contact', skipTotal: true,
    }), (res) => {
      this.items = res.items
      this.hasNext = res.items.length === PER_PAGE
    })
  }
}

/** One order, with its customer and company. */
export class OrderView {
  /** @type {Order | null} */
  record = $state(null)
  loading = $state(true)
  error = $state(null)
  #latest = latestWins(this)

  /**
   * @param {import('pocketbase').default} pb
   * @param {string} id
   */
  constructor(pb, id) {
    this.pb = pb
    this.id = id
  }

  load() {
    return this.#latest.run(() => this.pb.collection('orders').getOne(this.id, { expand: 'contact,company' }), (r) => {
      this.record = /** @type {Order} */ (/** @type {unknown} */ (r))
    })
  }

  /**
   * Moves the order's status; throws the SDK's error (a 400 names status).
   * @param {string} status
   */
  async move(status) {
    const r = await this.pb.collection('orders').update(this.id, { status }, { expand: 'contact,company' })
    this.record = /** @type {Order} */ (/** @type {unknown} */ (r))
  }
}

/**
 * Creates or changes an order; throws the SDK's error (a 400 names the field).
 * @param {import('pocketbase').default} pb
 * @param {Order | null} order
 * @param {Parameters<typeof orderBody>[0]} draft
 * @returns {Promise<Order>}
 */
export async function saveOrder(pb, order, draft) {
  const body = orderBody(draft)
  const opts = { expand: 'contact,company' }
  const r = order ? await pb.collection('orders').update(order.id, body, opts) : await pb.collection('orders').create(body, opts)
  return /** @type {Order} */ (/** @type {unknown} */ (r))
}

/**
 * Contacts whose name, email or phone matches q, best first, for the order form.
 * @param {import('pocketbase').default} pb
 * @param {string} q
 * @returns {Promise<Array<{id: string, title: string, subtitle?: string}>>}
 */
export async function findContacts(pb, q) {
  if (q.trim().length < 2) return []
  const hits = await search(pb, q.trim(), { collection: 'contacts', limit: 8 })
  return hits.filter((h) => h.collection === 'contacts').map((h) => ({ id: h.id, title: String(h.title ?? h.id), subtitle: h.subtitle ? String(h.subtitle) : '' }))
}

/** A contact's orders and subscriptions, newest first, with the staff actions on them. */
export class CustomerOrders {
  /** @type {Order[]} */
  orders = $state.raw([])
  /** @type {Array<Record<string, any>>} */
  subscriptions = $state.raw([])
  loading = $state(true)
  error = $state(null)
  #latest = latestWins(this)

  /**
   * @param {import('pocketbase').default} pb
   * @param {string} contact
   */
  constructor(pb, contact) {
    this.pb = pb
    this.contact = contact
  }

  load() {
    const filter = this.pb.filter('contact = {:c}', { c: this.contact })
    return this.#latest.run(() => Promise.all([
      this.pb.collection('orders').getList(1, 50, { filter, sort: '-placed_at', skipTotal: true }),
      this.pb.collection('subscriptions').getList(1, 50, { filter, sort: '-created', expand: 'product', skipTotal: true }),
    ]), ([o, s]) => {
      this.orders = /** @type {Order[]} */ (/** @type {unknown} */ (o.items))
      this.subscriptions = s.items
    })
  }

  /**
   * Starts a subscription for the contact: the server fills plan, price and
   * currency from the product, and the status from the start.
   * @param {{product: string, started_at: string, company?: string}} d started_at is YYYY-MM-DD
   */
  async start(d) {
    const body = { contact: this.contact, product: d.product, company: d.company ?? '' }
    if (d.started_at) body.started_at = `${d.started_at} 12:00:00.000Z`
    const r = await this.pb.collection('subscriptions').create(body, { expand: 'product' })
    this.subscriptions = [r, ...this.subscriptions]
    return r
  }

  /**
   * Takes an action on one of the contact's subscriptions (the staff route,
   * the portal's rules); throws the SDK's error (a 400 names the field).
   * @param {string} id
   * @param {{action: string, until?: string, product?: string}} body
   */
  async act(id, body) {
    await this.pb.send(`/api/crm/subscriptions/${encodeURIComponent(id)}/action`, { method: 'POST', body })
    const r = await this.pb.collection('subscriptions').getOne(id, { expand: 'product' })
    this.subscriptions = this.subscriptions.map((s) => (s.id === id ? r : s))
    return r
  }

  /** @param {Order} order an order just saved for the contact */
  put(order) {
    this.orders = [order, ...this.orders.filter((o) => o.id !== order.id)]
  }
}

/**
 * The actions staff may take on a subscription in its state (the server checks again).
 * @param {{status: string}} s
 * @returns {string[]}
 */
export function subscriptionActions(s) {
  switch (s.status) {
    case 'active':
      return ['pause', 'change_plan', 'cancel']
    case 'paused':
      return ['resume', 'change_plan', 'cancel']
    case 'pending':
      return ['change_plan', 'cancel']
  }
  return []
}
