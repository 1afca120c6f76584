// One small history router for both apps: the server answers every page path
// with the app, and the app picks the page from the path.

/**
 * A route: its name, the pattern of the path after the base, and the names of
 * the pattern's groups.
 * @typedef {[name: string, pattern: RegExp, keys?: string[]]} RouteDef
 */

/**
 * The route of a path.
 * @typedef {{name: string, params: Record<string, string>}} Match
 */

/**
 * @typedef {object} Router
 * @property {{name: string, params: Record<string, string>, path: string, search: string}} route the current route (reactive)
 * @property {(pathname: string) => Match} match the route of a path; name 'notfound' when none fits
 * @property {(path?: string) => string} href a path inside the app: href('/x') is base + '/x'
 * @property {(to: string, opts?: {replace?: boolean}) => void} navigate goes to a path without reloading
 * @property {() => () => void} start follows the address bar and in-app links; returns the stop function
 */

/**
 * A router for the app served under `base` ('' for the root).
 * @param {string} base the path the app is served under, without a trailing slash
 * @param {RouteDef[]} routes tried in order, each against the path after the base
 * @param {{first?: string}} [options] first: the route's name before the router starts (the first route's by default)
 * @returns {Router}
 */
export function createRouter(base, routes, { first = routes[0]?.[0] ?? 'notfound' } = {}) {
  /** @param {string} pathname @returns {Match} */
  function match(pathname) {
    if (base && pathname !== base && !pathname.startsWith(base + '/')) return { name: 'notfound', params: {} }
    const rest = pathname.slice(base.length)
    for (const [name, re, keys = []] of routes) {
      const m = re.exec(rest)
      if (m) {
        /** @type {Record<string, string>} */
        const params = {}
        keys.forEach((k, i) => {
          if (m[i + 1] !== undefined) params[k] = decodeURIComponent(m[i + 1])
        })
        return { name, params }
      }
    }
    return { name: 'notfound', params: {} }
  }

  const route = $state({ name: first, params: {}, path: base + '/', search: '' })

  function sync() {
    const { pathname, search } = window.location
    const m = match(pathname)
    route.name = m.name
    route.params = m.params
    route.path = pathname
    route.search = search
  }

  /** @param {string} [path] */
  function href(path = '/') {
    return base + (path.startsWith('/') ? path : '/' + path)
  }

  /** @param {string} to @param {{replace?: boolean}} [opts] */
  function navigate(to, { replace = false } = {}) {
    if (to === window.location.pathname + window.location.search) return
    if (replace) history.replaceState({}, '', to)
    else history.pushState({}, '', to)
    sync()
    window.scrollTo(0, 0)
  }

  /** Follows the app's own links without reloading; any other page (the dashboard, the API, the other app) is left to the browser. */
  function onClick(e) {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
    const a = e.target.closest?.('a[href]')
    if (!a || a.target || a.hasAttribute('download')) return
    const url = new URL(a.href, window.location.href)
    if (url.origin !== window.location.origin || match(url.pathname).name === 'notfound') return
    e.preventDefault()
    navigate(url.pathname + url.search)
  }

  function start() {
    sync()
    window.addEventListener('popstate', sync)
    document.addEventListener('click', onClick)
    return () => {
      window.removeEventListener('popstate', sync)
      document.removeEventListener('click', onClick)
    }
  }

  return { route, match, href, navigate, start }
}
