// Companies: the list (paged by name; a query of two or more characters goes
// to the search route, best matches first), one company with its people,
// deals and requests, and the short list the contacts filter offers.
import { latestWins } from '../shared/loader.js'
import { PagedList } from './paged.svelte.js'
import { searchIds, idFilter, inOrder } from './search.js'

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
    const res = await this.pb.collection('companies').getList(this.page, PER_PAGE, { sort: 'name', skipTotal: true })
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
    const res = await this.pb.collection('companies').getList(1, ids.length, { filter: idFilter(this.pb, ids), skipTotal: true })
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
}

/** The fields of a company's page, each list served by an index on company. */
const PEOPLE = { sort: 'name', fields: 'id,name,email,job_title,stage,open_cases' }
const DEALS = { sort: 'status,-amount', expand: 'stage', fields: 'id,title,amount,currency,status,expected_close,stage,expand.stage.name' }
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
    ]), ([co, ct, dl, cs]) => {
      this.record = /** @type {Company} */ (/** @type {unknown} */ (co))
      this.people = ct.items
      this.deals = dl.items
      this.cases = cs.items
    })
  }
}
