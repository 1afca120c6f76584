// The contacts list: paged by the record API with skipTotal (no COUNT over a
// million rows) and sorts that an index serves; a query of two or more
// characters goes to the search route instead, best matches first.
import { PagedList } from './paged.svelte.js'
import { searchIds, idFilter, inOrder } from './search.js'
import { customFields, customFilterParts } from './customfields.svelte.js'

/**
 * A contact as the list shows it (LIST_FIELDS).
 * @typedef {{id: string, name: string, email?: string, phone?: string, mobile?: string, job_title?: string, stage?: string, owner?: string, company?: string, created?: string, open_cases?: number, expand?: {company?: {id: string, name: string}}}} ContactRow
 */

/**
 * The list's filters.
 * @typedef {{stage: string, owner: string, tag: string, company: string, openCase: boolean, archived?: boolean}} ContactFilters
 * (archived: show the archived contacts too; the list leaves them out by default)
 */

/**
 * A company as a filter offers it.
 * @typedef {{id: string, name: string}} CompanyOption
 */

export const PER_PAGE = 25
export const SEARCH_LIMIT = 50

// column -> [ascending, descending] sort, each served by an index
export const SORTS = {
  name: ['name', '-name'],
  email: ['email', '-email'],
  stage: ['stage,created', '-stage,-created'],
  created: ['created', '-created'],
  owner: ['owner,created', '-owner,-created'],
}

// custom: {field, value} on one of the business's own fields (customfields.svelte.js)
export const NO_FILTERS = { stage: '', owner: '', tag: '', company: '', openCase: false, archived: false, custom: null }

/**
 * The record-API filter of the list's filters; '' when none.
 * @param {import('pocketbase').default} pb
 * @param {ContactFilters} f
 * @returns {string}
 */
export function contactFilter(pb, f) {
  const parts = []
  const params = {}
  if (f.stage) {
    parts.push('stage = {:stage}')
    params.stage = f.stage
  }
  if (f.owner === '-') parts.push("owner = ''")
  else if (f.owner) {
    parts.push('owner = {:owner}')
    params.owner = f.owner
  }
  if (f.company) {
    parts.push('company = {:company}')
    params.company = f.company
  }
  if (f.tag) {
    // tags is a JSON list: match the quoted tag, not a part of another one.
    parts.push('tags ~ {:tag}')
    params.tag = `"${f.tag.trim()}"`
  }
  // A case of theirs still open (the cases index on contact, closed serves it).
  if (f.openCase) parts.push('cases_via_contact.closed ?= false')
  if (!f.archived) parts.push('archived = false')
  const cf = customFilterParts(customFields.of('contacts'), f.custom)
  if (cf) {
    parts.push(cf.expr)
    Object.assign(params, cf.params)
  }
  return parts.length ? pb.filter(parts.join(' && '), params) : ''
}

export const LIST_FIELDS = 'id,name,email,phone,mobile,job_title,stage,owner,company,created,open_cases,archived,expand.company.id,expand.company.name'

/** @extends {PagedList<ContactRow>} */
export class ContactList extends PagedList {
  query = $state('')
  sortKey = $state('created')
  sortDesc = $state(true)
  searching = $state(false) // the items are search results
  /** @type {ContactFilters} */
  filters = $state({ ...NO_FILTERS })

  /**
   * @param {import('pocketbase').default} pb
   * @param {{perPage?: number}} [options]
   */
  constructor(pb, { perPage = PER_PAGE } = {}) {
    super()
    this.pb = pb
    this.perPage = perPage
  }

  get sort() {
    return SORTS[this.sortKey][this.sortDesc ? 1 : 0]
  }

  get searchTerm() {
    const q = this.query.trim()
    return q.length >= 2 ? q : ''
  }

  /**
   * Reads the page (or the search results) the list's state asks for; an older answer is dropped.
   * @returns {Promise<void>}
   */
  async load() {
    const q = this.searchTerm
    await this.latest.run(() => (q ? this.#search(q) : this.#page()), (result) => {
      this.items = result.items
      this.hasNext = result.hasNext
      this.searching = Boolean(q)
    })
  }

  /** @returns {Promise<{items: ContactRow[], hasNext: boolean}>} */
  async #page() {
    const filter = contactFilter(this.pb, this.filters)
    const res = await this.pb.collection('contacts').getList(this.page, this.perPage, {
      sort: this.sort,
      ...(filter ? { filter } : {}),
      skipTotal: true,
      expand: 'company',
      fields: LIST_FIELDS + customFields.listFields('contacts'),
    })
    return { items: res.items, hasNext: res.items.length === this.perPage }
  }

  /**
   * @param {string} q
   * @returns {Promise<{items: ContactRow[], hasNext: boolean}>}
   */
  async #search(q) {
    const ids = await searchIds(this.pb, q, 'contacts', SEARCH_LIMIT)
    if (ids.length === 0) return { items: [], hasNext: false }
    const filter = idFilter(this.pb, ids)
    const extra = contactFilter(this.pb, this.filters)
    const res = await this.pb.collection('contacts').getList(1, ids.length, {
      filter: extra ? `(${filter}) && ${extra}` : filter,
      skipTotal: true,
      expand: 'company',
      fields: LIST_FIELDS + customFields.listFields('contacts'),
    })
    let items = inOrder(ids, res.items)
    if (this.sortKey !== 'created' || !this.sortDesc) items = sortRows(items, this.sortKey, this.sortDesc)
    return { items, hasNext: false }
  }

  /** The record-API filter of the list's filters (the export takes it); '' when none. */
  get filter() {
    return contactFilter(this.pb, this.filters)
  }

  get filtered() {
    const f = this.filters
    return Boolean(f.stage || f.owner || f.tag || f.company || f.openCase || f.archived || (f.custom?.field && f.custom.value !== ''))
  }

  /** @param {Partial<ContactFilters>} patch */
  setFilters(patch) {
    Object.assign(this.filters, patch)
    return this.restart()
  }

  /** @param {string} q */
  setQuery(q) {
    this.query = q
    return this.restart()
  }

  /** @param {string} key a column of SORTS */
  toggleSort(key) {
    if (!SORTS[key]) return
    if (this.sortKey === key) this.sortDesc = !this.sortDesc
    else {
      this.sortKey = key
      this.sortDesc = key === 'created'
    }
    return this.restart()
  }

  /**
   * A contact created on this page shows at once, first.
   * @param {ContactRow} record
   */
  prepend(record) {
    this.items = [record, ...this.items.filter((r) => r.id !== record.id)]
  }
}

/**
 * Rows sorted by a column, as the server would (search results are sorted here).
 * @template {{id: string}} T
 * @param {T[]} rows
 * @param {string} key
 * @param {boolean} desc
 * @returns {T[]}
 */
export function sortRows(rows, key, desc) {
  const val = (r) => String(r[key] ?? '')
  const out = [...rows].sort((a, b) => val(a).localeCompare(val(b), undefined, { sensitivity: 'base' }) || a.id.localeCompare(b.id))
  return desc ? out.reverse() : out
}

/**
 * A contact's fields as a form holds them.
 * @typedef {{name: string, email: string, phone: string, mobile: string, job_title: string, responsibilities: string, address: string,
 *   company: string, owner: string, stage: string, source: string, tags: string[], socials: Record<string, string>,
 *   preferred_channel: string, language: string, timezone: string, preferred_days: string[],
 *   preferred_hours_start: string, preferred_hours_end: string}} ContactDraft
 */

/**
 * A form's value as the record API takes it: text trimmed, a list without
 * blanks, social profiles without empty ones.
 * @param {unknown} v
 * @returns {unknown}
 */
export function cleanValue(v) {
  if (typeof v === 'string') return v.trim()
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x.trim() : x)).filter((x) => x !== '' && x != null)
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === 'string' ? x.trim() : x]).filter(([, x]) => x !== '' && x != null))
  return v
}

/** Whether a cleaned value says nothing (a new record leaves it out). */
export function isBlank(v) {
  return v == null || v === '' || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0)
}

/**
 * The body of a record form: an edit sends every field (so emptying one
 * clears it); a new record only the fields filled in.
 * @param {Record<string, unknown>} draft
 * @param {boolean} editing
 * @returns {Record<string, unknown>}
 */
export function formBody(draft, editing) {
  /** @type {Record<string, unknown>} */
  const body = {}
  for (const [k, v] of Object.entries(draft)) {
    const clean = cleanValue(v)
    if (editing || !isBlank(clean)) body[k] = clean
  }
  return body
}

/**
 * Saves a contact form. A new contact is owned by `owner` unless the form
 * names someone else. `extras` are the values of the business's own fields
 * (custom fields), sent as they are.
 * @param {import('pocketbase').default} pb
 * @param {{id: string} | null | undefined} contact the contact edited, or none for a new one
 * @param {Partial<ContactDraft>} draft
 * @param {string} owner the signed-in staff member's id
 * @param {Record<string, unknown>} [extras]
 * @returns {Promise<ContactRow>}
 */
export async function saveContact(pb, contact, draft, owner, extras = {}) {
  const body = { ...formBody(draft, Boolean(contact)), ...formBody(extras, Boolean(contact)) }
  if (contact) return /** @type {ContactRow} */ (/** @type {unknown} */ (await pb.collection('contacts').update(contact.id, body)))
  body.owner ||= owner
  return /** @type {ContactRow} */ (/** @type {unknown} */ (await pb.collection('contacts').create(body)))
}

/**
 * The tags in use, most used first, for a tag input's suggestions: the
 * team's tag list (/api/crm/tags) when the server has it, else the tags of
 * the latest contacts and companies. Never fails (no suggestions instead).
 * @param {import('pocketbase').default} pb
 * @returns {Promise<string[]>}
 */
export async function tagSuggestions(pb) {
  try {
    const res = await pb.send('/api/crm/tags', {})
    const list = Array.isArray(res) ? res : (res?.items ?? res?.tags)
    if (Array.isArray(list)) {
      const names = list.map((x) => (typeof x === 'string' ? x : (x?.name ?? x?.tag))).filter((x) => typeof x === 'string' && x)
      if (names.length) return names
    }
  } catch {
    // the route is not there yet: read the tags off the records
  }
  const counts = new Map()
  for (const name of ['contacts', 'companies']) {
    try {
      const res = await pb.collection(name).getList(1, 200, { sort: '-updated', skipTotal: true, fields: 'tags' })
      for (const r of res.items) for (const tag of Array.isArray(r.tags) ? r.tags : []) counts.set(tag, (counts.get(tag) ?? 0) + 1)
    } catch {
      // no suggestions from this collection
    }
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([tag]) => tag)
}
