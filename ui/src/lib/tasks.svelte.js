// Tasks: mine or the team's, open ones by due time (the index on
// assignee, status, due serves "mine"; status, due the team's), live.
import { latestWins } from '../shared/loader.js'
import { dayKey, parseDate, validTimeZone, zonedDayToISO } from './format.js'

/**
 * A task as the list shows it (TASK_FIELDS).
 * @typedef {{id: string, title: string, notes?: string, due?: string, status: 'open' | 'done', assignee?: string, contact?: string, company?: string, deal?: string, case?: string, done_at?: string, created?: string, expand?: Record<string, any>}} Task
 */

export const TASK_FIELDS = 'id,title,notes,due,status,assignee,contact,company,deal,case,done_at,created,expand.contact.id,expand.contact.name,expand.company.id,expand.company.name,expand.case.id,expand.case.reference,expand.deal.id,expand.deal.title'

/** The records a task concerns, read with it. */
export const TASK_EXPAND = 'contact,company,case,deal'

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
      expand: TASK_EXPAND,
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
      this.#off = await this.pb.collection('tasks').subscribe('*', (e) => this.apply(e.record, e.action), { expand: TASK_EXPAND, fields: TASK_FIELDS })
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
    const saved = /** @type {Task} */ (/** @type {unknown} */ (await this.pb.collection('tasks').update(task.id, patch, { expand: TASK_EXPAND, fields: TASK_FIELDS })))
    this.apply(saved)
    return saved
  }

  /**
   * Saves an edit of a task (title, due, assignee...) and shows it where it now belongs.
   * @param {Task} task
   * @param {Partial<Task>} patch
   * @returns {Promise<Task>}
   */
  edit(task, patch) {
    return this.#save(task, patch)
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

/**
 * A task's fields as its form holds them: the due moment as a day and a
 * wall-clock time where the reader works.
 * @typedef {{title: string, notes: string, day: string, time: string, assignee: string, contact: string, company: string, deal: string, case: string}} TaskDraft
 */

/**
 * The day (YYYY-MM-DD) and time (HH:MM) of an instant in timeZone (the browser's when none).
 * @param {string | undefined} iso
 * @param {string | undefined} timeZone
 * @returns {{day: string, time: string}}
 */
export function dueParts(iso, timeZone) {
  const d = parseDate(iso)
  if (!d) return { day: '', time: '' }
  const zone = validTimeZone(timeZone) ? timeZone : undefined
  const time = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d)
  return { day: dayKey(d, zone), time }
}

/**
 * A task form's fields, from the task edited or from where it is opened.
 * @param {Partial<Task> | null} task
 * @param {{contact?: string, company?: string, deal?: string, case?: string, assignee?: string}} preset
 * @param {string | undefined} timeZone
 * @returns {TaskDraft}
 */
export function taskDraft(task, preset, timeZone) {
  const t = task ?? {}
  const { day, time } = dueParts(t.due, timeZone)
  return {
    title: t.title ?? '', notes: t.notes ?? '', day, time,
    assignee: t.assignee ?? preset.assignee ?? '',
    contact: t.contact ?? preset.contact ?? '', company: t.company ?? preset.company ?? '',
    deal: t.deal ?? preset.deal ?? '', case: t.case ?? preset.case ?? '',
  }
}

/**
 * The record-API body of a task form. A day without a time is due at 09:00
 * where the reader works; no day, no due time.
 * @param {TaskDraft} d
 * @param {string | undefined} timeZone
 * @returns {Record<string, string>}
 */
export function taskBody(d, timeZone) {
  const [h, m] = /^\d{2}:\d{2}$/.test(d.time) ? d.time.split(':').map(Number) : [9, 0]
  return {
    title: d.title.trim(), notes: d.notes.trim(), due: d.day ? zonedDayToISO(d.day, h, m, timeZone) : '',
    assignee: d.assignee, contact: d.contact, company: d.company, deal: d.deal, case: d.case,
  }
}

/**
 * Saves a task form: a new task is open, made by me; an edit changes what the form holds.
 * @param {import('pocketbase').default} pb
 * @param {{id: string} | null} task the task edited, or none
 * @param {TaskDraft} draft
 * @param {string} me
 * @param {string | undefined} timeZone
 * @returns {Promise<Task>}
 */
export async function saveTask(pb, task, draft, me, timeZone) {
  const body = taskBody(draft, timeZone)
  const opts = { expand: TASK_EXPAND, fields: TASK_FIELDS }
  if (task) return /** @type {Task} */ (/** @type {unknown} */ (await pb.collection('tasks').update(task.id, body, opts)))
  return /** @type {Task} */ (/** @type {unknown} */ (await pb.collection('tasks').create({ ...body, status: 'open', created_by: me }, opts)))
}
