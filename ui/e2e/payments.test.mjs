// Browser tests of paying (issue 19, items 3 and 6): a manager turns on the
// bank transfer and the hosted checkout in Settings → Payments, pointing the
// checkout at a provider stand-in this test runs on loopback (a checkout page
// and a signed notification back); João, a customer, pays an order on the
// provider's page and comes back to it paid, live; staff see it paid with
// its invoice; João downloads the invoice as PDF and as a page; a second
// order paid by transfer waits for staff's "Payment received", which João's
// page follows live. Screenshots of Settings → Payments, the payment choice
// and the invoice at 1280×800 and 390×844 go to e2e/screenshots/payments-*.png.
//
//   /work/e2e-run.sh payments e2e/payments.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { createHmac } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { apiToken, api } from './server.mjs'
import { startSmtpSink } from './portal-smtp.mjs'
import { browserKit, DESKTOP, PHONE, MARINA, RAFAEL, JOAO, JOAO_EMAIL } from './kit.mjs'

const { start, stop, newPage, signIn, shot, noSidewaysScroll } = browserKit({
  prefix: 'payments',
  consoleErrors: /status of 400|Failed to load resource/,
  noPageErrors: true,
})
const SECRET = 'whsec_e2e_stand_in_42'
let server
let smtp
let provider
let manager

/** The signature header of body: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">. */
function sign(body) {
  const t = Math.floor(Date.now() / 1000)
  return `t=${t},v1=${createHmac('sha256', SECRET).update(`${t}.${body}`).digest('hex')}`
}

function verify(body, header) {
  const parts = Object.fromEntries(String(header ?? '').split(',').map((p) => p.split('=')))
  return parts.v1 === createHmac('sha256', SECRET).update(`${parts.t}.${body}`).digest('hex')
}

/** A hosted-checkout provider on loopback, as hooks/70_checkout.pb.js expects one. */
function startProvider() {
  const sessions = new Map()
  const notified = []
  const read = (req) => new Promise((ok) => {
    let s = ''
    req.on('data', (c) => (s += c))
    req.on('end', () => ok(s))
  })
  const srv = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x')
    const body = await read(req)
    if (req.method === 'POST' && url.pathname === '/sessions') {
      if (!verify(body, req.headers['checkout-signature'])) return res.writeHead(401).end('bad signature')
      const id = `cs_${sessions.size + 1}`
      sessions.set(id, JSON.parse(body))
      res.writeHead(200, { 'content-type': 'application/json' })
      return res.end(JSON.stringify({ id, url: `${provider.url}/pay/${id}` }))
    }
    const m = url.pathname.match(/^\/pay\/([^/]+)(\/complete)?$/)
    const s = m && sessions.get(m[1])
    if (!s) return res.writeHead(404).end()
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      return res.end(`<!doctype html><meta name="viewport" content="width=device-width"><title>Stand-in Pay</title>
<h1>Stand-in Pay</h1><p>${s.description}: ${(s.amount_cents / 100).toFixed(2)} ${s.currency}</p>
<form method="post" action="/pay/${m[1]}/complete?outcome=paid"><label>Card number <input name="card" value="4242 4242 4242 4242"></label> <button>Pay now</button></form>
<form method="post" action="/pay/${m[1]}/complete?outcome=failed"><button>Decline</button></form>`)
    }
    const event = { id: `evt_${notified.length + 1}`, type: url.searchParams.get('outcome') === 'paid' ? 'payment.succeeded' : 'payment.failed',
      session: m[1], reference: s.reference, amount_cents: s.amount_cents, currency: s.currency }
    if (event.type === 'payment.failed') event.failure_reason = 'card_declined'
    const raw = JSON.stringify(event)
    const answer = await fetch(s.notify_url, { method: 'POST', headers: { 'content-type': 'application/json', 'Checkout-Signature': sign(raw) }, body: raw })
    notified.push({ event, status: answer.status })
    res.writeHead(303, { location: s.return_url }).end()
  })
  return new Promise((ok) => srv.listen(0, '127.0.0.1', () => ok({ url: `http://127.0.0.1:${srv.address().port}`, notified, stop: () => new Promise((r) => srv.close(r)) })))
}

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

/** A new order of João's, placed by staff, 2 × 89.90 + 15. */
async function newOrder(name) {
  return api(server.url, manager, '/api/collections/orders/records', { method: 'POST',
    body: { contact: JOAO, currency: 'BRL', items: [{ name, quantity: 2, unit_price: 89.9 }, { name: 'Entrega', quantity: 1, unit_price: 15 }] } })
}

describe('paying an order and its invoice in Chromium', { timeout: 300000 }, () => {
  before(async () => {
    smtp = await startSmtpSink()
    provider = await startProvider()
    server = await start({ env: { VINCULO_SMTP_HOST: '127.0.0.1', VINCULO_SMTP_PORT: String(smtp.port), VINCULO_SMTP_SENDER: 'portal@vinculo.example' } })
    manager = await apiToken(server.url, MARINA)
  })

  after(async () => {
    await stop()
    await provider?.stop()
    await smtp?.stop()
  })

  test('Settings → Payments: the transfer and the hosted checkout turned on, the secret never shown back', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page, MARINA)
    await page.goto(`${server.url}/settings/payments`)
    const checkout = page.locator('section[data-method="checkout"]')
    await checkout.waitFor()
    // on without what it needs: the server's words beside the fields
    await page.getByTestId('pay-active-checkout').check()
    await page.getByTestId('pay-save-checkout').click()
    await checkout.locator('.field-error').first().waitFor()
    await checkout.getByLabel(/Endereço do provedor|Provider/).fill(provider.url)
    await checkout.getByLabel(/Segredo|Signing secret/).fill(SECRET)
    await page.getByTestId('pay-save-checkout').click()
    await checkout.locator('[data-secret-set="checkout"]').waitFor()
    assert.equal(await checkout.getByLabel(/Segredo|Signing secret/).inputValue(), '', 'the secret is not shown back')
    const transfer = page.locator('section[data-method="bank_transfer"]')
    await page.getByTestId('pay-active-bank_transfer').check()
    await transfer.locator('textarea').fill('Banco do Brasil · agência 1234-5 · conta 67890-1\nPadaria Pão Dourado Ltda')
    await page.getByTestId('pay-save-bank_transfer').click()
    await transfer.locator('.badge.on').waitFor()
    await page.locator('section[data-method="issuer"] textarea').fill('Padaria Pão Dourado Ltda\nCNPJ 12.345.678/0001-90\nRua das Flores, 100 — São Paulo')
    await page.getByTestId('pay-save-issuer').click()
    await page.waitForFunction(() => !document.querySelector('[data-testid="pay-save-issuer"]').disabled)
    await shot(page, 'settings-desktop', { fullPage: true })
    await noSidewaysScroll(page, 'Settings → Payments (desktop)')
    const phone = await newPage(PHONE)
    await signIn(phone, MARINA)
    await phone.goto(`${server.url}/settings/payments`)
    await phone.locator('section[data-method="checkout"] [data-secret-set="checkout"]').waitFor()
    await shot(phone, 'settings-phone')
    await noSidewaysScroll(phone, 'Settings → Payments (phone)')
    const rows = await api(server.url, manager, '/api/collections/payment_settings/records')
    assert.ok(!JSON.stringify(rows).includes(SECRET), 'the record API never gives the secret')
  })

  test('João pays on the provider’s page, comes back paid; staff see it paid; he downloads the invoice', async () => {
    const order = await newOrder('Bolo de aniversário')
    const staff = await newPage(DESKTOP)
    await signIn(staff, RAFAEL)
    await staff.goto(`${server.url}/orders/${order.id}`)
    await staff.getByTestId('order-payments').waitFor()

    const page = await newPage(DESKTOP)
    await signInCustomer(page)
    const state = await page.context().storageState()
    await page.goto(`${server.url}/portal/services`)
    await page.getByTestId('order').filter({ hasText: order.number }).getByTestId('order-pay').click()
    await page.getByTestId('pay-method-checkout').waitFor()
    await page.getByTestId('pay-method-bank_transfer').waitFor()
    await page.getByTestId('pay-method-checkout').check()
    await shot(page, 'choice-desktop')
    await noSidewaysScroll(page, 'the payment choice (desktop)')
    const phone = await newPage({ ...PHONE, storageState: state })
    await phone.goto(`${server.url}/portal/orders/${order.id}/pay`)
    await phone.getByTestId('pay-method-checkout').check()
    await shot(phone, 'choice-phone', { fullPage: true })
    await noSidewaysScroll(phone, 'the payment choice (phone)')

    // to the provider's page and back
    await page.getByTestId('pay-submit').click()
    await page.waitForURL(`${provider.url}/pay/**`)
    await page.getByRole('button', { name: 'Pay now' }).click()
    await page.waitForURL(`${server.url}/portal/orders/${order.id}/pay**`)
    await page.getByTestId('pay-paid').waitFor()
    assert.equal(provider.notified.at(-1).status, 200, 'Vinculo took the signed notification')
    assert.match(await page.getByTestId('pay-order-status').textContent(), /pago|paid/i)

    // staff see it paid, live, with its invoice
    await staff.getByTestId('payment-row').filter({ hasText: /pago|paid/i }).waitFor()
    await staff.getByTestId('order-invoice').waitFor()
    await staff.getByTestId('order-status').filter({ hasText: /pago|paid/i }).waitFor()

    // the invoice
    await page.getByTestId('pay-invoice').click()
    await page.getByTestId('invoice').waitFor()
    const number = (await page.getByTestId('invoice-number').textContent()).match(/INV-\d{4}-\d{5}/)[0]
    await shot(page, 'invoice-desktop')
    await noSidewaysScroll(page, 'the invoice (desktop)')
    const [pdf] = await Promise.all([page.waitForEvent('download'), page.getByTestId('invoice-pdf').click()])
    const bytes = readFileSync(await pdf.path())
    assert.equal(bytes.subarray(0, 5).toString(), '%PDF-', 'a PDF')
    assert.ok(bytes.includes(number), `the PDF holds ${number}`)
    const [doc] = await Promise.all([page.waitForEvent('download'), page.getByTestId('invoice-html').click()])
    const html = readFileSync(await doc.path(), 'utf8')
    assert.ok(html.includes(number) && html.includes('CNPJ 12.345.678/0001-90') && html.includes('Bolo de aniversário'), 'the page is the invoice')
    await phone.goto(`${server.url}/portal/invoices`)
    await phone.getByTestId('invoice-row').filter({ hasText: number }).getByRole('link').click()
    await phone.getByTestId('invoice').waitFor()
    await shot(phone, 'invoice-phone', { fullPage: true })
    await noSidewaysScroll(phone, 'the invoice (phone)')
    // the downloaded page itself, at both sizes
    for (const [size, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      const p = await newPage(options)
      await p.setContent(html)
      await shot(p, `invoice-html-${size}`, { fullPage: true })
      await noSidewaysScroll(p, `the invoice's HTML page (${size})`)
      await p.context().close()
    }
  })

  test('a transfer waits for staff’s “Payment received”, which João’s page follows live', async () => {
    const order = await newOrder('Torta de limão')
    const page = await newPage(DESKTOP)
    await signInCustomer(page)
    await page.goto(`${server.url}/portal/orders/${order.id}/pay`)
    await page.getByTestId('pay-method-bank_transfer').check()
    await page.getByTestId('pay-submit').click()
    await page.getByTestId('pay-instructions').filter({ hasText: 'agência 1234-5' }).waitFor()
    assert.match(await page.getByTestId('pay-order-status').textContent(), /realizado|placed/i)

    const readonly = await newPage(DESKTOP)
    await signIn(readonly, 'beatriz@vinculo.example')
    await readonly.goto(`${server.url}/orders/${order.id}`)
    await readonly.getByTestId('payment-row').waitFor()
    assert.equal(await readonly.getByTestId('payment-received').count(), 0, 'readonly staff have no "Payment received"')

    const staff = await newPage(DESKTOP)
    await signIn(staff, RAFAEL)
    await staff.goto(`${server.url}/orders/${order.id}`)
    await staff.getByTestId('payment-received').click()
    await staff.getByTestId('order-invoice').waitFor()
    await page.getByTestId('pay-paid').waitFor() // live, no reload
    await shot(staff, 'order-staff-desktop', { fullPage: true })
    await noSidewaysScroll(staff, 'the order with its payments (desktop)')
    const staffPhone = await newPage(PHONE)
    await signIn(staffPhone, RAFAEL)
    await staffPhone.goto(`${server.url}/orders/${order.id}`)
    await staffPhone.getByTestId('order-invoice').waitFor()
    await shot(staffPhone, 'order-staff-phone', { fullPage: true })
    await noSidewaysScroll(staffPhone, 'the order with its payments (phone)')
    const invoices = await api(server.url, manager, `/api/collections/invoices/records?filter=${encodeURIComponent(`order="${order.id}"`)}`)
    assert.equal(invoices.items.length, 1)
  })
})
