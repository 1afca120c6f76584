import { describe, it, expect } from 'vitest'
import { Timeline, filesOf } from './timeline.svelte.js'

// The timeline shows the files attached to an entry: both ways of reading
// it must bring the attachments (and the collection, for the file links).
const note = { id: 'a1', contact: 'c1', type: 'note', collectionId: 'pbc_act', collectionName: 'activities', occurred_at: '2026-03-02 10:00:00.000Z', attachments: ['planta_x1.pdf', 'foto_y2.jpg'] }
const call = { id: 'a2', contact: 'c1', type: 'call', collectionId: 'pbc_act', collectionName: 'activities', occurred_at: '2026-03-01 10:00:00.000Z', attachments: [] }

function fakePB() {
  const calls = []
  return {
    calls,
    filter: (expr, params) => `${expr} ${JSON.stringify(params)}`,
    collection: (name) => ({
      getList: async (page, size, options) => {
        calls.push({ name, page, size, options })
        return { items: [note, call] }
      },
    }),
    send: async (path, options) => {
      calls.push({ path, options })
      return { items: [note, call], next: '' }
    },
  }
}

describe('files on the timeline', () => {
  it('lists an entry’s files, and none for an entry without', () => {
    expect(filesOf(note)).toEqual(['planta_x1.pdf', 'foto_y2.jpg'])
    expect(filesOf(call)).toEqual([])
    expect(filesOf({ id: 'x' })).toEqual([])
    expect(filesOf(null)).toEqual([])
    expect(filesOf({ attachments: 'not-a-list' })).toEqual([])
  })

  it('the filtered list asks the record API for whole entries, attachments included', async () => {
    const pb = fakePB()
    const tl = new Timeline(pb, 'c1')
    await tl.setFilters({ type: 'note' })
    const asked = pb.calls.find((c) => c.name === 'activities')
    expect(asked).toBeTruthy()
    const fields = asked.options.fields
    expect(fields === undefined || fields.split(',').includes('attachments')).toBe(true)
    expect(fields === undefined || fields.split(',').includes('collectionId')).toBe(true)
    expect(filesOf(tl.items.find((e) => e.id === 'a1'))).toHaveLength(2)
    expect(tl.items.find((e) => e.id === 'a1').collectionId).toBe('pbc_act')
  })

  it('the 360 pages and live entries keep their files', async () => {
    const pb = fakePB()
    const tl = new Timeline(pb, 'c1')
    tl.setFirstPage({ items: [call], next: 'cur' })
    await tl.loadMore()
    expect(filesOf(tl.items.find((e) => e.id === 'a1'))).toEqual(['planta_x1.pdf', 'foto_y2.jpg'])
    tl.upsert({ ...note, attachments: ['planta_x1.pdf'] })
    expect(filesOf(tl.items.find((e) => e.id === 'a1'))).toEqual(['planta_x1.pdf'])
  })
})
