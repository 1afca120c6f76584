// Vinculo's service worker: keeps the staff workspace's app shell (index.html
// and its content-hashed files) so the app opens fast and even offline. Data
// is never cached: /api/ (REST and realtime), the dashboard and the portal
// always go to the network.
const SHELL = 'vinculo-shell-v1'
const STATIC = ['/manifest.webmanifest', '/favicon.svg', '/icon.svg', '/icon-192.png']

// The hashed files index.html loads.
function assetsOf(html) {
  return [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1])
}

async function keepShell(cache, response) {
  const html = await response.clone().text()
  const assets = assetsOf(html)
  await cache.put('/index.html', response.clone())
  await Promise.all(assets.map(async (url) => {
    if (!(await cache.match(url))) await cache.add(url)
  }))
  // Files of older builds go.
  const keep = new Set([...assets, ...STATIC, '/index.html'])
  for (const req of await cache.keys()) {
    const path = new URL(req.url).pathname
    if (!keep.has(path)) await cache.delete(req)
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL)
    await cache.addAll(STATIC)
    const res = await fetch('/index.html', { cache: 'no-cache' })
    if (res.ok) await keepShell(cache, res)
    await self.skipWaiting()
  })())
})

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name !== SHELL) await caches.delete(name)
    await self.clients.claim()
  })())
})

function bypass(url) {
  return url.origin !== self.location.origin || /^\/(api|_|portal)(\/|$)/.test(url.pathname) || url.pathname === '/sw.js'
}

self.addEventListener('fetch', (event) => {
  const req = event.request
  if (req.method !== 'GET') return
  const url = new URL(req.url)
  if (bypass(url)) return

  // Pages: the network first (a new build shows at once), the kept shell when offline.
  if (req.mode === 'navigate') {
    event.respondWith((async () => {
      try {
        const res = await fetch(req)
        if (res.ok && (res.headers.get('content-type') ?? '').includes('text/html')) {
          const copy = res.clone()
          event.waitUntil(caches.open(SHELL).then((cache) => keepShell(cache, copy)).catch(() => {}))
        }
        return res
      } catch (err) {
        const cached = await caches.match('/index.html')
        if (cached) return cached
        throw err
      }
    })())
    return
  }

  // Hashed files never change: the cache first.
  if (url.pathname.startsWith('/assets/') || STATIC.includes(url.pathname)) {
    event.respondWith((async () => {
      const cached = await caches.match(req)
      if (cached) return cached
      const res = await fetch(req)
      if (res.ok && url.pathname.startsWith('/assets/')) {
        const copy = res.clone()
        event.waitUntil(caches.open(SHELL).then((cache) => cache.put(req, copy)))
      }
      return res
    })())
  }
})
