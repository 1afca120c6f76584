// Browser test of the customer value model's page: the manager (Marina)
// finds it from Insights, fits the model on the demo's orders, sees what it
// was fitted on, the purchase model's parameters in plain words (or why
// not), the spend model or the reason it was refused, and the holdout check
// against the naive forecast; a split day too late is refused beside its
// field, keeping what was typed; an agent sees no model. Screenshots at
// desktop and phone size go to e2e/screenshots/predictions-*.png.
//
//   /work/e2e-run.sh predictions e2e/predictions.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { browserKit, DESKTOP, PHONE, MARINA, RAFAEL } from './kit.mjs'

const { start, stop, newPage, signIn, shot, noSidewaysScroll } = browserKit({ prefix: 'predictions', consoleErrors: /status of (400|403)/, noPageErrors: true })
let server

describe('the customer value model in Chromium', { timeout: 300000 }, () => {
  before(async () => {
    server = await start()
  })
  after(async () => {
    await stop()
  })

  test('a manager opens the model from Insights and fits it on the demo', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page, MARINA)
    await page.goto(`${server.url}/insights`)
    await page.getByTestId('model-link').click()
    await page.waitForURL(/\/predictions$/)
    await page.getByTestId('fit-now').waitFor()

    // A split day that is not before yesterday: the server's words beside it.
    const today = new Date().toISOString().slice(0, 10)
    await page.locator('#pred-split').fill(today)
    await page.getByTestId('fit-now').click()
    await page.locator('#pred-split-error').waitFor()
    assert.equal(await page.locator('#pred-split').inputValue(), today, 'what was typed stays')

    await page.locator('#pred-split').fill('')
    await page.getByTestId('fit-now').click()
    await page.getByTestId('fitted-at').waitFor({ timeout: 120000 })
    const customers = Number((await page.getByTestId('data-customers').innerText()).replace(/\D/g, ''))
    assert.ok(customers > 0, `the demo's buyers were fitted on: ${customers}`)
    // The purchase model: fitted with its four parameters, or why not.
    if (await page.getByTestId('bg-meaning').count()) {
      for (const p of ['r', 'alpha', 'a', 'b']) assert.equal(await page.locator(`tr[data-param=${p}]`).count(), 1, p)
      // The spend model: its meaning or the reason it was refused.
      assert.ok(await page.getByTestId('gg-meaning').count() + await page.getByTestId('gg-refusal').count() === 1)
      await page.getByTestId('evaluation').waitFor()
      assert.match(await page.getByTestId('verdict').innerText(), /naive|ingênua/)
    } else {
      await page.getByTestId('bg-error').waitFor()
    }
    await shot(page, 'model-desktop')
    await noSidewaysScroll(page, 'the model page (desktop)')

    const phone = await newPage(PHONE)
    await signIn(phone, MARINA)
    await phone.goto(`${server.url}/predictions`)
    await phone.getByTestId('fitted-at').waitFor()
    await shot(phone, 'model-phone')
    await noSidewaysScroll(phone, 'the model page (phone)')
    await phone.locator('details summary').first().click().catch(() => {})
    await phone.getByRole('heading', { name: /holdout|retidos/ }).scrollIntoViewIfNeeded()
    await shot(phone, 'model-evaluation-phone')
    await noSidewaysScroll(phone, 'the evaluation (phone)')
  })

  test('an agent sees no model and no link to it', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page, RAFAEL)
    await page.goto(`${server.url}/insights`)
    await page.locator('.figures').waitFor()
    assert.equal(await page.getByTestId('model-link').count(), 0)
    await page.goto(`${server.url}/predictions`)
    await page.locator('.alert.warn').waitFor()
    assert.equal(await page.getByTestId('fit-now').count(), 0)
  })
})
