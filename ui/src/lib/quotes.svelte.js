// Quotes as staff build them (pages/Quotes.svelte): the list by state, one
// quote, the editor's draft, and the lines staff shape (products with their
// options, how many, a discount) — the same line editor the order form uses.
// The server owns every figure (plugins/orders/quotes*.go): it prices each
// line, works out the discounts and the total, numbers the quote, and moves
// its state; the page shows what it answers and never sends a price.
import { PagedList } from './paged.svelte.js'
import { latestWins } from '../shared/loader.js'
import { fieldErrors } from './errors.js'
import { startingChoices, answersToSend } from '../shared/options.js'

export const PER_PAGE = 25
export const STATES = ['draft', 'sent', 'accepted', 'declined', 'expired', 'withdrawn']
export const BADGE = { draft: '', sent: 'blue', accepted: 'green', declined: 'red', expired: 'amber', withdrawn: 'amber' }
export const DISCOUNT_KINDS = ['', 'percent', 'amount']

/**
 * A line as the editor shapes it: the product (its id, code and name), the
 * answers to its options, how many, and (orders) the price of one or
 * (quotes) a discount. `options` are the answers as the server worded them.
 * @typedef {{uid: number, product: string, code: string, name: string, quantity: string, choices: Record<string, unknown>, unit_price: string, discount_kind: string, discount_value: string, options: Array<{option: string, kind: string, label: string, value?: string, price: number}>, discount?: number}} LineDraft
 */

/**
 * A quote's editor draft.
 * @typedef {{contact: {id: string, name: string, company?: string} | null, forCompany: boolean, deal: string, lines: LineDraft[], discount_kind: string, discount_value: string, valid_until: string, note: string}} QuoteDraft
 */

let uids = 0

/**
 * A new line for a product: its business's first answers, one of it, its price.
 * @param {{id: string, code?: string, name: string, price?: number, options?: any[]}} p
 * @returns {LineDraft}
 */
export function newLine(p) {
  return { uid: ++uids, product: p.id, code: p.code ?? '', name: p.name, quantity: '1', choices: startingChoices(p.options),
    unit_price: String(p.price ?? 0), discount_kind: '', discount_value: '', options: [] }
}

/** @param {string | number} v */
export function num(v) {
  const s = String(v ?? '').trim().replace(',', '.')
  const n = Number(s)
  return s !== '' && Number.isFinite(n) ? n : NaN
}

/** A number as typed, for the server to judge (text that is not a number is sent as typed, and refused naming its field). */
function asSent(v) {
  return Number.isFinite(num(v)) ? num(v) : String(v ?? '').trim()
}

/**
 * An order's or a quote's stored lines back into the editor: the product by
 * its id (else its code), its answers, how many.
 * @param {any[]} items
 * @param {Array<{id: string, code: string}>} products
 * @returns {LineDraft[]}
 */
export function linesOf(items, products) {
  return (Array.isArray(items) ? items : []).map((i) => {
    const p = products.find((x) => x.id === (i.product_id ?? i.product)) ?? products.find((x) => x.code && x.code === i.product)
    return { uid: ++uids, product: p?.id ?? '', code: p?.code ?? (i.code ?? i.product ?? ''), name: i.name ?? p?.name ?? '',
      quantity: String(i.quantity ?? 1), choices: { ...(i.choices ?? {}) }, unit_price: i.unit_price == null ? '' : String(i.unit_price),
      discount_kind: i.discount_kind ?? '', discount_value: i.discount_value ? String(i.discount_value) : '', options: i.options ?? [],
      discount: i.discount_kind ? undefined : i.discount }
  })
}

/**
 * The quote routes' body from the editor's draft.
 * @param {QuoteDraft} d
 * @param {Array<{id: string, options?: any[]}>} products
 */
export function quoteBody(d, products) {
  return {
    contact: d.contact?.id ?? '',
    company: d.forCompany ? (d.contact?.company ?? '') : '',
    deal: d.deal ?? '',
    lines: d.lines.map((l) => {
      const p = products.find((x) => x.id === l.product)
      /** @type {Record<string, unknown>} */
      const line = { product: l.product, choices: answersToSend(p?.options, l.choices), quantity: asSent(l.quantity) }
      if (l.discount_kind) Object.assign(line, { discount_kind: l.discount_kind, discount_value: asSent(l.discount_value || '0') })
      return line
    }),
    discount_kind: d.discount_kind,
    discount_value: d.discount_kind ? asSent(d.discount_value || '0') : 0,
    valid_until: d.valid_until,
    note: d.note.trim(),
  }
}

/**
 * The editor's draft of a saved quote (or a new one for a contact).
 * @param {any} q
 * @param {Array<{id: string, code: string}>} products
 * @returns {QuoteDraft}
 */
export function draftOf(q, products) {
  const contact = q?.expand?.contact
  return {
    contact: contact ? { id: contact.id, name: contact.name, company: contact.company } : null,
    forCompany: Boolean(q?.company),
    deal: q?.deal ?? '',
    lines: linesOf(q?.lines ?? [], products),
    discount_kind: q?.discount_kind ?? '',
    discount_value: q?.discount_kind ? String(q.discount_value ?? '') : '',
    valid_until: q?.valid_until ?? '',
    note: q?.note ?? '',
  }
}

/** The codes of the quotes (and the catalogue's price) with words of ours. */
const CODES = {
  validation_discount_percent: 'quotes.err.discount_percent',
  validation_discount_amount: 'quotes.err.discount_amount',
  validation_discount_kind: 'quotes.err.discount_kind',
  validation_quote_currency: 'quotes.err.currency',
  validation_quote_contact: 'quotes.err.contact',
  validation_quote_company: 'quotes.err.company',
  validation_quote_day: 'quotes.err.day',
  validation_quote_day_past: 'quotes.err.day_past',
  validation_quote_day_required: 'quotes.err.day_required',
  validation_quote_empty: 'quotes.err.empty',
  validation_quote_not_draft: 'quotes.err.not_draft',
  validation_quote_state: 'quotes.err.state',
  validation_quote_note: 'quotes.err.note',
  validation_not_offered: 'quotes.err.not_offered',
  validation_option_required: 'quotes.err.option_required',
  validation_option_answer: 'quotes.err.option_answer',
  validation_option_limits: 'quotes.err.option_limits',
  validation_option_length: 'quotes.err.option_length',
  validation_option_unavailable: 'quotes.err.option_unavailable',
  validation_unknown_option: 'quotes.err.unknown_option',
  validation_line_quantity: 'quotes.err.line_quantity',
  validation_server_owned: 'quotes.err.server_owned',
}

/**
 * The words beside each field of a refused quote or line, in the reader's
 * language (the server's sentence when we have none).
 * @param {any} err
 * @param {(key: string, params?: object) => string} t
 * @param {string} [at] a prefix for the fields ("lines.2." for one line priced alone)
 * @returns {Record<string, string>}
 */
export function quoteFieldErrors(err, t, at = '') {
  const out = /** @type {Record<string, string>} */ ({})
  const data = err?.response?.data ?? {}
  const base = fieldErrors(err, t)
  for (const [field, problem] of Object.entries(data)) {
    const key = CODES[/** @type {any} */ (problem)?.code]
    const params = { ...(/** @type {any} */ (problem)?.params ?? {}) }
    if (params.from) params.from = t(`quotes.state.${params.from}`)
    if (params.to) params.to = t(`quotes.state.${params.to}`)
    out[at + field] = key ? t(key, params) : base[field]
  }
  return out
}

/**
 * The server's prices for a quote as shaped (nothing saved).
 * @param {import('pocketbase').default} pb
 * @param {ReturnType<typeof quoteBody>} body
 * @param {AbortSignal} [signal]
 */
export function priceQuote(pb, body, signal) {
  return pb.send('/api/crm/quotes/price', { method: 'POST', body, requestKey: null, signal })
}

/**
 * The server's price of one line as shaped (the order form's lines).
 * @param {import('pocketbase').default} pb
 * @param {{product: string, choices: Record<string, unknown>, quantity: unknown}} line
 */
export function priceLine(pb, line) {
  return pb.send('/api/crm/catalogue/quote', { method: 'POST', body: line, requestKey: null })
}

/**
 * Saves a draft (a new one without id); throws the SDK's error (a 400 names the field).
 * @param {import('pocketbase').default} pb
 * @param {string} id
 * @param {ReturnType<typeof quoteBody>} body
 */
export function saveQuote(pb, id, body) {
  return id ? pb.send(`/api/crm/quotes/${encodeURIComponent(id)}`, { method: 'PUT', body }) : pb.send('/api/crm/quotes', { method: 'POST', body })
}

/**
 * Sends the quote to its customer, or withdraws it.
 * @param {import('pocketbase').default} pb
 * @param {string} id
 * @param {'send' | 'withdraw'} action
 */
export function act(pb, id, action) {
  return pb.send(`/api/crm/quotes/${encodeURIComponent(id)}/${action}`, { method: 'POST' })
}

/** @param {import('pocketbase').default} pb @param {string} id */
export function loadQuote(pb, id) {
  return pb.collection('quotes').getOne(id, { expand: 'contact,company,deal,order,owner' })
}

/** The list of quotes: newest first, by state, by number or customer name. */
export class QuoteList extends PagedList {
  state = $state('')
  query = $state('')

  /** @param {import('pocketbase').default} pb */
  constructor(pb) {
    super()
    this.pb = pb
  }

  filter() {
    const parts = []
    if (this.state) parts.push(this.pb.filter('state = {:s}', { s: this.state }))
    const q = this.query.trim()
    if (q) parts.push(this.pb.filter('(number ~ {:q} || contact.name ~ {:q})', { q }))
    return parts.join(' && ')
  }

  /** @returns {Promise<void>} */
  async load() {
    await this.latest.run(() => this.pb.collection('quotes').getList(this.page, PER_PAGE, {
      filter: this.filter(), sort: '-created', expand: 'contact', skipTotal: true,
    }), (res) => {
      this.items = res.items
      this.hasNext = res.items.length === PER_PAGE
    })
  }
}

/** One quote, kept live. */
export class QuoteView {
  /** @type {any} */
  record = $state(null)
  loading = $state(true)
  error = $state(null)
  #latest = latestWins(this)

  /** @param {import('pocketbase').default} pb @param {string} id */
  constructor(pb, id) {
    this.pb = pb
    this.id = id
  }

  load() {
    return this.#latest.run(() => loadQuote(this.pb, this.id), (r) => (this.record = r))
  }
}
