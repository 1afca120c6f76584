// Products and plans: what the business sells, kept by managers in Settings.
// A product is sold once (one_off) or is a plan customers subscribe to
// (subscription), billed every month, quarter or year; its switches say what
// a subscriber may do online without calling (pause, cancel, change plan).
// The record API and its rules do the work (managers write, staff read);
// the server refuses a plan without a billing interval (plugins/orders).
import { latestWins } from '../shared/loader.js'

export const KINDS = ['one_off', 'subscription']
export const INTERVALS = ['month', 'quarter', 'year']
export const SWITCHES = ['customer_can_pause', 'customer_can_cancel', 'customer_can_change_plan']

/**
 * A product record.
 * @typedef {{id: string, name: string, code: string, description?: string, price: number, currency: string, kind: string, interval?: string, active: boolean, customer_can_pause?: boolean, customer_can_cancel?: boolean, customer_can_change_plan?: boolean}} Product
 */

/**
 * What the product form edits: text as typed.
 * @typedef {{name: string, code: string, description: string, price: string, currency: string, kind: string, interval: string, active: boolean, customer_can_pause: boolean, customer_can_cancel: boolean, customer_can_change_plan: boolean}} ProductDraft
 */

/**
 * A form's starting values: the product's, or a new product's.
 * @param {Product | null} [p]
 * @param {string} [currency] a new product's currency
 * @returns {ProductDraft}
 */
export function productDraft(p, currency = 'BRL') {
  return {
    name: p?.name ?? '',
    code: p?.code ?? '',
    description: p?.description ?? '',
    price: p ? String(p.price ?? 0) : '',
    currency: p?.currency ?? currency,
    kind: p?.kind ?? 'one_off',
    interval: p?.interval ?? '',
    active: p ? Boolean(p.active) : true,
    customer_can_pause: Boolean(p?.customer_can_pause),
    customer_can_cancel: Boolean(p?.customer_can_cancel),
    customer_can_change_plan: Boolean(p?.customer_can_change_plan),
  }
}

/**
 * The record API's body for a draft: trimmed, the code and currency in capitals,
 * a one-off product without interval or subscriber switches. A price that is not
 * a number is sent as typed, for the server to name.
 * @param {ProductDraft} d
 * @returns {Record<string, unknown>}
 */
export function productBody(d) {
  const price = d.price.trim().replace(',', '.')
  const plan = d.kind === 'subscription'
  return {
    name: d.name.trim(),
    code: d.code.trim().toUpperCase(),
    description: d.description.trim(),
    price: price === '' ? 0 : Number.isFinite(Number(price)) ? Number(price) : price,
    currency: d.currency.trim().toUpperCase(),
    kind: d.kind,
    interval: plan ? d.interval : '',
    active: d.active,
    customer_can_pause: plan && d.customer_can_pause,
    customer_can_cancel: plan && d.customer_can_cancel,
    customer_can_change_plan: plan && d.customer_can_change_plan,
  }
}

/**
 * A code from a name, for a new product: "Fibre 300 Mb" -> "FIBRE-300-MB".
 * @param {string} name
 * @returns {string}
 */
export function codeFrom(name) {
  return name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toUpperCase().replace(/[^A-Z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40)
}

/** Every product, those on offer first, by name. */
export class ProductList {
  /** @type {Product[]} */
  items = $state.raw([])
  loading = $state(false)
  error = $state(null)
  #latest = latestWins(this)

  /** @param {import('pocketbase').default} pb */
  constructor(pb) {
    this.pb = pb
  }

  /** @returns {Promise<boolean>} */
  load() {
    return this.#latest.run(() => this.pb.collection('products').getFullList({ sort: '-active,name' }), (items) => {
      this.items = /** @type {Product[]} */ (/** @type {unknown} */ (items))
    })
  }

  /**
   * Creates or changes a product; throws the SDK's error (a 400 names the field).
   * @param {Product | null} product the product changed, or null for a new one
   * @param {ProductDraft} draft
   * @returns {Promise<Product>}
   */
  async save(product, draft) {
    const body = productBody(draft)
    const saved = /** @type {Product} */ (/** @type {unknown} */ (product
      ? await this.pb.collection('products').update(product.id, body)
      : await this.pb.collection('products').create(body)))
    this.#put(saved)
    return saved
  }

  /**
   * Takes a product off the offer, or back on it.
   * @param {Product} product
   * @param {boolean} active
   * @returns {Promise<Product>}
   */
  async setActive(product, active) {
    const saved = /** @type {Product} */ (/** @type {unknown} */ (await this.pb.collection('products').update(product.id, { active })))
    this.#put(saved)
    return saved
  }

  /** @param {Product} p */
  #put(p) {
    const rest = this.items.filter((x) => x.id !== p.id)
    this.items = [...rest, p].sort((a, b) => Number(b.active) - Number(a.active) || a.name.localeCompare(b.name))
  }
}

/**
 * The products on offer, for an order's lines or a subscription's plan (kind: only that kind).
 * @param {import('pocketbase').default} pb
 * @param {string} [kind]
 * @returns {Promise<Product[]>}
 */
export async function productsOnOffer(pb, kind) {
  const filter = kind ? pb.filter('active = true && kind = {:kind}', { kind }) : 'active = true'
  return /** @type {Product[]} */ (/** @type {unknown} */ (await pb.collection('products').getFullList({ filter, sort: 'name' })))
}
