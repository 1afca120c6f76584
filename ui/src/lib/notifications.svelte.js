// The workspace's notifications (plugins/notifications): what a colleague
// is told — assigned to me, a customer answered, mentioned, deadlines,
// stale deals, tasks due. The bell (components/NotificationBell.svelte)
// lists the member's own, live (realtime), and marks them read; each is
// stored as an event + data and worded here, in the reader's language.

/**
 * One notification.
 * @typedef {{id: string, event: string, collection: string, record: string, data: Record<string, any>,
 *   read_at: string, created: string, by: string}} Notice
 */

/** The events, in the order the settings show them (crm.NotifyEvents). */
export const EVENTS = ['assigned', 'customer_answered', 'customer_opened', 'mentioned', 'handed_over', 'deadline_near', 'overdue', 'escalated', 'deal_stale', 'task_due', 'erasure_asked']

/** How an event may go by email. */
export const MAIL_CHOICES = ['now', 'digest', 'off']

/**
 * The workspace page a notification links to.
 * @param {Notice} n
 * @returns {string}
 */
export function noticeHref(n) {
  const path = n.data?.path
  if (typeof path === 'string' && path.startsWith('/') && !path.startsWith('//')) return path
  switch (n.collection) {
    case 'cases':
    case 'deals':
    case 'contacts':
    case 'companies':
      return `/${n.collection}/${n.record}`
    case 'tasks':
      return '/tasks'
    case 'case_messages':
      return n.data?.case ? `/cases/${n.data.case}` : '/'
  }
  return '/'
}

/**
 * The sentence of a notification, worded from its event and data.
 * @param {Notice} n
 * @param {(key: string, params?: Record<string, unknown>) => string} t
 * @param {(v: string) => string} [when] formats a date (the data's `due`)
 * @returns {string}
 */
export function describeNotice(n, t, when = (v) => v) {
  const d = n.data ?? {}
  const by = d.by_name || t('notifications.someone')
  const kind = t(`notifications.kind.${n.collection}`) === `notifications.kind.${n.collection}` ? t('notifications.kind.record') : t(`notifications.kind.${n.collection}`)
  const params = {
    by,
    kind,
    title: d.title ?? '',
    reference: d.reference ?? '',
    customer: d.customer || t('notifications.the_customer'),
    which: d.which ? t(`notifications.which.${d.which}`) : '',
    due: d.due ? when(d.due) : '',
    days: d.days ?? '',
    count: d.count ?? 0,
    assignee: d.assignee_name ?? '',
    percent: d.percent ?? '',
  }
  let key = `notifications.event.${n.event}`
  if (n.event === 'handed_over' && Number(d.count) > 1) key += '_many'
  if (n.event === 'mentioned' && !d.title) key += '_plain'
  if (n.event === 'escalated' && !d.assignee_name) key += '_unassigned'
  const text = t(key, params)
  return text === key ? n.event : text
}

export class Notifications {
  /** @type {Notice[]} */
  items = $state.raw([])
  unread = $state(0)
  loading = $state(false)
  error = $state(null)
  perPage = 30
  #off = null
  #seq = 0

  /** @param {import('pocketbase').default} pb */
  constructor(pb) {
    this.pb = pb
  }

  /** Reads the newest notifications and the unread count. */
  async load() {
    const mine = ++this.#seq
    this.loading = true
    try {
      const col = this.pb.collection('notifications')
      const [page, unread] = await Promise.all([
        col.getList(1, this.perPage, { sort: '-created', requestKey: null }),
        col.getList(1, 1, { filter: 'read_at = ""', skipTotal: false, requestKey: null }),
      ])
      if (mine !== this.#seq) return
      this.items = /** @type {Notice[]} */ (/** @type {unknown} */ (page.items))
      this.unread = unread.totalItems
      this.error = null
    } catch (err) {
      if (mine === this.#seq) this.error = err
    } finally {
      if (mine === this.#seq) this.loading = false
    }
  }

  /** Follows the member's notifications live; the server sends only their own. */
  async subscribe() {
    if (this.#off) return
    try {
      this.#off = await this.pb.collection('notifications').subscribe('*', () => this.load())
    } catch {
      this.#off = null
    }
  }

  unsubscribe() {
    this.#off?.()
    this.#off = null
  }

  /**
   * A read begun before a mark would answer with the notice still unread and
   * undo the mark on screen: its answer is dropped, and read again once the
   * mark is saved. Returns whether one was in flight.
   */
  #supersede() {
    const inFlight = this.loading
    this.#seq++
    this.loading = false
    return inFlight
  }

  /** @param {string} id */
  async markRead(id) {
    const n = this.items.find((x) => x.id === id)
    if (!n || n.read_at) return
    const reread = this.#supersede()
    const at = new Date().toISOString().replace('T', ' ')
    this.items = this.items.map((x) => (x.id === id ? { ...x, read_at: at } : x))
    this.unread = Math.max(0, this.unread - 1)
    await this.pb.collection('notifications').update(id, { read_at: at }, { requestKey: null })
    if (reread) await this.load()
  }

  async markAllRead() {
    const reread = this.#supersede()
    const at = new Date().toISOString().replace('T', ' ')
    this.items = this.items.map((x) => (x.read_at ? x : { ...x, read_at: at }))
    this.unread = 0
    await this.pb.send('/api/crm/notifications/read-all', { method: 'POST', requestKey: null })
    if (reread) await this.load()
  }
}

/**
 * The member's email choices.
 * @param {import('pocketbase').default} pb
 * @returns {Promise<{events: Record<string, string>, digest_hour: number}>}
 */
export function loadSettings(pb) {
  return pb.send('/api/crm/notifications/settings', { requestKey: null })
}

/**
 * @param {import('pocketbase').default} pb
 * @param {{events: Record<string, string>, digest_hour: number}} settings
 */
export function saveSettings(pb, settings) {
  return pb.send('/api/crm/notifications/settings', { method: 'PUT', body: settings, requestKey: null })
}
