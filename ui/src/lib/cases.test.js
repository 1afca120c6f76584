import { describe, it, expect, vi } from 'vitest'
import { nextStatuses, closes, reopenTarget, newCaseBody, openCase, findContacts, STAFF_CHANNELS, CaseView } from './cases.svelte.js'

const statuses = [
  { key: 'new', label: 'New' },
  { key: 'triage', label: 'Triage' },
  { key: 'done', label: 'Done', closed: true },
  { key: 'cancelled', label: 'Cancelled', closed: true },
]

describe('closing and reopening a request', () => {
  it('knows which statuses close it', () => {
    const type = { id: 't', name: 'Support', statuses }
    expect(closes(type, 'done')).toBe(true)
    expect(closes(type, 'triage')).toBe(false)
    expect(closes(null, 'done')).toBe(false)
  })

  it('reopens to the first open status the type allows, or not at all', () => {
    const free = { id: 't', name: 'Support', statuses }
    expect(reopenTarget(free, { status: 'done', closed: true })?.key).toBe('new')
    expect(reopenTarget(free, { status: 'new', closed: false })).toBeNull()

    const strict = { id: 't', name: 'Support', statuses, transitions: { new: ['triage'], triage: ['done'], done: ['triage', 'cancelled'] } }
    expect(reopenTarget(strict, { status: 'done', closed: true })?.key).toBe('triage')
    // cancelled is not a key of the map: it has no way out.
    expect(reopenTarget(strict, { status: 'cancelled', closed: true })).toBeNull()
    expect(nextStatuses(strict, 'cancelled')).toEqual([])
  })
})

describe('a request opened by staff', () => {
  const form = {
    type: 'tp', contact: 'ct', company: 'co', subject: '  Oven cold  ', description: ' since Monday ',
    channel: 'phone', priority: 'high', assignee: 'me', data: { serial: '123' }, custom: { x_colour: 'red', subject: 'not this' },
  }

  it('sends what staff chose, trimmed, with the custom fields beside and never over the built-in ones', () => {
    expect(newCaseBody(form, [])).toEqual({
      x_colour: 'red', type: 'tp', contact: 'ct', company: 'co', subject: 'Oven cold', description: 'since Monday',
      channel: 'phone', priority: 'high', assignee: 'me', data: { serial: '123' },
    })
  })

  it('sends files only when there are some, and no company when the contact has none', () => {
    const file = new Blob(['x'])
    expect(newCaseBody({ ...form, company: '' }, [file])).toMatchObject({ attachments: [file] })
    expect(newCaseBody({ ...form, company: '' }, [])).not.toHaveProperty('company')
    expect(newCaseBody(form, [])).not.toHaveProperty('attachments')
  })

  it('creates the case through the record API', async () => {
    const create = vi.fn(async (body) => ({ id: 'c1', ...body }))
    const pb = { collection: (name) => (name === 'cases' ? { create } : null) }
    const saved = await openCase(pb, form)
    expect(saved.id).toBe('c1')
    expect(create).toHaveBeenCalledOnce()
  })

  it('offers the ways customers reach staff, not the ones they use themselves', () => {
    expect(STAFF_CHANNELS).toEqual(expect.arrayContaining(['phone', 'email', 'in_person', 'letter']))
    expect(STAFF_CHANNELS).not.toContain('portal')
    expect(STAFF_CHANNELS).not.toContain('web')
  })

  it('finds contacts through the search route, contacts only', async () => {
    const send = vi.fn(async () => ({ items: [{ id: 'c1', collection: 'contacts', title: 'Ana', subtitle: 'ana@x.test' }, { id: 'co1', collection: 'companies', title: 'Padaria' }] }))
    const found = await findContacts({ send }, 'ana')
    expect(found).toEqual([{ id: 'c1', name: 'Ana', sub: 'ana@x.test' }])
    expect(send.mock.calls[0][1].query).toMatchObject({ q: 'ana', collection: 'contacts' })
  })
})

describe('a reply with files', () => {
  it('sends the files with the message, and none when there are none', async () => {
    const create = vi.fn(async (body) => ({ id: 'm' + create.mock.calls.length, case: 'c1', created: '2026-01-01', ...body }))
    const view = new CaseView({ collection: () => ({ create }) }, 'c1')
    const file = new Blob(['x'])
    await view.send('see attached', false, [file])
    await view.send('note', true)
    expect(create.mock.calls[0][0]).toEqual({ case: 'c1', body: 'see attached', internal: false, attachments: [file] })
    expect(create.mock.calls[1][0]).toEqual({ case: 'c1', body: 'note', internal: true })
    expect(view.messages).toHaveLength(2)
  })
})
