// The business's settings (one row of business_settings): name, logo,
// colour, country, language, time zone, opening hours per weekday, holidays.
// A save takes effect on the server at once (plugins/business); the portal
// shows the new name, logo and colour on its next load.

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']

/**
 * @typedef {{start: string, end: string}} Span
 * @typedef {Record<string, Span[]>} Week
 * @typedef {{code: string, rate: string}} RateRow
 * @typedef {{name: string, color: string, country: string, language: string, timezone: string, week: Week, holidays: string[], logo_url: string, currency: string, rates: RateRow[], churn_days?: string|number}} BusinessDraft
 */

/**
 * The conversion rates as the server keeps them ({"USD": 5.2}), keys sorted;
 * a row without a code is left out, a rate that is not a number is sent as
 * null for the server to name.
 * @param {RateRow[]} rows
 */
export function ratesObject(rows) {
  const out = {}
  for (const r of [...rows].sort((a, b) => a.code.localeCompare(b.code))) {
    const code = r.code.trim().toUpperCase()
    if (!code) continue
    const n = Number(String(r.rate).replace(',', '.'))
    out[code] = String(r.rate).trim() === '' || Number.isNaN(n) ? null : n
  }
  return out
}

/** @param {any} rates */
function sortedRates(rates) {
  if (!rates || typeof rates !== 'object' || Array.isArray(rates)) return {}
  return Object.fromEntries(Object.keys(rates).sort().map((k) => [k, rates[k]]))
}

/**
 * Opening hours as the server writes them ("mon 09:00-12:00,13:00-18:00; sat
 * 09:00-13:00", day ranges too) as a week of spans.
 * @param {string} text
 * @returns {Week}
 */
export function readHours(text) {
  /** @type {Week} */
  const week = Object.fromEntries(WEEKDAYS.map((d) => [d, []]))
  const order = ['sun', ...WEEKDAYS.slice(0, 6)]
  for (const part of String(text ?? '').split(';')) {
    const [days, times] = part.trim().split(/\s+/, 2)
    if (!days || !times) continue
    const list = []
    for (const item of days.split(',')) {
      const [a, b] = item.split('-')
      let i = order.indexOf(a)
      const j = order.indexOf(b ?? a)
      if (i < 0 || j < 0) continue
      for (;;) {
        list.push(order[i])
        if (i === j) break
        i = (i + 1) % 7
      }
    }
    for (const span of times.split(',')) {
      const [start, end] = span.split('-')
      if (start && end) for (const d of list) week[d].push({ start, end })
    }
  }
  return week
}

/**
 * A week of spans in the server's format (days without spans are closed).
 * @param {Week} week
 */
export function writeHours(week) {
  return WEEKDAYS.filter((d) => week[d]?.length)
    .map((d) => `${d} ${week[d].map((s) => `${s.start}-${s.end}`).join(',')}`)
    .join('; ')
}

/** @param {Record<string, any>} r */
export function toDraft(r) {
  return {
    name: r.name ?? '',
    color: r.color || '#1f6feb',
    country: r.country ?? '',
    language: r.language ?? 'pt-BR',
    timezone: r.timezone ?? '',
    week: readHours(r.hours),
    holidays: [...(Array.isArray(r.holidays) ? r.holidays : [])],
    logo_url: r.logo_url ?? '',
    currency: r.currency ?? '',
    rates: Object.entries(sortedRates(r.rates)).map(([code, rate]) => ({ code, rate: String(rate) })),
    churn_days: r.churn_days ? String(r.churn_days) : '90', // the Customers board's churn window
    withhold_working_notes: Boolean(r.withhold_working_notes), // the full copy leaves internal request notes out
  }
}

/**
 * The fields of draft that differ from record (null when none).
 * @param {Record<string, any>} record
 * @param {BusinessDraft} d
 */
export function changes(record, d) {
  const after = {
    name: d.name.trim(), color: d.color.toLowerCase(), country: d.country.trim().toUpperCase(), language: d.language,
    timezone: d.timezone.trim(), hours: writeHours(d.week), holidays: d.holidays.filter(Boolean), logo_url: d.logo_url.trim(),
  }
  const before = { ...after, ...Object.fromEntries(Object.keys(after).map((k) => [k, record[k] ?? ''])) }
  before.hours = writeHours(readHours(record.hours))
  before.holidays = Array.isArray(record.holidays) ? record.holidays : []
  if (d.currency !== undefined) {
    after.currency = d.currency.trim().toUpperCase()
    after.rates = ratesObject(d.rates ?? [])
    before.currency = record.currency ?? ''
    before.rates = sortedRates(record.rates)
  }
  if (d.churn_days !== undefined) {
    // sent as typed (a number when it reads as one), so the server names what is wrong
    after.churn_days = /^\d+$/.test(String(d.churn_days).trim()) ? Number(String(d.churn_days).trim()) : String(d.churn_days)
    before.churn_days = record.churn_days || 90
  }
  if (d.withhold_working_notes !== undefined) {
    after.withhold_working_notes = Boolean(d.withhold_working_notes)
    before.withhold_working_notes = Boolean(record.withhold_working_notes)
  }
  const out = {}
  for (const [k, v] of Object.entries(after)) if (JSON.stringify(v) !== JSON.stringify(before[k])) out[k] = v
  return Object.keys(out).length ? out : null
}

/** The settings row: loaded once, saved field by field. */
export class BusinessSettings {
  /** @type {Record<string, any>|null} */
  record = $state.raw(null)
  error = $state(null)

  /** @param {import('pocketbase').default} pb */
  constructor(pb) {
    this.pb = pb
  }

  async load() {
    this.error = null
    try {
      const res = await this.pb.collection('business_settings').getList(1, 1, { skipTotal: true })
      this.record = res.items[0] ?? null
    } catch (err) {
      this.error = err
    }
  }

  /** The logo's address, or ''. */
  logoURL() {
    const r = this.record
    if (!r) return ''
    return r.logo ? this.pb.files.getURL(r, r.logo, { thumb: '' }) : r.logo_url || ''
  }

  /**
   * Saves what changed (and a new logo, or its removal); returns whether anything was sent.
   * @param {BusinessDraft} draft
   * @param {{file?: File|null, remove?: boolean}} logo
   */
  async save(draft, logo = {}) {
    const body = changes(this.record, draft) ?? {}
    if (logo.file) body.logo = logo.file
    else if (logo.remove) body.logo = null
    if (!Object.keys(body).length) return false
    this.record = await this.pb.collection('business_settings').update(this.record.id, body)
    return true
  }
}
