// Browser tests of quotes: Rafael builds a quote for João with a product
// shaped by its options, a discount on the line and on the whole (the
// server's prices, the server's words beside a bad discount), and sends it;
// João reads it in the portal and accepts it with his typed name; Rafael's
// open page shows the acceptance and the order live, at the quoted prices.
// The staff order form shapes each line's options too. Readonly staff see
// no write controls. Screenshots at desktop and phone size go to
// e2e/screenshots/quotes-*.png.
//
//   /work/e2e-run.sh quotes e2e/quotes.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { apiToken, api } from './server.mjs'
import { startSmtpSink } from './portal-smtp.mjs'
import { browserKit, DESKTOP, PHONE, MARINA, RAFAEL, BEATRIZ, JOAO, JOAO_EMAIL } from './kit.mjs'

const { start, stop, newPage, signIn, shot, noSidewaysScroll } = browserKit({ prefix: 'quotes', consoleErrors: /status of 400/, noPageErrors: true })
let server
let smtp
let manager
let product

const OPTIONS = [
  { key: 'speed', kind: 'choice', label: 'Velocidade', required: true, default: 's300',
    choices: [{ key: 's300', label: '300 Mega', price: 0 }, { key: 's600', label: '600 Mega', price: 50 }] },
  { key: 'router', kind: 'addon', label: 'Roteador Wi-Fi 6', price: 20, only_with: { option: 'speed', choice: 's600' } },
  { key: 'note', kind: 'text', label: 'Observação para o técnico', max_length: 60 },
]

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

async function pick(select, text) {
  const value = await select.locator('option', { hasText: text }).first().getAttribute('value')
  assert.ok(value, `an option with ${text}`)
  await select.selectOption(value)
}

/** Adds the shaped fibre to the editor on page: 600 Mega with the router. */
async function addFibre(page) {
  await pick(page.getByTestId('line-add-product'), 'Fibra sob medida')
  await page.getByTestId('line-add').click()
  await page.getByTestId('line-option-speed').last().selectOption('s600')
  await page.getByTestId('line-option-router').last().check()
}

describe('quotes in Chromium', { timeout: 300000 }, () => {
  let quoteId
  let staffPage

  before(async () => {
    smtp = await startSmtpSink()
    server = await start({ env: { VINCULO_SMTP_HOST: '127.0.0.1', VINCULO_SMTP_PORT: String(smtp.port), VINCULO_SMTP_SENDER: 'portal@vinculo.example' } })
    manager = await apiToken(server.url, MARINA)
    product = await api(server.url, manager, '/api/collections/products/records', { method: 'POST',
      body: { name: 'Fibra sob medida', code: 'FIBRA-SOB-MEDIDA', price: 100, currency: 'BRL', kind: 'one_off', active: true, in_catalogue: true, options: OPTIONS } })
  })

  after(async () => {
    await stop()
    await smtp?.stop()
  })

  test('Rafael builds a quote with options and discounts, priced by the server, and sends it', async () => {
    const page = await newPage(DESKTOP)
    staffPage = page
    await signIn(page, RAFAEL)
    await page.goto(`${server.url}/quotes/new?contact=${JOAO}`)
    const editor = page.getByTestId('quote-editor')
    await editor.getByTestId('quote-customer').filter({ hasText: 'João Conceição' }).waitFor()
    await addFibre(page)
    await editor.getByTestId('line-quantity').fill('2')
    await editor.getByTestId('line-discount-kind').selectOption('percent')
    // 150% off is refused by the server, in its words beside the field; what was typed stays.
    await editor.getByTestId('line-discount-value').fill('150')
    await editor.locator('#qe-discount_value-0-error').waitFor()
    assert.equal(await editor.getByTestId('line-discount-value').inputValue(), '150')
    await editor.getByTestId('line-discount-value').fill('10')
    await editor.locator('#qe-discount_kind').selectOption('amount')
    await editor.locator('#qe-discount_value').fill('20')
    // (100 + 50 + 20) × 2 = 340, less 10% = 306, less 20,00 = 286
    await editor.getByTestId('quote-total').filter({ hasText: '286,00' }).waitFor()
    await editor.locator('#qe-note').fill('Conforme conversamos por telefone.')
    await shot(page, 'editor-desktop', { fullPage: true })
    await noSidewaysScroll(page, 'the quote editor (desktop)')

    await editor.getByTestId('quote-send').click()
    await page.waitForURL(/\/quotes\/[a-z0-9]{15}$/)
    quoteId = page.url().split('/').pop()
    await page.getByTestId('quote-state').filter({ hasText: /Enviada/i }).waitFor()
    await page.getByTestId('quote-view').getByTestId('quote-total').filter({ hasText: '286,00' }).waitFor()
    await shot(page, 'sent-desktop', { fullPage: true })

    const stored = await api(server.url, manager, `/api/collections/quotes/records/${quoteId}`)
    assert.equal(stored.state, 'sent')
    assert.equal(stored.total, 286)
    assert.deepEqual(stored.lines[0].choices, { speed: 's600', router: true })
    assert.match(stored.number, /^Q-\d{4}-\d{4}$/)
    // The customer was told through the outbox, with the link to the quote.
    const told = await api(server.url, manager, `/api/collections/outbox/records?filter=${encodeURIComponent(`contact="${JOAO}" && body~"/portal/quotes/${quoteId}"`)}`)
    assert.equal(told.items.length, 1)
  })

  test('the editor at phone size, and readonly staff see no write controls', async () => {
    const phone = await newPage(PHONE)
    await signIn(phone, RAFAEL)
    // "New quote" from the contact's page starts the quote for them.
    await phone.goto(`${server.url}/contacts/${JOAO}`)
    await phone.getByTestId('contact-new-quote').click()
    await phone.getByTestId('quote-customer').filter({ hasText: 'João Conceição' }).waitFor()
    await addFibre(phone)
    await phone.getByTestId('quote-total').filter({ hasText: '170,00' }).waitFor()
    await shot(phone, 'editor-phone', { fullPage: true })
    await noSidewaysScroll(phone, 'the quote editor (phone)')

    const ro = await newPage(DESKTOP)
    await signIn(ro, BEATRIZ)
    await ro.goto(`${server.url}/quotes`)
    await ro.getByTestId('quote-row').first().waitFor()
    assert.equal(await ro.getByTestId('quote-new').count(), 0)
    await ro.goto(`${server.url}/quotes/${quoteId}`)
    await ro.getByTestId('quote-view').waitFor()
    assert.equal(await ro.getByTestId('quote-send').count(), 0)
    assert.equal(await ro.getByRole('button', { name: /Withdraw/ }).count(), 0)
  })

  test('João accepts it in the portal; Rafael sees the acceptance and the order live, at the quoted prices', async () => {
    const phone = await newPage(PHONE)
    await signInCustomer(phone)
    await phone.goto(`${server.url}/portal/quotes/${quoteId}`)
    await phone.getByTestId('quote-total').filter({ hasText: '286,00' }).waitFor()
    await shot(phone, 'portal-phone', { fullPage: true })
    await noSidewaysScroll(phone, 'the portal’s quote (phone)')

    // The price of the product goes up after the quote was sent: the order keeps the quote's.
    await api(server.url, manager, `/api/collections/products/records/${product.id}`, { method: 'PATCH', body: { price: 300 } })

    const page = await newPage(DESKTOP)
    await signInCustomer(page)
    await page.goto(`${server.url}/portal/quotes`)
    await page.getByTestId('quote-row').filter({ hasText: /Q-\d{4}-\d{4}/ }).first().waitFor()
    await page.goto(`${server.url}/portal/quotes/${quoteId}`)
    const form = page.getByTestId('quote-accept-form')
    await form.waitFor()
    await shot(page, 'portal-desktop', { fullPage: true })
    await noSidewaysScroll(page, 'the portal’s quote (desktop)')
    // Accepting without a name is said beside the field.
    await form.getByTestId('quote-accept').click()
    await form.locator('#q-name-error').waitFor()
    await form.locator('#q-name').fill('João Conceição')
    await form.getByTestId('quote-accept').click()
    await page.getByTestId('quote-accepted').waitFor()
    await shot(page, 'portal-accepted-desktop')

    // Rafael's page, open all along, shows it at once.
    await staffPage.getByTestId('quote-acceptance').waitFor()
    assert.equal(await staffPage.getByTestId('accepted-name').textContent(), 'João Conceição')
    await staffPage.getByTestId('quote-order').waitFor()
    await shot(staffPage, 'accepted-desktop', { fullPage: true })
    await staffPage.getByTestId('quote-order').click()
    await staffPage.waitForURL(/\/orders\/[a-z0-9]{15}$/)
    await staffPage.getByTestId('order-total').filter({ hasText: '286,00' }).waitFor()

    const stored = await api(server.url, manager, `/api/collections/quotes/records/${quoteId}`)
    const order = await api(server.url, manager, `/api/collections/orders/records/${stored.order}`)
    assert.equal(order.quote, quoteId)
    assert.equal(order.total, 286)
    assert.equal(order.items[0].unit_price, 170)
    assert.ok(stored.accepted_ip && stored.accepted_agent && stored.accepted_at)
  })

  test('the staff order form shapes each line’s options, priced by the server', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page, RAFAEL)
    await page.goto(`${server.url}/orders`)
    await page.getByRole('button', { name: 'Novo pedido' }).click()
    const form = page.getByTestId('order-form')
    await form.locator('#of-contact').pressSequentially('joao conc', { delay: 30 })
    await form.getByRole('option').filter({ hasText: 'João Conceição' }).first().click()
    await pick(form.locator('#of-add'), 'Fibra sob medida')
    await form.getByRole('button', { name: 'Adicionar item' }).click()
    await form.getByTestId('line-option-speed').selectOption('s600')
    await form.getByTestId('line-option-router').check()
    // the product now costs 300: 300 + 50 + 20
    await form.getByTestId('order-total').filter({ hasText: '370,00' }).waitFor()
    await form.getByTestId('line-option-note').fill('Portão azul')
    await shot(page, 'order-form-desktop', { fullPage: true })
    await form.getByRole('button', { name: 'Fazer pedido' }).click()
    await page.waitForURL(/\/orders\/[a-z0-9]{15}$/)
    const id = page.url().split('/').pop()
    const order = await api(server.url, manager, `/api/collections/orders/records/${id}`)
    assert.deepEqual(order.items[0].choices, { speed: 's600', router: true, note: 'Portão azul' })
    assert.equal(order.items[0].unit_price, 370)
    assert.equal(order.items[0].product_id, product.id)
  })
})
