// The first load of the contacts page, as a staff member sees it: Debian's
// Chromium (playwright-core) opens <url>/contacts signed in, in a fresh
// browser context each time (empty HTTP cache, no service worker), and
// measures from navigation start to the first contact row on screen. It also
// reads, from the browser's resource timing, how long the contacts list
// request itself took, so the page's cost can be compared with its API call.
//
//   node e2e/first-rows.mjs <url> <email> <password> [loads=10]
//
// Prints one JSON line: {"loads": n, "first_row_ms": [...], "api_ms": [...],
// "api_start_ms": [...] (when the list request left), "dom_content_loaded_ms": [...]
// (the page's scripts loaded and run), "rows": n}.
import { chromium } from 'playwright-core'

const [url, email, password, loadsArg] = process.argv.slice(2)
if (!url || !email || !password) {
  console.error('usage: node e2e/first-rows.mjs <url> <email> <password> [loads]')
  process.exit(2)
}
const loads = Number(loadsArg) || 10

const res = await fetch(`${url}/api/collections/staff/auth-with-password`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ identity: email, password }),
})
if (!res.ok) {
  console.error(`sign-in of ${email}: ${res.status}`)
  process.exit(1)
}
const auth = await res.json()

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
})

const firstRow = []
const api = []
const apiStart = []
const scriptsRun = []
let rows = 0
try {
  for (let i = 0; i < loads; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: 'block' })
    // Signed in as the SDK keeps it, and a watcher of the first row, both before any script of the page.
    await context.addInitScript(({ token, record }) => {
      localStorage.setItem('vinculo_staff_auth', JSON.stringify({ token, record }))
      new MutationObserver((_, observer) => {
        if (document.querySelector('tbody td.name a')) {
          window.__firstRow = performance.now() // since navigation start
          observer.disconnect()
        }
      }).observe(document, { childList: true, subtree: true })
    }, { token: auth.token, record: auth.record })
    const page = await context.newPage()
    await page.goto(`${url}/contacts`, { waitUntil: 'commit' })
    await page.waitForFunction(() => window.__firstRow !== undefined, null, { timeout: 60000 })
    const m = await page.evaluate(() => {
      const list = performance.getEntriesByType('resource').find((e) => e.name.includes('/api/collections/contacts/records'))
      const nav = performance.getEntriesByType('navigation')[0]
      return { first: window.__firstRow, api: list ? list.duration : null, apiStart: list ? list.startTime : null, dcl: nav ? nav.domContentLoadedEventEnd : null, rows: document.querySelectorAll('tbody td.name a').length }
    })
    firstRow.push(Math.round(m.first * 10) / 10)
    if (m.api !== null) api.push(Math.round(m.api * 10) / 10)
    if (m.apiStart !== null) apiStart.push(Math.round(m.apiStart * 10) / 10)
    if (m.dcl !== null) scriptsRun.push(Math.round(m.dcl * 10) / 10)
    rows = m.rows
    await context.close()
  }
} finally {
  await browser.close()
}
console.log(JSON.stringify({ loads, first_row_ms: firstRow, api_ms: api, api_start_ms: apiStart, dom_content_loaded_ms: scriptsRun, rows }))
