// Tasks: mine or the team's, open ones by due time (the index on
// assignee, status, due serves "mine"; status, due the team's), live.

export const TASK_FIELDS = 'id,title,notes,due,status,assignee,contact,company,deal,case,done_at,created,expand.contact.id,expand.contact.name,expand.case.id,expand.case.reference,expand.deal.id,expand.deal.title'

export function taskFilter(pb, scope, me, status = 'open') {
  const parts = ['status = {:status}']
  if (scope === 'mine') parts.push('assignee = {:me}')
  return pb.filter(parts.join(' && '), { status, me })
}

export class TaskList {
  scope = $state('mine') // mine | team
  status = $state('open') // open | done
  items = $state([])
  loading = $state(false)
  error = $state(null)
  live = $state(false)
  #seq = 0
  #off = null

  constructor(pb, me) {
    this.pb = pb
    this.me = me
  }

  async load() {
    const seq = ++this.#seq
    this.loading = true
    this.error = null
    try {
      const res = await this.pb.collection('tasks').getList(1, 100, {
        filter: taskFilter(this.pb, this.scope, this.me, this.status),
        sort: this.status === 'open' ? 'due' : '-done_at',
        skipTotal: true,
        expand: 'contact,case,deal',
        fields: TASK_FIELDS,
      })
      if (seq !== this.#seq) return
      this.items = res.items
    } catch (err) {
      if (seq === this.#seq) this.error = err
    } finally {
      if (seq === this.#seq) this.loading = false
    }
  }

  matches(r) {
    return r.status === this.status && (this.scope === 'team' || r.assignee === this.me)
  }

  /** A realtime event or a saved change: in the list when it still matches, gone otherwise. */
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

  async complete(task) {
    const saved = await this.pb.collection('tasks').update(task.id, { status: 'done', done_at: new Date().toISOString() }, { expand: 'contact,case,deal', fields: TASK_FIELDS })
    this.apply(saved)
    return saved
  }

  async reopen(task) {
    const saved = await this.pb.collection('tasks').update(task.id, { status: 'open', done_at: '' }, { expand: 'contact,case,deal', fields: TASK_FIELDS })
    this.apply(saved)
    return saved
  }

  async reschedule(task, dueISO) {
    const saved = await this.pb.collection('tasks').update(task.id, { due: dueISO }, { expand: 'contact,case,deal', fields: TASK_FIELDS })
    this.apply(saved)
    return saved
  }

  close() {
    const off = this.#off
    this.#off = null
    this.live = false
    if (off) Promise.resolve(off()).catch(() => {})
  }
}
