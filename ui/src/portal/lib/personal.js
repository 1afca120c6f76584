// The customer's own choices (plugins/portal/personal.go): per kind of
// message whether and where they are told, and what the home shows first.
// The server checks every value and answers with the whole picture again.
import { pb } from './pb.js'

/**
 * A choice for one kind of message or news topic: told or not, and where ('' = the preferred channel).
 * @typedef {{on: boolean, channel?: string}} Choice
 */
/**
 * A thing on the home: a service, a request, an order or an invoice.
 * @typedef {{type: 'service'|'request'|'order'|'invoice', id: string, title: string, reference?: string, status?: string, total?: number, currency?: string, at?: string, pinned: boolean}} Card
 */
/**
 * @typedef {{kinds: string[], topics: Array<{id: string, name: string, description: string}>, channels: string[], news_channels: string[], messages: Record<string, Choice>, news: Record<string, Choice>, pins: Card[], home: Card[], pinnable: Card[]}} Personal
 */

/** @returns {Promise<Personal>} */
export function loadPersonal() {
  return pb.send('/api/crm/portal/personal', { method: 'GET' })
}

/**
 * Saves part of the choices: {messages}, {news} or {pins: [{type, id}]}.
 * @param {{messages?: Record<string, Choice>, news?: Record<string, Choice>, pins?: Array<{type: string, id: string}>}} body
 * @returns {Promise<Personal>}
 */
export function savePersonal(body) {
  return pb.send('/api/crm/portal/personal', { method: 'PATCH', body })
}

/** The pins of cards, as the server keeps them. @param {Card[]} cards */
export const pinsOf = (cards) => cards.map((c) => ({ type: c.type, id: c.id }))

/** cards with the one at i moved by step (-1 up, +1 down); the same list when it cannot move. @param {Card[]} cards @param {number} i @param {number} step */
export function moved(cards, i, step) {
  const j = i + step
  if (j < 0 || j >= cards.length) return cards
  const out = [...cards]
  ;[out[i], out[j]] = [out[j], out[i]]
  return out
}

/** Where a card leads in the portal. @param {Card} c */
export function hrefOf(c) {
  if (c.type === 'request') return `/portal/requests/${c.id}`
  if (c.type === 'invoice') return `/portal/invoices/${c.id}`
  if (c.type === 'order') return `/portal/orders/${c.id}/pay`
  return '/portal/services'
}

const ERROR_KEYS = {
  validation_channel_not_allowed: 'personal.error.channel',
  validation_unknown_kind: 'personal.error.kind',
  validation_too_many_pins: 'personal.error.too_many_pins',
  validation_unknown_pin_type: 'personal.error.pin',
  validation_pinned_twice: 'personal.error.pinned_twice',
  validation_not_found: 'personal.error.pin',
}

/**
 * The server's complaints by field (messages.orders.channel, pins.2.id...),
 * in the reader's words.
 * @param {any} err @param {(k: string, p?: object) => string} t
 * @returns {Record<string, string>}
 */
export function personalErrors(err, t) {
  const data = err?.response?.data ?? err?.data?.data
  /** @type {Record<string, string>} */
  const out = {}
  if (!data || typeof data !== 'object') return out
  for (const [field, problem] of Object.entries(data)) {
    if (!problem || typeof problem !== 'object') continue
    const key = ERROR_KEYS[problem.code]
    out[field] = key ? t(key, problem.params ?? {}) : problem.message || t('error.invalid')
  }
  return out
}
