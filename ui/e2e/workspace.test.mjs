// Browser tests of the staff workspace: Debian's Chromium driven by
// playwright-core against a real Vinculo server (built from this repository,
// fresh demo data, a free loopback port). Screenshots of each page at desktop
// and phone size go to e2e/screenshots/ (ignored by git).
//
//   node --test e2e/        (after `npm run build`, so the binary embeds the UI)
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { startServer, apiToken, api } from './server.mjs'

const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url))
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
const DESKTOP = { viewport: { width: 1280, height: 800 } }
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }
const RAFAEL = 'rafael@vinculo.example'
const PASSWORD = 'vinculo-demo-2026'
const JOAO = 'ct0000000000001' // João Conceição, of the demo business

let server
let browser
const pageErrors = []

async function newPage(options) {
  const context = await browser.newContext({ locale: 'en-US', timezoneId: 'America/Sao_Paulo', ...options })
  context.setDefaultTimeout(10000)
  const page = await context.newPage()
  page.on('pageerror', (err) => pageErrors.push(`${page.url()}: ${err.message}`))
  page.on('console', (msg) => {
    if (msg.type() === 'error') pageErrors.push(`${page.url()}: console: ${msg.text()}`)
  })
  return page
}

async function shot(page, name, { fullPage = false } = {}) {
  await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage })
}

async function signIn(page, email = RAFAEL) {
  await page.goto(`${server.url}/`)
  await page.locator('#signin-email').fill(email)
  await page.locator('#signin-password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.locator('nav#main-nav').waitFor({ state: 'attached' })
}

/** A day a week from now as YYYY-MM-DD. */
function dayInAWeek() {
  const d = new Date(Date.now() + 7 * 86400000)
  return d.toISOString().slice(0, 10)
}

describe('staff workspace in Chromium', { timeout: 240000 }, () => {
  before(async () => {
    mkdirSync(SHOTS, { recursive: true })
    server = await startServer()
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync'],
    })
  })

  after(async () => {
    await browser?.close().catch(() => {})
    await server?.stop()
  })

  test('a wrong password is refused and what was typed stays', async () => {
    const page = await newPage(DESKTOP)
    await page.goto(`${server.url}/`)
    await page.locator('#signin-email').fill(RAFAEL)
    await page.locator('#signin-password').fill('not-the-password')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('alert').filter({ hasText: 'The email or the password is not right.' }).waitFor()
    assert.equal(await page.locator('#signin-email').inputValue(), RAFAEL)
    await shot(page, 'signin-desktop')
    await page.context().close()
  })

  test('sign in as Rafael, find João with Ctrl+K, log a call with a follow-up', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page)
    // Rafael's profile says pt-BR: the workspace speaks Portuguese.
    await page.getByRole('navigation', { name: 'Principal' }).getByRole('link', { name: 'Contatos' }).waitFor()
    assert.equal(await page.locator('html').getAttribute('lang'), 'pt-BR')
    await shot(page, 'home-desktop')

    await page.keyboard.press('Control+k')
    const box = page.getByRole('combobox', { name: 'Buscar em tudo' })
    await box.waitFor()
    await box.pressSequentially('joao', { delay: 30 })
    const hit = page.getByRole('option').filter({ hasText: 'João Conceição' })
    await hit.waitFor()
    await shot(page, 'search-desktop')
    await hit.click()
    await page.waitForURL(`**/contacts/${JOAO}`)
    await page.getByRole('heading', { level: 1, name: 'João Conceição' }).waitFor()

    // The header in plain words, the open-request banner, the timeline.
    const prefs = await page.getByTestId('preferences').innerText()
    assert.match(prefs, /Prefere e-mail, dias úteis 9–20, horário de São Paulo/)
    await page.getByTestId('open-case-banner').waitFor()
    assert.ok(await page.locator('.entries .entry').count() > 0, 'the timeline shows entries')
    await page.locator('.live').waitFor() // realtime subscribed
    await shot(page, 'contact360-desktop')
    await shot(page, 'contact360-desktop-full', { fullPage: true })

    // Log a call with a follow-up on a chosen day.
    const subject = `Ligação de teste ${Date.now()}`
    const day = dayInAWeek()
    await page.getByRole('radio', { name: 'Ligação' }).check()
    await page.getByLabel('Assunto').fill(subject)
    await page.getByLabel('Anotações').fill('Cliente pediu proposta de upgrade.')
    await page.getByLabel('Resultado').fill('atendeu')
    await page.getByLabel('Minutos').fill('12')
    await page.getByLabel('Tarefa de retorno').check()
    await page.getByLabel('Data do retorno').fill(day)
    await page.getByRole('button', { name: 'Salvar na linha do tempo' }).click()

    const entry = page.locator('.entries .entry').first()
    await entry.filter({ hasText: subject }).waitFor()
    assert.match(await entry.innerText(), /Resultado: atendeu/)
    assert.match(await entry.innerText(), /12 min/)
    await page.getByTestId('tasks').getByText(`Follow up: ${subject}`).waitFor()
    await shot(page, 'contact360-after-call-desktop', { fullPage: true })
    // The composer is empty again after a save.
    assert.equal(await page.getByLabel('Assunto').inputValue(), '')

    // Behind the browser's back: the follow-up task exists, Rafael's, due that day at 09:00 São Paulo time.
    const token = await apiToken(server.url, RAFAEL)
    const acts = await api(server.url, token, `/api/collections/activities/records?filter=${encodeURIComponent(`subject="${subject}"`)}`)
    assert.equal(acts.items.length, 1)
    const activity = acts.items[0]
    assert.equal(activity.type, 'call')
    assert.equal(activity.contact, JOAO)
    assert.equal(activity.outcome, 'atendeu')
    assert.equal(activity.duration_minutes, 12)
    const tasks = await api(server.url, token, `/api/collections/tasks/records?filter=${encodeURIComponent(`activity="${activity.id}"`)}`)
    assert.equal(tasks.items.length, 1, 'one follow-up task')
    const task = tasks.items[0]
    assert.equal(task.status, 'open')
    assert.equal(task.contact, JOAO)
    assert.equal(task.assignee, activity.staff)
    assert.equal(task.due, `${day} 12:00:00.000Z`)

    // Live: a colleague's note arrives without a reload.
    const marina = await apiToken(server.url, 'marina@vinculo.example')
    const me = await api(server.url, marina, '/api/collections/staff/auth-refresh', { method: 'POST' })
    const note = `Nota ao vivo ${Date.now()}`
    await api(server.url, marina, '/api/collections/activities/records', {
      method: 'POST',
      body: { type: 'note', actor_type: 'staff', staff: me.record.id, contact: JOAO, subject: note, body: 'Escrita pela Marina.' },
    })
    await page.locator('.entries .entry').first().filter({ hasText: note }).waitFor()
    assert.match(await page.locator('.entries .entry').first().innerText(), /Marina/)

    // Filters: only calls, then load more stays within the filter.
    await page.getByLabel('Tipo').selectOption('call')
    await page.locator('.entries .entry').first().filter({ hasText: subject }).waitFor()
    for (const text of await page.locator('.entries .entry .badge').allInnerTexts()) assert.equal(text.trim(), 'Ligação')
    await page.getByLabel('Tipo').selectOption('')
    await page.locator('.entries .entry').first().filter({ hasText: note }).waitFor()

    // The language switch: English on screen and in Rafael's profile.
    await page.getByLabel('Idioma').selectOption('en')
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Contacts' }).waitFor()
    assert.match(await page.getByTestId('preferences').innerText(), /Prefers email, weekdays 9–20, São Paulo time/)
    let language = ''
    for (let i = 0; i < 50 && language !== 'en'; i++) {
      language = (await api(server.url, token, `/api/collections/staff/records/${activity.staff}`)).language
      if (language !== 'en') await new Promise((r) => setTimeout(r, 100))
    }
    assert.equal(language, 'en', 'the choice is kept in Rafael’s profile')
    await page.context().close()
  })

  test('contacts: list, sort, instant search, create with messages next to the field', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page)
    await page.getByRole('navigation').getByRole('link', { name: 'Contacts' }).click()
    await page.waitForURL('**/contacts')
    const rows = page.locator('tbody tr:not(.empty)')
    await rows.first().waitFor()
    assert.equal(await rows.count(), 25, 'a full first page')
    await shot(page, 'contacts-desktop')

    // Paging: next page, other rows.
    const firstName = await rows.first().locator('td.name a').innerText()
    await page.getByRole('button', { name: 'Next' }).click()
    await page.getByText('Page 2').waitFor()
    await page.waitForFunction((n) => document.querySelector('tbody tr td.name a')?.textContent !== n, firstName)
    await page.getByRole('button', { name: 'Previous' }).click()
    await page.getByText('Page 1').waitFor()

    // Sort by name ascending.
    await page.getByRole('button', { name: 'Sort by Name' }).click()
    await page.locator('th[aria-sort="ascending"]').filter({ hasText: 'Name' }).waitFor()
    await page.waitForFunction(() => {
      const names = [...document.querySelectorAll('tbody td.name a')].map((a) => a.textContent)
      return names.length > 1 && names.every((n, i) => i === 0 || names[i - 1].localeCompare(n) <= 0)
    })

    // Instant search.
    await page.getByLabel('Search contacts').fill('joao')
    await page.getByText('Best matches for “joao”').waitFor()
    await rows.filter({ hasText: 'João Conceição' }).waitFor()
    for (const name of await rows.locator('td.name a').allInnerTexts()) assert.match(name, /João/)
    await page.getByLabel('Search contacts').fill('')
    await page.getByRole('button', { name: 'Next' }).waitFor()

    // Create: a missing name is caught here; a phone too long by the server; nothing typed is lost.
    await page.getByRole('button', { name: 'New contact' }).click()
    await page.getByRole('button', { name: 'Create contact' }).click()
    await page.locator('#cf-name-error').filter({ hasText: 'Required.' }).waitFor()
    await page.locator('#cf-name').fill('Beatriz Teste E2E')
    await page.locator('#cf-email').fill('beatriz.e2e@example.com')
    await page.locator('#cf-phone').fill('9'.repeat(41))
    await page.locator('#cf-stage').selectOption('lead')
    await page.getByRole('button', { name: 'Create contact' }).click()
    await page.locator('#cf-phone-error').waitFor()
    assert.equal(await page.locator('#cf-phone').getAttribute('aria-invalid'), 'true')
    assert.equal(await page.locator('#cf-name').inputValue(), 'Beatriz Teste E2E')
    assert.equal(await page.locator('#cf-email').inputValue(), 'beatriz.e2e@example.com')
    await shot(page, 'contacts-form-error-desktop')
    await page.locator('#cf-phone').fill('+55 11 99999-0000')
    await page.getByRole('button', { name: 'Create contact' }).click()
    await page.getByRole('heading', { level: 1, name: 'Beatriz Teste E2E' }).waitFor()
    assert.match(page.url(), /\/contacts\/[a-z0-9]{15}$/)

    // The session survives a reload (the SDK's auth store); signing out ends it.
    await page.reload()
    await page.getByRole('heading', { level: 1, name: 'Beatriz Teste E2E' }).waitFor()
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.locator('#signin-email').waitFor()
    await page.reload()
    await page.locator('#signin-email').waitFor()
    assert.equal(await page.evaluate(() => localStorage.getItem('vinculo_staff_auth')), null)
    await page.context().close()
  })

  test('phone size: sign-in, contacts and the 360 page', async () => {
    const page = await newPage(PHONE)
    await page.goto(`${server.url}/`)
    await page.locator('#signin-email').waitFor()
    await shot(page, 'signin-phone')
    await signIn(page, 'marina@vinculo.example') // pt-BR in her profile
    await page.goto(`${server.url}/contacts`)
    await page.locator('tbody tr td.name a').first().waitFor()
    await shot(page, 'contacts-phone')
    // The menu opens and closes with the keyboard-reachable button.
    const menu = page.getByRole('button', { name: 'Menu' })
    await menu.click()
    await page.getByRole('navigation', { name: 'Principal' }).getByRole('link', { name: 'Contatos' }).waitFor()
    await shot(page, 'menu-phone')
    await menu.click()
    await page.goto(`${server.url}/contacts/${JOAO}`)
    await page.getByRole('heading', { level: 1, name: 'João Conceição' }).waitFor()
    await page.locator('.entries .entry').first().waitFor()
    await shot(page, 'contact360-phone')
    await shot(page, 'contact360-phone-full', { fullPage: true })
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    assert.ok(overflow <= 0, `the 360 page is ${overflow}px wider than the phone`)
    await page.context().close()
  })

  test('no script errors on any page', () => {
    assert.deepEqual(pageErrors.filter((e) => !/Failed to load resource: the server responded with a status of 400/.test(e)), [])
  })
})
