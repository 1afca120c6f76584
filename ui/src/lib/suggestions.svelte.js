// Next best action: the value model's suggestions for a contact (the 360
// page) and for the contacts a salesperson owns (Home), each worded from
// its kind and its reasons (event + the numbers behind it, stored by the
// server in `suggestions.reasons`), and the team's answer: accept (makes a
// task for whoever accepts) or dismiss, both with an optional note,
// through POST /api/crm/suggestions/{id}/accept|dismiss.

/**
 * @typedef {{event: string, data: Record<string, any>}} Reason
 * @typedef {{id: string, contact: string, owner: string, kind: string, subject: string, reasons: Reason[],
 *   rank: number, due: string, state: string, decided_by: string, decided_at: string, note: string, task: string,
 *   created: string, expand?: {contact?: {id: string, name: string}}}} Suggestion
 */

export const KINDS = ['reorder', 'lapse', 'cross_sell', 'open_request', 'value_at_risk']

/**
 * A contact's suggestions: open ones first, best first.
 * @param {any} pb
 * @param {string} contact
 * @returns {Promise<Suggestion[]>}
 */
export async function contactSuggestions(pb, contact) {
  const rows = await pb.collection('suggestions').getFullList({ filter: pb.filter('contact = {:c}', { c: contact }), sort: '-rank,-created' })
  return [...rows].sort((a, b) => Number(b.state === 'open') - Number(a.state === 'open'))
}

/**
 * The open suggestions of the contacts `owner` owns, best first.
 * @param {any} pb
 * @param {string} owner
 * @param {number} perPage
 * @returns {Promise<{items: Suggestion[], totalItems: number}>}
 */
export function ownerSuggestions(pb, owner, perPage) {
  return pb.collection('suggestions').getList(1, perPage, {
    filter: pb.filter('owner = {:o} && state = "open"', { o: owner }), sort: '-rank,due,-created', expand: 'contact',
  })
}

/**
 * Accepts a suggestion: the server makes the task (title, day) and records who, when and the note.
 * @param {any} pb
 * @param {string} id
 * @param {{task_title: string, due?: string, note?: string}} body
 */
export function acceptSuggestion(pb, id, body) {
  return pb.send(`/api/crm/suggestions/${encodeURIComponent(id)}/accept`, { method: 'POST', body })
}

/**
 * @param {any} pb
 * @param {string} id
 * @param {string} note
 */
export function dismissSuggestion(pb, id, note) {
  return pb.send(`/api/crm/suggestions/${encodeURIComponent(id)}/dismiss`, { method: 'POST', body: { note } })
}

/** A stored day ("2026-11-27 00:00:00.000Z" or "2026-11-27") as YYYY-MM-DD. */
export const dayOf = (v) => String(v ?? '').slice(0, 10)

/**
 * A day (YYYY-MM-DD) in words, as the calendar day it is, whatever the reader's zone.
 * @param {string} v
 * @param {string} lang
 */
export function dayWords(v, lang) {
  const d = dayOf(v)
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) return ''
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${d}T00:00:00Z`))
}

const pct = (v, lang) => new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 0 }).format(Number(v) || 0)

/** The product a suggestion is about, by name. */
function productOf(s) {
  const r = (s.reasons ?? []).find((x) => x.data?.name || x.data?.then_name)
  return r ? (r.data.name ?? r.data.then_name) : s.subject
}

/**
 * The suggestion's title, for the team.
 * @param {Suggestion} s
 * @param {(k: string, p?: any) => string} t
 */
export function suggestionTitle(s, t) {
  return t(`sugg.kind.${s.kind}`, { product: productOf(s) })
}

/**
 * The suggestion's reasons in words, for the team, with their numbers.
 * @param {Suggestion} s
 * @param {(k: string, p?: any) => string} t
 * @param {{money: (a: number, c: string) => string}} fmt
 * @param {string} lang
 */
export function reasonLines(s, t, fmt, lang) {
  return (s.reasons ?? []).map((r) => reasonLine(r, t, fmt, lang)).filter(Boolean)
}

/**
 * @param {Reason} r
 * @param {(k: string, p?: any) => string} t
 * @param {{money: (a: number, c: string) => string}} fmt
 * @param {string} lang
 */
export function reasonLine(r, t, fmt, lang) {
  const d = r.data ?? {}
  switch (r.event) {
    case 'cycle':
      return t('sugg.reason.cycle', { name: d.name, times: d.times, days: d.days, since: d.since, last: dayWords(d.last, lang) })
    case 'due':
      if (d.in_days > 0) return t('sugg.reason.due_in', { n: d.in_days, day: dayWords(d.next, lang) })
      if (d.in_days === 0) return t('sugg.reason.due_today')
      return t('sugg.reason.overdue', { n: -d.in_days, day: dayWords(d.next, lang) })
    case 'p_active':
      return t('sugg.reason.p_active', { p: pct(d.p, lang) })
    case 'last_purchase':
      return t('sugg.reason.last_purchase', { days: d.days, day: dayWords(d.last, lang), purchases: d.purchases })
    case 'bought_with':
      return t('sugg.reason.bought_with', { if: d.if_name, then: d.then_name, confidence: pct(d.confidence, lang), lift: d.lift, count: d.count })
    case 'open_request':
      return t('sugg.reason.open_request', { reference: d.reference || '—', subject: d.subject || '',
        since: d.since === 0 ? t('sugg.since.today') : t(d.since === 1 ? 'sugg.since.one' : 'sugg.since.days', { n: d.since }),
        held: t(d.held === 1 ? 'sugg.held.one' : 'sugg.held.many', { n: d.held }) })
    case 'value':
      return d.clv != null
        ? t('sugg.reason.value_clv', { top: d.top_pct, clv: fmt.money(d.clv, d.currency), total: fmt.money(d.total, d.currency) })
        : t('sugg.reason.value_spent', { top: d.top_pct, total: fmt.money(d.total, d.currency) })
    case 'rfm_class':
      return t('sugg.reason.rfm_class', { class: t(`sugg.class.${d.class}`) })
    default:
      return ''
  }
}

/**
 * The task an accepted suggestion makes, worded in the reader's language (they may change it).
 * @param {Suggestion} s
 * @param {string} contactName
 * @param {(k: string, p?: any) => string} t
 */
export function defaultTaskTitle(s, contactName, t) {
  const open = (s.reasons ?? []).find((r) => r.event === 'open_request')?.data
  return t(`sugg.task.${s.kind}`, { product: productOf(s), name: contactName, reference: open?.reference ?? '' })
}
