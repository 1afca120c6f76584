// A small history router: the server answers every page path with the app,
// and the app picks the page from the path.

const ROUTES = [
  ['home', /^\/$/],
  ['contacts', /^\/contacts\/?$/],
  ['contact', /^\/contacts\/([^/]+)\/?$/, ['id']],
  ['merge', /^\/contacts\/([^/]+)\/merge\/?$/, ['id']],
  ['import', /^\/import\/?$/],
  ['merge-company', /^\/companies\/([^/]+)\/merge\/?$/, ['id']],
  ['companies', /^\/companies(?:\/([^/]+))?\/?$/, ['id']],
  ['deals', /^\/deals(?:\/([^/]+))?\/?$/, ['id']],
  ['cases', /^\/cases(?:\/([^/]+))?\/?$/, ['id']],
  ['tasks', /^\/tasks\/?$/],
  ['profile', /^\/profile\/?$/],
]

/** The route of a path: {name, params}; name 'notfound' when none fits. */
export function match(pathname) {
  for (const [name, re, keys = []] of ROUTES) {
    const m = re.exec(pathname)
    if (m) {
      const params = {}
      keys.forEach((k, i) => {
        if (m[i + 1] !== undefined) params[k] = decodeURIComponent(m[i + 1])
      })
      return { name, params }
    }
  }
  return { name: 'notfound', params: {} }
}

export const route = $state({ name: 'home', params: {}, path: '/', search: '' })

function sync() {
  const { pathname, search } = window.location
  const m = match(pathname)
  route.name = m.name
  route.params = m.params
  route.path = pathname
  route.search = search
}

export function navigate(to, { replace = false } = {}) {
  if (to === window.location.pathname + window.location.search) return
  if (replace) history.replaceState({}, '', to)
  else history.pushState({}, '', to)
  sync()
  window.scrollTo(0, 0)
}

/** Follows in-app links without reloading; the dashboard and the API are left to the browser. */
function onClick(e) {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
  const a = e.target.closest?.('a[href]')
  if (!a || a.target || a.hasAttribute('download')) return
  const url = new URL(a.href, window.location.href)
  if (url.origin !== window.location.origin) return
  if (/^\/(_|api|portal)(\/|$)/.test(url.pathname)) return
  e.preventDefault()
  navigate(url.pathname + url.search)
}

export function startRouter() {
  sync()
  window.addEventListener('popstate', sync)
  document.addEventListener('click', onClick)
  return () => {
    window.removeEventListener('popstate', sync)
    document.removeEventListener('click', onClick)
  }
}
