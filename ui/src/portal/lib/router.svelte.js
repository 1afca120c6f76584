// The portal's history router under /portal/: the server answers every path
// there with the portal, and the portal picks the page from the path.
export const BASE = '/portal'

const ROUTES = [
  ['requests', /^\/?$/],
  ['request', /^\/requests\/([^/]+)\/?$/, ['id']],
  ['new', /^\/new\/?$/],
  ['profile', /^\/profile\/?$/],
  ['preferences', /^\/preferences\/?$/],
  ['consents', /^\/consents\/?$/],
  ['services', /^\/services\/?$/],
  ['data', /^\/data\/?$/],
  ['confirm-email', /^\/confirm-email-change\/?$/],
  // open to people without an account
  ['track', /^\/track\/?$/],
  ['public-request', /^\/new-request\/?$/],
]

export const PUBLIC_ROUTES = ['track', 'public-request']

/** The route of a path under /portal: {name, params}; 'notfound' when none fits. */
export function match(pathname) {
  if (pathname !== BASE && !pathname.startsWith(BASE + '/')) return { name: 'notfound', params: {} }
  const rest = pathname.slice(BASE.length)
  for (const [name, re, keys = []] of ROUTES) {
    const m = re.exec(rest)
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

export const route = $state({ name: 'requests', params: {}, path: BASE + '/', search: '' })

function sync() {
  const { pathname, search } = window.location
  const m = match(pathname)
  route.name = m.name
  route.params = m.params
  route.path = pathname
  route.search = search
}

/** A path inside the portal: href('/requests/x') -> '/portal/requests/x'. */
export function href(path = '/') {
  return BASE + (path.startsWith('/') ? path : '/' + path)
}

export function navigate(to, { replace = false } = {}) {
  if (to === window.location.pathname + window.location.search) return
  if (replace) history.replaceState({}, '', to)
  else history.pushState({}, '', to)
  sync()
  window.scrollTo(0, 0)
}

function onClick(e) {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
  const a = e.target.closest?.('a[href]')
  if (!a || a.target || a.hasAttribute('download')) return
  const url = new URL(a.href, window.location.href)
  if (url.origin !== window.location.origin || match(url.pathname).name === 'notfound') return
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
