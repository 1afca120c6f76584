// The customer 360 page's data: one answer of /api/crm/contacts/{id}/360,
// then kept live through realtime subscriptions on the contact and on their
// timeline.
import { Timeline } from './timeline.svelte.js'

/**
 * The 360 route's answer: the contact and everything around them.
 * @typedef {{
 *   contact: Record<string, any>,
 *   company?: Record<string, any> | null,
 *   open_cases?: number,
 *   cases?: Array<Record<string, any>>,
 *   tasks?: Array<Record<string, any>>,
 *   deals?: Array<Record<string, any>>,
 *   orders?: Array<Record<string, any>>,
 *   subscriptions?: Array<Record<string, any>>,
 *   consents?: Array<Record<string, any>>,
 *   segments?: Array<{id: string, name: string}>,
 *   preferences?: Record<string, any>,
 *   timeline?: import('./timeline.svelte.js').TimelinePage,
 * }} Contact360Data
 */

/** The contact whose page the search dialog is opening (plugins/accesslog: a search result opened). */
export const openedFromSearch = { contact: '' }

export class Contact360 {
  /** @type {Contact360Data | null} */
  data = $state(null)
  error = $state(null)
  loading = $state(false)
  live = $state(false)
  /** @type {Timeline | null} */
  timeline = $state(null)
  /** @type {Array<() => Promise<void>>} */
  #unsubscribe = []
  #closed = false

  /**
   * @param {import('pocketbase').default} pb
   * @param {string} contactId
   */
  constructor(pb, contactId) {
    this.pb = pb
    this.contactId = contactId
  }

  get contact() {
    return this.data?.contact ?? null
  }

  get openCases() {
    return Number(this.data?.open_cases ?? this.data?.contact?.open_cases ?? 0)
  }

  async load() {
    this.loading = true
    this.error = null
    try {
      // Opened from a search result: the customer's access log says so.
      const via = openedFromSearch.contact === this.contactId ? { query: { via: 'search' } } : {}
      openedFromSearch.contact = ''
      const data = await this.pb.send(`/api/crm/contacts/${encodeURIComponent(this.contactId)}/360`, via)
      if (this.#closed) return
      const timeline = new Timeline(this.pb, this.contactId)
      timeline.setFirstPage(data.timeline)
      this.timeline = timeline
      this.data = data
    } catch (err) {
      this.error = err
    } finally {
      this.loading = false
    }
  }

  /**
   * Subscribes to the contact's new timeline entries and to changes of the contact.
   * @param {{onEntry?: (entry: import('./timeline.svelte.js').Entry) => void}} [handlers]
   */
  async subscribe({ onEntry } = {}) {
    const id = this.contactId
    try {
      const offActivities = await this.pb.collection('activities').subscribe('*', (e) => {
        if (!this.timeline) return
        if (e.action === 'delete') this.timeline.remove(e.record.id)
        else if (this.timeline.upsert(e.record)) onEntry?.(e.record)
        if (e.record?.event?.startsWith('case.')) this.refreshCases()
      }, { filter: this.pb.filter('contact = {:id}', { id }) })
      const offContact = await this.pb.collection('contacts').subscribe(id, (e) => {
        if (e.action === 'update' && this.data) this.data.contact = { ...this.data.contact, ...e.record }
      })
      this.#unsubscribe.push(offActivities, offContact)
      if (this.#closed) this.close()
      else this.live = true
    } catch {
      this.live = false // the page still works, without live updates
    }
  }

  /** Re-reads the open tasks (after logging an interaction with a follow-up). */
  async refreshTasks() {
    const res = await this.pb.collection('tasks').getList(1, 100, {
      filter: this.pb.filter("contact = {:id} && status = 'open'", { id: this.contactId }),
      sort: 'due',
      skipTotal: true,
    })
    if (this.data) this.data.tasks = res.items
  }

  /** Re-reads the requests and the open count (a case changed). */
  async refreshCases() {
    try {
      const res = await this.pb.collection('cases').getList(1, 50, {
        filter: this.pb.filter('contact = {:id}', { id: this.contactId }),
        sort: 'closed,-created',
        skipTotal: true,
      })
      if (!this.data) return
      this.data.cases = res.items
      this.data.open_cases = res.items.filter((c) => !c.closed).length
    } catch {
      // keep what is shown
    }
  }

  close() {
    this.#closed = true
    for (const off of this.#unsubscribe.splice(0)) {
      Promise.resolve(off?.()).catch(() => {})
    }
    this.live = false
  }
}
