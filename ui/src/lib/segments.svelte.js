// Segments built in the workspace (pages/Segments.svelte): the list, the
// builder (conditions in all/any groups, a live count as they change, a
// value proposition), the members and the size and revenue per day. The
// server compiles and checks every definition (plugins/segments/segdef).
import { pb } from './pb.js'

/**
 * One condition; which members matter depends on kind (see segdef).
 * @typedef {{kind: string, field?: string, op?: string, value?: any, product?: string, days?: number, match?: string, conditions?: Condition[]}} Condition
 * @typedef {{match: 'all' | 'any', conditions: Condition[]}} Definition
 */

export const CONDITION_KINDS = ['bought', 'spent', 'orders', 'field', 'tag', 'company', 'owner', 'open_requests', 'score', 'group']

/** The value model's figures a condition may read (customer_scores). */
export const SCORE_FIELDS = ['rfm_class', 'p_active', 'clv', 'expected_spend', 'expected_30', 'expected_90', 'expected_365', 'recency', 'frequency', 'monetary']
export const RFM_CLASSES = ['champions', 'loyal', 'potential', 'new', 'at_risk', 'cannot_lose', 'hibernating', 'lost']

/** The built-in contact fields a condition may read, with their type. */
export const CONTACT_FIELDS = [
  { name: 'name', type: 'text' },
  { name: 'email', type: 'text' },
  { name: 'phone', type: 'text' },
  { name: 'mobile', type: 'text' },
  { name: 'job_title', type: 'text' },
  { name: 'address', type: 'text' },
  { name: 'source', type: 'text' },
  { name: 'stage', type: 'select', values: ['lead', 'prospect', 'customer', 'former'] },
  { name: 'score', type: 'number' },
  { name: 'created', type: 'date' },
]

/** The ops of each type of field, and of the other kinds. */
export const OPS = {
  text: ['eq', 'neq', 'contains', 'not_contains', 'empty', 'not_empty'],
  select: ['eq', 'neq', 'empty', 'not_empty'],
  multi: ['has', 'has_not', 'empty', 'not_empty'],
  number: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte'],
  bool: ['is_true', 'is_false'],
  date: ['before', 'after', 'within_days', 'empty', 'not_empty'],
  tag: ['has', 'has_not'],
  relation: ['eq', 'neq', 'empty', 'not_empty'],
  bought: ['bought', 'not_bought'],
  compare: ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'],
  open_requests: ['has', 'has_not'],
  rfm: ['eq', 'neq'],
}

/** Ops that take no value. */
export const NO_VALUE = ['empty', 'not_empty', 'is_true', 'is_false']

const CUSTOM_TYPES = { number: 'number', money: 'number', date: 'date', select: 'select', multi_select: 'multi', bool: 'bool' }

/**
 * The fields a condition may read: the built-in ones and the business's
 * own (custom fields of contacts).
 * @param {Array<{name: string, kind: string, options?: any[]}>} custom
 * @returns {Array<{name: string, type: string, values?: string[], custom?: any}>}
 */
export function fieldsWith(custom = []) {
  const own = custom.map((f) => ({
    name: f.name,
    type: CUSTOM_TYPES[f.kind] ?? 'text',
    values: (f.options ?? []).map((o) => (typeof o === 'string' ? o : o?.value ?? o?.key ?? '')).filter(Boolean),
    custom: f,
  }))
  return [...CONTACT_FIELDS, ...own]
}

/**
 * The ops a condition may use.
 * @param {Condition} c
 * @param {Array<{name: string, type: string}>} fields
 */
export function opsOf(c, fields) {
  switch (c.kind) {
    case 'field':
      return OPS[fields.find((f) => f.name === c.field)?.type ?? 'text']
    case 'tag':
      return OPS.tag
    case 'company':
    case 'owner':
      return OPS.relation
    case 'bought':
      return OPS.bought
    case 'spent':
    case 'orders':
      return OPS.compare
    case 'open_requests':
      return OPS.open_requests
    case 'score':
      return c.field === 'rfm_class' ? OPS.rfm : OPS.compare
  }
  return []
}

/**
 * A new condition of kind, with values that make sense at once.
 * @param {string} kind
 * @returns {Condition}
 */
export function newCondition(kind) {
  switch (kind) {
    case 'bought':
      return { kind, op: 'bought', product: '', days: 90 }
    case 'spent':
      return { kind, op: 'gt', value: 100, days: 90 }
    case 'orders':
      return { kind, op: 'gte', value: 2, days: 0 }
    case 'field':
      return { kind, field: 'stage', op: 'eq', value: 'customer' }
    case 'tag':
      return { kind, op: 'has', value: '' }
    case 'company':
    case 'owner':
      return { kind, op: 'eq', value: '' }
    case 'open_requests':
      return { kind, op: 'has' }
    case 'score':
      return { kind, field: 'rfm_class', op: 'eq', value: 'champions' }
    case 'group':
      return { kind, match: 'any', conditions: [newCondition('tag')] }
  }
  return { kind }
}

/**
 * Whether a definition reads the value model (profiling).
 * @param {Condition[]} conds
 * @returns {boolean}
 */
export function usesProfiling(conds = []) {
  return conds.some((c) => c.kind === 'score' || (c.kind === 'group' && usesProfiling(c.conditions)))
}

/**
 * The condition a server's answer names ("conditions.1.conditions.0"),
 * as the path the builder marks.
 * @param {any} err
 * @returns {{path: string, condition: string, message: string} | null}
 */
export function conditionError(err) {
  const p = err?.response?.data?.definition ?? err?.data?.data?.definition
  if (!p) return null
  return { path: p.params?.path ?? '', condition: p.params?.condition ?? '', message: p.params?.reason ?? p.message ?? '',
    code: p.params?.code ?? '', params: p.params?.args ?? {} }
}

/**
 * A condition's fault in the reader's language: the server's code worded
 * (segments.error.<code>, a field by its label), else its English message.
 * @param {{code?: string, params?: Record<string, any>, message: string} | null} problem
 * @param {(key: string, params?: object) => string} t
 */
export function problemText(problem, t) {
  if (!problem) return ''
  const key = `segments.error.${problem.code}`
  if (!problem.code || t(key) === key) return problem.message
  const params = { ...(problem.params ?? {}) }
  const label = params.field ? t(`segments.field.${params.field}`) : ''
  if (label && label !== `segments.field.${params.field}`) params.field = label
  return t(key, params)
}

/** The segments, by name. */
export async function listSegments() {
  return pb.collection('segments').getFullList({ sort: 'name', expand: 'owner' })
}

/**
 * A segment's snapshots, oldest first.
 * @param {string} id
 */
export async function segmentHistory(id) {
  return pb.collection('segment_snapshots').getFullList({ filter: pb.filter('segment = {:id}', { id }), sort: 'day' })
}

/** One segment being built or edited. */
export class SegmentEditor {
  id = $state('')
  name = $state('')
  description = $state('')
  proposition = $state('')
  owner = $state('')
  /** @type {Definition} */
  definition = $state({ match: 'all', conditions: [] })
  /** @type {number | null} */
  count = $state(null)
  counting = $state(false)
  /** @type {{path: string, condition: string, message: string} | null} */
  problem = $state(null)
  /** @type {Record<string, string>} */
  errors = $state({})
  saving = $state(false)
  #timer = 0
  #seq = 0

  /** Reads a saved segment. @param {string} id */
  async load(id) {
    const r = await pb.collection('segments').getOne(id)
    this.id = r.id
    this.name = r.name
    this.description = r.description ?? ''
    this.proposition = r.proposition ?? ''
    this.owner = r.owner ?? ''
    this.definition = r.definition?.conditions ? r.definition : { match: 'all', conditions: [] }
    this.legacy = !r.definition && Boolean(r.filter)
    return r
  }

  /** Counts again after a pause in the changes (the live count). */
  schedule(delay = 350) {
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => this.recount(), delay)
  }

  async recount() {
    const seq = ++this.#seq
    this.counting = true
    try {
      const res = await pb.send('/api/crm/segments/count', { method: 'POST', body: { definition: $state.snapshot(this.definition) }, requestKey: null })
      if (seq !== this.#seq) return
      this.count = res.count
      this.problem = null
    } catch (err) {
      if (seq !== this.#seq || err?.isAbort) return
      this.problem = conditionError(err) ?? { path: '', condition: '', message: err?.message ?? '' }
    } finally {
      if (seq === this.#seq) this.counting = false
    }
  }

  /** Saves the segment; returns the record, or null with errors set. */
  async save() {
    this.saving = true
    this.errors = {}
    const body = { name: this.name.trim(), description: this.description, proposition: this.proposition, definition: $state.snapshot(this.definition) }
    if (this.owner) body.owner = this.owner
    try {
      const r = this.id ? await pb.collection('segments').update(this.id, body) : await pb.collection('segments').create(body)
      this.id = r.id
      return r
    } catch (err) {
      const data = err?.response?.data ?? {}
      for (const [k, v] of Object.entries(data)) this.errors[k] = v?.message ?? ''
      this.problem = conditionError(err)
      throw err
    } finally {
      this.saving = false
    }
  }

  stop() {
    clearTimeout(this.#timer)
  }
}

/** A segment's members, a page at a time. */
export class SegmentMembers {
  /** @type {Array<{id: string, name: string, email: string, company: string, stage: string}>} */
  items = $state.raw([])
  page = $state(1)
  total = $state(0)
  perPage = 25
  loading = $state(false)
  /** @param {string} id */
  constructor(id) {
    this.id = id
  }
  get hasNext() {
    return this.page * this.perPage < this.total
  }
  async load(page = this.page) {
    this.loading = true
    try {
      const res = await pb.send(`/api/crm/segments/${encodeURIComponent(this.id)}/members`, { method: 'GET', query: { page, perPage: this.perPage } })
      this.items = res.items ?? []
      this.total = res.totalItems ?? 0
      this.page = res.page ?? page
    } finally {
      this.loading = false
    }
  }
  prev() {
    if (this.page > 1) return this.load(this.page - 1)
  }
  next() {
    if (this.hasNext) return this.load(this.page + 1)
  }
}
