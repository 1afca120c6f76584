// Browser tests of the services a customer runs (issue 19, item 5): João
// moves his fibre plan up and sees the prorated difference for the rest of
// the period before he confirms it (the charge made is the amount shown);
// he cancels another at the end of its period with a reason (it stays active
// until then, the reason kept); he starts a service from the catalogue,
// billed yearly, paid by transfer. Screenshots of the services page and the
// change dialog at 1280×800 and 390×844 go to e2e/screenshots/services-*.png.
//
//   /work/e2e-run.sh services e2e/services.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { apiToken, api } from './server.mjs'
import { startSmtpSink } from './portal-smtp.mjs'
import { browserKit, DESKTOP, PHONE, MARINA, JOAO, JOAO_EMAIL } from './kit.mjs'

const { start, stop, newPage, shot, noSidewaysScroll } = browserKit({
  prefix: 'services',
  consoleErrors: /status of 4\d\d|Failed to load resource/,
  noPageErrors: true,
})
const FIBRA_300 = 'pr0000000000001' // the demo's, 119.90 a month or 1199.00 a year
const FIBRA_600 = 'pr0000000000005' // 159.90 a month
let server
let smtp
let manager
let session // João's signed-in browser state

const q = (s) => encodeURIComponent(s)
/** "R$ 13,33" → 13.33 */
const amountOf = (text) => Number(text.replace(/[^\d,.-]/g, '').replace(/\./g, '').replace(',', '.'))

/** Signs João in to the portal with the code from his mail. */
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

/** A subscription of João's to plan, started `days` ago by staff, paid by transfer. */
async function subscription(plan, days) {
  const started = new Date(Date.now() - days * 86400000).toISOString().replace('T', ' ')
  return api(server.url, manager, '/api/collections/subscriptions/records', { method: 'POST',
    body: { contact: JOAO, product: plan, started_at: started, payment_method: 'bank_transfer' } })
}

describe('services a customer runs, in Chromium', { timeout: 300000 }, () => {
  before(async () => {
    smtp = await startSmtpSink()
    server = await start({ env: { VINCULO_SMTP_HOST: '127.0.0.1', VINCULO_SMTP_PORT: String(smtp.port), VINCULO_SMTP_SENDER: 'portal@vinculo.example',
      VINCULO_PORTAL_SUBSCRIPTION_ACTIONS: 'pause,resume,cancel,change_plan' } })
    manager = await apiToken(server.url, MARINA)
    await api(server.url, manager, '/api/crm/payment-settings/bank_transfer', { method: 'PUT', body: { active: true, details: 'Banco 001, agência 1234, conta 56789-0' } })
    await api(server.url, manager, `/api/collections/products/records/${FIBRA_300}`, { method: 'PATCH', body: { in_catalogue: true } })
  })

  after(async () => {
    await stop()
    await smtp?.stop()
  })

  test('an upgrade: the prorated difference previewed, then charged as shown', async () => {
    const sub = await subscription(FIBRA_300, 10)
    const page = await newPage(DESKTOP)
    await signInCustomer(page)
    session = await page.context().storageState()
    await page.goto(`${server.url}/portal/services`)
    const card = page.locator(`[data-testid="subscription"][data-id="${sub.id}"]`)
    await card.waitFor()
    await shot(page, 'page-desktop', { fullPage: true })
    await noSidewaysScroll(page, 'the services page (desktop)')

    await card.getByTestId('action-change_plan').click()
    const dialog = page.getByTestId('action-dialog')
    await dialog.locator('#new-plan').selectOption(FIBRA_600)
    const shown = dialog.getByTestId('proration-amount')
    await shown.waitFor()
    const amount = amountOf(await shown.locator('strong').innerText())
    assert.ok(amount > 0 && amount < 40, `a part of the 40.00 difference for the days left: ${amount}`)
    assert.match(await dialog.getByTestId('proration').innerText(), /\d+ de \d+ dias/)
    await shot(page, 'change-desktop')
    await noSidewaysScroll(page, 'the change dialog (desktop)')

    // the same dialog on a phone, then confirmed on the desktop
    const phone = await newPage({ ...PHONE, storageState: session })
    await phone.goto(`${server.url}/portal/services`)
    await phone.locator(`[data-testid="subscription"][data-id="${sub.id}"]`).getByTestId('action-change_plan').click()
    await phone.getByTestId('action-dialog').locator('#new-plan').selectOption(FIBRA_600)
    await phone.getByTestId('proration-amount').waitFor()
    await shot(phone, 'change-phone')
    await noSidewaysScroll(phone, 'the change dialog (phone)')
    await phone.context().close()

    await dialog.getByTestId('confirm').click()
    await page.getByTestId('pay-note').waitFor()
    assert.match(await page.getByTestId('pay-note').innerText(), /Banco 001/)
    const after = await api(server.url, manager, `/api/collections/subscriptions/records/${sub.id}`)
    assert.equal(after.product, FIBRA_600)
    assert.equal(after.price, 159.9)
    const pays = await api(server.url, manager, `/api/collections/payments/records?filter=${q(`subscription="${sub.id}" && purpose="change"`)}`)
    assert.equal(pays.items.length, 1)
    assert.equal(pays.items[0].amount, amount, 'the charge is the amount previewed')
    const acts = await api(server.url, manager, `/api/collections/activities/records?filter=${q(`ref_id="${sub.id}"`)}`)
    assert.ok(acts.items.some((a) => a.event === 'subscription.prorated' && a.actor_type === 'customer'), 'the difference is on the timeline')
    await page.context().close()
  })

  test('a cancellation at the end of the period, with a reason: active until then', async () => {
    const sub = await subscription(FIBRA_300, 3)
    const page = await newPage({ ...DESKTOP, storageState: session })
    await page.goto(`${server.url}/portal/services`)
    const card = page.locator(`[data-testid="subscription"][data-id="${sub.id}"]`)
    await card.getByTestId('action-cancel').click()
    const dialog = page.getByTestId('action-dialog')
    assert.ok(await dialog.getByLabel(/No fim deste período/).isChecked(), 'the end of the period is the first choice')
    // no reason: the server's words beside the field, what was typed kept
    await dialog.locator('#cancel-note').fill('Vou para a casa da minha mãe')
    await dialog.getByTestId('confirm').click()
    await dialog.locator('#cancel-reason-error').waitFor()
    assert.equal(await dialog.locator('#cancel-note').inputValue(), 'Vou para a casa da minha mãe')
    await dialog.locator('#cancel-reason').selectOption('moving')
    await shot(page, 'cancel-desktop')
    await dialog.getByTestId('confirm').click()
    await card.getByTestId('sub-state').filter({ hasText: /Termina em/ }).waitFor()
    assert.match(await card.getByTestId('sub-status').innerText(), /Ativ/)
    const after = await api(server.url, manager, `/api/collections/subscriptions/records/${sub.id}`)
    assert.equal(after.status, 'active')
    assert.equal(after.cancel_at, after.renews_at)
    assert.equal(after.cancel_reason, 'moving')
    assert.equal(after.cancel_note, 'Vou para a casa da minha mãe')
    assert.equal(await card.getByTestId('action-cancel').count(), 0, 'nothing more to cancel')
    await page.context().close()
  })

  test('a service started from the catalogue: yearly, paid by transfer', async () => {
    const page = await newPage({ ...PHONE, storageState: session })
    await page.goto(`${server.url}/portal/catalogue/${FIBRA_300}`)
    await page.getByTestId('total').waitFor()
    await page.getByTestId('add-to-cart').click()
    const dialog = page.getByTestId('start-dialog')
    await dialog.waitFor()
    await dialog.getByLabel(/por ano/i).check()
    await dialog.getByTestId('start-price').filter({ hasText: '1.199,00' }).waitFor()
    await shot(page, 'start-phone')
    await noSidewaysScroll(page, 'the start dialog (phone)')
    await dialog.getByTestId('start-confirm').click()
    await page.getByTestId('pay-note').waitFor()
    assert.match(await page.getByTestId('pay-note').innerText(), /1\.199,00/)
    await shot(page, 'page-phone', { fullPage: true })
    await noSidewaysScroll(page, 'the services page (phone)')
    const subs = await api(server.url, manager, `/api/collections/subscriptions/records?filter=${q(`contact="${JOAO}" && interval="year"`)}`)
    assert.equal(subs.items.length, 1)
    assert.deepEqual([subs.items[0].status, subs.items[0].price, subs.items[0].payment_method], ['active', 1199, 'bank_transfer'])
    const pays = await api(server.url, manager, `/api/collections/payments/records?filter=${q(`subscription="${subs.items[0].id}"`)}`)
    assert.deepEqual(pays.items.map((p) => [p.purpose, p.amount, p.state]), [['period', 1199, 'pending']])
    await page.context().close()
  })
})
