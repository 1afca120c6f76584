import { describe, it, expect, vi } from 'vitest'
import PocketBase from 'pocketbase'
import { CompanyList, CompanyView, companyOptions, PER_PAGE, saveCompany, companyDraft, findRecords, deleteProblem, setArchived } from './companies.svelte.js'
import { HomeLists } from './home.svelte.js'
import { saveContact, tagSuggestions, formBody } from './contacts.svelte.js'
import { saveTask, taskDraft, taskBody, dueParts } from './tasks.svelte.js'
import { hitPath } from './search.js'

// A stand-in for the SDK: the real filter() (escaping); each collection's
// answers come from `answers`, and every call is recorded.
function fakePb(answers = {}) {
  const real = new PocketBase('http://127.0.0.1:1')
  const calls = []
  const answer = (name, method, ...args) => {
    calls.push([name, method, ...args])
    const a = answers[name]?.[method] ?? answers[method]
    return typeof a === 'function' ? a(...args) : a
  }
  return {
    calls,
    filter: real.filter.bind(real),
    send: async (path, opts) => {
      calls.push(['send', path, opts])
      return answers.send(path, opts)
    },
    collection: (name) => Object.fromEntries(['getList', 'getOne', 'getFullList', 'create', 'update', 'delete'].map((m) => [m, async (...args) => answer(name, m, ...args)])),
  }
}

const company = (i) => ({ id: `co${i}`, name: `Company ${i}` })

describe('companies list store', () => {
  it('pages by name and knows when there is a next page', async () => {
    const pb = fakePb({ companies: { getList: (page, per) => ({ items: Array.from({ length: per }, (_, i) => company(i + 1)) }) } })
    const list = new CompanyList(pb)
    await list.load()
    expect(pb.calls[0]).toEqual(['companies', 'getList', 1, PER_PAGE, { sort: 'name', skipTotal: true, filter: 'archived = false' }])
    expect(list.items).toHaveLength(PER_PAGE)
    expect(list.hasNext).toBe(true)
    await list.next()
    expect(pb.calls[1][2]).toBe(2)
    await list.prev()
    expect(list.page).toBe(1)
  })

  it('searches through the search route and keeps its ranking', async () => {
    const pb = fakePb({
      send: () => ({ items: [{ collection: 'companies', id: 'co2' }, { collection: 'contacts', id: 'x' }, { collection: 'companies', id: 'co1' }] }),
      companies: { getList: () => ({ items: [company(1), company(2)] }) },
    })
    const list = new CompanyList(pb)
    list.setQuery('acme')
    await list.load()
    expect(pb.calls[0]).toEqual(['send', '/api/crm/search', { query: { q: 'acme', collection: 'companies', limit: 50 } }])
    expect(pb.calls[1][4].filter).toBe('(id = "co2" || id = "co1") && archived = false')
    expect(list.items.map((c) => c.id)).toEqual(['co2', 'co1'])
    expect(list.searching).toBe(true)
    expect(list.hasNext).toBe(false)
  })

  it('shows only the newest answer when a search overtakes a page', async () => {
    let release
    const slow = new Promise((ok) => (release = ok))
    const pb = fakePb({
      send: () => ({ items: [{ collection: 'companies', id: 'co9' }] }),
      companies: { getList: (page, per, opts) => (opts.filter ? { items: [company(9)] } : slow) },
    })
    const list = new CompanyList(pb)
    const first = list.load()
    list.setQuery('nine')
    await list.load()
    release({ items: [company(1)] })
    await first
    expect(list.items.map((c) => c.id)).toEqual(['co9'])
    expect(list.loading).toBe(false)
  })

  it('offers the first companies to a filter, and nothing when they cannot be read', async () => {
    expect(await companyOptions(fakePb({ companies: { getList: () => ({ items: [company(1)] }) } }))).toEqual([company(1)])
    expect(await companyOptions(fakePb({ companies: { getList: () => Promise.reject(new Error('offline')) } }))).toEqual([])
  })

  it('reads a company with its people, deals and requests', async () => {
    const pb = fakePb({
      companies: { getOne: () => company(1) },
      getList: () => ({ items: [{ id: 'r1' }] }),
    })
    const view = new CompanyView(pb, 'co1')
    expect(view.loading).toBe(true)
    await view.load()
    expect(view.record).toEqual(company(1))
    expect(view.people).toEqual([{ id: 'r1' }])
    expect(view.deals).toHaveLength(1)
    expect(view.cases).toHaveLength(1)
    expect(view.tasks).toHaveLength(1)
    const lists = pb.calls.filter((c) => c[1] === 'getList')
    expect(lists.filter((c) => c[0] !== 'tasks').every((c) => c[4].filter === 'company = "co1"')).toBe(true)
    expect(lists.find((c) => c[0] === 'tasks')[4].filter).toBe('company = "co1" && status = \'open\'')
    expect(view.loading).toBe(false)
  })
})

describe('home lists store', () => {
  it('reads my tasks, cases, deals and my contacts’ recent activity at once', async () => {
    const pb = fakePb({ getList: (page, per) => ({ items: [{ id: `x${per}` }] }) })
    const home = new HomeLists(pb, 'st1')
    expect(home.tasks).toBeNull()
    await home.load('UTC', new Date('2026-03-15T12:00:00Z'))
    expect(pb.calls.map((c) => c[0])).toEqual(['tasks', 'cases', 'deals', 'activities'])
    expect(pb.calls[0][4].filter).toBe("assignee = \"st1\" && status = 'open' && due != '' && due < \"2026-03-16 00:00:00.000Z\"")
    expect(pb.calls[3][4].filter).toBe('contact.owner = "st1" && staff != "st1"')
    expect(home.tasks).toEqual([{ id: 'x20' }])
    expect(home.recent).toEqual([{ id: 'x10' }])
    expect(home.error).toBeNull()
  })

  it('keeps the failure for the page to show', async () => {
    const home = new HomeLists(fakePb({ getList: () => Promise.reject(Object.assign(new Error('down'), { status: 0 })) }), 'st1')
    await home.load('UTC')
    expect(home.error?.message).toBe('down')
    expect(home.tasks).toBeNull()
  })
})

describe('contact form saving', () => {
  const draft = { name: ' Ana ', email: '', phone: '', mobile: '', job_title: '', stage: 'lead', preferred_channel: '', language: '' }

  it('creates with only the fields typed, owned by me', async () => {
    const create = vi.fn((body) => ({ id: 'c1', ...body }))
    await saveContact(fakePb({ contacts: { create } }), null, draft, 'st1')
    expect(create).toHaveBeenCalledWith({ owner: 'st1', name: 'Ana', stage: 'lead' })
  })

  it('sends every field of an edit, so emptying one clears it', async () => {
    const update = vi.fn((id, body) => ({ id, ...body }))
    await saveContact(fakePb({ contacts: { update } }), { id: 'c1' }, draft, 'st1')
    expect(update).toHaveBeenCalledWith('c1', { ...draft, name: 'Ana' })
  })
})

describe('search hits', () => {
  it('open their own page, or their contact’s for deals and activities', async () => {
    const pb = fakePb({ deals: { getOne: () => ({ id: 'd1', contact: 'c7' }) }, activities: { getOne: () => Promise.reject(new Error('gone')) } })
    expect(await hitPath(pb, { collection: 'contacts', id: 'c1' })).toBe('/contacts/c1')
    expect(await hitPath(pb, { collection: 'cases', id: 'k1' })).toBe('/cases/k1')
    expect(await hitPath(pb, { collection: 'companies', id: 'co1' })).toBe('/companies/co1')
    expect(await hitPath(pb, { collection: 'deals', id: 'd1' })).toBe('/contacts/c7')
    expect(await hitPath(pb, { collection: 'activities', id: 'a1' })).toBe('/contacts/a1')
  })
})

describe('company form saving', () => {
  it('creates with the fields filled in, owned by me, the domain as the server wants it', async () => {
    const create = vi.fn((body) => ({ id: 'co9', ...body }))
    const draft = { ...companyDraft(null), name: ' Padaria ', domain: 'https://www.Padaria.example/contato', country: 'br', tags: ['vip', ' '] }
    await saveCompany(fakePb({ companies: { create } }), null, draft, 'st1', { cnpj: '123', empty: '' })
    expect(create).toHaveBeenCalledWith({ name: 'Padaria', domain: 'padaria.example', country: 'BR', tags: ['vip'], cnpj: '123', owner: 'st1' })
  })

  it('keeps an owner chosen in the form, and an edit sends every field so emptying one clears it', async () => {
    const create = vi.fn((body) => ({ id: 'co9', ...body }))
    await saveCompany(fakePb({ companies: { create } }), null, { name: 'X', owner: 'st2' }, 'st1')
    expect(create.mock.calls[0][0].owner).toBe('st2')
    const update = vi.fn((id, body) => ({ id, ...body }))
    const record = { id: 'co1', name: 'Acme', industry: 'Food', tags: ['b2b'] }
    await saveCompany(fakePb({ companies: { update } }), record, { ...companyDraft(record), industry: '' }, 'st1')
    expect(update.mock.calls[0][0]).toBe('co1')
    expect(update.mock.calls[0][1]).toMatchObject({ name: 'Acme', industry: '', tags: ['b2b'], owner: '' })
  })

  it('archives with one field and says why a delete was refused', async () => {
    const update = vi.fn((id, body) => ({ id, ...body }))
    expect(await setArchived(fakePb({ contacts: { update } }), 'contacts', 'c1', true)).toEqual({ id: 'c1', archived: true })
    const t = (key, p) => (p ? `${key}:${JSON.stringify(p)}` : key)
    expect(deleteProblem({ status: 404 }, t, () => 'x')).toBe('records.delete_refused')
    expect(deleteProblem({ status: 403 }, t, () => 'x')).toBe('records.delete_refused')
    expect(deleteProblem({ status: 400 }, t, () => 'still referenced')).toBe('records.delete_failed:{"reason":"still referenced"}')
  })

  it('finds records by name through the search route, nothing for one letter', async () => {
    const pb = fakePb({ send: () => ({ items: [{ collection: 'companies', id: 'co1', title: 'Acme', subtitle: 'acme.example' }, { collection: 'contacts', id: 'x', title: 'Not a company' }] }) })
    expect(await findRecords(pb, 'companies', 'a')).toEqual([])
    expect(pb.calls).toHaveLength(0)
    expect(await findRecords(pb, 'companies', ' ac ')).toEqual([{ id: 'co1', title: 'Acme', subtitle: 'acme.example' }])
    expect(pb.calls[0]).toEqual(['send', '/api/crm/search', { query: { q: 'ac', collection: 'companies', limit: 8 } }])
  })
})

describe('contact form saving, every field', () => {
  it('sends company, owner, tags, socials and the business’s own fields of a new contact', async () => {
    const create = vi.fn((body) => ({ id: 'c1', ...body }))
    const draft = { name: 'Ana', email: '', company: 'co1', owner: 'st2', tags: ['vip'], socials: { linkedin: ' ana ', x: '' }, preferred_days: [] }
    await saveContact(fakePb({ contacts: { create } }), null, draft, 'st1', { cpf: '1', blank: '' })
    expect(create).toHaveBeenCalledWith({ name: 'Ana', company: 'co1', owner: 'st2', tags: ['vip'], socials: { linkedin: 'ana' }, cpf: '1' })
  })

  it('an edit clears a list or a profile emptied', () => {
    expect(formBody({ tags: [], socials: { x: ' ' }, name: 'A' }, true)).toEqual({ tags: [], socials: {}, name: 'A' })
  })
})

describe('tag suggestions', () => {
  it('come from the tags route when the server has it', async () => {
    const pb = fakePb({ send: () => ({ items: [{ name: 'vip', count: 9 }, { name: 'b2b', count: 3 }] }) })
    expect(await tagSuggestions(pb)).toEqual(['vip', 'b2b'])
  })

  it('else from the tags of the latest contacts and companies, most used first', async () => {
    const pb = fakePb({
      send: () => Promise.reject(Object.assign(new Error('no route'), { status: 404 })),
      contacts: { getList: () => ({ items: [{ tags: ['vip', 'b2b'] }, { tags: ['vip'] }, { tags: null }] }) },
      companies: { getList: () => Promise.reject(new Error('offline')) },
    })
    expect(await tagSuggestions(pb)).toEqual(['vip', 'b2b'])
    expect(pb.calls.find((c) => c[0] === 'contacts')[4]).toEqual({ sort: '-updated', skipTotal: true, fields: 'tags' })
  })
})

describe('task form', () => {
  it('turns a day and a time where the reader works into the due instant', () => {
    const d = { ...taskDraft(null, { contact: 'c1', assignee: 'st2' }, 'America/Sao_Paulo'), title: ' Call back ', day: '2026-12-01', time: '15:30' }
    expect(taskBody(d, 'America/Sao_Paulo')).toEqual({ title: 'Call back', notes: '', due: '2026-12-01T18:30:00.000Z', assignee: 'st2', contact: 'c1', company: '', deal: '', case: '' })
    expect(taskBody({ ...d, time: '' }, 'UTC').due).toBe('2026-12-01T09:00:00.000Z') // a day alone: 09:00
    expect(taskBody({ ...d, day: '' }, 'UTC').due).toBe('') // no day, no due time
  })

  it('shows a saved due moment as the day and time where the reader works', () => {
    expect(dueParts('2026-12-01 18:30:00.000Z', 'America/Sao_Paulo')).toEqual({ day: '2026-12-01', time: '15:30' })
    expect(dueParts('2026-12-01 01:00:00.000Z', 'America/Sao_Paulo')).toEqual({ day: '2026-11-30', time: '22:00' })
    expect(dueParts('', 'UTC')).toEqual({ day: '', time: '' })
    const edit = taskDraft({ id: 't1', title: 'X', due: '2026-12-01 18:30:00.000Z', assignee: 'st1', deal: 'd1' }, { assignee: 'me' }, 'America/Sao_Paulo')
    expect(edit).toMatchObject({ title: 'X', day: '2026-12-01', time: '15:30', assignee: 'st1', deal: 'd1' })
  })

  it('creates an open task made by me, and edits only what the form holds', async () => {
    const create = vi.fn((body) => ({ id: 't1', ...body }))
    const update = vi.fn((id, body) => ({ id, ...body }))
    const pb = fakePb({ tasks: { create, update } })
    const d = { ...taskDraft(null, { company: 'co1', assignee: 'st2' }, 'UTC'), title: 'Visit', day: '2026-12-01', time: '10:00' }
    await saveTask(pb, null, d, 'st1', 'UTC')
    expect(create.mock.calls[0][0]).toEqual({ title: 'Visit', notes: '', due: '2026-12-01T10:00:00.000Z', assignee: 'st2', contact: '', company: 'co1', deal: '', case: '', status: 'open', created_by: 'st1' })
    await saveTask(pb, { id: 't1' }, d, 'st1', 'UTC')
    expect(update.mock.calls[0][1]).not.toHaveProperty('status')
    expect(update.mock.calls[0][1]).not.toHaveProperty('created_by')
  })
})
