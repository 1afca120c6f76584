// What the browser tests share: the demo business's people, the screen
// sizes, and browserKit(), which starts a server and Chromium for one test
// file and gives it pages that collect their errors, a staff sign-in, the
// screenshots under e2e/screenshots/<prefix>-<name>.png and the check that a
// page is no wider than the screen.
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { startServer, launchChromium } from './server.mjs'

export const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url))

// The demo business (`vinculo demo`).
export const MARINA = 'marina@vinculo.example' // manager, pt-BR
export const RAFAEL = 'rafael@vinculo.example' // agent, pt-BR
export const BEATRIZ = 'beatriz@vinculo.example' // readonly, en
export const PASSWORD = 'vinculo-demo-2026'
export const JOAO = 'ct0000000000001' // João Conceição, a customer
export const JOAO_EMAIL = 'joao.conceicao@padariapaodourado1.example'

export const DESKTOP = { viewport: { width: 1280, height: 800 } }
export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }

/**
 * Holds the page's requests to the API path `pathname` (any query) until the
 * returned function is called: a test sees the page in the moment before an
 * answer comes, then lets it come.
 * @returns {Promise<() => void>} release
 */
export async function holdAnswers(page, pathname) {
  let release
  const held = new Promise((resolve) => (release = resolve))
  await page.route((url) => url.pathname === pathname, async (route) => {
    await held
    await route.continue()
  })
  return release
}

/**
 * One test file's server, browser and helpers. Call start() in before() and
 * stop() in after().
 *
 *   prefix        the screenshots' file name prefix (e.g. 'deals'); '' for none
 *   locale, timezoneId, timeout   each new page's context
 *   context       more browser-context options (defaults: serviceWorkers 'block')
 *   consoleErrors false: console errors are not collected; true: all are;
 *                 a RegExp: all but those it matches (e.g. /status of 400/)
 *   user          whom signIn() signs in when no email is given
 *   enter         signIn() submits with Enter rather than the button
 *   widthOnShot   shot() first checks the page is no wider than the screen
 *   screenshot    default options of shot()'s page.screenshot (e.g. fullPage)
 *   noPageErrors  stop() asserts that no page had an error
 */
export function browserKit({
  prefix,
  locale = 'en-US',
  timezoneId = 'America/Sao_Paulo',
  timeout = 10000,
  context = {},
  consoleErrors = false,
  user,
  enter = false,
  widthOnShot = false,
  screenshot = {},
  noPageErrors = false,
} = {}) {
  const pageErrors = []
  let server
  let browser

  /** Starts the server (options as startServer's) and Chromium; the server. */
  async function start(serverOptions) {
    mkdirSync(SHOTS, { recursive: true })
    server = await startServer(serverOptions)
    browser = await launchChromium(chromium)
    return server
  }

  async function stop() {
    await browser?.close().catch(() => {})
    await server?.stop()
    if (noPageErrors) assert.deepEqual(pageErrors, [], 'no errors in the pages')
  }

  /** A page in a new context (options added to the kit's), its errors collected in pageErrors. */
  async function newPage(options) {
    const ctx = await browser.newContext({ locale, timezoneId, serviceWorkers: 'block', ...context, ...options })
    ctx.setDefaultTimeout(timeout)
    const page = await ctx.newPage()
    page.on('pageerror', (err) => pageErrors.push(`${page.url()}: ${err.message}`))
    if (consoleErrors) {
      page.on('console', (msg) => {
        // A refused request is logged by the browser itself: the tests make some on purpose.
        if (msg.type() === 'error' && !(consoleErrors instanceof RegExp && consoleErrors.test(msg.text()))) {
          pageErrors.push(`${page.url()}: console: ${msg.text()}`)
        }
      })
    }
    return page
  }

  /** Signs a staff member in through the sign-in page and waits for the workspace. */
  async function signIn(page, email = user, password = PASSWORD) {
    await page.goto(`${server.url}/`)
    await page.locator('#signin-email').fill(email)
    await page.locator('#signin-password').fill(password)
    if (enter) await page.locator('#signin-password').press('Enter')
    else await page.locator('form button[type=submit]').click()
    await page.locator('nav#main-nav').waitFor({ state: 'attached' })
  }

  /** The page is no wider than the screen. */
  async function noSidewaysScroll(page, what) {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    assert.ok(overflow <= 0, `${what} is ${overflow}px wider than the screen`)
  }

  /** A screenshot to screenshots/<prefix>-<name>.png, or <name>.png when the prefix is '' (options: page.screenshot's, and prefix). */
  async function shot(page, name, { prefix: own = prefix, ...options } = {}) {
    if (widthOnShot) await noSidewaysScroll(page, name)
    await page.screenshot({ path: `${SHOTS}${own ? `${own}-` : ''}${name}.png`, ...screenshot, ...options })
  }

  return { start, stop, newPage, signIn, shot, noSidewaysScroll, pageErrors }
}
