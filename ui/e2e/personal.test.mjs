// Browser test of active personalisation: João chooses in the portal what he
// is told and where — no order or payment messages, request updates on
// WhatsApp — and the outbox honours it (his order's next status is refused
// for that reason); he pins an invoice and a service to his home, reorders
// them with the keyboard, and after a reload the home shows them in his
// order above his requests; staff see his choices on his contact page.
// Screenshots of the preferences and the home at 1280×800 and 390×844 go to
// e2e/screenshots/personal-*.png.
//
//   /work/e2e-run.sh personal e2e/personal.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { browserKit, MARINA, RAFAEL, JOAO, JOAO_EMAIL, DESKTOP, PHONE } from './kit.mjs'
import { api, apiToken } from './server.mjs'
import { startSmtpSink } from './portal-smtp.mjs'

const { start, stop, newPage, signIn, shot, noSidewaysScroll } = browserKit({
  prefix: 'personal',
  consoleErrors: /Failed to load resource/,
  noPageErrors: true,
})
let server
let smtp
let manager
const made = {} // the order, its invoice and the service João pins

const q = (filter) => encodeURIComponent(filter)

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

const portalToken = (page) => page.evaluate(() => JSON.parse(localStorage.getItem('vinculo_portal_auth') || '{}').token)

describe('the customer chooses what he is told and what his home shows', { timeout: 300000 }, () => {
  let state // João's signed-in browser state

  before(async () => {
    smtp = await startSmtpSink()
    server = await start({ env: { VINCULO_SMTP_HOST: '127.0.0.1', VINCULO_SMTP_PORT: String(smtp.port), VINCULO_SMTP_SENDER: 'portal@vinculo.example' } })
    manager = await apiToken(server.url, MARINA)
    // João has a service, and a paid order with its invoice.
    // João has a mobile and, as he told the team, accepts service messages on WhatsApp and SMS too.
    await api(server.url, manager, `/api/collections/contacts/records/${JOAO}`, { method: 'PATCH', body: { mobile: '+55 11 98765-0001' } })
    for (const channel of ['whatsapp', 'sms']) {
      const [had] = (await api(server.url, manager, `/api/collections/consents/records?filter=${q(`contact = '${JOAO}' && purpose = 'service' && channel = '${channel}'`)}`)).items
      if (had) await api(server.url, manager, `/api/collections/consents/records/${had.id}`, { method: 'PATCH', body: { state: 'granted' } })
      else await api(server.url, manager, '/api/collections/consents/records', { method: 'POST', body: { contact: JOAO, purpose: 'service', channel, state: 'granted', source: 'phone' } })
    }
    const [product] = (await api(server.url, manager, `/api/collections/products/records?filter=${q("code = 'SUP-PREMIUM'")}`)).items
    made.service = await api(server.url, manager, '/api/collections/subscriptions/records', { method: 'POST', body: { contact: JOAO, product: product.id } })
    await api(server.url, manager, '/api/crm/payment-settings/bank_transfer', { method: 'PUT', body: { active: true, details: 'Banco do Brasil · agência 1234-5 · conta 67890-1' } })
    made.order = await api(server.url, manager, '/api/collections/orders/records', { method: 'POST',
      body: { contact: JOAO, currency: 'BRL', items: [{ name: 'Bolo de aniversário', quantity: 1, unit_price: 89.9 }] } })
    const page = await newPage(DESKTOP)
    await signInCustomer(page)
    state = await page.context().storageState()
    const customer = await portalToken(page)
    await api(server.url, customer, `/api/crm/portal/orders/${made.order.id}/pay`, { method: 'POST', body: { method: 'bank_transfer' } })
    const [pay] = (await api(server.url, manager, `/api/collections/payments/records?filter=${q(`order = '${made.order.id}'`)}`)).items
    await api(server.url, manager, `/api/crm/payments/${pay.id}/received`, { method: 'POST' })
    ;[made.invoice] = (await api(server.url, manager, `/api/collections/invoices/records?filter=${q(`order = '${made.order.id}'`)}`)).items
    assert.ok(made.invoice?.number, 'the paid order has its invoice')
    await page.context().close()
  })

  after(async () => {
    await stop()
    await smtp?.stop()
  })

  test('Preferences: orders off, request updates on WhatsApp; the outbox honours it', async () => {
    const page = await newPage({ ...DESKTOP, storageState: state })
    await page.goto(`${server.url}/portal/preferences`)
    const form = page.getByTestId('personal-messages')
    await form.getByTestId('choice-orders-on').waitFor()
    assert.ok(await form.getByTestId('choice-orders-on').isChecked(), 'by default he is told of everything')
    const offered = await form.getByTestId('choice-requests-channel').locator('option').allTextContents()
    assert.ok(offered.includes('WhatsApp') && offered.includes('SMS'), `channels offered: ${offered}`)
    await form.getByTestId('choice-orders-on').uncheck()
    assert.ok(await form.getByTestId('choice-orders-channel').isDisabled(), 'no channel to pick for what is off')
    await form.getByTestId('choice-requests-channel').selectOption('whatsapp')
    await form.getByTestId('personal-save').click()
    await form.getByRole('status').filter({ hasText: /Saved|Salvo/ }).waitFor()
    await shot(page, 'preferences-desktop', { fullPage: true })
    await noSidewaysScroll(page, 'the preferences (desktop)')

    await page.reload()
    await form.getByTestId('choice-orders-on').waitFor()
    assert.equal(await form.getByTestId('choice-orders-on').isChecked(), false, 'orders stay off after a reload')
    assert.equal(await form.getByTestId('choice-requests-channel').inputValue(), 'whatsapp', 'WhatsApp stays chosen')
    assert.ok(await form.getByTestId('choice-invoices-on').isChecked(), 'invoices untouched')

    const phone = await newPage({ ...PHONE, storageState: state })
    await phone.goto(`${server.url}/portal/preferences`)
    await phone.getByTestId('choice-orders-on').waitFor()
    await phone.getByTestId('personal-messages').scrollIntoViewIfNeeded()
    await shot(phone, 'preferences-phone')
    await noSidewaysScroll(phone, 'the preferences (phone)')

    // The order ships: the outbox refuses its message, for the customer's choice.
    await api(server.url, manager, `/api/collections/orders/records/${made.order.id}`, { method: 'PATCH', body: { status: 'shipped' } })
    const rows = (await api(server.url, manager, `/api/collections/outbox/records?sort=-created&filter=${q(`contact = '${JOAO}' && template = 'order_status'`)}`)).items
    assert.equal(rows[0]?.data?.status, 'shipped', 'the shipped message was queued')
    assert.equal(rows[0].state, 'refused', 'and refused')
    assert.equal(rows[0].reason_code, 'opted_out')
    assert.equal(rows[0].reason_data?.kind, 'orders')
  })

  test('Home: pins an invoice and a service, reorders them by keyboard; in his order after a reload', async () => {
    const page = await newPage({ ...DESKTOP, storageState: state })
    await page.goto(`${server.url}/portal/`)
    await page.getByTestId('home-pins').waitFor()
    await page.getByTestId('open-requests').or(page.getByTestId('closed-requests')).or(page.locator('.card.empty')).first().waitFor()
    await page.getByTestId('home-customise').click()
    const editor = page.getByTestId('pin-editor')
    await editor.locator(`[data-testid=pin-candidate][data-id="${made.invoice.id}"]`).getByTestId('pin-add').click()
    await editor.locator(`[data-testid=pin-row][data-id="${made.invoice.id}"]`).waitFor()
    await editor.locator(`[data-testid=pin-candidate][data-id="${made.service.id}"]`).getByTestId('pin-add').click()
    await editor.locator(`[data-testid=pin-row][data-id="${made.service.id}"]`).waitFor()
    const order = () => editor.getByTestId('pin-row').evaluateAll((rows) => rows.map((r) => r.dataset.id))
    assert.deepEqual(await order(), [made.invoice.id, made.service.id])

    // the service up, from the keyboard; focus follows it
    const up = editor.locator(`[data-testid=pin-row][data-id="${made.service.id}"]`).getByTestId('pin-up')
    await up.focus()
    await page.keyboard.press('Enter')
    await page.waitForFunction((id) => document.querySelector('[data-testid=pin-row]')?.dataset.id === id, made.service.id)
    assert.deepEqual(await order(), [made.service.id, made.invoice.id])
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'pin-down', 'focus stays on the moved row (its up button is now disabled)')
    await shot(page, 'home-editor-desktop', { fullPage: true })

    await page.reload()
    const cards = page.getByTestId('home-cards').getByTestId('home-card')
    await cards.first().waitFor()
    assert.deepEqual(await cards.evaluateAll((cs) => cs.map((c) => c.dataset.id)), [made.service.id, made.invoice.id], 'the home shows his pins in his order')
    assert.match(await page.getByTestId('home-pins').locator('h2').textContent(), /Pinned|Fixados/)
    assert.ok(await page.getByRole('heading', { level: 1 }).isVisible(), 'the requests page is still the home')
    await shot(page, 'home-desktop')
    await noSidewaysScroll(page, 'the home (desktop)')

    const phone = await newPage({ ...PHONE, storageState: state })
    await phone.goto(`${server.url}/portal/`)
    await phone.getByTestId('home-cards').getByTestId('home-card').first().waitFor()
    await shot(phone, 'home-phone', { fullPage: true })
    await noSidewaysScroll(phone, 'the home (phone)')
  })

  test('staff see his choices on his contact page', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page, RAFAEL)
    await page.goto(`${server.url}/contacts/${JOAO}`)
    const choices = page.getByTestId('personal-choices')
    await choices.waitFor()
    const text = await choices.textContent()
    assert.match(text, /WhatsApp/)
    assert.match(text, /desligado|off/)
    assert.match(text, /2/)
  })
})
