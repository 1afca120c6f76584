// Cases: the queue (sorted by SLA due time, filtered, live) and one case with
// its conversation, kept live by realtime on cases and case_messages.
import { PagedList } from './paged.svelte.js'
import { search } from './search.js'

/**
 * A case (a customer's request) as the queue and its page show it.
 * @typedef {{id: string, reference: string, subject: string, status: string, status_label?: string, closed: boolean, priority?: string, overdue?: boolean, resolution_due?: string, first_response_due?: string, first_response_at?: string, assignee?: string, type?: string, contact?: string, company?: string, channel?: string, opened_by?: string, description?: string, data?: unknown, attachments?: string[], collectionId?: string, collectionName?: string, created: string, updated?: string, expand?: Record<string, any>}} CaseRecord
 */

/**
 * One message of a case's conversation.
 * @typedef {{id: string, case: string, body: string, internal?: boolean, created: string, author_customer?: string, author_staff?: string, attachments?: string[], collectionId?: string, collectionName?: string, expand?: Record<string, any>}} CaseMessage
 */

/**
 * A type of case: its statuses and the moves between them, and the fields the customer fills in.
 * @typedef {{id: string, name: string, code?: string, statuses?: Array<{key: string, label: string, closed?: boolean}>, transitions?: Record<string, string[]>, fields?: unknown, public?: boolean}} CaseType
 */

/**
 * What staff fill in when they open a request for a customer.
 * @typedef {{type: string, contact: string, company?: string, subject: string, description?: string, channel: string, priority: string, assignee?: string, data?: Record<string, unknown>, custom?: Record<string, unknown>}} NewCase
 */

/** How a customer may ask staff for something: every channel but the portal and the web form, which customers use themselves. */
export const STAFF_CHANNELS = ['phone', 'email', 'in_person', 'letter', 'whatsapp', 'sms', 'chat', 'social']
export const PRIORITIES = ['low', 'normal', 'high', 'urgent']

/**
 * The queue's filters.
 * @typedef {{state: 'open' | 'closed' | 'all', type: string, assignee: string, mine: boolean, overdue: boolean, status: string}} QueueFilters
 */

export const QUEUE_SIZE = 50
export const CASE_FIELDS = 'id,reference,subject,status,status_label,closed,priority,overdue,resolution_due,first_response_due,first_response_at,assignee,type,contact,company,channel,created,updated,expand.contact.id,expand.contact.name,expand.type.id,expand.type.name,expand.type.code,expand.type.statuses'

/**
 * The record-API filter of the queue's filters: {state: open|closed|all, type, assignee, mine, overdue}.
 * @param {import('pocketbase').default} pb
 * @param {Partial<QueueFilters>} f
 * @param {string} me the signed-in staff member's id
 * @returns {string}
 */
export function queueFilter(pb, f, me) {
  const parts = []
  const params = {}
  if (f.state === 'open') parts.push('closed = false')
  else if (f.state === 'closed') parts.push('closed = true')
  if (f.type) {
    parts.push('type = {:type}')
    params.type = f.type
  }
  if (f.mine) {
    parts.push('assignee = {:me}')
    params.me = me
  } else if (f.assignee === '-') parts.push("assignee = ''")
  else if (f.assignee) {
    parts.push('assignee = {:assignee}')
    params.assignee = f.assignee
  }
  if (f.overdue) parts.push('overdue = true')
  if (f.status) {
    parts.push('status = {:status}')
    params.status = f.status
  }
  return pb.filter(parts.join(' && '), params)
}

/**
 * The statuses a case may move to from its own: the type's transitions, or every other status when the type lists none.
 * @param {CaseType | null | undefined} caseType
 * @param {string} from
 * @returns {Array<{key: string, label: string}>}
 */
export function nextStatuses(caseType, from) {
  const statuses = Array.isArray(caseType?.statuses) ? caseType.statuses : []
  const moves = caseType?.transitions && typeof caseType.transitions === 'object' ? caseType.transitions : null
  if (!moves || Object.keys(moves).length === 0) return statuses.filter((s) => s.key !== from)
  const allowed = moves[from] ?? []
  return statuses.filter((s) => allowed.includes(s.key))
}

/**
 * How urgent a case is, for sorting and colour: overdue < due within a day < later < none.
 * @param {Partial<CaseRecord>} c
 * @param {number} [now]
 * @returns {'closed' | 'overdue' | 'soon' | 'later' | 'none'}
 */
export function urgency(c, now = Date.now()) {
  if (c.closed) return 'closed'
  if (c.overdue) return 'overdue'
  const due = Date.parse(String(c.resolution_due ?? '').replace(' ', 'T'))
  if (!Number.isFinite(due)) return 'none'
  if (due < now) return 'overdue'
  if (due - now < 86400000) return 'soon'
  return 'later'
}

/**
 * The types of case, in their order, for the queue's filters (the empty list when they cannot be read).
 * @param {import('pocketbase').default} pb
 * @returns {Promise<CaseType[]>}
 */
export async function caseTypes(pb) {
  try {
    return /** @type {CaseType[]} */ (/** @type {unknown} */ (await pb.collection('case_types').getFullList({ sort: 'position,name', fields: 'id,name,code,statuses' })))
  } catch {
    return []
  }
}

/**
 * Every type of request the business has in use, public or not, with its fields and workflow (for staff opening a request).
 * @param {import('pocketbase').default} pb
 * @returns {Promise<CaseType[]>}
 */
export async function activeCaseTypes(pb) {
  return /** @type {CaseType[]} */ (/** @type {unknown} */ (await pb.collection('case_types').getFullList({
    filter: 'active = true', sort: 'position,name', fields: 'id,name,code,statuses,transitions,fields,public',
  })))
}

/**
 * Whether moving to status `key` closes the request.
 * @param {CaseType | null | undefined} caseType
 * @param {string} key
 * @returns {boolean}
 */
export function closes(caseType, key) {
  return Boolean((caseType?.statuses ?? []).find((s) => s.key === key)?.closed)
}

/**
 * The status a closed request reopens to: the first open status its type allows from where it is, or null (not closed, or the type does not let it reopen).
 * @param {CaseType | null | undefined} caseType
 * @param {Partial<CaseRecord>} c
 * @returns {{key: string, label: string} | null}
 */
export function reopenTarget(caseType, c) {
  if (!c?.closed) return null
  return nextStatuses(caseType, String(c.status ?? '')).find((s) => !closes(caseType, s.key)) ?? null
}

/**
 * Contacts whose name, email or phone match what was typed, best first (for the new-request form).
 * @param {import('pocketbase').default} pb
 * @param {string} q
 * @returns {Promise<Array<{id: string, name: string, sub: string}>>}
 */
export async function findContacts(pb, q) {
  const hits = await search(pb, q, { collection: 'contacts', limit: 8 })
  return hits.filter((h) => h.collection === 'contacts').map((h) => ({ id: h.id, name: String(h.title ?? h.id), sub: String(h.subtitle ?? '') }))
}

/**
 * The body of a request staff open for a customer; the server fills status, reference, SLA and who opened it.
 * @param {NewCase} f
 * @param {File[]} files
 * @returns {Record<string, unknown>}
 */
export function newCaseBody(f, files) {
  /** @type {Record<string, unknown>} */
  const body = {
    ...(f.custom ?? {}),
    type: f.type, contact: f.contact, subject: f.subject.trim(), description: (f.description ?? '').trim(),
    channel: f.channel, priority: f.priority, assignee: f.assignee ?? '', data: f.data ?? {},
  }
  if (f.company) body.company = f.company
  if (files.length) body.attachments = files
  return body
}

/**
 * Opens a request for a customer (the SDK sends files as a form when there are any).
 * @param {import('pocketbase').default} pb
 * @param {NewCase} f
 * @param {File[]} [files]
 * @returns {Promise<CaseRecord>}
 */
export async function openCase(pb, f, files = []) {
  return /** @type {CaseRecord} */ (/** @type {unknown} */ (await pb.collection('cases').create(newCaseBody(f, files))))
}

/** @extends {PagedList<CaseRecord>} */
export class CaseQueue extends PagedList {
  /** @type {QueueFilters} */
  filters = $state({ state: 'open', type: '', assignee: '', mine: false, overdue: false, status: '' })
  live = $state(false)
  /** @type {null | (() => Promise<void>)} */
  #off = null
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #timer = undefined

  /**
   * @param {import('pocketbase').default} pb
   * @param {string} me the signed-in staff member's id
   */
  constructor(pb, me) {
    super()
    this.pb = pb
    this.me = me
  }

  /**
   * Reads the queue's page; an older answer is dropped.
   * @returns {Promise<void>}
   */
  async load() {
    await this.latest.run(() => this.pb.collection('cases').getList(this.page, QUEUE_SIZE, {
      filter: queueFilter(this.pb, this.filters, this.me),
      // The SLA clock first: the case due soonest on top.
      sort: this.filters.state === 'closed' ? '-closed_at' : 'resolution_due,created',
      skipTotal: true,
      expand: 'contact,type',
      fields: CASE_FIELDS,
    }), (res) => {
      this.items = /** @type {CaseRecord[]} */ (/** @type {unknown} */ (res.items))
      this.hasNext = res.items.length === QUEUE_SIZE
    })
  }

  /**
   * Changes filters and reads the first page again.
   * @param {Partial<QueueFilters>} patch
   */
  set(patch) {
    Object.assign(this.filters, patch)
    return this.restart()
  }

  /** Any change to a case re-reads the page shortly after (a burst of events costs one read). */
  async subscribe() {
    try {
      this.#off = await this.pb.collection('cases').subscribe('*', () => {
        clearTimeout(this.#timer)
        this.#timer = setTimeout(() => this.load(), 250)
      }, { fields: 'id' })
      this.live = true
    } catch {
      this.live = false
    }
  }

  close() {
    clearTimeout(this.#timer)
    const off = this.#off
    this.#off = null
    this.live = false
    if (off) Promise.resolve(off()).catch(() => {})
  }
}

export class CaseView {
  /** @type {CaseRecord | null} */
  record = $state(null)
  /** @type {CaseMessage[]} */
  messages = $state.raw([])
  error = $state(null)
  loading = $state(false)
  live = $state(false)
  /** @type {Array<() => Promise<void>>} */
  #off = []
  #closed = false

  /**
   * @param {import('pocketbase').default} pb
   * @param {string} id the case's id
   */
  constructor(pb, id) {
    this.pb = pb
    this.id = id
  }

  get type() {
    return this.record?.expand?.type ?? null
  }

  async load() {
    this.loading = true
    this.error = null
    try {
      const [record, messages] = await Promise.all([
        this.pb.collection('cases').getOne(this.id, { expand: 'contact,type,company' }),
        this.pb.collection('case_messages').getFullList({ filter: this.pb.filter('case = {:id}', { id: this.id }), sort: 'created', expand: 'author_customer' }),
      ])
      if (this.#closed) return
      this.record = record
      this.messages = messages
    } catch (err) {
      this.error = err
    } finally {
      this.loading = false
    }
  }

  /**
   * A new or changed message, once, in time order. Returns true when it was new.
   * @param {CaseMessage} m
   * @returns {boolean}
   */
  upsertMessage(m) {
    if (m.case !== this.id) return false
    const i = this.messages.findIndex((x) => x.id === m.id)
    if (i >= 0) {
      this.messages = this.messages.with(i, { ...this.messages[i], ...m })
      return false
    }
    this.messages = [...this.messages, m].sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : 0))
    return true
  }

  /**
   * Keeps the case and its conversation live.
   * @param {{onMessage?: (m: CaseMessage) => void, onCase?: (now: CaseRecord, before: CaseRecord) => void}} [handlers]
   */
  async subscribe({ onMessage, onCase } = {}) {
    try {
      const offMessages = await this.pb.collection('case_messages').subscribe('*', (e) => {
        if (e.action === 'delete') this.messages = this.messages.filter((m) => m.id !== e.record.id)
        else if (this.upsertMessage(e.record)) onMessage?.(e.record)
      }, { filter: this.pb.filter('case = {:id}', { id: this.id }), expand: 'author_customer' })
      const offCase = await this.pb.collection('cases').subscribe(this.id, (e) => {
        if (e.action !== 'update' || !this.record) return
        const before = this.record
        this.record = { ...before, ...e.record, expand: { ...before.expand, ...(e.record.expand ?? {}) } }
        onCase?.(this.record, before)
      }, { expand: 'contact,type,company' })
      this.#off.push(offMessages, offCase)
      if (this.#closed) this.close()
      else this.live = true
    } catch {
      this.live = false
    }
  }

  /**
   * Posts a reply (or, internal, a note the customer does not see), with files.
   * @param {string} body
   * @param {boolean} internal
   * @param {File[]} [files]
   * @returns {Promise<CaseMessage>}
   */
  async send(body, internal, files = []) {
    /** @type {Record<string, unknown>} */
    const data = { case: this.id, body, internal }
    if (files.length) data.attachments = files
    const m = await this.pb.collection('case_messages').create(data)
    this.upsertMessage(m)
    return m
  }

  /**
   * Changes status or assignee; the page shows the saved record (the server sets the label and the clocks).
   * @param {Partial<CaseRecord>} patch
   * @returns {Promise<CaseRecord>}
   */
  async update(patch) {
    const saved = await this.pb.collection('cases').update(this.id, patch, { expand: 'contact,type,company' })
    this.record = saved
    return saved
  }

  close() {
    this.#closed = true
    for (const off of this.#off.splice(0)) Promise.resolve(off?.()).catch(() => {})
    this.live = false
  }
}
