import { describe, it, expect, vi } from 'vitest'
import { Notifications } from './notifications.svelte.js'

// A stand-in for the SDK client whose list reads answer when the test says.
function fakePb() {
  const reads = []
  const update = vi.fn(async () => ({}))
  const send = vi.fn(async () => ({}))
  const pb = {
    reads,
    update,
    send,
    collection: () => ({
      getList: (_page, perPage, opts) =>
        new Promise((resolve) => {
          reads.push({ perPage, opts, resolve })
        }),
      update,
    }),
  }
  return pb
}

const unread = { id: 'n1', event: 'assigned', read_at: '' }

/** Answers the pending pair of reads (the page and the unread count). */
function answer(pb, items, total) {
  const pending = pb.reads.splice(0, 2)
  pending[0].resolve({ items })
  pending[1].resolve({ totalItems: total })
}

/** A bell that has read its first page: the pending reads answered with items and total. */
async function loadedBell(items, total) {
  const pb = fakePb()
  const n = new Notifications(pb)
  const first = n.load()
  answer(pb, items, total)
  await first
  return { pb, n }
}

describe('the bell', () => {
  it('a read begun before a mark does not undo it; the bell is read again once the mark is saved', async () => {
    const { pb, n } = await loadedBell([unread], 1)
    expect(n.unread).toBe(1)

    const stale = n.load() // a live event's reload, still on its way
    const marking = n.markRead('n1')
    expect(n.unread).toBe(0)
    expect(n.loading).toBe(false)
    answer(pb, [unread], 1) // the old answer: still unread
    await stale
    expect(n.unread).toBe(0)
    expect(n.items[0].read_at).not.toBe('')

    await vi.waitFor(() => expect(pb.reads.length).toBe(2)) // read again after the save
    expect(pb.update).toHaveBeenCalledWith('n1', { read_at: expect.any(String) }, { requestKey: null })
    answer(pb, [{ ...unread, read_at: '2026-12-07 10:00:00' }], 0)
    await marking
    expect(n.unread).toBe(0)
    expect(n.loading).toBe(false)
  })

  it('marking all read drops an answer begun before it', async () => {
    const { pb, n } = await loadedBell([unread, { ...unread, id: 'n2' }], 2)

    const stale = n.load()
    const marking = n.markAllRead()
    answer(pb, [unread, { ...unread, id: 'n2' }], 2)
    await stale
    expect(n.unread).toBe(0)
    expect(n.items.every((x) => x.read_at)).toBe(true)
    expect(pb.send).toHaveBeenCalledWith('/api/crm/notifications/read-all', { method: 'POST', requestKey: null })
    await vi.waitFor(() => expect(pb.reads.length).toBe(2))
    answer(pb, [], 0)
    await marking
    expect(n.unread).toBe(0)
  })

  it('with no read in flight a mark reads nothing again (the live event does)', async () => {
    const { pb, n } = await loadedBell([unread], 1)
    await n.markRead('n1')
    expect(pb.reads.length).toBe(0)
    expect(n.unread).toBe(0)
  })
})
