import { describe, it, expect, vi } from 'vitest'
import PocketBase from 'pocketbase'
import { DealBoard, isStale, stageTotals, movePatch, DEFAULT_STALE_DAYS } from './deals.svelte.js'
import { queueFilter, nextStatuses, urgency, CaseView } from './cases.svelte.js'
import { TaskList, taskFilter } from './tasks.svelte.js'
import { caseDraft, caseDrafts } from './drafts.svelte.js'

const real = new PocketBase('http://127.0.0.1:1')
const DAY = 86400000
const NOW = Date.parse('2026-11-24T12:00:00Z')
const ago = (days) => new Date(NOW - days * DAY).toISOString().replace('T', ' ')

const stages = [
  { id: 's1', name: 'Qualify', position: 0, probability: 10, kind: 'open', stale_after_days: 21 },
  { id: 's2', name: 'Proposal', position: 1, probability: 40, kind: 'open', stale_after_days: 0 },
  { id: 's3', name: 'Won', position: 2, probability: 100, kind: 'won' },
  { id: 's4', name: 'Lost', position: 3, probability: 0, kind: 'lost' },
]

function boardPb({ update } = {}) {
  const handlers = {}
  return {
    handlers,
    filter: real.filter.bind(real),
    collection: (name) => ({
      getFullList: async (opts) => {
        if (name === 'pipelines') return [{ id: 'p1', name: 'Sales', currency: 'BRL' }]
        if (name === 'pipeline_stages') return stages
        return [
          { id: 'd1', title: 'A', amount: 1000, stage: 's1', pipeline: 'p1', status: 'open', stage_changed_at: ago(3) },
          { id: 'd2', title: 'B', amount: 500, stage: 's1', pipeline: 'p1', status: 'open', stage_changed_at: ago(30) },
          { id: 'd3', title: 'C', amount: 2000, stage: 's2', pipeline: 'p1', status: 'open', stage_changed_at: ago(1) },
        ]
      },
      subscribe: async (topic, cb, opts) => {
        handlers[name] = { cb, opts }
        return async () => {}
      },
      update: async (id, body) => update(id, body),
    }),
  }
}

describe('deals board', () => {
  it('totals and weighted totals by the stage probability', () => {
    expect(stageTotals([{ amount: 1000 }, { amount: 500.5 }], stages[1])).toEqual({ count: 2, total: 1500.5, weighted: 600.2 })
    expect(stageTotals([], stages[0])).toEqual({ count: 0, total: 0, weighted: 0 })
  })

  it('marks open deals stale after the stage’s days, or the default', () => {
    expect(isStale({ status: 'open', stage_changed_at: ago(22) }, stages[0], NOW)).toBe(true)
    expect(isStale({ status: 'open', stage_changed_at: ago(20) }, stages[0], NOW)).toBe(false)
    expect(isStale({ status: 'open', stage_changed_at: ago(DEFAULT_STALE_DAYS + 1) }, stages[1], NOW)).toBe(true)
    expect(isStale({ status: 'open', created: ago(DEFAULT_STALE_DAYS - 1) }, stages[1], NOW)).toBe(false)
    expect(isStale({ status: 'won', stage_changed_at: ago(100) }, stages[2], NOW)).toBe(false)
  })

  it('a move sends only the stage (and the reason to lose): the server sets the rest', () => {
    expect(movePatch(stages[1])).toEqual({ stage: 's2' })
    expect(movePatch(stages[2], 'stray')).toEqual({ stage: 's3' })
    expect(movePatch(stages[3], 'No budget')).toEqual({ stage: 's4', lost_reason: 'No budget' })
  })

  it('moves at once, keeps the server’s answer, and puts the card back when refused', async () => {
    let refuse = false
    const pb = boardPb({
      update: async (id, body) => {
        if (refuse) throw Object.assign(new Error('no'), { status: 403 })
        return { id, title: 'A', amount: 1000, pipeline: 'p1', status: 'open', ...body }
      },
    })
    const board = new DealBoard(pb)
    await board.load()
    expect(board.column('s1').map((d) => d.id)).toEqual(['d1', 'd2'])
    expect(board.totals('s2')).toEqual({ count: 1, total: 2000, weighted: 800 })
    expect(pb.handlers.deals.opts.filter).toBe('pipeline = "p1"')

    const moving = board.move('d1', 's2')
    expect(board.column('s2').map((d) => d.id).sort()).toEqual(['d1', 'd3']) // before the answer
    await moving
    expect(board.totals('s2')).toEqual({ count: 2, total: 3000, weighted: 1200 })

    refuse = true
    await expect(board.move('d1', 's3')).rejects.toMatchObject({ status: 403 })
    expect(board.deals.find((d) => d.id === 'd1').stage).toBe('s2')
    expect(board.deals.find((d) => d.id === 'd1').status).toBe('open')
  })

  it('applies a colleague’s move, a new deal and a deletion from realtime', async () => {
    const board = new DealBoard(boardPb())
    await board.load()
    const { cb } = boardPb().handlers.deals ?? {}
    void cb
    board.apply({ action: 'update', record: { id: 'd2', stage: 's3', pipeline: 'p1', status: 'won', amount: 500 } })
    expect(board.column('s3').map((d) => d.id)).toEqual(['d2'])
    board.apply({ action: 'create', record: { id: 'd9', stage: 's1', pipeline: 'p1', status: 'open', amount: 1 } })
    expect(board.totals('s1').count).toBe(2)
    board.apply({ action: 'update', record: { id: 'd9', stage: 'x', pipeline: 'p2' } }) // moved to another pipeline
    board.apply({ action: 'delete', record: { id: 'd3', pipeline: 'p1' } })
    expect(board.deals.map((d) => d.id).sort()).toEqual(['d1', 'd2'])
  })
})

describe('cases', () => {
  it('builds the queue filter from the chosen filters, values escaped', () => {
    expect(queueFilter(real, { state: 'open', mine: true }, 'me1')).toBe('closed = false && assignee = "me1"')
    expect(queueFilter(real, { state: 'all', assignee: '-', overdue: true }, 'me1')).toBe("assignee = '' && overdue = true")
    expect(queueFilter(real, { state: 'closed', type: "t'1", assignee: 's2', status: 'new' }, 'me1')).toBe('closed = true && type = "t\'1" && assignee = "s2" && status = "new"')
  })

  it('offers the next statuses of the type’s workflow', () => {
    const type = {
      statuses: [{ key: 'new' }, { key: 'triage' }, { key: 'solved', closed: true }],
      transitions: { new: ['triage', 'solved'], triage: ['solved'] },
    }
    expect(nextStatuses(type, 'new').map((s) => s.key)).toEqual(['triage', 'solved'])
    expect(nextStatuses(type, 'solved')).toEqual([])
    expect(nextStatuses({ ...type, transitions: null }, 'triage').map((s) => s.key)).toEqual(['new', 'solved'])
  })

  it('ranks urgency by the SLA clock', () => {
    expect(urgency({ overdue: true }, NOW)).toBe('overdue')
    expect(urgency({ resolution_due: ago(-0.5) }, NOW)).toBe('soon')
    expect(urgency({ resolution_due: ago(-3) }, NOW)).toBe('later')
    expect(urgency({ resolution_due: ago(1) }, NOW)).toBe('overdue')
    expect(urgency({ closed: true, overdue: true }, NOW)).toBe('closed')
  })

  it('keeps the conversation in order and each message once, live or sent', async () => {
    const subs = {}
    const pb = {
      filter: real.filter.bind(real),
      collection: (name) => ({
        getOne: async () => ({ id: 'c1', status: 'new', expand: { type: { statuses: [] } } }),
        getFullList: async () => [{ id: 'm1', case: 'c1', created: '2026-11-24 10:00:00.000Z', body: 'hi' }],
        subscribe: async (topic, cb, opts) => {
          subs[name] = { topic, cb, opts }
          return async () => {}
        },
        create: vi.fn(async (body) => ({ id: 'm3', created: '2026-11-24 10:05:00.000Z', ...body })),
      }),
    }
    const view = new CaseView(pb, 'c1')
    await view.load()
    const onMessage = vi.fn()
    const onCase = vi.fn()
    await view.subscribe({ onMessage, onCase })
    expect(subs.case_messages.opts.filter).toBe('case = "c1"')
    expect(subs.cases.topic).toBe('c1')
    subs.case_messages.cb({ action: 'create', record: { id: 'm2', case: 'c1', created: '2026-11-24 10:02:00.000Z', body: 'from customer', author_customer: 'cu1' } })
    subs.case_messages.cb({ action: 'create', record: { id: 'm2', case: 'c1', created: '2026-11-24 10:02:00.000Z', body: 'from customer', author_customer: 'cu1' } })
    expect(onMessage).toHaveBeenCalledTimes(1)
    await view.send('answer', false)
    subs.case_messages.cb({ action: 'create', record: { id: 'm3', case: 'c1', created: '2026-11-24 10:05:00.000Z', body: 'answer' } })
    expect(view.messages.map((m) => m.id)).toEqual(['m1', 'm2', 'm3'])
    subs.cases.cb({ action: 'update', record: { id: 'c1', status: 'triage' } })
    expect(view.record.status).toBe('triage')
    expect(onCase).toHaveBeenCalledOnce()
  })

  it('keeps a reply draft per case', () => {
    const d = caseDraft('c7')
    d.body = 'half a reply'
    expect(caseDraft('c7').body).toBe('half a reply')
    expect(caseDrafts.c8).toBeUndefined()
  })
})

describe('tasks', () => {
  it('filters mine or the team’s', () => {
    expect(taskFilter(real, 'mine', 's1')).toBe('status = "open" && assignee = "s1"')
    expect(taskFilter(real, 'team', 's1')).toBe('status = "open"')
  })

  it('drops a task done or given to someone else, sorts a rescheduled one by due', () => {
    const list = new TaskList({}, 'me')
    list.items = [
      { id: 't1', title: 'a', status: 'open', assignee: 'me', due: '2026-11-25 12:00:00.000Z' },
      { id: 't2', title: 'b', status: 'open', assignee: 'me', due: '2026-11-26 12:00:00.000Z' },
    ]
    list.apply({ id: 't1', status: 'open', assignee: 'me', due: '2026-11-27 12:00:00.000Z' })
    expect(list.items.map((x) => x.id)).toEqual(['t2', 't1'])
    list.apply({ id: 't2', status: 'done', assignee: 'me' })
    expect(list.items.map((x) => x.id)).toEqual(['t1'])
    list.apply({ id: 't3', status: 'open', assignee: 'other', due: '2026-11-20 12:00:00.000Z' })
    expect(list.items.map((x) => x.id)).toEqual(['t1'])
    list.scope = 'team'
    list.apply({ id: 't3', status: 'open', assignee: 'other', due: '2026-11-20 12:00:00.000Z' })
    expect(list.items.map((x) => x.id)).toEqual(['t3', 't1'])
  })
})

describe('contacts filters', async () => {
  const { contactFilter, ContactList } = await import('./contacts.svelte.js')
  it('builds the filter from stage, owner, tag, company and open case', () => {
    expect(contactFilter(real, { stage: 'lead', owner: 's1', tag: 'vip', company: 'co1', openCase: true }))
      .toBe('stage = "lead" && owner = "s1" && company = "co1" && tags ~ "\\"vip\\"" && cases_via_contact.closed ?= false && archived = false')
    expect(contactFilter(real, { stage: '', owner: '-', tag: '', company: '', openCase: false })).toBe("owner = '' && archived = false")
    // Archived contacts are left out unless asked for.
    expect(contactFilter(real, {})).toBe('archived = false')
    expect(contactFilter(real, { archived: true })).toBe('')
  })

  it('pages and searches within the filters', async () => {
    const calls = []
    const pb = {
      filter: real.filter.bind(real),
      send: async () => ({ items: [{ collection: 'contacts', id: 'a' }] }),
      collection: () => ({ getList: async (page, per, opts) => { calls.push(opts); return { items: [] } } }),
    }
    const list = new ContactList(pb)
    await list.setFilters({ stage: 'customer' })
    expect(calls.at(-1).filter).toBe('stage = "customer" && archived = false')
    expect(list.filtered).toBe(true)
    await list.setQuery('jo')
    expect(calls.at(-1).filter).toBe('(id = "a") && stage = "customer" && archived = false')
    await list.setFilters({ stage: '', archived: true })
    expect(calls.at(-1).filter).toBe('id = "a"')
    expect(list.filtered).toBe(true)
  })
})
