// The contacts list: paged by the record API with skipTotal (no COUNT over a
// million rows) and sorts that an index serves; a query of two or more
// characters goes to the search route instead, best matches first.

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

export const NO_FILTERS = { stage: '', owner: '', tag: '', company: '', openCase: false }

/** The record-API filter of the list's filters; '' when none. */
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
  return parts.length ? pb.filter(parts.join(' && '), params) : ''
}

export const LIST_FIELDS = 'id,name,email,phone,mobile,job_title,stage,owner,company,created,open_cases,expand.company.id,expand.company.name'

export class ContactList {
  query = $state('')
  sortKey = $state('created')
  sortDesc = $state(true)
  page = $state(1)
  items = $state([])
  hasNext = $state(false)
  loading = $state(false)
  error = $state(null)
  searching = $state(false) // the items are search results
  filters = $state({ ...NO_FILTERS })
  #seq = 0

  constructor(pb, { perPage = PER_PAGE } = {}) {
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

  async load() {
    const seq = ++this.#seq
    this.loading = true
    this.error = null
    try {
      const q = this.searchTerm
      const result = q ? await this.#search(q) : await this.#page()
      if (seq !== this.#seq) return // a newer load answered or will
      this.items = result.items
      this.hasNext = result.hasNext
      this.searching = Boolean(q)
    } catch (err) {
      if (seq === this.#seq) this.error = err
    } finally {
      if (seq === this.#seq) this.loading = false
    }
  }

  async #page() {
    const filter = contactFilter(this.pb, this.filters)
    const res = await this.pb.collection('contacts').getList(this.page, this.perPage, {
      sort: this.sort,
      ...(filter ? { filter } : {}),
      skipTotal: true,
      expand: 'company',
      fields: LIST_FIELDS,
    })
    return { items: res.items, hasNext: res.items.length === this.perPage }
  }

  async #search(q) {
    const found = await this.pb.send('/api/crm/search', { query: { q, collection: 'contacts', limit: SEARCH_LIMIT } })
    const ids = (found?.items ?? []).filter((h) => h.collection === 'contacts').map((h) => h.id)
    if (ids.length === 0) return { items: [], hasNext: false }
    const params = {}
    const filter = ids.map((id, i) => {
      params[`id${i}`] = id
      return `id = {:id${i}}`
    }).join(' || ')
    const extra = contactFilter(this.pb, this.filters)
    const res = await this.pb.collection('contacts').getList(1, ids.length, {
      filter: extra ? `(${this.pb.filter(filter, params)}) && ${extra}` : this.pb.filter(filter, params),
      skipTotal: true,
      expand: 'company',
      fields: LIST_FIELDS,
    })
    const byId = new Map(res.items.map((r) => [r.id, r]))
    let items = ids.map((id) => byId.get(id)).filter(Boolean)
    if (this.sortKey !== 'created' || !this.sortDesc) items = sortRows(items, this.sortKey, this.sortDesc)
    return { items, hasNext: false }
  }

  get filtered() {
    const f = this.filters
    return Boolean(f.stage || f.owner || f.tag || f.company || f.openCase)
  }

  setFilters(patch) {
    Object.assign(this.filters, patch)
    this.page = 1
    return this.load()
  }

  setQuery(q) {
    this.query = q
    this.page = 1
    return this.load()
  }

  toggleSort(key) {
    if (!SORTS[key]) return
    if (this.sortKey === key) this.sortDesc = !this.sortDesc
    else {
      this.sortKey = key
      this.sortDesc = key === 'created'
    }
    this.page = 1
    return this.load()
  }

  next() {
    if (!this.hasNext) return
    this.page += 1
    return this.load()
  }

  prev() {
    if (this.page <= 1) return
    this.page -= 1
    return this.load()
  }

  /** A contact created on this page shows at once, first. */
  prepend(record) {
    this.items = [record, ...this.items.filter((r) => r.id !== record.id)]
  }
}

/** Rows sorted by a column, as the server would (search results are sorted here). */
export function sortRows(rows, key, desc) {
  const val = (r) => String(r[key] ?? '')
  const out = [...rows].sort((a, b) => val(a).localeCompare(val(b), undefined, { sensitivity: 'base' }) || a.id.localeCompare(b.id))
  return desc ? out.reverse() : out
}
