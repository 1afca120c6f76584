// Companies: the list (paged by name; a query of two or more characters goes
// to the search route, best matches first), one company with its people,
// deals and requests, and the short list the contacts filter offers.
import { latestWins } from '../shared/loader.js'
import { PagedList } from './paged.svelte.js'
import { search, searchIds, idFilter, inOrder } from './search.js'
import { formBody } from './contacts.svelte.js'
import { customFields, customFilter } from './customfields.svelte.js'

export const PER_PAGE = 25
export const SEARCH_LIMIT = 50

/**
 * A company record.
 * @typedef {{id: string, name: string, domain?: string, industry?: string, size?: string, city?: string, phone?: string, owner?: string, tags?: string[], [key: string]: unknown}} Company
 */

/**
 * A company as a filter offers it.
 * @typedef {{id: string, name: string}} CompanyOption
 */

/**
 * The first companies by name, for a filter (the empty list when they cannot be read).
 * @param {import('pocketbase').default} pb
 * @returns {Promise<CompanyOption[]>}
 */
export async function companyOptions(pb) {
  try {
    const res = await pb.collection('companies').getList(1, 200, { sort: 'name', skipTotal: true, fields: 'id,name' })
    return /** @type {CompanyOption[]} */ (/** @type {unknown} */ (res.items))
  } catch {
    return []
  }
}

/** @extends {PagedList<Company>} */
export class CompanyList extends PagedList {
  query = $state('')
  searching = $state(false) // the items are search results
  archived = $state(false) // archived companies are listed too
  custom = $state(null) // {field, value}: a filter on one of the business's own fields (customfields.svelte.js)

  /** @param {import('pocketbase').default} pb */
  constructor(pb) {
    super()
    this.pb = pb
  }

  /**
   * Reads the page (or the search results) the list's state asks for; an older answer is dropped.
   * @returns {Promise<void>}
   */
  async load() {
    const q = this.query.trim()
    const searching = q.length >= 2
    await this.latest.run(() => (searching ? this.#search(q) : this.#page()), (res) => {
      this.items = res.items
      this.hasNext = res.hasNext
      this.searching = searching
    })
  }

  /** @returns {Promise<{items: Company[], hasNext: boolean}>} */
  async #page() {
    const filter = [this.archived ? '' : 'archived = false', customFilter(this.pb, customFields.of('companies'), this.custom)].filter(Boolean).join(' && ')
    const res = await this.pb.collection('companies').getList(this.page, PER_PAGE, { sort: 'name', skipTotal: true, ...(filter ? { filter } : {}) })
    const items = /** @type {Company[]} */ (/** @type {unknown} */ (res.items))
    return { items, hasNext: items.length === PER_PAGE }
  }

  /**
   * @param {string} q
   * @returns {Promise<{items: Company[], hasNext: boolean}>}
   */
  async #search(q) {
    const ids = await searchIds(this.pb, q, 'companies', SEARCH_LIMIT)
    if (!ids.length) return { items: [], hasNext: false }
    const byId = idFilter(this.pb, ids)
    const cf = customFilter(this.pb, customFields.of('companies'), this.custom)
    const filter = [`(${byId})`, this.archived ? '' : 'archived = false', cf].filter(Boolean).join(' && ')
    const res = await this.pb.collection('companies').getList(1, ids.length, { filter, skipTotal: true })
    return { items: inOrder(ids, /** @type {Company[]} */ (/** @type {unknown} */ (res.items))), hasNext: false }
  }

  /**
   * A new query; the list starts again at page 1 (the caller loads).
   * @param {string} q
   */
  setQuery(q) {
    this.query = q
    this.page = 1
  }

  /**
   * Shows or hides the archived companies, from page 1 again.
   * @param {boolean} on
   */
  showArchived(on) {
    this.archived = on
    return this.restart()
  }
}

/**
 * A company's fields as its form holds them.
 * @typedef {{name: string, domain: string, industry: string, size: string, phone: string, address: string, city: string, country: string, owner: string, tags: string[]}} CompanyDraft
 */

export const COMPANY_SIZES = ['1-10', '11-50', '51-200', '201-1000', '1000+']

/**
 * A company form's fields, from the saved record or empty.
 * @param {Partial<Company> | null} [record]
 * @returns {CompanyDraft}
 */
export function companyDraft(record) {
  const r = record ?? {}
  const text = (/** @type {string} */ k) => String(r[k] ?? '')
  return {
    name: text('name'), domain: text('domain'), industry: text('industry'), size: text('size'), phone: text('phone'),
    address: text('address'), city: text('city'), country: text('country'), owner: text('owner'),
    tags: Array.isArray(r.tags) ? [...r.tags] : [],
  }
}

/**
 * Saves a company form (an edit sends every field, a new company the ones
 * filled in, owned by `owner` unless the form names someone). The domain is
 * kept as the server wants it: lower case, without https:// or www.
 * @param {import('pocketbase').default} pb
 * @param {{id: string} | null | undefined} company the company edited, or none for a new one
 * @param {Partial<CompanyDraft>} draft
 * @param {string} owner the signed-in staff member's id
 * @param {Record<string, unknown>} [extras] the business's own fields
 * @returns {Promise<Company>}
 */
export async function saveCompany(pb, company, draft, owner, extras = {}) {
  const d = { ...draft }
  if (typeof d.domain === 'string') d.domain = d.domain.trim().toLowerCase().replace(/^https?:\/\//, '').replace(/^www\./, '').replace(/\/.*$/, '')
  if (typeof d.country === 'string') d.country = d.country.trim().toUpperCase()
  const body = { ...formBody(d, Boolean(company)), ...formBody(extras, Boolean(company)) }
  if (company) return /** @type {Company} */ (/** @type {unknown} */ (await pb.collection('companies').update(company.id, body)))
  body.owner ||= owner
  return /** @type {Company} */ (/** @type {unknown} */ (await pb.collection('companies').create(body)))
}

/**
 * A company made from a name alone (a contact form's "create company").
 * @param {import('pocketbase').default} pb
 * @param {string} name
 * @param {string} owner
 * @returns {Promise<Company>}
 */
export function quickCompany(pb, name, owner) {
  return saveCompany(pb, null, { name }, owner)
}

/**
 * Archives or restores a contact or a company.
 * @param {import('pocketbase').default} pb
 * @param {'contacts' | 'companies'} collection
 * @param {string} id
 * @param {boolean} archived
 * @returns {Promise<Record<string, any>>}
 */
export function setArchived(pb, collection, id, archived) {
  return pb.collection(collection).update(id, { archived })
}

/**
 * Records of a collection whose name matches what was typed, best first,
 * for a picker (the search route: contacts by name, email or phone;
 * companies by name or domain). Fewer than two characters find nothing.
 * @param {import('pocketbase').default} pb
 * @param {string} collection
 * @param {string} q
 * @param {number} [limit]
 * @returns {Promise<Array<{id: string, title: string, subtitle?: string}>>}
 */
export async function findRecords(pb, collection, q, limit = 8) {
  const term = q.trim()
  if (term.length < 2) return []
  const hits = await search(pb, term, { collection, limit })
  return hits.filter((h) => h.collection === collection).map((h) => ({ id: h.id, title: String(h.title ?? ''), subtitle: h.subtitle ? String(h.subtitle) : undefined }))
}

/** The fields of a company's page, each list served by an index on company. */
const PEOPLE = { sort: 'name', fields: 'id,name,email,job_title,stage,open_cases,archived' }
const DEALS = { sort: 'status,-amount', expand: 'stage', fields: 'id,title,amount,currency,status,expected_close,stage,expand.stage.name' }
const TASKS = { sort: 'due', fields: 'id,title,due,assignee,status' }
const CASES = { sort: 'closed,resolution_due', expand: 'contact', fields: 'id,reference,subject,status_label,closed,overdue,resolution_due,contact,expand.contact.name' }

export class CompanyView {
  /** @type {Company | null} */
  record = $state(null)
  /** @type {Array<Record<string, any>>} */
  people = $state.raw([])
  /** @type {Array<Record<string, any>>} */
  deals = $state.raw([])
  /** @type {Array<Record<string, any>>} */
  cases = $state.raw([])
  /** @type {Array<Record<string, any>>} the company's open tasks */
  tasks = $state.raw([])
  loading = $state(true)
  error = $state(null)
  #latest = latestWins(this)

  /**
   * @param {import('pocketbase').default} pb
   * @param {string} id
   */
  constructor(pb, id) {
    this.pb = pb
    this.id = id
  }

  /** Reads the company and its people, deals and requests (up to 100 each). */
  async load() {
    const by = this.pb.filter('company = {:id}', { id: this.id })
    const list = (/** @type {string} */ name, /** @type {object} */ opts) => this.pb.collection(name).getList(1, 100, { filter: by, skipTotal: true, ...opts })
    await this.#latest.run(() => Promise.all([
      this.pb.collection('companies').getOne(this.id),
      list('contacts', PEOPLE),
      list('deals', DEALS),
      list('cases', CASES),
      this.pb.collection('tasks').getList(1, 100, { filter: this.pb.filter("company = {:id} && status = 'open'", { id: this.id }), skipTotal: true, ...TASKS }),
    ]), ([co, ct, dl, cs, tk]) => {
      this.record = /** @type {Company} */ (/** @type {unknown} */ (co))
      this.people = ct.items
      this.deals = dl.items
      this.cases = cs.items
      this.tasks = tk.items
    })
  }
}

/**
 * Deletes a contact or a company for good; the API decides who may (managers,
 * and agents what they own).
 * @param {import('pocketbase').default} pb
 * @param {'contacts' | 'companies'} collection
 * @param {string} id
 * @returns {Promise<boolean>}
 */
export function removeRecord(pb, collection, id) {
  return pb.collection(collection).delete(id)
}

/**
 * Why a delete was refused, in the reader's words: the API answers 404 to a
 * record its delete rule does not let this person delete (an agent, another's
 * record), 400 with its reason when the record is still needed elsewhere.
 * @param {any} err
 * @param {(key: string, params?: object) => string} t
 * @param {(err: any, t: any) => string} errorMessage
 * @returns {string}
 */
export function deleteProblem(err, t, errorMessage) {
  if (err?.status === 403 || err?.status === 404) return t('records.delete_refused')
  return t('records.delete_failed', { reason: errorMessage(err, t) })
}
