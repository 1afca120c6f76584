// A product's options as a line answers them, for every page that shapes a
// product (the workspace's order and quote lines; the portal's product page
// keeps its own copy in portal/lib/catalogue.js). The server judges every
// answer and works out every price (plugins/orders/price.go): these only
// decide what the form offers and what it sends.

/**
 * An option of a product, as Settings keep it.
 * @typedef {{key: string, kind: 'choice' | 'addon' | 'quantity' | 'text', label: string, labels?: Record<string, string>, help?: string, required?: boolean, price?: number, choices?: Array<{key: string, label: string, labels?: Record<string, string>, price: number}>, default?: string, min?: number, max?: number, max_length?: number, only_with?: {option: string, choice: string}}} Option
 */

/**
 * An option's or an answer's name in lang.
 * @param {{label: string, labels?: Record<string, string>} | undefined} o
 * @param {string} lang
 */
export function labelIn(o, lang) {
  return o?.labels?.[lang]?.trim() || o?.label || ''
}

/**
 * Whether an option is offered with the answers chosen (an option may come
 * only with one answer of a choice).
 * @param {Option} o
 * @param {Record<string, unknown>} choices
 */
export function offered(o, choices) {
  return !o.only_with || choices[o.only_with.option] === o.only_with.choice
}

/**
 * The answers a product starts with: each choice's first answer chosen by
 * the business, quantities at their least.
 * @param {Option[] | undefined | null} options
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
 * @param {Option[] | undefined | null} options
 * @param {Record<string, unknown>} choices
 */
export function answersToSend(options, choices) {
  /** @type {Record<string, unknown>} */
  const out = {}
  for (const o of options ?? []) {
    const v = choices?.[o.key]
    if (!offered(o, choices ?? {}) || v === undefined || v === '' || v === false || v === null) continue
    out[o.key] = o.kind === 'quantity' ? Number(v) : v
  }
  return out
}

/**
 * An answer as a line shows it: "Speed: 600 Mb", "Router", "TV points: 2".
 * @param {{label: string, value?: string}} c
 */
export function chosenWords(c) {
  return c.value ? `${c.label}: ${c.value}` : c.label
}
