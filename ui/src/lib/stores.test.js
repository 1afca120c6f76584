import { describe, it, expect, vi } from 'vitest'
import PocketBase from 'pocketbase'
import { ContactList, SORTS, sortRows } from './contacts.svelte.js'
import { Timeline, compareEntries, TIMELINE_SORT } from './timeline.svelte.js'
import { Contact360 } from './contact360.svelte.js'
import { Session, staffOf } from './session.svelte.js'
import { fieldErrors, errorMessage } from './errors.js'
import { translate } from './i18n.js'
import { match } from './router.svelte.js'

// A stand-in for the SDK client: the real filter() (escaping), recorded calls.
function fakePb({ getList, send, getFullList, update, subscribe } = {}) {
  const real = new PocketBase('http://127.0.0.1:1')
  const calls = []
  const pb = {
    calls,
    filter: real.filter.bind(real),
    send: vi.fn(async (path, opts) => {
      calls.push(['send', path, opts])
      return send(path, opts)
    }),
    collection: (name) => ({
      getList: async (page, perPage, opts) => {
        calls.push(['getList', name, page, perPage, opts])
        return getList(name, page, perPage, opts)
      },
      getFullList: async (opts) => getFullList(name, opts),
      update: async (id, body) => update(name, id, body),
      subscribe: async (topic, cb, opts) => subscribe(name, topic, cb, opts),
    }),
  }
  return pb
}

const contact = (i, more = {}) => ({ id: `ct${String(i).padStart(13, '0')}`, name: `Contact ${i}`, created: `2026-01-${String(i).padStart(2, '0')} 00:00:00.000Z`, ...more })
const t = (key, params) => translate('en', key, params)

describe('contacts list store', () => {
  it('pages with skipTotal and an index-friendly sort, newest first', async () => {
    const pb = fakePb({ getList: async (_, page, per) => ({ items: Array.from({ length: per }, (_, i) => contact(i + 1)) }) })
    const list = new ContactList(pb, { perPage: 3 })
    await list.load()
    const [, name, page, per, opts] = pb.calls[0]
    expect([name, page, per]).toEqual(['contacts', 1, 3])
    expect(opts.skipTotal).toBe(true)
    expect(opts.sort).toBe('-created')
    expect(list.items).toHaveLength(3)
    expect(list.hasNext).toBe(true)
    await list.next()
    expect(pb.calls[1][2]).toBe(2)
    await list.prev()
    expect(pb.calls[2][2]).toBe(1)
    await list.prev() // nothing before page 1
    expect(pb.calls).toHaveLength(3)
  })

  it('knows the last page and sorts by columns an index serves', async () => {
    const pb = fakePb({ getList: async () => ({ items: [contact(1)] }) })
    const list = new ContactList(pb, { perPage: 3 })
    await list.load()
    expect(list.hasNext).toBe(false)
    await list.toggleSort('name')
    expect(pb.calls.at(-1)[4].sort).toBe('name')
    await list.toggleSort('name')
    expect(pb.calls.at(-1)[4].sort).toBe('-name')
    await list.toggleSort('stage')
    expect(pb.calls.at(-1)[4].sort).toBe('stage,created')
    await list.toggleSort('created')
    expect(pb.calls.at(-1)[4].sort).toBe('-created')
    expect(list.toggleSort('company')).toBeUndefined() // not sortable: no request
    for (const [asc, desc] of Object.values(SORTS)) {
      expect(desc.split(',').every((s) => s.startsWith('-'))).toBe(true)
      expect(asc.split(',').some((s) => s.startsWith('-'))).toBe(false)
    }
  })

  it('searches through the search route and keeps its ranking', async () => {
    const pb = fakePb({
      send: async () => ({ items: [{ collection: 'contacts', id: contact(2).id }, { collection: 'contacts', id: contact(1).id }] }),
      getList: async () => ({ items: [contact(1), contact(2)] }), // the record API answers in its own order
    })
    const list = new ContactList(pb)
    await list.setQuery('joao')
    expect(pb.calls[0]).toEqual(['send', '/api/crm/search', { query: { q: 'joao', collection: 'contacts', limit: 50 } }])
    expect(pb.calls[1][4].filter).toBe(`(id = "${contact(2).id}" || id = "${contact(1).id}") && archived = false`)
    expect(list.items.map((c) => c.id)).toEqual([contact(2).id, contact(1).id])
    expect(list.searching).toBe(true)
    expect(list.hasNext).toBe(false)
    await list.setQuery('j') // one letter: back to the list
    expect(pb.calls.at(-1)[0]).toBe('getList')
    expect(list.searching).toBe(false)
  })

  it('keeps only the newest answer when typing fast', async () => {
    const pending = {}
    const pb = fakePb({
      send: (_, opts) => new Promise((ok) => (pending[opts.query.q] = ok)),
      getList: async (_, __, ___, opts) => ({ items: [contact(opts.filter.includes(contact(1).id) ? 1 : 2)] }),
    })
    const list = new ContactList(pb)
    const first = list.setQuery('jo')
    const second = list.setQuery('joao')
    pending.joao({ items: [{ collection: 'contacts', id: contact(2).id }] })
    await second
    pending.jo({ items: [{ collection: 'contacts', id: contact(1).id }] })
    await first
    expect(list.items.map((c) => c.id)).toEqual([contact(2).id])
    expect(list.loading).toBe(false)
  })

  it('shows a failed request and keeps the query', async () => {
    const pb = fakePb({ getList: async () => { throw Object.assign(new Error('down'), { status: 0 }) } })
    const list = new ContactList(pb)
    list.query = 'x'
    await list.load()
    expect(list.error.status).toBe(0)
    expect(list.query).toBe('x')
    expect(list.loading).toBe(false)
  })

  it('sorts search results by a column', () => {
    const rows = [contact(1, { name: 'Bruno' }), contact(2, { name: 'ana' }), contact(3, { name: 'Álvaro' })]
    expect(sortRows(rows, 'name', false).map((r) => r.name)).toEqual(['Álvaro', 'ana', 'Bruno'])
    expect(sortRows(rows, 'name', true).map((r) => r.name)).toEqual(['Bruno', 'ana', 'Álvaro'])
  })
})

const entry = (id, occurred, more = {}) => ({ id, contact: 'c1', type: 'note', channel: '', occurred_at: occurred, created: occurred, ...more })

describe('timeline store', () => {
  it('pages through the cursor of the 360 route', async () => {
    const pb = fakePb({ send: async () => ({ items: [entry('b', '2026-01-01 00:00:00.000Z')], next: '' }) })
    const tl = new Timeline(pb, 'c1')
    tl.setFirstPage({ items: [entry('a', '2026-02-01 00:00:00.000Z')], next: 'CURSOR1' })
    expect(tl.done).toBe(false)
    await tl.loadMore()
    expect(pb.calls[0]).toEqual(['send', '/api/crm/contacts/c1/timeline', { query: { cursor: 'CURSOR1' } }])
    expect(tl.items.map((e) => e.id)).toEqual(['a', 'b'])
    expect(tl.done).toBe(true)
    await tl.loadMore() // the end: no request
    expect(pb.calls).toHaveLength(1)
  })

  it('filters by type and channel through the record API, in the same order', async () => {
    const pb = fakePb({ getList: async () => ({ items: Array.from({ length: 20 }, (_, i) => entry(`e${i}`, '2026-01-01 00:00:00.000Z', { type: 'call', channel: 'phone' })) }) })
    const tl = new Timeline(pb, 'c1')
    tl.setFirstPage({ items: [entry('a', '2026-02-01 00:00:00.000Z')], next: '' })
    await tl.setFilters({ type: 'call', channel: 'phone' })
    const [, name, page, per, opts] = pb.calls[0]
    expect([name, page, per]).toEqual(['activities', 1, 20])
    expect(opts).toEqual({ filter: 'contact = "c1" && type = "call" && channel = "phone"', sort: TIMELINE_SORT, skipTotal: true })
    expect(tl.items).toHaveLength(20)
    expect(tl.done).toBe(false)
    await tl.loadMore()
    expect(pb.calls[1][2]).toBe(2)
    expect(tl.items).toHaveLength(20) // the same ids again are not repeated
  })

  it('puts live entries in their place once, and only those that match', () => {
    const tl = new Timeline(fakePb(), 'c1')
    tl.setFirstPage({ items: [entry('b', '2026-02-01 00:00:00.000Z'), entry('a', '2026-01-01 00:00:00.000Z')], next: '' })
    expect(tl.upsert(entry('c', '2026-03-01 00:00:00.000Z'))).toBe(true)
    expect(tl.upsert(entry('c', '2026-03-01 00:00:00.000Z', { subject: 'edited' }))).toBe(false)
    expect(tl.items.map((e) => e.id)).toEqual(['c', 'b', 'a'])
    expect(tl.items[0].subject).toBe('edited')
    expect(tl.upsert(entry('x', '2026-03-01 00:00:00.000Z', { contact: 'other' }))).toBe(false)
    tl.type = 'call'
    expect(tl.upsert(entry('n', '2026-04-01 00:00:00.000Z'))).toBe(false) // a note, filter says calls
    tl.remove('b')
    expect(tl.items.map((e) => e.id)).toEqual(['c', 'a'])
  })

  it('leaves an old live entry to the page it belongs to', () => {
    const tl = new Timeline(fakePb(), 'c1')
    tl.setFirstPage({ items: [entry('b', '2026-02-01 00:00:00.000Z')], next: 'MORE' })
    expect(tl.upsert(entry('old', '2020-01-01 00:00:00.000Z'))).toBe(false)
    expect(tl.items.map((e) => e.id)).toEqual(['b'])
  })

  it('orders by occurred_at, created and id, newest first', () => {
    const same = '2026-01-01 00:00:00.000Z'
    const list = [entry('a', same), entry('b', same), entry('c', '2026-01-02 00:00:00.000Z')].sort(compareEntries)
    expect(list.map((e) => e.id)).toEqual(['c', 'b', 'a'])
  })
})

describe('customer 360 store', () => {
  it('loads the page, subscribes to the contact’s timeline and unsubscribes on close', async () => {
    let live
    const off = vi.fn()
    const pb = fakePb({
      send: async () => ({ contact: { id: 'c1', name: 'João' }, open_cases: 2, timeline: { items: [entry('a', '2026-01-01 00:00:00.000Z')], next: '' }, tasks: [] }),
      subscribe: async (name, topic, cb, opts) => {
        if (name === 'activities') {
          live = cb
          expect(topic).toBe('*')
          expect(opts.filter).toBe('contact = "c1"')
        }
        return off
      },
      getList: async () => ({ items: [{ id: 't1', title: 'Follow up' }] }),
    })
    const page = new Contact360(pb, 'c1')
    await page.load()
    expect(pb.calls[0][1]).toBe('/api/crm/contacts/c1/360')
    expect(page.openCases).toBe(2)
    const seen = []
    await page.subscribe({ onEntry: (e) => seen.push(e.id) })
    expect(page.live).toBe(true)
    live({ action: 'create', record: entry('b', '2026-02-01 00:00:00.000Z') })
    expect(page.timeline.items.map((e) => e.id)).toEqual(['b', 'a'])
    expect(seen).toEqual(['b'])
    await page.refreshTasks()
    expect(pb.calls.at(-1)[4].filter).toBe('contact = "c1" && status = \'open\'')
    expect(page.data.tasks).toHaveLength(1)
    page.close()
    expect(off).toHaveBeenCalledTimes(2)
    expect(page.live).toBe(false)
  })

  it('keeps the error of a failed load', async () => {
    const pb = fakePb({ send: async () => { throw Object.assign(new Error('nope'), { status: 404 }) } })
    const page = new Contact360(pb, 'zz')
    await page.load()
    expect(page.error.status).toBe(404)
    expect(page.data).toBeNull()
  })
})

function fakeAuthStore(record, valid = true) {
  const listeners = []
  return {
    record,
    token: record ? 'tok' : '',
    get isValid() { return valid && Boolean(this.record) },
    onChange: (fn) => listeners.push(fn),
    save(token, rec) { this.token = token; this.record = rec; listeners.forEach((f) => f(token, rec)) },
    clear() { this.token = ''; this.record = null; listeners.forEach((f) => f('', null)) },
  }
}

describe('session store', () => {
  const rafael = { id: 'st2', collectionName: 'staff', name: 'Rafael', language: 'pt-BR' }

  it('is a staff member’s session only', () => {
    expect(staffOf(fakeAuthStore(rafael))).toBe(rafael)
    expect(staffOf(fakeAuthStore({ id: 'cu1', collectionName: 'customers' }))).toBeNull()
    expect(staffOf(fakeAuthStore({ id: 'su1', collectionName: '_superusers' }))).toBeNull()
    expect(staffOf(fakeAuthStore(rafael, false))).toBeNull()
  })

  it('signs in and out through the SDK’s auth store', async () => {
    const store = fakeAuthStore(null)
    const pb = {
      authStore: store,
      realtime: { unsubscribe: vi.fn() },
      collection: (name) => ({
        authWithPassword: async (email, password) => {
          expect([name, email, password]).toEqual(['staff', 'rafael@vinculo.example', 'secret'])
          store.save('tok', rafael)
          return { record: rafael }
        },
      }),
    }
    const s = new Session(pb)
    expect(s.user).toBeNull()
    await s.signIn('  rafael@vinculo.example ', 'secret')
    expect(s.user).toEqual(rafael)
    s.signOut()
    expect(s.user).toBeNull()
    expect(pb.realtime.unsubscribe).toHaveBeenCalled()
  })

  it('signs in with a one-time code when the team has codes on', async () => {
    const store = fakeAuthStore(null)
    const calls = []
    const pb = {
      authStore: store,
      collection: (name) => ({
        listAuthMethods: async () => ({ otp: { enabled: true } }),
        requestOTP: async (email) => {
          calls.push([name, 'requestOTP', email])
          return { otpId: 'otp1' }
        },
        authWithOTP: async (otpId, code) => {
          calls.push([name, 'authWithOTP', otpId, code])
          store.save('tok', rafael)
        },
      }),
    }
    const s = new Session(pb)
    expect(await s.codeSignIn()).toBe(true)
    expect(await s.requestCode(' rafael@vinculo.example ')).toBe('otp1')
    await s.signInWithCode('otp1', ' 123456 ')
    expect(calls).toEqual([['staff', 'requestOTP', 'rafael@vinculo.example'], ['staff', 'authWithOTP', 'otp1', '123456']])
    expect(s.user).toEqual(rafael)
    expect(await new Session({ authStore: fakeAuthStore(null), collection: () => ({ listAuthMethods: async () => { throw new Error('offline') } }) }).codeSignIn()).toBe(false)
  })

  it('drops a kept session the server refuses', async () => {
    const store = fakeAuthStore(rafael)
    const pb = { authStore: store, collection: () => ({ authRefresh: async () => { throw Object.assign(new Error('expired'), { status: 401 }) } }) }
    const s = new Session(pb)
    expect(s.user).toEqual(rafael)
    await s.refresh()
    expect(s.user).toBeNull()
  })

  it('keeps a session through a network failure', async () => {
    const store = fakeAuthStore(rafael)
    const pb = { authStore: store, collection: () => ({ authRefresh: async () => { throw Object.assign(new Error('offline'), { status: 0 }) } }) }
    const s = new Session(pb)
    await s.refresh()
    expect(s.user).toEqual(rafael)
  })

  it('saves the language in the staff member’s profile and knows the team', async () => {
    const store = fakeAuthStore({ ...rafael })
    const update = vi.fn(async (name, id, body) => {
      store.save('tok', { ...store.record, ...body })
      return store.record
    })
    const pb = fakePb({ update, getFullList: async () => [{ id: 'st1', name: 'Marina' }, { id: 'st2', name: 'Rafael' }] })
    pb.authStore = store
    const s = new Session(pb)
    await s.saveLanguage('en')
    expect(update).toHaveBeenCalledWith('staff', 'st2', { language: 'en' })
    expect(s.user.language).toBe('en')
    await s.saveLanguage('en') // already: no request
    await s.saveLanguage('fr') // not a UI language
    expect(update).toHaveBeenCalledTimes(1)
    await s.loadTeam()
    expect(s.nameOf('st1')).toBe('Marina')
    expect(s.nameOf('nobody')).toBe('')
  })
})

describe('errors', () => {
  const bad = {
    status: 400,
    response: {
      message: 'Failed to create record.',
      data: {
        name: { code: 'validation_required', message: 'Cannot be blank.' },
        phone: { code: 'validation_max_text_constraint', message: 'Must be no more than 40 character(s).', params: { max: 40 } },
        custom: { code: 'validation_something_new', message: 'A rule of the business.' },
      },
    },
  }

  it('puts each field’s message next to it, in the reader’s language', () => {
    expect(fieldErrors(bad, t)).toEqual({ name: 'Required.', phone: 'Too long: at most 40 characters.', custom: 'A rule of the business.' })
    expect(fieldErrors(bad, (k, p) => translate('pt-BR', k, p)).phone).toBe('Longo demais: no máximo 40 caracteres.')
    expect(fieldErrors(new Error('x'), t)).toEqual({})
  })

  it('says what a failed request means', () => {
    expect(errorMessage(bad, t)).toBe('Some fields need attention.')
    expect(errorMessage({ status: 0 }, t)).toMatch(/Could not reach the server/)
    expect(errorMessage({ status: 403 }, t)).toBe('You are not allowed to do that.')
    expect(errorMessage({ status: 400, response: { message: 'Invalid search.' } }, t)).toBe('Invalid search.')
    expect(errorMessage({ status: 500, response: { message: 'boom' } }, t)).toBe('Something went wrong (500). Try again.')
  })
})

describe('routes', () => {
  it('maps paths to pages', () => {
    expect(match('/')).toEqual({ name: 'home', params: {} })
    expect(match('/contacts')).toEqual({ name: 'contacts', params: {} })
    expect(match('/contacts/ct0000000000001')).toEqual({ name: 'contact', params: { id: 'ct0000000000001' } })
    expect(match('/deals')).toEqual({ name: 'deals', params: {} })
    expect(match('/cases/cs1')).toEqual({ name: 'cases', params: { id: 'cs1' } })
    expect(match('/contacts/ct1/merge')).toEqual({ name: 'merge', params: { id: 'ct1' } })
    expect(match('/companies/co1/merge')).toEqual({ name: 'merge-company', params: { id: 'co1' } })
    expect(match('/companies/co1')).toEqual({ name: 'companies', params: { id: 'co1' } })
    expect(match('/nope/x/y')).toEqual({ name: 'notfound', params: {} })
  })
})
