// The Insights boards as the workspace shows them: the period and filters
// kept in the address's query (a link or a reload shows the same numbers),
// a board's figures for that period, the records behind one figure, and
// each figure's values in the reader's language by unit (money in the
// business's currency, percent, hours, days, scores). The server computes
// every number (plugins/insights); this file only reads and words them.
import { latestWins } from '../shared/loader.js'
import { translate } from './i18n.js'

export const BOARDS = ['sales', 'service', 'customers', 'team']
export const PERIODS = ['this_month', 'last_month', 'this_quarter', 'last_quarter', 'this_year', 'last_year', 'custom']
export const DEFAULT_PERIOD = 'this_month'
/** The filters the workspace offers (team waits for teams to exist). */
export const FILTERS = ['pipeline', 'owner', 'segment', 'type', 'channel']
/** The channels a request comes through (the server's crm.Channels). */
export const CHANNELS = ['email', 'phone', 'sms', 'whatsapp', 'letter', 'chat', 'social', 'in_person', 'portal', 'web']
/** Where each filter's choices come from in the record API. */
export const FILTER_SOURCES = { pipeline: 'pipelines', owner: 'staff', segment: 'segments', type: 'case_types' }

/**
 * The period and filters of the address.
 * @typedef {{period: string, from: string, to: string, pipeline: string, owner: string, segment: string, type: string, channel: string}} InsightsQuery
 */

/**
 * One figure of a board's answer (plugins/insights/insights.go figureAnswer).
 * @typedef {object} Figure
 * @property {string} key
 * @property {string} unit count | money | percent | hours | days | score
 * @property {string} better up | down
 * @property {string[]} filters the filters it honours
 * @property {string[]} applied the query's filters it honoured
 * @property {number | null} value
 * @property {number | null} previous
 * @property {number | null} change (value − previous) ÷ |previous|
 * @property {number} count the records behind it
 * @property {Array<{label: string, value: number, parts?: Record<string, number>}>} [series]
 * @property {{columns: string[], rows: any[][]}} [table]
 * @property {Record<string, number>} [apart] amounts in currencies without a rate
 * @property {Record<string, number>} [extra] companion numbers (p90, target, weighted)
 */

/**
 * The period and filters in an address's query; what is missing is the default.
 * @param {string | URLSearchParams} search
 * @returns {InsightsQuery}
 */
export function parseQuery(search) {
  const p = typeof search === 'string' ? new URLSearchParams(search) : search
  const period = p.get('period') || DEFAULT_PERIOD
  /** @type {InsightsQuery} */
  const q = { period, from: '', to: '', pipeline: '', owner: '', segment: '', type: '', channel: '' }
  if (period === 'custom') {
    q.from = p.get('from') ?? ''
    q.to = p.get('to') ?? ''
  }
  for (const f of FILTERS) q[f] = p.get(f) ?? ''
  return q
}

/**
 * The query text of a period and filters, without the defaults (so that
 * /insights stays short) and in one order (so that equal queries are equal text).
 * @param {Partial<InsightsQuery>} q
 * @param {string[]} [only] keep only these filters (a board's own)
 * @returns {string} without the leading "?"
 */
export function queryString(q, only) {
  const p = new URLSearchParams()
  if (q.period && q.period !== DEFAULT_PERIOD) p.set('period', q.period)
  if (q.period === 'custom') {
    p.set('from', q.from ?? '')
    p.set('to', q.to ?? '')
  }
  for (const f of FILTERS) {
    if (q[f] && (!only || only.includes(f))) p.set(f, q[f])
  }
  return p.toString()
}

/** "?a=b" or "" */
export function withQuery(path, qs) {
  return qs ? `${path}?${qs}` : path
}

/**
 * The filters a board's figures honour, in the workspace's order.
 * @param {Array<{filters?: string[]}>} figures
 * @returns {string[]}
 */
export function boardFilters(figures) {
  const all = new Set((figures ?? []).flatMap((f) => f.filters ?? []))
  return FILTERS.filter((f) => all.has(f))
}

// Intl formatters are costly to build: one per language and options.
const cache = new Map()
function nf(lang, options) {
  const key = `${lang}|${JSON.stringify(options)}`
  let f = cache.get(key)
  if (!f) {
    f = new Intl.NumberFormat(lang, options)
    cache.set(key, f)
  }
  return f
}
function df(lang, options) {
  const key = `d|${lang}|${JSON.stringify(options)}`
  let f = cache.get(key)
  if (!f) {
    f = new Intl.DateTimeFormat(lang, options)
    cache.set(key, f)
  }
  return f
}

/** A three-letter currency code, or the business's default. */
function currencyCode(c) {
  return /^[A-Z]{3}$/.test(c ?? '') ? c : 'BRL'
}

/**
 * A figure's number in the reader's language: money in the currency, a
 * percent (given 0..100), hours, days, a score or a count. null reads as 0
 * (a period with no data shows zeros, and the page says so).
 * @param {number | null | undefined} value
 * @param {string} unit
 * @param {{lang: string, currency?: string, compact?: boolean}} opts compact: short forms for a chart's axis
 * @returns {string}
 */
export function formatValue(value, unit, { lang, currency = 'BRL', compact = false }) {
  const n = Number.isFinite(Number(value)) && value !== null ? Number(value) : 0
  const short = compact ? { notation: 'compact', maximumFractionDigits: 1 } : {}
  switch (unit) {
    case 'money':
      return nf(lang, { style: 'currency', currency: currencyCode(currency), ...(compact ? { notation: 'compact', maximumFractionDigits: 1 } : {}) }).format(n)
    case 'percent':
      return nf(lang, { style: 'percent', maximumFractionDigits: 1 }).format(n / 100)
    case 'hours':
      return nf(lang, { style: 'unit', unit: 'hour', unitDisplay: 'short', maximumFractionDigits: 1 }).format(n)
    case 'days':
      return nf(lang, { style: 'unit', unit: 'day', unitDisplay: compact ? 'narrow' : 'long', maximumFractionDigits: 1 }).format(n)
    case 'score':
      return nf(lang, { maximumFractionDigits: 1, ...short }).format(n)
    default:
      return nf(lang, { maximumFractionDigits: 0, ...short }).format(n)
  }
}

/**
 * The change from the previous period, for the page: its direction, whether
 * that is good for this figure, and the relative change in words ("+12%").
 * dir is null when there is nothing to compare (no previous value, or zero).
 * @param {number | null | undefined} change (value − previous) ÷ |previous|
 * @param {string} better up | down ('' when neither is better)
 * @param {string} lang
 * @returns {{dir: 'up' | 'down' | 'flat' | null, good: boolean | null, text: string, arrow: string}}
 */
export function changeOf(change, better, lang) {
  if (change === null || change === undefined || !Number.isFinite(change)) return { dir: null, good: null, text: '', arrow: '' }
  const text = nf(lang, { style: 'percent', maximumFractionDigits: 1, signDisplay: 'exceptZero' }).format(change)
  // What rounds to 0.0% is no change.
  if (Math.abs(change) < 0.0005) return { dir: 'flat', good: null, text, arrow: '→' }
  const dir = change > 0 ? 'up' : 'down'
  // A figure with no better way (requests opened: more work, more business) is neither.
  const good = better === 'up' || better === 'down' ? dir === better : null
  return { dir, good, text, arrow: dir === 'up' ? '▲' : '▼' }
}

const MONTH = /^(\d{4})-(\d{2})$/
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/

/** Whether a chart label is a month, YYYY-MM. */
export function isMonth(label) {
  return MONTH.test(label ?? '')
}

/** The backlog's age buckets (plugins/insights/service.go), in days. */
const AGES = ['0-1', '1-3', '3-7', '7-30', '30+']

/**
 * A chart's label for people: a month YYYY-MM in the reader's language
 * ("Mar 2026", "mar. de 2026"), an age bucket in words, anything else
 * (stages, reasons, people) as the server named it.
 * @param {string} label
 * @param {string} lang
 */
export function labelText(label, lang) {
  const m = MONTH.exec(label ?? '')
  if (!m) return AGES.includes(label) ? translate(lang, `insights.age.${label}`) : label
  return df(lang, { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)))
}

/**
 * A day YYYY-MM-DD in the reader's language (the day as written, whatever the reader's time zone).
 * @param {string} day
 * @param {string} lang
 */
export function dayText(day, lang) {
  const m = DAY.exec(day ?? '')
  if (!m) return day ?? ''
  return df(lang, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))))
}

/**
 * How a figure is drawn: stacked bars for parts that add up (MRR's
 * movements), grouped bars for parts compared side by side (the forecast's
 * weighted against won), bars or a line over months, horizontal bars over
 * names (stages, reasons, people, age buckets); a figure with only a table
 * (the retention cohorts) is that table, shaded. Other parts (a stage's
 * entered and advanced, a type's p90) are in the numbers' table, not drawn.
 * 'none' when there is nothing to draw.
 * @param {Figure} fig
 * @returns {'table' | 'stacked' | 'grouped' | 'bars' | 'line' | 'hbars' | 'none'}
 */
export function chartKind(fig) {
  const series = fig.series ?? []
  if (!series.length) return fig.table?.columns?.length ? 'table' : 'none'
  const parts = partNames(series)
  if (parts.length && parts.every((p) => STACKED_PARTS.includes(p))) return 'stacked'
  if (parts.length && parts.every((p) => COMPARED_PARTS.includes(p))) return 'grouped'
  if (series.every((p) => isMonth(p.label))) return ['percent', 'score', 'hours', 'days'].includes(fig.unit) ? 'line' : 'bars'
  return 'hbars'
}

/** Parts that add up to the value (MRR's movements). */
const STACKED_PARTS = ['new', 'expansion', 'contraction', 'churn']
/** Parts that are compared side by side rather than added up. */
const COMPARED_PARTS = ['weighted', 'won']

/**
 * The unit of a part or a companion number: a percentile or a target is in
 * the figure's unit, a money figure's movements are money, the rest
 * (deals won and lost, customers at the start, promoters) are counts.
 * @param {string} name
 * @param {string} unit the figure's
 */
export function partUnit(name, unit) {
  if (['p90', 'target', 'weighted'].includes(name)) return unit
  if (unit === 'money' && [...STACKED_PARTS, 'won'].includes(name)) return 'money'
  return 'count'
}

/**
 * The names of a series' parts: the known ones in their reading order, then the others as they first appear.
 * @param {Figure['series']} series
 * @returns {string[]}
 */
export function partNames(series) {
  const out = []
  for (const p of series ?? []) {
    for (const k of Object.keys(p.parts ?? {})) if (!out.includes(k)) out.push(k)
  }
  // Known parts in the order people read them (the server's JSON sorts them by name).
  const rank = (/** @type {string} */ k) => (PART_ORDER.includes(k) ? PART_ORDER.indexOf(k) : PART_ORDER.length)
  return out.sort((a, b) => rank(a) - rank(b))
}

const PART_ORDER = ['new', 'expansion', 'contraction', 'churn', 'weighted', 'won', 'entered', 'advanced', 'promoters', 'passives', 'detractors', 'p90', 'target']

/**
 * The page of a record behind a figure, by its collection; '' when the
 * workspace has no page for it.
 * @param {{collection: string, id: string}} r
 */
export function recordHref(r) {
  const base = { deals: '/deals/', cases: '/cases/', contacts: '/contacts/', orders: '/orders/', companies: '/companies/' }[r.collection]
  if (base && r.id) return base + encodeURIComponent(r.id)
  // A subscription has no page of its own: its customer's page lists it.
  if (r.collection === 'subscriptions' && RECORD_ID.test(r.detail ?? '')) return `/contacts/${r.detail}`
  return ''
}

const RECORD_ID = /^[a-z0-9]{15}$/

/**
 * A record's detail in the reader's words: a deal's status (and the reason
 * it was lost), whether a deal moved on from a stage, the survey it answered;
 * a bare record id (the customer of an order or subscription, linked
 * elsewhere) says nothing; anything else as the server wrote it (a person's
 * or a type's name, a moment).
 * @param {{detail?: string}} r
 * @param {(key: string, params?: object) => string} t
 */
export function detailText(r, t) {
  const d = r.detail ?? ''
  if (!d || RECORD_ID.test(d)) return ''
  const status = /^(open|won|lost)(?:: (.*))?$/s.exec(d)
  if (status) return status[2] ? `${t(`deal.status.${status[1]}`)}: ${status[2]}` : t(`deal.status.${status[1]}`)
  const stage = /^(.*): (stayed|moved forward)$/s.exec(d)
  if (stage) return `${stage[1]}: ${t(stage[2] === 'stayed' ? 'insights.detail.stayed' : 'insights.detail.moved')}`
  const own = `insights.detail.${d}`
  return t(own) === own ? d : t(own)
}

/** The server's words for a wrong parameter (plugins/insights/period.go) and ours, in both languages. */
const PARAM_MESSAGES = {
  'give the first day as YYYY-MM-DD': 'insights.err.from_format',
  'give the last day as YYYY-MM-DD': 'insights.err.to_format',
  'the period ends before it starts': 'insights.err.end_before_start',
  'the period starts after today': 'insights.err.after_today',
  'the period starts before 2000': 'insights.err.before_2000',
  'a period is at most ten years long': 'insights.err.too_long',
  'from and to go with period=custom': 'insights.err.custom_only',
  'unknown filter': 'insights.err.unknown_filter',
  'this business has no teams yet': 'insights.err.no_teams',
}

/**
 * The message to show beside each parameter a 400 answer names (the
 * server's {data: {<param>: {code, message}}}), in the reader's language.
 * @param {any} err
 * @param {(key: string, params?: object) => string} t
 * @returns {Record<string, string>}
 */
export function paramErrors(err, t) {
  if (err?.status !== 400) return {}
  const data = err?.response?.data ?? {}
  const out = {}
  for (const [param, problem] of Object.entries(data)) {
    const message = problem?.message ?? ''
    const key = PARAM_MESSAGES[message] ?? (/^no such /.test(message) || /^unknown (channel|period)/.test(message) ? 'insights.err.no_such' : '')
    const name = FILTERS.includes(param) || param === 'period' ? t(`insights.${param === 'period' ? 'period' : `filter.${param}`}`) : param
    out[param] = key ? t(key, { param: name }) : message || t('error.invalid')
  }
  return out
}

/**
 * The boards and their figures (GET /api/crm/insights): what each board
 * shows and which filters its figures honour, before its numbers arrive.
 */
export class InsightsMeta {
  /** @type {Record<string, Array<{key: string, unit: string, better: string, filters: string[]}>> | null} */
  figures = $state.raw(null)
  loading = $state(false)
  error = $state(null)
  #latest = latestWins(this)

  /** @param {import('pocketbase').default} pb */
  constructor(pb) {
    this.pb = pb
  }

  async load() {
    await this.#latest.run(() => this.pb.send('/api/crm/insights', { requestKey: null }), (res) => {
      this.figures = res.figures ?? {}
    })
  }

  /** The filters a board's figures honour. @param {string} board */
  filtersOf(board) {
    return boardFilters(this.figures?.[board] ?? [])
  }
}

/**
 * One board's answer for a period and filters: {board, currency, empty,
 * period: {name, from, to, previous_from, previous_to}, figures}.
 */
export class InsightsBoard {
  /** @type {{board: string, currency: string, empty: boolean, period: Record<string, string>, figures: Figure[]} | null} */
  data = $state.raw(null)
  loading = $state(false)
  error = $state(null)
  #latest = latestWins(this)

  /** @param {import('pocketbase').default} pb */
  constructor(pb) {
    this.pb = pb
  }

  /**
   * Loads a board for a query; a 400 keeps the last numbers out of sight
   * (data null) and leaves error for the fields to show.
   * @param {string} board
   * @param {Partial<InsightsQuery>} q
   */
  async load(board, q) {
    const path = withQuery(`/api/crm/insights/${encodeURIComponent(board)}`, queryString(q))
    const ok = await this.#latest.run(() => this.pb.send(path, { requestKey: null }), (res) => {
      this.data = res
    })
    if (!ok && this.error) this.data = null
  }
}

/** The records behind one figure for a period and filters, and its CSV. */
export class InsightsRecords {
  /** @type {Array<{collection: string, id: string, title: string, value?: number, currency?: string, when?: string, detail?: string}> | null} */
  records = $state.raw(null)
  loading = $state(false)
  error = $state(null)
  #latest = latestWins(this)

  /** @param {import('pocketbase').default} pb */
  constructor(pb) {
    this.pb = pb
  }

  /**
   * @param {string} board
   * @param {string} figure
   * @param {Partial<InsightsQuery>} q
   */
  async load(board, figure, q) {
    const ok = await this.#latest.run(() => this.pb.send(recordsPath(board, figure, q), { requestKey: null }), (res) => {
      this.records = res.records ?? []
    })
    if (!ok && this.error) this.records = null
  }
}

/** The API path of a figure's records. */
export function recordsPath(board, figure, q) {
  return withQuery(`/api/crm/insights/${encodeURIComponent(board)}/${encodeURIComponent(figure)}/records`, queryString(q))
}

/** The API path of a figure's CSV. */
export function csvPath(board, figure, q) {
  return withQuery(`/api/crm/insights/${encodeURIComponent(board)}/${encodeURIComponent(figure)}/csv`, queryString(q))
}

/** How many records the records route lists when no limit is given. */
export const RECORDS_LIMIT = 500

/** The colours of a chart's parts (MRR movements, forecast against won), and of a single series. */
export const COLOURS = {
  value: '#0b57d0',
  new: '#136c2e',
  expansion: '#0b57d0',
  contraction: '#c77700',
  churn: '#b3261e',
  weighted: '#7aa7ec',
  won: '#136c2e',
}
const SPARE = ['#6a3fb5', '#00796b', '#8d6e00', '#ad1457']

/** Longest category label drawn beside a horizontal bar (the table has it whole). */
const LABEL_MAX = 22

/**
 * How tall a figure's chart is drawn, in CSS pixels: horizontal bars grow
 * with their number, so that every name stays readable on a phone.
 * @param {string} kind
 * @param {number} points
 */
export function chartHeight(kind, points) {
  if (kind === 'hbars') return Math.max(120, points * 28 + 36)
  return kind === 'stacked' || kind === 'grouped' ? 240 : 200
}

/**
 * Chart.js's configuration for a figure (pure: the chart component draws it).
 * Numbers on the axis and in the tooltips are formatted by the figure's unit
 * in the reader's language; months are named in it.
 * @param {Figure} fig
 * @param {{board: string, lang: string, currency: string, t: (key: string, params?: object) => string}} opts
 * @returns {{type: 'bar' | 'line', data: {labels: string[], datasets: object[]}, options: object} | null}
 */
export function chartConfig(fig, { board, lang, currency, t }) {
  const kind = chartKind(fig)
  if (kind === 'table' || kind === 'none') return null
  const series = fig.series ?? []
  const labels = series.map((p) => labelText(p.label, lang))
  const parts = kind === 'stacked' || kind === 'grouped' ? partNames(series) : []
  const fmtAxis = (/** @type {number} */ v) => formatValue(v, fig.unit, { lang, currency, compact: true })
  const fmtTip = (/** @type {number} */ v) => formatValue(v, fig.unit, { lang, currency })
  const datasets = parts.length
    ? parts.map((name, i) => ({
        label: t(`insights.part.${name}`),
        data: series.map((p) => p.parts?.[name] ?? 0),
        backgroundColor: COLOURS[name] ?? SPARE[i % SPARE.length],
        ...(kind === 'stacked' ? { stack: 'parts' } : {}),
      }))
    : [{
        label: t(`insights.figure.${board}.${fig.key}`),
        data: series.map((p) => p.value),
        backgroundColor: COLOURS.value,
        borderColor: COLOURS.value,
        ...(kind === 'line' ? { pointRadius: 3, tension: 0.2, fill: false } : {}),
      }]
  const horizontal = kind === 'hbars'
  const valueAxis = { beginAtZero: true, stacked: kind === 'stacked', ticks: { callback: fmtAxis, maxTicksLimit: 6 } }
  const categoryAxis = {
    stacked: kind === 'stacked',
    grid: { display: false },
    ticks: horizontal
      ? { autoSkip: false, callback(/** @type {number} */ i) { const s = labels[i] ?? ''; return s.length > LABEL_MAX ? s.slice(0, LABEL_MAX - 1) + '…' : s } }
      : { maxRotation: 0, autoSkipPadding: 8 },
  }
  return {
    type: kind === 'line' ? 'line' : 'bar',
    data: { labels, datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      locale: lang,
      indexAxis: horizontal ? 'y' : 'x',
      scales: horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
      plugins: {
        legend: { display: datasets.length > 1, position: 'bottom', labels: { boxWidth: 12 } },
        tooltip: {
          callbacks: {
            title: (/** @type {Array<{dataIndex: number}>} */ items) => labels[items[0]?.dataIndex] ?? '',
            label: (/** @type {{dataset: {label: string}, raw: number}} */ c) => `${c.dataset.label}: ${fmtTip(c.raw)}`,
          },
        },
      },
    },
  }
}

/**
 * Whether a figure has nothing behind it in the period: it shows zero and
 * says "no data for this period" (never an empty chart without words).
 * @param {Figure} fig
 */
export function figureEmpty(fig) {
  return !fig.count && !fig.value
}

const OFFSET = /^\d+$/ // a cohort's months after its start
/** Table figures' columns that hold counts or shares (plugins/insights: retention, within_sla). */
const COLUMN_UNITS = { customers: 'count', within: 'count', total: 'count', percent: 'percent' }

/**
 * A table figure's column header in the reader's language: "Month 2" for a
 * cohort's months after, ours for the known columns, else the server's name.
 * @param {string} col
 * @param {(key: string, params?: object) => string} t
 */
export function tableHeader(col, t) {
  if (OFFSET.test(col)) return t('insights.col.after', { n: col })
  const key = `insights.col.${col}`
  const own = t(key)
  return own === key ? col : own
}

/**
 * Whether a table figure's column holds shares, shaded by size.
 * @param {Figure} fig
 * @param {number} i
 */
export function tableShaded(fig, i) {
  const col = String(fig.table?.columns?.[i] ?? '')
  return col === 'percent' || (OFFSET.test(col) && fig.unit === 'percent')
}

/**
 * A table figure's cell in the reader's language: a month, a count, a share;
 * "by" and a channel's name in words. Empty for no value (a cohort's month
 * still to come).
 * @param {Figure} fig
 * @param {number} i the column
 * @param {any[]} row
 * @param {{lang: string, currency?: string}} opts
 * @returns {string}
 */
export function tableCell(fig, i, row, { lang, currency }) {
  const v = row[i]
  if (v === null || v === undefined || v === '') return ''
  const col = String(fig.table?.columns?.[i] ?? '')
  if (typeof v === 'number') {
    const unit = COLUMN_UNITS[col] ?? (OFFSET.test(col) ? fig.unit : 'count')
    return formatValue(v, unit, { lang, currency })
  }
  const text = String(v)
  if (col === 'by') return translate(lang, `insights.by.${text}`)
  if (col === 'name' && row[0] === 'channel' && CHANNELS.includes(text)) return translate(lang, `channel.${text}`)
  return labelText(text, lang)
}
