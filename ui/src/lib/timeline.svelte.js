// A contact's timeline, newest first. Unfiltered it pages through the
// customer 360 route's cursor (keyset: page 50 costs what page 1 does);
// filtered by type or channel it reads the record API with the same order.
// Entries that arrive live are put in their place, once.

export const PAGE_SIZE = 20
export const TIMELINE_SORT = '-occurred_at,-created,-id'

/** Newest first: by occurred_at, then created, then id, all descending. */
export function compareEntries(a, b) {
  for (const k of ['occurred_at', 'created', 'id']) {
    const x = a[k] ?? ''
    const y = b[k] ?? ''
    if (x !== y) return x < y ? 1 : -1
  }
  return 0
}

export class Timeline {
  items = $state([])
  type = $state('')
  channel = $state('')
  loading = $state(false)
  error = $state(null)
  done = $state(false)
  #next = ''
  #page = 1
  #seq = 0

  constructor(pb, contactId) {
    this.pb = pb
    this.contactId = contactId
  }

  get filtered() {
    return Boolean(this.type || this.channel)
  }

  /** The first page as the 360 answer gave it. */
  setFirstPage(page) {
    this.items = [...(page?.items ?? [])]
    this.#next = page?.next ?? ''
    this.#page = 1
    this.done = !this.#next
    this.error = null
  }

  matches(entry) {
    return entry?.contact === this.contactId &&
      (!this.type || entry.type === this.type) &&
      (!this.channel || entry.channel === this.channel)
  }

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

  async loadMore() {
    if (this.done) return
    const seq = ++this.#seq
    this.loading = true
    this.error = null
    try {
      let items, more
      if (this.filtered) {
        const page = this.#page + 1
        const res = await this.pb.collection('activities').getList(page, PAGE_SIZE, {
          filter: this.#filter(),
          sort: TIMELINE_SORT,
          skipTotal: true,
        })
        if (seq !== this.#seq) return
        items = res.items
        more = items.length === PAGE_SIZE
        this.#page = page
      } else {
        const res = await this.pb.send(`/api/crm/contacts/${encodeURIComponent(this.contactId)}/timeline`, {
          query: this.#next ? { cursor: this.#next } : {},
        })
        if (seq !== this.#seq) return
        items = res.items ?? []
        this.#next = res.next ?? ''
        more = Boolean(this.#next)
      }
      const seen = new Set(this.items.map((e) => e.id))
      this.items = [...this.items, ...items.filter((e) => !seen.has(e.id))]
      this.done = !more
    } catch (err) {
      if (seq === this.#seq) this.error = err
    } finally {
      if (seq === this.#seq) this.loading = false
    }
  }

  #filter() {
    const parts = ['contact = {:contact}']
    if (this.type) parts.push('type = {:type}')
    if (this.channel) parts.push('channel = {:channel}')
    return this.pb.filter(parts.join(' && '), { contact: this.contactId, type: this.type, channel: this.channel })
  }

  /** A new or changed entry (from realtime or the composer). Returns true when it was new. */
  upsert(entry) {
    if (!this.matches(entry)) return false
    const i = this.items.findIndex((e) => e.id === entry.id)
    if (i >= 0) {
      this.items[i] = entry
      return false
    }
    const list = [...this.items, entry].sort(compareEntries)
    // An entry older than everything loaded belongs to a page not loaded yet.
    if (!this.done && list.at(-1)?.id === entry.id) return false
    this.items = list
    return true
  }

  remove(id) {
    this.items = this.items.filter((e) => e.id !== id)
  }
}
