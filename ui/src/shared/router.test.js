import { describe, it, expect, beforeEach, afterEach } from 'vitest'
import { createRouter } from './router.svelte.js'

const ROUTES = [
  ['home', /^\/?$/],
  ['item', /^\/items\/([^/]+)\/?$/, ['id']],
  ['list', /^\/items(?:\/page\/([^/]+))?\/?$/, ['page']],
]

// A browser small enough for the router: location, history, listeners.
function fakeBrowser(start = '/') {
  const listeners = { window: {}, document: {} }
  const loc = new URL(start, 'http://example.test')
  const on = (where) => ({
    addEventListener: (type, fn) => ((listeners[where][type] ??= new Set()).add(fn)),
    removeEventListener: (type, fn) => listeners[where][type]?.delete(fn),
  })
  const go = (to) => {
    const u = new URL(to, loc.href)
    loc.pathname = u.pathname
    loc.search = u.search
  }
  globalThis.window = { ...on('window'), location: loc, scrollTo() {} }
  globalThis.document = on('document')
  globalThis.history = { pushState: (_s, _t, to) => go(to), replaceState: (_s, _t, to) => go(to) }
  return {
    listeners,
    back(to) {
      go(to)
      for (const fn of listeners.window.popstate ?? []) fn()
    },
    click(href, extra = {}) {
      let prevented = false
      const a = { href: new URL(href, loc.href).href, target: '', hasAttribute: () => false }
      const e = { defaultPrevented: false, button: 0, target: { closest: () => a }, preventDefault: () => (prevented = true), ...extra }
      for (const fn of listeners.document.click ?? []) fn(e)
      return prevented
    },
  }
}

describe('createRouter', () => {
  afterEach(() => {
    delete globalThis.window
    delete globalThis.document
    delete globalThis.history
  })

  it('matches paths at the root, with decoded params', () => {
    const r = createRouter('', ROUTES)
    expect(r.match('/')).toEqual({ name: 'home', params: {} })
    expect(r.match('/items/a%20b')).toEqual({ name: 'item', params: { id: 'a b' } })
    expect(r.match('/items')).toEqual({ name: 'list', params: {} })
    expect(r.match('/items/page/2')).toEqual({ name: 'list', params: { page: '2' } })
    expect(r.match('/nowhere')).toEqual({ name: 'notfound', params: {} })
    expect(r.route.name).toBe('home')
  })

  it('matches only under its base', () => {
    const r = createRouter('/app', ROUTES)
    expect(r.match('/app')).toEqual({ name: 'home', params: {} })
    expect(r.match('/app/')).toEqual({ name: 'home', params: {} })
    expect(r.match('/app/items/x')).toEqual({ name: 'item', params: { id: 'x' } })
    expect(r.match('/appx').name).toBe('notfound')
    expect(r.match('/items/x').name).toBe('notfound')
    expect(r.href('/items/x')).toBe('/app/items/x')
    expect(r.href('items/x')).toBe('/app/items/x')
    expect(r.href()).toBe('/app/')
    expect(r.route.path).toBe('/app/')
  })

  it('follows the address bar, navigate and the back button', () => {
    const b = fakeBrowser('/app/items/1?x=1')
    const r = createRouter('/app', ROUTES)
    const stop = r.start()
    expect(r.route).toEqual({ name: 'item', params: { id: '1' }, path: '/app/items/1', search: '?x=1' })
    r.navigate('/app/items')
    expect(r.route.name).toBe('list')
    b.back('/app/')
    expect(r.route.name).toBe('home')
    stop()
    expect(b.listeners.window.popstate.size).toBe(0)
    expect(b.listeners.document.click.size).toBe(0)
  })

  it('takes over clicks on its own links only', () => {
    const b = fakeBrowser('/app/')
    const r = createRouter('/app', ROUTES)
    const stop = r.start()
    expect(b.click('/app/items/7')).toBe(true)
    expect(r.route.params).toEqual({ id: '7' })
    expect(b.click('/api/health')).toBe(false)
    expect(b.click('/other/page')).toBe(false)
    expect(b.click('https://elsewhere.test/app/items/1')).toBe(false)
    expect(b.click('/app/items/8', { ctrlKey: true })).toBe(false)
    expect(r.route.params).toEqual({ id: '7' })
    stop()
  })
})
