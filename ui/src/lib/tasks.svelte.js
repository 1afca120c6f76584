// Tasks: mine or the team's, open ones by due time (the index on
// assignee, status, due serves "mine"; status, due the team's), live.
import { latestWins } from '../shared/loader.js'

/**
 * A task as the list shows it (TASK_FIELDS).
 * @typedef {{id: string, title: string, notes?: string, due?: string, status: 'open' | 'done', assignee?: string, contact?: string, company?: string, deal?: string, case?: string, done_at?: string, created?: string, expand?: Record<string, any>}} Task
 */

export const TASK_FIELDS = 'id,title,notes,due,status,assignee,contact,company,deal,case,done_at,created,expand.contact.id,expand.contact.name,expand.case.id,expand.case.reference,expand.deal.id,expand.deal.title'

/**
 * The record-API filter of a task list.
 * @param {import('pocketbase').default} pb
 * @param {'mine' | 'team'} scope
 * @param {string} me the signed-in staff member's id
 * @param {'open' | 'done'} [status]
 * @returns {string}
 */
export function taskFilter(pb, scope, me, status = 'open') {
  const parts = ['status = {:status}']
  if (scope === 'mine') parts.push('assignee = {:me}')
  return pb.filter(parts.join(' && '), { status, me })
}

export class TaskList {
  scope = $state('mine') // mine | team
  status = $state('open') // open | done
  /** @type {Task[]} */
  items = $state.raw([])
  loading = $state(false)
  error = $state(null)
  live = $state(false)
  #latest = latestWins(this)
  /** @type {null | (() => Promise<void>)} */
  #off = null

  /**
   * @param {import('pocketbase').default} pb
   * @param {string} me the signed-in staff member's id
   */
  constructor(pb, me) {
    this.pb = pb
    this.me = me
  }

  /**
   * Reads the first 100 tasks of the scope and status; an older answer is dropped.
   * @returns {Promise<void>}
   */
  async load() {
    await this.#latest.run(() => this.pb.collection('tasks').getList(1, 100, {
      filter: taskFilter(this.pb, this.scope, this.me, this.status),
      sort: this.status === 'open' ? 'due' : '-done_at',
      skipTotal: true,
      expand: 'contact,case,deal',
      fields: TASK_FIELDS,
    }), (res) => {
      this.items = /** @type {Task[]} */ (/** @type {unknown} */ (res.items))
    })
  }

  /**
   * Whether a task belongs in the list as it is filtered.
   * @param {Task} r
   * @returns {boolean}
   */
  matches(r) {
    return r.status === this.status && (this.scope === 'team' || r.assignee === this.me)
  }

  /**
   * A realtime event or a saved change: in the list when it still matches, gone otherwise.
   * @param {Task} r
   * @param {string} [action] create, update or delete
   */
  apply(r, action = 'update') {
    const i = this.items.findIndex((x) => x.id === r.id)
    if (action === 'delete' || !this.matches(r)) {
      if (i >= 0) this.items = this.items.filter((x) => x.id !== r.id)
      return
    }
    const merged = i >= 0 ? { ...this.items[i], ...r, expand: r.expand ?? this.items[i].expand } : r
    const rest = this.items.filter((x) => x.id !== r.id)
    const key = (x) => (this.status === 'open' ? x.due || '9999' : x.done_at || '')
    const list = [...rest, merged].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
    this.items = this.status === 'open' ? list : list.reverse()
  }

  async subscribe() {
    try {
      this.#off = await this.pb.collection('tasks').subscribe('*', (e) => this.apply(e.record, e.action), { expand: 'contact,case,deal', fields: TASK_FIELDS })
      this.live = true
    } catch {
      this.live = false
    }
  }

  /**
   * Saves a change to a task and shows it in the list (or takes it out).
   * @param {Task} task
   * @param {Partial<Task>} patch
   * @returns {Promise<Task>}
   */
  async #save(task, patch) {
    const saved = /** @type {Task} */ (/** @type {unknown} */ (await this.pb.collection('tasks').update(task.id, patch, { expand: 'contact,case,deal', fields: TASK_FIELDS })))
    this.apply(saved)
    return saved
  }

  /** @param {Task} task @returns {Promise<Task>} */
  complete(task) {
    return this.#save(task, { status: 'done', done_at: new Date().toISOString() })
  }

  /** @param {Task} task @returns {Promise<Task>} */
  reopen(task) {
    return this.#save(task, { status: 'open', done_at: '' })
  }

  /** @param {Task} task @param {string} dueISO @returns {Promise<Task>} */
  reschedule(task, dueISO) {
    return this.#save(task, { due: dueISO })
  }

  close() {
    const off = this.#off
    this.#off = null
    this.live = false
    if (off) Promise.resolve(off()).catch(() => {})
  }
}
