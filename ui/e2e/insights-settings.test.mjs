// Browser test of Settings → Business's currency and conversion rates (the
// Insights boards give money in that currency, convert at these rates and
// show the rest apart): a bad rate is refused with the server's field named
// and what was typed kept; a good one is saved. Screenshots at desktop and
// phone size go to e2e/screenshots/insights-settings-*.png.
//
//   /work/e2e-run.sh sales e2e/insights-settings.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { apiToken, api } from './server.mjs'
import { browserKit, DESKTOP, PHONE, MARINA } from './kit.mjs'

const { start, stop, newPage, signIn, shot, noSidewaysScroll } = browserKit({ prefix: 'insights-settings', user: MARINA, consoleErrors: /status of 400/, noPageErrors: true })
let server

describe('the business’s currency and rates in Chromium', { timeout: 180000 }, () => {
  before(async () => {
    server = await start()
  })
  after(async () => {
    await stop()
  })

  test('a manager keeps the currency and a rate; a bad rate is refused beside the field', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page)
    await page.goto(`${server.url}/settings/business`)
    await page.locator('#biz-currency').waitFor()
    assert.equal(await page.locator('#biz-currency').inputValue(), 'BRL', 'the configuration’s currency')

    await page.getByRole('button', { name: /Adicionar uma taxa|Add a rate/ }).click()
    await page.getByLabel(/Moeda da taxa 1|Currency of rate 1/).fill('usd')
    await page.getByLabel(/Taxa 1, em BRL|Rate 1, in BRL/).fill('cinco')
    await page.locator('form.biz button[type=submit]').click()
    await page.locator('#biz-rates-error').waitFor()
    assert.match(await page.locator('#biz-rates-error').textContent(), /número maior que zero|number above zero/)
    assert.equal(await page.getByLabel(/Moeda da taxa 1|Currency of rate 1/).inputValue(), 'usd', 'what was typed stays')
    const token = await apiToken(server.url, MARINA)
    let row = (await api(server.url, token, '/api/collections/business_settings/records')).items[0]
    assert.deepEqual(row.rates ?? {}, {}, 'nothing saved')
    await shot(page, 'rate-error-desktop')

    await page.getByLabel(/Taxa 1, em BRL|Rate 1, in BRL/).fill('5,25')
    await page.locator('form.biz button[type=submit]').click()
    await page.locator('.biz [role=status]').waitFor()
    row = (await api(server.url, token, '/api/collections/business_settings/records')).items[0]
    assert.equal(row.currency, 'BRL')
    assert.deepEqual(row.rates, { USD: 5.25 })
    assert.equal(await page.getByLabel(/Moeda da taxa 1|Currency of rate 1/).inputValue(), 'USD')
    await page.locator('#biz-currency').scrollIntoViewIfNeeded()
    await shot(page, 'saved-desktop')
    await noSidewaysScroll(page, 'the business settings (desktop)')

    await page.setViewportSize(PHONE.viewport)
    await page.locator('#biz-currency').scrollIntoViewIfNeeded()
    await shot(page, 'saved-phone')
    await noSidewaysScroll(page, 'the business settings (phone)')
    await page.context().close()
  })
})
