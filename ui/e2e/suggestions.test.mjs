// Browser tests of next best action (issue 18): on the demo after a fit, a
// contact's suggestions with their reasons on the 360 page, accepting one
// (a task for whoever accepts, the decision listed), the salesperson's Home
// card, and the portal's "Your profile and offers": João sees why he was
// offered what he was, objects to profiling with one click, his
// suggestions disappear (the staff page no longer shows them), and he
// allows it again. Screenshots at desktop and phone size go to
// e2e/screenshots/suggestions-*.png.
//
//   /work/e2e-run.sh suggestions e2e/suggestions.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { apiToken, api } from './server.mjs'
import { startSmtpSink } from './portal-smtp.mjs'
import { browserKit, SHOTS, DESKTOP, PHONE, MARINA, RAFAEL, JOAO, JOAO_EMAIL } from './kit.mjs'

const { start, stop, newPage, signIn, shot, noSidewaysScroll } = browserKit({ prefix: 'suggestions', noPageErrors: true })
let server
let smtp
let manager
const q = (s) => encodeURIComponent(s)

async function openSuggestions(contact) {
  const res = await api(server.url, manager, `/api/collections/suggestions/records?perPage=200&filter=${q(`contact="${contact}" && state="open"`)}`)
  return res.items
}

async function signInCustomer(page) {
  await page.goto(`${server.url}/portal/`)
  await page.locator('#signin-email').fill(JOAO_EMAIL)
  const since = smtp.messages.length
  await page.locator('main form button[type=submit]').click()
  await page.locator('#signin-code').waitFor()
  await page.locator('#signin-code').fill(await smtp.codeFor(JOAO_EMAIL, since))
  await page.locator('main form button[type=submit]').click()
  await page.getByTestId('me-name').waitFor()
}

describe('next best action in Chromium', { timeout: 300000 }, () => {
  before(async () => {
    smtp = await startSmtpSink()
    server = await start({ env: { VINCULO_SMTP_HOST: '127.0.0.1', VINCULO_SMTP_PORT: String(smtp.port), VINCULO_SMTP_SENDER: 'portal@vinculo.example' } })
    manager = await apiToken(server.url, MARINA)
    const fit = await api(server.url, manager, '/api/crm/insights/model/fit', { method: 'POST', body: {} })
    assert.ok(fit.fit.scored > 0, 'the demo fit scored customers')
  })

  after(async () => {
    await stop()
    await smtp?.stop()
  })

  test('the 360 page: João’s suggestions with their reasons', async () => {
    const mine = await openSuggestions(JOAO)
    assert.ok(mine.length > 0, 'João has suggestions after the fit')
    for (const [size, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      const page = await newPage(options)
      await signIn(page, MARINA)
      await page.goto(`${server.url}/contacts/${JOAO}`)
      const card = page.getByTestId('suggestions')
      await card.getByTestId('suggestion').first().waitFor()
      assert.equal(await card.getByTestId('suggestion').count(), mine.length, 'every open suggestion is shown')
      const first = card.getByTestId('suggestion').first()
      assert.ok(await first.locator('.reasons li').count() > 0, 'with its reasons')
      assert.match(await first.locator('.reasons').innerText(), /\d/, 'and the numbers behind them')
      await card.scrollIntoViewIfNeeded()
      await noSidewaysScroll(page, `the 360 page (${size})`)
      await card.screenshot({ path: `${SHOTS}suggestions-360-card-${size}.png` })
      await shot(page, `360-${size}`, { fullPage: true })
      await page.context().close()
    }
  })

  test('accepting makes a task, and the decision is listed', async () => {
    // a contact with an open suggestion other than João (whose are kept for the portal)
    const res = await api(server.url, manager, `/api/collections/suggestions/records?perPage=1&sort=-rank&filter=${q(`state="open" && contact!="${JOAO}"`)}`)
    assert.ok(res.items.length, 'another contact has a suggestion')
    const s = res.items[0]
    const page = await newPage(DESKTOP)
    await signIn(page, MARINA)
    await page.goto(`${server.url}/contacts/${s.contact}`)
    const card = page.getByTestId('suggestions')
    await card.getByTestId('suggestion').first().getByRole('button', { name: /Aceitar|Accept/ }).click()
    const title = card.locator('form.answer input[type=text]')
    assert.ok((await title.inputValue()).length > 0, 'the task is titled for me')
    await title.fill('')
    await card.locator('form.answer button[type=submit]').click()
    await card.locator('.field-error').waitFor()
    await title.fill('Ligar e oferecer')
    await card.locator('form.answer textarea').fill('Boa hora para oferecer')
    await shot(page, 'accept-desktop')
    await card.locator('form.answer button[type=submit]').click()
    await card.getByTestId('suggestion-decided').first().waitFor({ state: 'attached' })
    const after = await api(server.url, manager, `/api/collections/suggestions/records/${s.id}`)
    assert.equal(after.state, 'accepted')
    assert.equal(after.note, 'Boa hora para oferecer')
    const task = await api(server.url, manager, `/api/collections/tasks/records/${after.task}`)
    assert.equal(task.title, 'Ligar e oferecer')
    await page.context().close()
  })

  test('Home: the salesperson’s suggestions for the contacts they own', async () => {
    const staff = await api(server.url, manager, '/api/collections/staff/records?perPage=50')
    const rafael = staff.items.find((x) => x.email === RAFAEL)
    const res = await api(server.url, manager, `/api/collections/suggestions/records?perPage=1&filter=${q(`owner="${rafael.id}" && state="open"`)}`)
    assert.ok(res.totalItems > 0, 'Rafael owns contacts with suggestions')
    for (const [size, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      const page = await newPage(options)
      await signIn(page, RAFAEL)
      const card = page.getByTestId('my-suggestions')
      await card.getByTestId('my-suggestion').first().waitFor()
      assert.equal(await card.getByTestId('my-suggestion').count(), Math.min(5, res.totalItems))
      await card.scrollIntoViewIfNeeded()
      await card.screenshot({ path: `${SHOTS}suggestions-home-card-${size}.png` })
      await noSidewaysScroll(page, `Home (${size})`)
      await shot(page, `home-${size}`, { fullPage: true })
      await page.context().close()
    }
  })

  test('the portal: João sees why, objects with one click, and his suggestions are gone', async () => {
    const before = await openSuggestions(JOAO)
    assert.ok(before.length > 0)
    for (const [size, options] of [['phone', PHONE], ['desktop', DESKTOP]]) {
      const page = await newPage(options)
      await signInCustomer(page)
      await page.goto(`${server.url}/portal/profiling`)
      await page.getByTestId('profiling-model').waitFor()
      if (size === 'phone') {
        assert.ok(await page.getByTestId('profiling-suggestion').count() >= before.length, 'his suggestions, with why')
        assert.ok(await page.getByTestId('profiling-suggestion').first().locator('.why li').count() > 0)
        await noSidewaysScroll(page, `the profile page (${size})`)
        await shot(page, `portal-${size}`, { fullPage: true })
        await page.context().close()
        continue
      }
      await shot(page, `portal-${size}`, { fullPage: true })
      await page.getByTestId('profiling-object-button').click()
      await page.getByTestId('profiling-objected').waitFor()
      assert.equal(await page.getByTestId('profiling-suggestion').count(), 0, 'no suggestion left on his page')
      await noSidewaysScroll(page, `the objection (${size})`)
      await shot(page, `portal-objected-${size}`, { fullPage: true })
      assert.equal((await openSuggestions(JOAO)).length, 0, 'none stored')
      const scores = await api(server.url, manager, `/api/collections/customer_scores/records?filter=${q(`contact="${JOAO}"`)}`)
      assert.equal(scores.totalItems, 0, 'no score stored')

      // The staff page no longer shows them.
      const staffPage = await newPage(DESKTOP)
      await signIn(staffPage, MARINA)
      await staffPage.goto(`${server.url}/contacts/${JOAO}`)
      const card = staffPage.getByTestId('suggestions')
      await card.locator('p.muted').filter({ hasText: /Nenhuma sugestão|No suggestion/ }).waitFor() // read, not loading
      assert.equal(await card.getByTestId('suggestion').count(), 0)
      await staffPage.context().close()

      // Undo: profiling allowed again.
      await page.getByTestId('profiling-resume').click()
      await page.getByTestId('profiling-object').waitFor()
      await page.getByTestId('profiling-done').waitFor()
      await page.context().close()
    }
  })
})
