// A contact's timeline, newest first. Unfiltered it pages through the
// customer 360 route's cursor (keyset: page 50 costs what page 1 does);
// filtered by type or channel it reads the record API with the same order.
// Entries that arrive live are put in their place, once.
import { latestWins } from '../shared/loader.js'

/**
 * One entry of the timeline: an activity.
 * @typedef {{id: string, contact: string, type: string, channel?: string, event?: string, subject?: string, body?: string, data?: Record<string, any> | null, occurred_at?: string, created?: string, staff?: string, [key: string]: unknown}} Entry
 */

/**
 * A page of the 360 route's timeline: its entries and the cursor of the next one.
 * @typedef {{items?: Entry[], next?: string}} TimelinePage
 */

export const PAGE_SIZE = 20
export const TIMELINE_SORT = '-occurred_at,-created,-id'

/**
 * The files attached to an entry (a note, a call...), shown under it. Both
 * ways of reading the timeline return whole records — attachments,
 * collectionId and all — which the file links need.
 * @param {Partial<Entry> | null | undefined} entry
 * @returns {string[]}
 */
export function filesOf(entry) {
  const files = entry?.attachments
  return Array.isArray(files) ? files.filter((f) => typeof f === 'string' && f) : []
}

/**
 * Newest first: by occurred_at, then created, then id, all descending.
 * @param {Partial<Entry>} a
 * @param {Partial<Entry>} b
 * @returns {number}
 */
export function compareEntries(a, b) {
  for (const k of ['occurred_at', 'created', 'id']) {
    const x = a[k] ?? ''
    const y = b[k] ?? ''
    if (x !== y) return x < y ? 1 : -1
  }
  return 0
}

export class Timeline {
  /** @type {Entry[]} */
  items = $state.raw([])
  type = $state('')
  channel = $state('')
  loading = $state(false)
  error = $state(null)
  done = $state(false)
  #next = ''
  #page = 1
  #latest = latestWins(this)

  /**
   * @param {import('pocketbase').default} pb
   * @param {string} contactId
   */
  constructor(pb, contactId) {
    this.pb = pb
    this.contactId = contactId
  }

  get filtered() {
    return Boolean(this.type || this.channel)
  }

  /**
   * The first page as the 360 answer gave it.
   * @param {TimelinePage | null | undefined} page
   */
  setFirstPage(page) {
    this.items = [...(page?.items ?? [])]
    this.#next = page?.next ?? ''
    this.#page = 1
    this.done = !this.#next
    this.error = null
  }

  /**
   * Whether an entry belongs in the timeline as it is filtered.
   * @param {Partial<Entry> | null | undefined} entry
   * @returns {boolean}
   */
  matches(entry) {
    return entry?.contact === this.contactId &&
      (!this.type || entry.type === this.type) &&
      (!this.channel || entry.channel === this.channel)
  }

  /**
   * Filters by type and channel ('' for any) and reads the first page again.
   * @param {{type?: string, channel?: string}} [filters]
   */
  async setFilters({ type = this.type, channel = this.channel } = {}) {
    this.type = type
    this.channel = channel
    return this.reload()
  }

  async reload() {
    this.items = []
    this.#next = ''
    this.#page = 0
    this.done = false
    return this.loadMore()
  }

  /**
   * Reads the next page and adds its entries (each once); an older answer is dropped.
   * @returns {Promise<void>}
   */
  async loadMore() {
    if (this.done) return
    await this.#latest.run(() => (this.filtered ? this.#nextFiltered() : this.#nextPage()), ({ items, more, advance }) => {
      advance()
      const seen = new Set(this.items.map((e) => e.id))
      this.items = [...this.items, ...items.filter((e) => !seen.has(e.id))]
      this.done = !more
    })
  }

  /**
   * The next page of the record API (filtered); advance() moves the page on once it is taken.
   * @returns {Promise<{items: Entry[], more: boolean, advance: () => void}>}
   */
  async #nextFiltered() {
    const page = this.#page + 1
    const res = await this.pb.collection('activities').getList(page, PAGE_SIZE, {
      filter: this.#filter(),
      sort: TIMELINE_SORT,
      skipTotal: true,
    })
    const items = /** @type {Entry[]} */ (/** @type {unknown} */ (res.items))
    return { items, more: items.length === PAGE_SIZE, advance: () => (this.#page = page) }
  }

  /**
   * The next page of the 360 route's cursor; advance() keeps the cursor once it is taken.
   * @returns {Promise<{items: Entry[], more: boolean, advance: () => void}>}
   */
  async #nextPage() {
    const res = await this.pb.send(`/api/crm/contacts/${encodeURIComponent(this.contactId)}/timeline`, {
      query: this.#next ? { cursor: this.#next } : {},
    })
    const next = res.next ?? ''
    return { items: res.items ?? [], more: Boolean(next), advance: () => (this.#next = next) }
  }

  #filter() {
    const parts = ['contact = {:contact}']
    if (this.type) parts.push('type = {:type}')
    if (this.channel) parts.push('channel = {:channel}')
    return this.pb.filter(parts.join(' && '), { contact: this.contactId, type: this.type, channel: this.channel })
  }

  /**
   * A new or changed entry (from realtime or the composer). Returns true when it was new.
   * @param {Entry} entry
   * @returns {boolean}
   */
  upsert(entry) {
    if (!this.matches(entry)) return false
    const i = this.items.findIndex((e) => e.id === entry.id)
    if (i >= 0) {
      this.items = this.items.with(i, entry)
      return false
    }
    const list = [...this.items, entry].sort(compareEntries)
    // An entry older than everything loaded belongs to a page not loaded yet.
    if (!this.done && list.at(-1)?.id === entry.id) return false
    this.items = list
    return true
  }

  /** @param {string} id */
  remove(id) {
    this.items = this.items.filter((e) => e.id !== id)
  }
}

/**
 * What a timeline entry says, in the reader's language: its title and the
 * lines under it. A system entry is worded from its event and data; an entry
 * a person wrote (a note, a call), or one stored before entries had data,
 * shows its stored subject and body.
 * @param {Entry & {data?: Record<string, any> | null}} e
 * @param {(key: string, params?: Record<string, unknown>) => string} t
 * @param {{money: (n: number, c: string) => string, date: (v: string) => string}} fmt
 * @returns {{title: string, lines: string[]}}
 */
export function describeEntry(e, t, fmt) {
  const stored = { title: e.subject || t(`type.${e.type}`), lines: e.body ? [e.body] : [] }
  const d = e.data
  const key = `tl.${e.event}`
  if (!e.event || !d || typeof d !== 'object' || Array.isArray(d) || t(key) === key) return stored

  const none = t('tl.none')
  const shown = (v) => (v === '' || v == null ? none : String(v))
  const word = (prefix, v) => {
    const k = `${prefix}.${v}`
    const w = t(k)
    return w === k ? shown(v) : w
  }
  const field = (f) => word('tl.field', f)
  // "by email", "pelo portal": each language words the way along with its channel.
  const by = (c) => {
    const k = `tl.by.${c}`
    const w = t(k)
    return w === k ? t('tl.by.other', { channel: word('channel', c) }) : w
  }
  /** @type {Record<string, unknown>} */
  const p = {}
  for (const [k, v] of Object.entries(d)) p[k] = typeof v === 'object' ? v : shown(v)
  if (Array.isArray(d.fields)) p.fields = d.fields.map(field).join(', ')
  if (e.event?.startsWith('survey.')) p.kind = word('tl.survey.kind', d.kind)
  if (e.event === 'consent.changed') {
    Object.assign(p, { state: word('consent', d.state), purpose: word('purpose', d.purpose), channel: word('channel', d.channel), by: by(d.channel) })
  }
  // a restriction of processing, its lifting, an objection to marketing (plugins/restriction)
  if (e.event.startsWith('restriction.') || e.event === 'marketing.objected') {
    p.source = word('tl.privacy.source', d.source)
    p.channels = (Array.isArray(d.channels) ? d.channels : []).map((c) => word('channel', c)).join(', ') || none
  }

  const lines = []
  let titleKey = key
  if (e.event.startsWith('subscription.')) {
    // a service's change: money in its currency, intervals, ways of paying and reasons in words
    if (d.currency) for (const k of ['amount', 'price']) if (d[k] != null) p[k] = fmt.money(Math.abs(Number(d[k]) || 0), d.currency)
    if (d.interval) p.per = word('tl.per', d.interval)
    if (e.event === 'subscription.interval_changed') Object.assign(p, { from: word('tl.interval', d.from), to: word('tl.interval', d.to) })
    if (e.event === 'subscription.method_changed') Object.assign(p, { from: word('payments.method', d.from), to: word('payments.method', d.to) })
    if (d.at) p.at = fmt.date(d.at)
    if (e.event === 'subscription.prorated' && Number(d.amount) < 0) titleKey = 'tl.subscription.prorated_credit'
    if (d.reason) lines.push(t('tl.subscription.reason', { reason: word('tl.cancel_reason', d.reason) }))
  }
  if (e.event === 'message.received') {
    // a customer's message on WhatsApp or SMS: its text is the body
    p.channel = word('channel', d.channel)
    return { title: t(d.reference ? 'tl.message.received_on' : key, p), lines: e.body ? [e.body] : [] }
  }
  if (e.event.startsWith('message.')) {
    // A message with no subject of its own is named by its template
    // (entries stored before kept the template's code as the subject).
    const template = d.template || (d.subject && t(`tl.template.${d.subject}`) !== `tl.template.${d.subject}` ? d.subject : '')
    if (!d.subject || template === d.subject) p.subject = word('tl.template', template || 'generic')
    if (d.reason_code) lines.push(describeReason(d.reason_code, d.reason ?? {}, t, fmt))
  }
  if (e.event === 'email.written') {
    lines.push(t('tl.email.to', { to: shown(d.to), purpose: word('purpose', d.purpose) }))
    if (Array.isArray(d.cc) && d.cc.length) lines.push(t('tl.email.cc', { cc: d.cc.join(', ') }))
    if (Array.isArray(d.attachments) && d.attachments.length) lines.push(t('tl.email.attachments', { names: d.attachments.join(', ') }))
    // One entry per email: its outbox state is kept on it (plugins/timeline foldState).
    if (d.state && t(`tl.email.state.${d.state}`) !== `tl.email.state.${d.state}`) {
      const why = d.reason_code ? describeReason(d.reason_code, d.reason ?? {}, t, fmt) : String(d.why ?? '')
      const when = d.state_at ? (fmt.dateTime ?? fmt.date)(d.state_at) : ''
      lines.push(t(`tl.email.state.${d.state}`, { why, when }).trim())
    }
  }
  if (e.event === 'import.finished') {
    p.kind = word('tl.import.kind', d.kind)
    lines.push(t('tl.import.counts', p))
    if (d.companies != null) lines.push(t('tl.import.companies', { n: d.companies }))
  }
  // The receiving server's own words on why a mail bounced.
  if (e.event === 'email.bounced' && d.reason) lines.push(String(d.reason))
  if (e.event === 'deal.created' && d.stage) lines.push(t('tl.stage', { stage: d.stage }))
  if (e.event === 'deal.moved' && d.title) lines.push(d.title)
  if (e.event === 'contact.merged' && d.merged_email) lines.push(t('tl.contact.merged_detail', { merged: d.merged, email: d.merged_email }))
  if ((e.event?.startsWith('order.') || e.event?.startsWith('quote.')) && d.currency) lines.push(t('tl.total', { total: fmt.money(Number(d.total) || 0, d.currency) }))
  if (d.until) lines.push(t('tl.until', { date: fmt.date(d.until) }))
  if (d.before && typeof d.before === 'object') {
    lines.push(t('tl.before', { state: word('consent', d.before.state), purpose: word('purpose', d.before.purpose), by: by(d.before.channel) }))
  }
  for (const c of Array.isArray(d.changes) ? d.changes : []) {
    const value = c.field === 'interval' ? (v) => word('tl.interval', v) : shown
    lines.push(t('tl.change', { field: field(c.field), from: value(c.from), to: value(c.to) }))
  }
  // The words people wrote (a lost reason, a rating's comment) stay as written;
  // a request's status label is already in the title.
  if (e.body && e.body !== d.status) lines.push(e.body)
  return { title: t(e.event === 'import.finished' && d.stopped ? 'tl.import.stopped' : titleKey, p), lines }
}

/**
 * Why the outbox held, refused or failed a message, in the reader's
 * language, from the reason's code and data (plugins/outbox/reasons.go).
 * A hold the business wrote itself says its own words.
 * @param {string} code
 * @param {Record<string, any>} r
 * @param {(key: string, params?: Record<string, unknown>) => string} t
 * @param {{date: (v: string) => string, dateTime?: (v: string) => string, preferences?: (p: Record<string, unknown>) => string}} fmt
 * @returns {string}
 */
export function describeReason(code, r, t, fmt) {
  const word = (prefix, v) => {
    const k = `${prefix}.${v}`
    const w = t(k)
    return w === k ? String(v ?? '') : w
  }
  const at = (v) => (v ? (fmt.dateTime ?? fmt.date)(v) : '')
  const wait = (w) => {
    if (w?.code === 'pause') return t('tl.wait.pause', { date: at(w.until) })
    if (w?.code === 'weekly_limit') return t('tl.wait.weekly_limit', { count: w.count, limit: w.limit })
    if (w?.code === 'hours') return t('tl.wait.hours', { hours: fmt.preferences?.(w) ?? '' })
    return word('tl.wait', w?.code)
  }
  const p = {
    ...r,
    channel: word('channel', r.channel),
    purpose: word('purpose', r.purpose),
    kind: word('tl.kind', r.kind),
    missing: word('tl.missing', r.missing),
    until: at(r.until),
    since: at(r.since),
    next: at(r.next),
  }
  if (code === 'held' && t(`tl.hold.${r.hold}`) !== `tl.hold.${r.hold}`) return t(`tl.hold.${r.hold}`, p)
  if (code === 'waiting') p.waits = (Array.isArray(r.for) ? r.for : []).map(wait).join(t('tl.wait.then'))
  const key = `tl.reason.${code}`
  const said = t(key, p)
  return said === key ? code : said
}

/**
 * Logs an interaction (a call, a meeting, a note...) on a contact's timeline;
 * the server creates the follow-up task when one is asked for.
 * @param {import('pocketbase').default} pb
 * @param {Partial<Entry> & {contact: string, type: string}} data
 * @returns {Promise<Entry>}
 */
export async function logActivity(pb, data) {
  return /** @type {Entry} */ (/** @type {unknown} */ (await pb.collection('activities').create(data)))
}
