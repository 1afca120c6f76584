import { describe, it, expect } from 'vitest'
import { DealBoard, LostReasons, DealView, offeredPipelines, startPipeline, movePatch, movedDeal, statusOf, draftBody, dealDraft, dealFieldErrors, closingStages } from './deals.svelte.js'
import { fieldErrors } from './errors.js'

const stages = [
  { id: 's1', name: 'Qualify', position: 1, kind: 'open', probability: 10 },
  { id: 's2', name: 'Proposal', position: 2, kind: 'open', probability: 40 },
  { id: 's3', name: 'Won', position: 3, kind: 'won', probability: 100 },
  { id: 's4', name: 'Lost', position: 4, kind: 'lost', probability: 0 },
]
const SERVER_OWNED = ['status', 'stage_changed_at', 'closed_at']
const t = (key) => `«${key}»`

/** A fake SDK client that records every write. */
function fakePb({ deals = [], refuse = null, pipelines = [{ id: 'p1', name: 'Sales', currency: 'BRL' }] } = {}) {
  const writes = []
  return {
    writes,
    filter: (expr, params) => `${expr} ${JSON.stringify(params)}`,
    collection: (name) => ({
      getFullList: async () => (name === 'pipelines' ? pipelines : name === 'pipeline_stages' ? stages : name === 'lost_reasons' ? [] : deals),
      getList: async () => ({ items: [] }),
      getOne: async (id) => deals.find((d) => d.id === id),
      subscribe: async () => () => {},
      update: async (id, body) => {
        writes.push({ name, id, body })
        if (refuse) throw refuse
        return { id, ...deals.find((d) => d.id === id), ...body, status: statusOf(stages.find((s) => s.id === body.stage)?.kind) }
      },
      create: async (body) => {
        writes.push({ name, body })
        return { id: `new${writes.length}`, ...body }
      },
    }),
  }
}

describe('a deal’s move', () => {
  it('sends only the stage, and the reason only to a lost stage', () => {
    expect(movePatch(stages[0])).toEqual({ stage: 's1' })
    expect(movePatch(stages[3], 'No budget')).toEqual({ stage: 's4', lost_reason: 'No budget' })
    for (const s of stages) for (const f of SERVER_OWNED) expect(movePatch(s, 'x')).not.toHaveProperty(f)
  })

  it('shows at once what the server will set', () => {
    const now = new Date('2026-11-24T12:00:00Z')
    const open = { id: 'd', stage: 's1', pipeline: 'p1', status: 'open', title: 'A' }
    expect(movedDeal(open, stages[3], 'No budget', now)).toMatchObject({ stage: 's4', status: 'lost', lost_reason: 'No budget', closed_at: '2026-11-24 12:00:00.000Z' })
    const lost = { ...open, stage: 's4', status: 'lost', lost_reason: 'No budget', closed_at: '2026-11-01 10:00:00.000Z' }
    expect(movedDeal(lost, stages[1], '', now)).toMatchObject({ status: 'open', closed_at: '', lost_reason: '' })
    expect(statusOf('won')).toBe('won')
    expect(statusOf(undefined)).toBe('open')
  })

  it('the board sends the reason with a loss and takes the card back when the server refuses', async () => {
    const deals = [{ id: 'd1', title: 'A', stage: 's2', pipeline: 'p1', status: 'open', amount: 10 }]
    const refusal = Object.assign(new Error('no'), { status: 400, response: { data: { lost_reason: { code: 'validation_deal_lost_reason_unknown', message: 'x' } } } })
    const pb = fakePb({ deals, refuse: refusal })
    const board = new DealBoard(pb)
    await board.load()
    const moving = board.move('d1', 's4', 'Moon phase')
    expect(board.column('s4').map((d) => d.id)).toEqual(['d1']) // before the answer
    await expect(moving).rejects.toBe(refusal)
    expect(board.column('s2').map((d) => d.id)).toEqual(['d1'])
    expect(board.deals[0].status).toBe('open')
    expect(pb.writes).toEqual([{ name: 'deals', id: 'd1', body: { stage: 's4', lost_reason: 'Moon phase' } }])
    expect(dealFieldErrors(refusal, t, fieldErrors)).toEqual({ lost_reason: '«deal.error.lost_reason_unknown»' })
    board.close()
  })

  it('the deal page never sends the server’s fields, even if asked to', async () => {
    const pb = fakePb({ deals: [{ id: 'd1', title: 'A', stage: 's1', pipeline: 'p1', status: 'open' }] })
    const view = new DealView(pb, 'd1')
    await view.load()
    await view.save({ amount: 5, status: 'won', closed_at: 'x', stage_changed_at: 'y' })
    await view.move('s4', 'No budget')
    expect(pb.writes.map((w) => w.body)).toEqual([{ amount: 5 }, { stage: 's4', lost_reason: 'No budget' }])
    expect(closingStages(view.stages)).toMatchObject({ won: { id: 's3' }, lost: { id: 's4' }, open: { id: 's1' } })
    view.close()
  })
})

describe('a new deal', () => {
  it('sends what was typed, amounts with a comma too, and nothing the server owns', () => {
    const body = draftBody(dealDraft({ title: '  Forno ', amount: '1200,50', currency: 'BRL', pipeline: 'p1', stage: 's1', expected_close: '2026-12-10', owner: 'me' }))
    expect(body).toMatchObject({ title: 'Forno', amount: 1200.5, expected_close: '2026-12-10 12:00:00.000Z', owner: 'me', stage: 's1' })
    for (const f of SERVER_OWNED) expect(body).not.toHaveProperty(f)
    expect(draftBody(dealDraft({ title: 'x' }))).toMatchObject({ amount: 0, expected_close: '' })
  })
})

describe('lost reasons', () => {
  it('adds last, and reorders by swapping neighbours', async () => {
    const pb = fakePb()
    const reasons = new LostReasons(pb)
    reasons.items = [{ id: 'a', name: 'Price', position: 1, active: true }, { id: 'b', name: 'Timing', position: 2, active: false }]
    expect(reasons.active.map((r) => r.id)).toEqual(['a'])
    await reasons.add('  No budget ')
    expect(pb.writes.at(-1).body).toEqual({ name: 'No budget', position: 3, active: true })
    await reasons.move('b', -1)
    expect(reasons.items.map((r) => r.id)).toEqual(['b', 'a', 'new1'])
    expect(pb.writes.slice(1).map((w) => [w.id, w.body.position]).sort()).toEqual([['a', 2], ['b', 1]])
    await reasons.move('b', -1) // already first: nothing
    expect(pb.writes.length).toBe(3)
  })
})

describe('archived pipelines', () => {
  const pipelines = [
    { id: 'old', name: 'Old sales', position: 1, archived: true },
    { id: 'p1', name: 'Sales', position: 2 },
    { id: 'p2', name: 'Partners', position: 3, archived: false },
  ]

  it('are not offered, unless one is what is shown', () => {
    expect(offeredPipelines(pipelines).map((p) => p.id)).toEqual(['p1', 'p2'])
    expect(offeredPipelines(pipelines, 'p2').map((p) => p.id)).toEqual(['p1', 'p2'])
    expect(offeredPipelines(pipelines, 'old').map((p) => p.id)).toEqual(['old', 'p1', 'p2'])
    expect(startPipeline(pipelines)).toBe('p1')
    expect(startPipeline(pipelines, 'p2')).toBe('p2')
    expect(startPipeline(pipelines, 'gone')).toBe('p1')
    expect(startPipeline([{ id: 'old', name: 'Old', archived: true }])).toBe('')
  })

  it('the board opens on the first pipeline in use and its chooser leaves the archived out', async () => {
    const board = new DealBoard(fakePb({ pipelines }))
    await board.load()
    expect(board.pipelineId).toBe('p1')
    expect(board.archived).toBe(false)
    expect(board.offered.map((p) => p.id)).toEqual(['p1', 'p2'])
    // Shown on purpose, an archived pipeline is named in the chooser and takes no new deals.
    await board.select('old')
    expect(board.offered.map((p) => p.id)).toEqual(['old', 'p1', 'p2'])
    expect(board.archived).toBe(true)
    await board.select('p2')
    expect(board.offered.map((p) => p.id)).toEqual(['p1', 'p2'])
    board.close()
  })
})
