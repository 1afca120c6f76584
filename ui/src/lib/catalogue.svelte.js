// A product in the portal's catalogue, as managers keep it in Settings >
// Products: the switch, the time it needs, the product page's text, the
// pictures, and the options customers shape it with (choices, add-ons,
// quantities, texts), each with its price effect and rules. The server checks
// the options when the product is saved (400 naming options.2.choices.0.key)
// and prices every quote, cart and order itself (plugins/orders).

export const OPTION_KINDS = ['choice', 'addon', 'quantity', 'text']
export const NEEDS = ['', 'delivery', 'appointment']

/**
 * What the catalogue part of the product form edits.
 * @typedef {{in_catalogue: boolean, needs_time: string, long_description: string, keep: string[], drop: string[], add: File[], options: Array<Record<string, any>>}} CatalogueDraft
 */

/**
 * A key from a name: "Extra TV points" -> "extra_tv_points".
 * @param {string} s
 */
export function keyFrom(s) {
  return (
    String(s ?? '')
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 40) || 'option'
  )
}

/**
 * The catalogue form's starting values for a product (or a new one).
 * @param {Record<string, any> | null} p
 * @returns {CatalogueDraft}
 */
export function catalogueDraft(p) {
  return {
    in_catalogue: Boolean(p?.in_catalogue),
    needs_time: p?.needs_time ?? '',
    long_description: p?.long_description ?? '',
    keep: [...(p?.pictures ?? [])],
    drop: [],
    add: [],
    options: structuredClone(Array.isArray(p?.options) ? p.options : []).map((o) => ({
      ...o,
      labels: o.labels ?? {},
      keyTouched: true,
      choices: o.choices?.map((c) => ({ ...c, keyTouched: true })),
    })),
  }
}

/**
 * A new option of kind.
 * @param {string} kind
 */
export function newOption(kind = 'choice') {
  /** @type {Record<string, any>} */
  const o = { key: '', kind, label: '', labels: {}, price: 0, keyTouched: false }
  if (kind === 'choice') Object.assign(o, { required: true, choices: [{ key: '', label: '', price: 0 }], default: '' })
  if (kind === 'quantity') Object.assign(o, { min: 0, max: 10 })
  if (kind === 'text') Object.assign(o, { max_length: 100 })
  return o
}

/** A number as typed, or the text for the server to name. @param {unknown} v */
function num(v) {
  const s = String(v ?? '').trim().replace(',', '.')
  if (s === '') return 0
  const n = Number(s)
  return Number.isFinite(n) ? n : s
}

/**
 * An option as the server keeps it: only the fields of its kind, keys made
 * from names where none was typed.
 * @param {Record<string, any>} o
 */
export function optionBody(o) {
  /** @type {Record<string, any>} */
  const out = { key: o.key?.trim() || keyFrom(o.label), kind: o.kind, label: String(o.label ?? '').trim() }
  const labels = Object.fromEntries(Object.entries(o.labels ?? {}).filter(([, v]) => String(v ?? '').trim()))
  if (Object.keys(labels).length) out.labels = labels
  if (o.only_with?.option && o.only_with?.choice) out.only_with = { option: o.only_with.option, choice: o.only_with.choice }
  if (o.kind === 'choice') {
    out.required = Boolean(o.required)
    out.choices = (o.choices ?? []).map((c) => {
      /** @type {Record<string, any>} */
      const cb = { key: c.key?.trim() || keyFrom(c.label), label: String(c.label ?? '').trim(), price: num(c.price) }
      const cl = Object.fromEntries(Object.entries(c.labels ?? {}).filter(([, v]) => String(v ?? '').trim()))
      if (Object.keys(cl).length) cb.labels = cl
      return cb
    })
    if (o.default) out.default = o.default
    return out
  }
  out.price = num(o.price)
  if (o.kind === 'quantity') Object.assign(out, { min: num(o.min), max: num(o.max) })
  if (o.kind === 'text') Object.assign(out, { max_length: num(o.max_length), required: Boolean(o.required) })
  return out
}

/**
 * The catalogue part of a product's body (files as the SDK sends them).
 * @param {CatalogueDraft} d
 * @returns {Record<string, unknown>}
 */
export function catalogueBody(d) {
  /** @type {Record<string, unknown>} */
  const out = {
    in_catalogue: d.in_catalogue,
    needs_time: d.needs_time,
    long_description: d.long_description.trim(),
    options: d.options.map(optionBody),
  }
  if (d.drop.length) out['pictures-'] = d.drop
  if (d.add.length) out['pictures+'] = d.add
  return out
}

/**
 * Saves a product with its catalogue part in one request; throws the SDK's
 * error (a 400 names the field: options.1.max).
 * @param {import('pocketbase').default} pb
 * @param {Record<string, any> | null} product
 * @param {Record<string, unknown>} body
 */
export function saveProduct(pb, product, body) {
  return product ? pb.collection('products').update(product.id, body) : pb.collection('products').create(body)
}

/**
 * The server's refusals of a product's options, worded in the reader's
 * language: {"options.1.max": words}.
 * @param {any} err
 * @param {(key: string, params?: Record<string, unknown>) => string} t
 */
export function catalogueErrors(err, t) {
  const data = err?.response?.data ?? {}
  /** @type {Record<string, string>} */
  const out = {}
  for (const [field, problem] of Object.entries(data)) {
    const code = /** @type {any} */ (problem)?.code ?? ''
    if (!field.startsWith('options') || !code.startsWith('validation_option')) continue
    const key = `cat.err.${code.replace(/^validation_/, '')}`
    const words = t(key)
    out[field] = words === key ? /** @type {any} */ (problem).message : words
  }
  return out
}
