// "Your profile and offers": what the customer value model says of the
// signed-in customer, the segments they are in, why each suggestion about
// them was made (GET /api/crm/portal/profiling: the reasons' events and
// numbers, never the team's notes), and the one-click objection to
// profiling (GDPR art. 21): POST /api/crm/portal/profiling/objection
// withdraws the profiling consent (dated by the server) and deletes the
// scores and suggestions at once; DELETE grants profiling again.
import { pb } from './pb.js'

/**
 * @typedef {{event: string, data: Record<string, any>}} Reason
 * @typedef {{consent: {state: string, at: string}, allowed: boolean, needs_consent: boolean,
 *   score: {class: string, purchases: number, last_purchase: string, total_spent: number, currency: string, fitted_at: string} | null,
 *   segments: {name: string, proposition: string, uses_profiling: boolean}[],
 *   suggestions: {id: string, kind: string, reasons: Reason[], created: string}[]}} Profile
 */

/** @returns {Promise<Profile>} */
export function myProfile() {
  return pb.send('/api/crm/portal/profiling', { method: 'GET' })
}

/**
 * Objects to profiling, with the words the customer read.
 * @param {string} text
 * @returns {Promise<Profile>}
 */
export function objectToProfiling(text) {
  return pb.send('/api/crm/portal/profiling/objection', { method: 'POST', body: { text } })
}

/**
 * Undoes the objection: profiling is granted again, with the words the customer read.
 * @param {string} text
 * @returns {Promise<Profile>}
 */
export function allowProfiling(text) {
  return pb.send('/api/crm/portal/profiling/objection', { method: 'DELETE', body: { text } })
}

/** A stored day as the calendar day it is, whatever the reader's zone. */
export function dayWords(v, lang) {
  const d = String(v ?? '').slice(0, 10)
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) return ''
  return new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${d}T00:00:00Z`))
}

const pct = (v, lang) => new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 0 }).format(Number(v) || 0)

/**
 * One reason of a suggestion, in words for the customer it is about.
 * @param {Reason} r
 * @param {(k: string, p?: any) => string} t
 * @param {{money: (a: number, c: string) => string}} fmt
 * @param {string} lang
 */
export function customerReason(r, t, fmt, lang) {
  const d = r.data ?? {}
  switch (r.event) {
    case 'cycle':
      return t('profiling.why.cycle', { name: d.name, times: d.times, days: d.days, since: d.since })
    case 'due':
      return d.in_days > 0 ? t('profiling.why.due_in', { n: d.in_days, day: dayWords(d.next, lang) }) : t('profiling.why.due_now')
    case 'p_active':
      return t('profiling.why.p_active', { p: pct(d.p, lang) })
    case 'last_purchase':
      return t('profiling.why.last_purchase', { days: d.days, purchases: d.purchases })
    case 'bought_with':
      return t('profiling.why.bought_with', { if: d.if_name, then: d.then_name, confidence: pct(d.confidence, lang) })
    case 'open_request':
      return t('profiling.why.open_request', { reference: d.reference || '' })
    case 'value':
      return t('profiling.why.value', { top: d.top_pct })
    case 'rfm_class':
      return t('profiling.why.rfm_class', { class: t(`profiling.class.${d.class}`) })
    default:
      return ''
  }
}

/**
 * What a suggestion about the customer is, in their words.
 * @param {{kind: string, reasons: Reason[]}} s
 * @param {(k: string, p?: any) => string} t
 */
export function customerTitle(s, t) {
  const named = (s.reasons ?? []).find((x) => x.data?.name || x.data?.then_name)?.data
  return t(`profiling.kind.${s.kind}`, { product: named?.name ?? named?.then_name ?? '' })
}
