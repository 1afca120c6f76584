import { describe, it, expect } from 'vitest'
import { PipelineSettings, reorder, changedFields } from './pipelines.svelte.js'
import { fakePb, refusal } from './fakepb.js'

const stage = (id, position) => ({ id, pipeline: 'p1', name: `Stage ${id}`, kind: 'open', position })

describe('pipeline settings', () => {
  it('moves one item and leaves the rest in order', () => {
    expect(reorder(['a', 'b', 'c', 'd'], 3, 1)).toEqual(['a', 'd', 'b', 'c'])
    expect(reorder(['a', 'b'], 0, 1)).toEqual(['b', 'a'])
    const same = ['a']
    expect(reorder(same, 0, 5)).toBe(same)
  })

  it('sends only the fields that changed, so a colleague’s other changes stay', () => {
    expect(changedFields({ name: 'Won', probability: 100, kind: 'won' }, { name: 'Won', probability: 90, kind: 'won' })).toEqual({ probability: 90 })
  })

  it('loads the first pipeline in use and its stages in order', async () => {
    const pb = fakePb({
      pipelines: { getFullList: () => [{ id: 'p0', name: 'Old', archived: true }, { id: 'p1', name: 'Sales' }] },
      pipeline_stages: { getFullList: () => [stage('a', 1), stage('b', 2)] },
    })
    const ps = new PipelineSettings(pb)
    await ps.load()
    expect(ps.selected).toBe('p1')
    expect(ps.shown.map((p) => p.id)).toEqual(['p1'])
    expect(pb.calls[1][2]).toEqual({ filter: 'pipeline = "p1"', sort: 'position,created,id' })
    expect(ps.stages.map((s) => s.id)).toEqual(['a', 'b'])
  })

  it('writes the whole order at once and, on a conflict, shows the stages as they are now', async () => {
    let now = [stage('a', 1), stage('b', 2), stage('c', 3)]
    const pb = fakePb({
      pipelines: { getFullList: () => [{ id: 'p1', name: 'Sales' }] },
      pipeline_stages: { getFullList: () => now },
      send: (path, opts) => ({ stages: opts.body.stages.map((id, i) => ({ ...stage(id, i + 1) })) }),
    })
    const ps = new PipelineSettings(pb)
    await ps.load()
    await ps.move(2, 0)
    expect(pb.calls.at(-1)).toEqual(['send', '/api/crm/pipelines/p1/order', { method: 'POST', body: { stages: ['c', 'a', 'b'] } }])
    expect(ps.stages.map((s) => s.id)).toEqual(['c', 'a', 'b'])

    now = [stage('a', 1), stage('b', 2), stage('c', 3), stage('d', 4)]
    pb.send = async () => { throw refusal(409) }
    await expect(ps.move(0, 1)).rejects.toMatchObject({ status: 409 })
    expect(ps.stages.map((s) => s.id)).toEqual(['a', 'b', 'c', 'd'])
  })

  it('adds a stage at the end and deletes one moving its deals', async () => {
    const pb = fakePb({
      pipelines: { getFullList: () => [{ id: 'p1', name: 'Sales' }] },
      pipeline_stages: { getFullList: () => [stage('a', 1), stage('b', 7)], create: (body) => ({ id: 'n', ...body }) },
      send: () => ({ moved: 2 }),
    })
    const ps = new PipelineSettings(pb)
    await ps.load()
    await ps.addStage({ name: ' Demo ', kind: 'open', probability: 20, stale_after_days: 0 })
    expect(pb.calls.find((c) => c[1] === 'create')[2]).toEqual({ name: 'Demo', kind: 'open', probability: 20, stale_after_days: 0, pipeline: 'p1', position: 8 })
    expect(await ps.deleteStage('a', 'b')).toBe(2)
    expect(pb.calls.find((c) => c[0] === 'send')).toEqual(['send', '/api/crm/pipelines/stages/a/delete', { method: 'POST', body: { move_to: 'b' } }])
  })
})
