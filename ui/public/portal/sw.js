// The portal's service worker (scope /portal/): it keeps the portal's shell
// (its page, scripts, styles and icons) so the portal opens on a bad
// connection. It never touches /api/: requests, messages and everything a
// customer sees come live from the server, or not at all.
const CACHE = 'vinculo-portal-shell-v1'
const SHELL = ['/portal/', '/portal/manifest.webmanifest', '/portal/icon.svg', '/portal/icon-192.png']

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()))
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('vinculo-portal-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  )
})

function isShell(url) {
  if (url.origin !== self.location.origin) return false
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/_/')) return false
  return url.pathname.startsWith('/portal') || url.pathname.startsWith('/assets/')
}

self.addEventListener('fetch', (event) => {
  const req = event.request
  if (req.method !== 'GET') return
  const url = new URL(req.url)
  if (!isShell(url)) return // the API, realtime and files go straight to the network

  if (req.mode === 'navigate') {
    // Pages: the network first (a new version at once), the kept shell offline.
    event.respondWith(
      fetch(req)
        .then((res) => {
          if (res.ok) {
            const copy = res.clone()
            caches.open(CACHE).then((c) => c.put('/portal/', copy))
          }
          return res
        })
        .catch(() => caches.match('/portal/')),
    )
    return
  }
  // Hashed build files never change: the cache first, kept as they arrive.
  event.respondWith(
    caches.match(req).then((hit) => hit || fetch(req).then((res) => {
      if (res.ok && (url.pathname.startsWith('/assets/') || url.pathname.startsWith('/portal/'))) {
        const copy = res.clone()
        caches.open(CACHE).then((c) => c.put(req, copy))
      }
      return res
    })),
  )
})
