import { describe, it, expect, vi } from 'vitest'
import PocketBase from 'pocketbase'
import { CompanyList, CompanyView, companyOptions, PER_PAGE } from './companies.svelte.js'
import { HomeLists } from './home.svelte.js'
import { saveContact } from './contacts.svelte.js'
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
    collection: (name) => Object.fromEntries(['getList', 'getOne', 'getFullList', 'create', 'update'].map((m) => [m, async (...args) => answer(name, m, ...args)])),
  }
}

const company = (i) => ({ id: `co${i}`, name: `Company ${i}` })

describe('companies list store', () => {
  it('pages by name and knows when there is a next page', async () => {
    const pb = fakePb({ companies: { getList: (page, per) => ({ items: Array.from({ length: per }, (_, i) => company(i + 1)) }) } })
    const list = new CompanyList(pb)
    await list.load()
    expect(pb.calls[0]).toEqual(['companies', 'getList', 1, PER_PAGE, { sort: 'name', skipTotal: true }])
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
    expect(pb.calls[1][4].filter).toBe('id = "co2" || id = "co1"')
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
    expect(pb.calls.filter((c) => c[1] === 'getList').every((c) => c[4].filter === 'company = "co1"')).toBe(true)
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
