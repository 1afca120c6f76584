// Browser tests of products, orders and subscriptions as staff keep them:
// Debian's Chromium driven by playwright-core against a real Vinculo server
// (built from this repository, fresh demo data, a free loopback port).
// Marina (manager) adds a plan in Settings; Rafael (agent) places an order
// with two lines for João, moves it along its statuses and meets a refused
// move; he starts, pauses, changes and cancels a subscription for João from
// João's page, and João sees it in the portal; Beatriz (readonly) sees no
// actions. Screenshots go to e2e/screenshots/orders-*.png.
//
//   /work/e2e-run.sh orders e2e/orders.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { apiToken, api, request } from './server.mjs'
import { browserKit, SHOTS, DESKTOP, PHONE, MARINA, RAFAEL, BEATRIZ, JOAO as JOAO_CONTACT, JOAO_EMAIL } from './kit.mjs'

const JOAO = { contact: JOAO_CONTACT, email: JOAO_EMAIL }
const PLAN = `Fibra 1 Giga ${Date.now() % 100000}`

// A refused request shows in the console; the tests check what the page says about it.
// shot() checks the page is no wider than the screen.
const { start, stop, newPage, signIn, shot, noSidewaysScroll, pageErrors } = browserKit({ prefix: 'orders', consoleErrors: /Failed to load resource/, widthOnShot: true })
let server
const shared = {} // what one test leaves for the next

/** A day n days from now as YYYY-MM-DD. */
const inDays = (n) => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10)
const q = (s) => encodeURIComponent(s)

/** Chooses the option of a select whose text holds `text` (prices are written with a no-break space). */
async function pick(select, text) {
  const value = await select.locator('option', { hasText: text }).first().getAttribute('value')
  assert.ok(value, `an option with ${text}`)
  await select.selectOption(value)
}

/** The one-time code in the newest mail to `email` kept in the demo's mail folder since `since` (ms). */
async function mailedCode(email, since) {
  const dir = join(server.data, 'mail')
  for (let i = 0; i < 60; i++) {
    let files = []
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.eml')).map((f) => join(dir, f)).filter((f) => statSync(f).mtimeMs >= since).sort()
    } catch {
      // the folder appears with the first mail
    }
    for (const f of files.reverse()) {
      const text = readFileSync(f, 'utf8')
      const m = text.includes(email) && /(?<![#\w])(\d{6,10})(?!\w)/.exec(text)
      if (m) return m[1]
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`no sign-in code mailed to ${email}`)
}

describe('orders, subscriptions and products in Chromium', { timeout: 300000 }, () => {
  before(async () => {
    server = await start()
    shared.rafael = await apiToken(server.url, RAFAEL)
  })

  after(async () => {
    await stop()
  })

  test('a manager adds a plan in Settings; a taken code is said beside the field', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page, MARINA)
    await page.goto(`${server.url}/settings/products`)
    const products = page.getByTestId('product')
    await products.first().waitFor()
    await shot(page, 'products-desktop', { fullPage: true })

    await page.getByRole('button', { name: 'Novo produto' }).click()
    await page.locator('#pf-name').fill(PLAN)
    assert.match(await page.locator('#pf-code').inputValue(), /^FIBRA-1-GIGA-/, 'a code is made from the name')
    await page.locator('#pf-code').fill('fibra-300') // the demo's Fibra 300 has it
    await page.locator('#pf-kind').selectOption('subscription')
    await page.locator('#pf-price').fill('199,90')
    // A plan without its billing interval is stopped before it is sent.
    await page.getByRole('button', { name: 'Salvar' }).click()
    await page.locator('#pf-interval-error').filter({ hasText: 'Escolha de quanto em quanto tempo o plano é cobrado.' }).waitFor()
    await page.locator('#pf-interval').selectOption('month')
    await page.getByLabel('pausar').check()
    await page.getByLabel('cancelar').check()
    await page.getByLabel('mudar para outro plano').check()
    await shot(page, 'product-form-desktop')
    await page.getByRole('button', { name: 'Salvar' }).click()
    // The server refuses the taken code: its words beside the field, and what was typed stays.
    await page.locator('#pf-code-error').filter({ hasText: 'Já está em uso' }).waitFor()
    assert.equal(await page.locator('#pf-name').inputValue(), PLAN)
    assert.equal(await page.locator('#pf-price').inputValue(), '199,90')
    await page.locator('#pf-code').fill(`FIBRA-1G-${Date.now() % 100000}`)
    await page.getByRole('button', { name: 'Salvar' }).click()
    const row = products.filter({ hasText: PLAN })
    await row.waitFor()
    assert.match(await row.innerText(), /199,90/)
    assert.match(await row.innerText(), /\/ mês/)

    const token = await apiToken(server.url, MARINA)
    const [saved] = (await api(server.url, token, `/api/collections/products/records?filter=${q(`name="${PLAN}"`)}`)).items
    assert.deepEqual([saved.kind, saved.interval, saved.price, saved.currency, saved.active, saved.customer_can_change_plan], ['subscription', 'month', 199.9, 'BRL', true, true])
    shared.plan = saved

    // Edit: the price changes. Take it off the offer and put it back.
    await row.getByRole('button', { name: 'Editar' }).click()
    await page.locator('#pf-price').fill('189,90')
    await page.getByRole('button', { name: 'Salvar' }).click()
    await row.filter({ hasText: '189,90' }).waitFor()
    await row.getByRole('button', { name: 'Tirar de oferta' }).click()
    await row.filter({ hasText: 'fora de oferta' }).waitFor()
    assert.equal((await api(server.url, token, `/api/collections/products/records/${saved.id}`)).active, false)
    await row.getByRole('button', { name: 'Voltar a oferecer' }).click()
    await row.getByRole('button', { name: 'Tirar de oferta' }).waitFor()
    assert.equal((await api(server.url, token, `/api/collections/products/records/${saved.id}`)).active, true)
    await page.context().close()

    const phone = await newPage(PHONE)
    await signIn(phone, MARINA)
    await phone.goto(`${server.url}/settings/products`)
    await phone.getByTestId('product').first().waitFor()
    await shot(phone, 'products-phone', { fullPage: true })
    await phone.getByRole('button', { name: 'Novo produto' }).click()
    await phone.locator('#pf-kind').selectOption('subscription')
    await shot(phone, 'product-form-phone', { fullPage: true })
    await phone.context().close()
  })

  test('an agent places an order of two lines for João and moves it along; a move that makes no sense is refused', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page, RAFAEL)
    await page.goto(`${server.url}/orders`)
    await page.getByTestId('order-row').first().waitFor()
    await shot(page, 'list-desktop')
    // Filter by status: every row shown is paid.
    await page.locator('#orders-status').selectOption('paid')
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('[data-testid=order-row]')]
      return rows.length > 0 && rows.every((r) => /Pago/.test(r.textContent))
    })
    await page.locator('#orders-status').selectOption('')

    await page.getByRole('button', { name: 'Novo pedido' }).click()
    const form = page.getByTestId('order-form')
    await form.locator('#of-contact').pressSequentially('joao conc', { delay: 30 })
    await form.getByRole('option').filter({ hasText: 'João Conceição' }).first().click()
    await form.getByTestId('order-customer').filter({ hasText: 'João Conceição' }).waitFor()
    await pick(form.locator('#of-add'), 'Roteador Wi-Fi 6')
    await form.getByRole('button', { name: 'Adicionar item' }).click()
    await pick(form.locator('#of-add'), 'Instalação')
    await form.getByRole('button', { name: 'Adicionar item' }).click()
    assert.equal(await form.getByTestId('order-line').count(), 2)
    await form.locator('#of-qty-0').fill('2')
    await form.getByTestId('order-total').filter({ hasText: '948,00' }).waitFor() // 2 × 399 + 150
    await shot(page, 'form-desktop', { fullPage: true })
    // A quantity of 0 is refused by the server beside the lines; what was typed stays.
    await form.locator('#of-qty-1').fill('0')
    await form.getByRole('button', { name: 'Fazer pedido' }).click()
    await form.locator('#of-items-error').filter({ hasText: 'Item 2' }).waitFor()
    assert.equal(await form.locator('#of-qty-0').inputValue(), '2')
    await form.locator('#of-qty-1').fill('1')
    await form.getByRole('button', { name: 'Fazer pedido' }).click()
    await page.waitForURL(/\/orders\/[a-z0-9]{15}$/)
    const id = page.url().split('/').pop()
    const order = page.getByTestId('order')
    await order.getByTestId('order-status').filter({ hasText: 'Realizado' }).waitFor()

    let stored = await api(server.url, shared.rafael, `/api/collections/orders/records/${id}`)
    assert.equal(stored.contact, JOAO.contact)
    assert.equal(stored.total, 948)
    assert.match(stored.number, /^PED-\d{5}$/)
    assert.deepEqual(stored.items.map((i) => [i.product, i.quantity, i.unit_price]), [['ROTEADOR-AX', 2, 399], ['INSTALACAO', 1, 150]])

    // Edit while open: one router only.
    await order.getByRole('button', { name: 'Editar pedido' }).click()
    await page.locator('#of-qty-0').fill('1')
    await page.getByRole('button', { name: 'Salvar' }).click()
    await order.getByTestId('order-total').filter({ hasText: '549,00' }).waitFor()
    await shot(page, 'order-desktop')

    await order.getByRole('button', { name: 'Marcar como pago' }).click()
    await order.getByTestId('order-status').filter({ hasText: 'Pago' }).waitFor()
    // A colleague ships it meanwhile; cancelling it from this page is refused, said beside the status.
    // The page may also learn of it live first (the order's payment events
    // reload it): then there is no cancel button left to press.
    await api(server.url, shared.rafael, `/api/collections/orders/records/${id}`, { method: 'PATCH', body: { status: 'shipped' } })
    let pressed = false
    try {
      await order.getByRole('button', { name: 'Cancelar pedido' }).click({ timeout: 3000 })
      await order.getByRole('button', { name: 'Sim, cancelar' }).click({ timeout: 3000 })
      pressed = true
    } catch {
      // the shipped order came in live before the click
    }
    if (pressed) await order.getByTestId('status-error').filter({ hasText: 'Um pedido enviado não pode passar a cancelado.' }).waitFor()
    await order.getByTestId('order-status').filter({ hasText: 'Enviado' }).waitFor() // read again
    assert.equal(await order.getByRole('button', { name: 'Cancelar pedido' }).count(), 0, 'a shipped order is not cancelled')
    stored = await api(server.url, shared.rafael, `/api/collections/orders/records/${id}`)
    assert.equal(stored.status, 'shipped')
    assert.equal(await order.getByRole('button', { name: 'Editar pedido' }).count(), 0, 'a shipped order is not edited')
    await shot(page, 'order-refused-desktop')
    await order.getByRole('button', { name: 'Marcar como entregue' }).click()
    await order.getByTestId('order-status').filter({ hasText: 'Entregue' }).waitFor()
    stored = await api(server.url, shared.rafael, `/api/collections/orders/records/${id}`)
    assert.equal(stored.status, 'delivered')
    // The server says the same to anyone: delivered -> placed is a 400 naming status.
    const back = await request(server.url, shared.rafael, `/api/collections/orders/records/${id}`, { method: 'PATCH', body: { status: 'placed' } })
    assert.equal(back.status, 400)
    assert.ok(back.json.data?.status, back.text)
    shared.order = id
    await page.context().close()

    const phone = await newPage(PHONE)
    await signIn(phone, RAFAEL)
    await phone.goto(`${server.url}/orders`)
    await phone.getByTestId('order-row').first().waitFor()
    await shot(phone, 'list-phone')
    await phone.goto(`${server.url}/orders/${id}`)
    await phone.getByTestId('order-status').waitFor()
    await shot(phone, 'order-phone', { fullPage: true })
    await phone.goto(`${server.url}/orders`)
    await phone.getByRole('button', { name: 'Novo pedido' }).click()
    await pick(phone.locator('#of-add'), 'Roteador Wi-Fi 6')
    await phone.getByRole('button', { name: 'Adicionar item' }).click()
    await pick(phone.locator('#of-add'), 'Instalação')
    await phone.getByRole('button', { name: 'Adicionar item' }).click()
    await phone.evaluate(() => window.scrollTo(0, 0))
    await shot(phone, 'form-phone')
    await phone.context().close()
  })

  test('an agent starts, pauses, changes and cancels a subscription for João from his page; João sees it in the portal', async () => {
    assert.ok(shared.plan, 'the plan of the first test')
    const page = await newPage(DESKTOP)
    await signIn(page, RAFAEL)
    await page.goto(`${server.url}/contacts/${JOAO.contact}`)
    const block = page.getByTestId('customer-orders')
    await block.getByTestId('customer-order').first().waitFor()
    if (shared.order) await block.locator(`a[href="/orders/${shared.order}"]`).waitFor()

    await block.getByRole('button', { name: 'Iniciar assinatura' }).click()
    const form = block.getByTestId('subscription-form')
    await pick(form.locator('#os-product'), PLAN)
    assert.match(await form.locator('#os-product option:checked').textContent(), /189,90 \/ mês/)
    await form.getByRole('button', { name: 'Iniciar' }).click()
    const sub = block.getByTestId('customer-subscription').filter({ hasText: PLAN })
    await sub.getByTestId('sub-status').filter({ hasText: 'Ativa' }).waitFor()
    const subId = await sub.getAttribute('data-id')
    let stored = await api(server.url, shared.rafael, `/api/collections/subscriptions/records/${subId}`)
    assert.deepEqual([stored.contact, stored.product, stored.plan, stored.price, stored.status], [JOAO.contact, shared.plan.id, PLAN, 189.9, 'active'])
    assert.ok(stored.renews_at, 'it renews a month on')

    // Pause until a day: a past day is refused beside the field; a later one is kept.
    const mine = block.locator(`[data-id="${subId}"]`)
    await mine.getByRole('button', { name: 'Pausar' }).click()
    await mine.locator('#os-day').fill('2020-01-01')
    await mine.getByTestId('subscription-form').getByRole('button', { name: 'Pausar' }).click()
    await mine.locator('#os-until-error').filter({ hasText: 'Escolha uma data no futuro.' }).waitFor()
    await mine.locator('#os-day').fill(inDays(30))
    await mine.getByTestId('subscription-form').getByRole('button', { name: 'Pausar' }).click()
    await mine.getByTestId('sub-status').filter({ hasText: 'Pausada' }).waitFor()
    stored = await api(server.url, shared.rafael, `/api/collections/subscriptions/records/${subId}`)
    assert.equal(stored.status, 'paused')
    assert.equal(stored.paused_until.slice(0, 10), inDays(30))
    await block.scrollIntoViewIfNeeded()
    await block.screenshot({ path: `${SHOTS}orders-customer-block-desktop.png` })
    await noSidewaysScroll(page, 'contact page with the orders block')

    // Change plan: to the demo's Fibra 600.
    await mine.getByRole('button', { name: 'Mudar plano' }).click()
    await pick(mine.locator('#os-product'), 'Internet Fibra 600 Mega')
    await mine.getByTestId('subscription-form').getByRole('button', { name: 'Mudar plano' }).click()
    await mine.filter({ hasText: 'Internet Fibra 600 Mega' }).waitFor()
    stored = await api(server.url, shared.rafael, `/api/collections/subscriptions/records/${subId}`)
    assert.deepEqual([stored.plan, stored.price, stored.status], ['Internet Fibra 600 Mega', 159.9, 'paused'])
    const acts = await api(server.url, shared.rafael, `/api/collections/activities/records?filter=${q(`ref_id="${subId}"`)}`)
    assert.ok(acts.items.some((a) => a.event === 'subscription.changed' && a.actor_type === 'staff'), 'the change is on the timeline, by staff')

    // João sees it in the portal, paused, under its new plan.
    const portal = await newPage(PHONE)
    await portal.goto(`${server.url}/portal/`)
    await portal.locator('#signin-email').fill(JOAO.email)
    const since = Date.now() - 1000
    await portal.locator('main form button[type=submit]').click()
    await portal.locator('#signin-code').fill(await mailedCode(JOAO.email, since))
    await portal.locator('main form button[type=submit]').click()
    await portal.getByTestId('me-name').waitFor()
    await portal.goto(`${server.url}/portal/services`)
    const card = portal.locator(`[data-testid=subscription][data-id="${subId}"]`)
    await card.filter({ hasText: 'Internet Fibra 600 Mega' }).waitFor()
    assert.match(await card.getByTestId('sub-status').innerText(), /paus/i)
    await portal.context().close()

    // Cancel, asked first.
    await mine.getByRole('button', { name: 'Cancelar' }).click()
    await mine.getByRole('button', { name: 'Sim, cancelar' }).click()
    await mine.getByTestId('sub-status').filter({ hasText: /^Cancelad/ }).waitFor()
    stored = await api(server.url, shared.rafael, `/api/collections/subscriptions/records/${subId}`)
    assert.equal(stored.status, 'cancelled')
    assert.ok(stored.cancelled_at)
    assert.equal(await mine.getByRole('button').count(), 0, 'a cancelled subscription offers nothing more')
    await page.context().close()

    const phone = await newPage(PHONE)
    await signIn(phone, RAFAEL)
    await phone.goto(`${server.url}/contacts/${JOAO.contact}`)
    const pblock = phone.getByTestId('customer-orders')
    await pblock.getByTestId('customer-subscription').first().waitFor()
    await pblock.getByRole('button', { name: 'Iniciar assinatura' }).click()
    await pblock.scrollIntoViewIfNeeded()
    await noSidewaysScroll(phone, 'contact page on a phone')
    await pblock.screenshot({ path: `${SHOTS}orders-customer-block-phone.png` })
    await phone.context().close()
  })

  test('readonly staff see orders and subscriptions without actions', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page, BEATRIZ)
    await page.goto(`${server.url}/orders`)
    await page.getByTestId('order-row').first().waitFor()
    assert.equal(await page.getByRole('button', { name: 'New order' }).count(), 0)
    await page.getByTestId('order-row').first().locator('a').click()
    await page.getByTestId('order-status').waitFor()
    // Reading the invoice (open it, its PDF) is for everyone; acting on the order is not.
    const actions = page.getByTestId('order').getByRole('button').filter({ hasNotText: /^(Open|Abrir|PDF)$/ })
    assert.equal(await actions.count(), 0, 'no moves, no edit, no cancel, no payment received')

    await page.goto(`${server.url}/contacts/${JOAO.contact}`)
    const block = page.getByTestId('customer-orders')
    await block.getByTestId('customer-subscription').first().waitFor()
    assert.equal(await block.getByRole('button').count(), 0, 'no order or subscription actions')

    await page.goto(`${server.url}/settings/products`)
    await page.getByText('Settings are kept by the managers of the business.').waitFor() // the page is there, and says why nothing is offered
    assert.equal(await page.getByRole('button', { name: 'New product' }).count(), 0)
    // and the server agrees
    const token = await apiToken(server.url, BEATRIZ)
    const res = await request(server.url, token, `/api/crm/subscriptions/${'x'.repeat(15)}/action`, { method: 'POST', body: { action: 'cancel' } })
    assert.equal(res.status, 403)
    await page.context().close()
  })

  test('no page errors', () => {
    assert.deepEqual(pageErrors, [])
  })
})
