// Mail filed under nobody (plugins/channels/email/unfiled.go): received mails
// the intake could not put under one contact wait here for a person, who files
// each to a contact (a reply on one of the contact's requests, a new request,
// or an entry on the contact's timeline) or sets it aside. The list follows the
// mails live; `waiting` is the count the menu shows.

/**
 * One mail of the list.
 * @typedef {{id: string, from: string, to: string, subject: string, excerpt: string, flag: string, files: number, at: string,
 *   contact: string, case: string, activity: string, handled: string, handled_at: string, handled_by: string}} UnfiledItem
 */

/** How a mail may be filed. */
export const FILE_AS = /** @type {const} */ (['reply', 'request', 'timeline'])

/** The request references ("[SUP-0012]") a subject names. */
const REFERENCE = /\[([A-Za-z]{2,8}-[0-9]{4,})\]/g

/**
 * The request a mail most likely answers: the first of the contact's
 * requests whose reference its subject names, else the newest open one.
 * @param {string} subject
 * @param {{id: string, reference?: string, closed?: boolean}[]} requests newest first
 * @returns {string}
 */
export function likelyRequest(subject, requests) {
  const named = [...String(subject ?? '').matchAll(REFERENCE)].map((m) => m[1].toUpperCase())
  const hit = requests.find((r) => r.reference && named.includes(r.reference.toUpperCase()))
  if (hit) return hit.id
  return (requests.find((r) => !r.closed) ?? requests[0])?.id ?? ''
}

/**
 * The words for a field problem of a filing: our own for the codes the
 * server gives, else the shared ones.
 * @param {any} err
 * @param {(key: string, params?: Record<string, unknown>) => string} t
 * @param {(err: any, t: any) => Record<string, string>} shared
 * @returns {Record<string, string>}
 */
export function filingErrors(err, t, shared) {
  const out = shared(err, t)
  const data = err?.response?.data ?? {}
  for (const [field, problem] of Object.entries(data)) {
    const key = `unfiled.error.${field}.${problem?.code}`
    if (t(key) !== key) out[field] = t(key)
  }
  return out
}

export class UnfiledMail {
  /** @type {UnfiledItem[]} */
  items = $state.raw([])
  waiting = $state(0)
  total = $state(0)
  handled = $state(false)
  page = $state(1)
  loading = $state(false)
  error = $state(null)
  perPage = 20
  #seq = 0
  #unsubscribe = null

  /** @param {import('pocketbase').default} pb */
  constructor(pb) {
    this.pb = pb
  }

  get pages() {
    return Math.max(1, Math.ceil(this.total / this.perPage))
  }

  /** Reads the current page again (the waiting mails, or the handled ones). */
  async load() {
    const mine = ++this.#seq
    this.loading = true
    try {
      const res = await this.pb.send('/api/crm/email/unfiled', {
        query: { page: this.page, perPage: this.perPage, ...(this.handled ? { handled: 1 } : {}) },
        requestKey: null,
      })
      if (mine !== this.#seq) return
      this.items = res.items ?? []
      this.total = res.total ?? 0
      this.waiting = res.waiting ?? 0
      this.error = null
    } catch (err) {
      if (mine === this.#seq) this.error = err
    } finally {
      if (mine === this.#seq) this.loading = false
    }
  }

  /** @param {boolean} handled */
  show(handled) {
    this.handled = handled
    this.page = 1
    return this.load()
  }

  /** @param {number} page */
  go(page) {
    this.page = Math.min(Math.max(1, page), this.pages)
    return this.load()
  }

  /** Follows new and handled mails live. */
  async subscribe() {
    if (this.#unsubscribe) return
    let timer
    try {
      this.#unsubscribe = await this.pb.collection('email_messages').subscribe('*', (e) => {
        if (e.record?.direction !== 'in') return
        clearTimeout(timer)
        timer = setTimeout(() => this.load(), 300)
      })
    } catch {
      // the list still loads by hand
    }
  }

  close() {
    this.#unsubscribe?.()
    this.#unsubscribe = null
  }

  /**
   * Files a mail to a contact.
   * @param {string} id
   * @param {{contact: string, as: string, case?: string, type?: string}} body
   */
  async file(id, body) {
    const out = await this.pb.send(`/api/crm/email/messages/${encodeURIComponent(id)}/file`, { method: 'POST', body })
    await this.load()
    return out
  }

  /** @param {string} id */
  async dismiss(id) {
    const out = await this.pb.send(`/api/crm/email/messages/${encodeURIComponent(id)}/dismiss`, { method: 'POST' })
    await this.load()
    return out
  }
}

/**
 * The count of waiting mails for the menu, read once and after every change
 * to a received mail.
 */
class WaitingCount {
  n = $state(0)
  #started = false

  /** @param {import('pocketbase').default} pb */
  start(pb) {
    if (this.#started) return
    this.#started = true
    let timer
    const read = () => pb.send('/api/crm/email/unfiled', { query: { perPage: 1 }, requestKey: null })
      .then((r) => (this.n = r.waiting ?? 0)).catch(() => {})
    read()
    pb.collection('email_messages').subscribe('*', (e) => {
      if (e.record?.direction !== 'in') return
      clearTimeout(timer)
      timer = setTimeout(read, 500)
    }).catch(() => {})
  }
}

export const waitingMail = new WaitingCount()
