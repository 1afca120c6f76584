// Browser tests of the catalogue (issue 19, items 1 and 2): a manager puts a
// product in the portal's catalogue with a picture and options; João, a
// customer signed in with the code from his mail, shapes it and sees the
// price change with each choice, adds it to his cart, is refused a time when
// the business is closed, orders; the staff's /orders page shows the order
// arrive without a reload; staff confirm it and João's orders page follows
// live; he orders it again in one step; a total he did not get from the
// server is refused. Screenshots of the catalogue, the product page and the
// cart at 1280×800 and 390×844 go to e2e/screenshots/catalogue-*.png.
//
//   /work/e2e-run.sh catalogue e2e/catalogue.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { apiToken, api } from './server.mjs'
import { startSmtpSink } from './portal-smtp.mjs'
import { browserKit, DESKTOP, PHONE, MARINA, JOAO_EMAIL } from './kit.mjs'

const { start, stop, newPage, signIn, shot, noSidewaysScroll } = browserKit({
  prefix: 'catalogue',
  consoleErrors: /status of 400|Failed to load resource/,
  noPageErrors: true,
})
let server
let smtp
let manager // Marina's token
let product // the shaped product's record
const WAIT = 10000

const OPTIONS = [
  { key: 'speed', kind: 'choice', label: 'Speed', labels: { 'pt-BR': 'Velocidade' }, required: true, default: 's300',
    choices: [{ key: 's300', label: '300 Mb', price: 0 }, { key: 's600', label: '600 Mb', price: 50 }] },
  { key: 'router', kind: 'addon', label: 'Wi-Fi 6 router', labels: { 'pt-BR': 'Roteador Wi-Fi 6' }, price: 20, only_with: { option: 'speed', choice: 's600' } },
  { key: 'tv', kind: 'quantity', label: 'Extra TV points', labels: { 'pt-BR': 'Pontos de TV extras' }, price: 10, min: 0, max: 3 },
  { key: 'note', kind: 'text', label: 'Note for the installer', labels: { 'pt-BR': 'Recado para o técnico' }, price: 5, max_length: 40 },
]

/** A picture for the product, drawn by the browser itself. */
async function drawPicture(colors) {
  const page = await newPage({ viewport: { width: 640, height: 480 } })
  await page.setContent(`<body style="margin:0"><div style="width:640px;height:480px;background:linear-gradient(135deg,${colors});display:flex;align-items:center;justify-content:center;font:bold 64px sans-serif;color:#fff">Fibra</div></body>`)
  const png = await page.screenshot({ type: 'png' })
  await page.context().close()
  return png
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

/** The local date-time (São Paulo) `days` days ahead at hh:00, as a datetime-local input takes it. */
function localAt(days, hh) {
  const d = new Date(Date.now() + days * 86400000)
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Sao_Paulo', year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short' }).formatToParts(d)
  const get = (t) => day.find((p) => p.type === t).value
  return { value: `${get('year')}-${get('month')}-${get('day')}T${String(hh).padStart(2, '0')}:00`, weekday: get('weekday') }
}

const money = (s) => Number(String(s).replace(/[^\d,.-]/g, '').replace(/\.(?=\d{3})/g, '').replace(',', '.'))

describe('the catalogue, the cart and an order in Chromium', { timeout: 300000 }, () => {
  before(async () => {
    smtp = await startSmtpSink()
    server = await start({ env: { VINCULO_SMTP_HOST: '127.0.0.1', VINCULO_SMTP_PORT: String(smtp.port), VINCULO_SMTP_SENDER: 'portal@vinculo.example' } })
    manager = await apiToken(server.url, MARINA)
    const form = new FormData()
    const fields = { name: 'Fibra em casa', code: 'FIBRA-CASA', price: '100', currency: 'BRL', kind: 'one_off', active: 'true',
      in_catalogue: 'true', needs_time: 'appointment', description: 'Internet de fibra instalada na sua casa, no horário que você escolher.',
      long_description: 'A instalação leva cerca de uma hora.\nO técnico traz tudo o que é preciso.', options: JSON.stringify(OPTIONS) }
    for (const [k, v] of Object.entries(fields)) form.append(k, v)
    form.append('pictures', new Blob([await drawPicture('#0b6e4f,#40c9a2')], { type: 'image/png' }), 'fibra.png')
    form.append('pictures', new Blob([await drawPicture('#1d3557,#457b9d')], { type: 'image/png' }), 'roteador.png')
    const res = await fetch(`${server.url}/api/collections/products/records`, { method: 'POST', headers: { Authorization: manager }, body: form })
    product = await res.json()
    assert.equal(res.status, 200, JSON.stringify(product))
    await api(server.url, manager, '/api/collections/products/records', { method: 'POST',
      body: { name: 'Caneca Pão Dourado', code: 'CANECA', price: 35, currency: 'BRL', kind: 'one_off', active: true, in_catalogue: true, description: 'Caneca de cerâmica com o nosso logo.' } })
  })

  after(async () => {
    await stop()
    await smtp?.stop()
  })

  test('João shapes a product and sees the price change, orders it; staff see it arrive live; he follows it and orders again', async () => {
    // Staff watch the orders page.
    const staffPage = await newPage(DESKTOP)
    await signIn(staffPage, MARINA)
    await staffPage.goto(`${server.url}/orders`)
    await staffPage.getByTestId('order-row').first().waitFor()

    const page = await newPage(DESKTOP)
    await signInCustomer(page)
    const state = await page.context().storageState()

    // The catalogue.
    await page.goto(`${server.url}/portal/catalogue`)
    await page.getByTestId('catalogue-item').filter({ hasText: 'Fibra em casa' }).waitFor()
    await page.locator('img[src*="fibra"]').first().waitFor()
    await shot(page, 'list-desktop')
    await noSidewaysScroll(page, 'the catalogue (desktop)')

    // The product page: the price follows each choice.
    await page.getByRole('link', { name: 'Fibra em casa' }).click()
    await page.getByTestId('option-speed').waitFor()
    const total = page.getByTestId('total')
    const expectTotal = async (want, why) => {
      await page.waitForFunction(([w]) => {
        const el = document.querySelector('[data-testid="total"]')
        const busy = document.querySelector('[data-testid="price"]')?.getAttribute('aria-busy') === 'true'
        if (!el || busy) return false
        const n = Number(el.textContent.replace(/[^\d,.-]/g, '').replace(/\.(?=\d{3})/g, '').replace(',', '.'))
        return n === w
      }, [want], { timeout: WAIT }).catch(async () => assert.fail(`${why}: total ${await total.textContent()}, want ${want}`))
    }
    await expectTotal(100, 'the starting price')
    const router = page.getByTestId('option-router').locator('input[type=checkbox]')
    assert.equal(await router.isDisabled(), true, 'the router comes only with 600 Mb')
    await page.getByTestId('option-speed').getByRole('radio', { name: /600 Mb/ }).check()
    await expectTotal(150, '600 Mb')
    await router.check()
    await expectTotal(170, 'with the router')
    await page.getByTestId('option-tv').locator('input').fill('2')
    await expectTotal(190, 'two TV points')
    await page.getByTestId('option-note').locator('input').fill('Portão azul, tocar a campainha')
    await expectTotal(195, 'a note')
    await page.locator('#qty').fill('2')
    await expectTotal(390, 'two of them')
    // A limit broken: the server's words beside the field, the button off.
    await page.getByTestId('option-tv').locator('input').fill('5')
    await page.getByTestId('option-tv').locator('.field-error').waitFor()
    assert.equal(await page.getByTestId('add-to-cart').isDisabled(), true)
    await page.getByTestId('option-tv').locator('input').fill('2')
    await expectTotal(390, 'back within the limit')
    await shot(page, 'product-desktop', { fullPage: true })
    await noSidewaysScroll(page, 'the product page (desktop)')

    await page.getByTestId('add-to-cart').click()
    await page.locator('.ok-note').waitFor()
    await page.locator('.ok-note a').click()

    // The cart: the server's total; a time when the business is closed is refused.
    await page.getByTestId('cart-line').first().waitFor()
    assert.equal(money(await page.getByTestId('cart-total').textContent()), 390)
    let sunday = 1
    while (localAt(sunday, 12).weekday !== 'Sun') sunday++
    await page.locator('#when').fill(localAt(sunday, 12).value)
    await page.getByTestId('place-order').click()
    await page.getByTestId('when-error').waitFor()
    assert.equal(await page.locator('#when').inputValue(), localAt(sunday, 12).value, 'what was typed stays')
    await shot(page, 'cart-desktop', { fullPage: true })
    await noSidewaysScroll(page, 'the cart (desktop)')
    let day = 2
    while (['Sat', 'Sun'].includes(localAt(day, 10).weekday)) day++
    await page.locator('#when').fill(localAt(day, 10).value)
    await page.getByTestId('place-order').click()
    const placed = page.getByTestId('placed')
    await placed.waitFor()
    const number = (await placed.textContent()).match(/[A-Z]+-\d+/)[0]
    await shot(page, 'placed-desktop')

    // Staff: the order arrives on the open page, with a note.
    await staffPage.getByTestId('order-row').filter({ hasText: number }).waitFor({ timeout: WAIT })
    await staffPage.locator('.toast, [role=status]').filter({ hasText: number }).first().waitFor({ timeout: WAIT })
    await shot(staffPage, 'staff-arrived-desktop')
    const found = await api(server.url, manager, `/api/collections/orders/records?filter=${encodeURIComponent(`number="${number}"`)}`)
    const order = found.items[0]
    assert.equal(order.total, 390)
    assert.equal(order.placed_for, 'self')
    assert.ok(order.scheduled_at, 'the appointment is kept')
    assert.equal(order.items[0].options.length, 4)

    // João follows it live: staff confirm it.
    const live = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/realtime' && (r.request().postData() ?? '').includes(`"orders/${order.id}`))
    await page.goto(`${server.url}/portal/services`)
    const card = page.getByTestId('order').filter({ hasText: number })
    await card.waitFor()
    await live // the subscription is made after the list shows
    await api(server.url, manager, `/api/collections/orders/records/${order.id}`, { method: 'PATCH', body: { status: 'confirmed' } })
    await card.getByTestId('order-status').filter({ hasText: /confirm/i }).waitFor({ timeout: WAIT })

    // Order again, in one step: the same shape, in the cart.
    await card.getByTestId('order-again').click()
    await page.waitForURL(/\/portal\/cart/)
    await page.getByTestId('cart-line').first().waitFor()
    assert.equal(money(await page.getByTestId('cart-total').textContent()), 390)
    assert.match(await page.getByTestId('cart-line').first().textContent(), /Portão azul/)

    // A total the server did not compute is refused, naming it; nothing is placed.
    const tampered = await page.evaluate(async (url) => {
      const token = JSON.parse(localStorage.getItem('vinculo_portal_auth') || '{}').token
      const res = await fetch(`${url}/api/crm/cart/order`, { method: 'POST', headers: { 'content-type': 'application/json', Authorization: token }, body: JSON.stringify({ total: 1 }) })
      return { status: res.status, body: await res.json() }
    }, server.url)
    assert.equal(tampered.status, 400)
    assert.ok(tampered.body.data.total, JSON.stringify(tampered.body))

    // The same pages on a phone.
    const phone = await newPage({ ...PHONE, storageState: state })
    await phone.goto(`${server.url}/portal/catalogue`)
    await phone.locator('img[src*="fibra"]').first().waitFor()
    await shot(phone, 'list-phone')
    await noSidewaysScroll(phone, 'the catalogue (phone)')
    await phone.goto(`${server.url}/portal/catalogue/${product.id}`)
    await phone.getByTestId('option-speed').getByRole('radio', { name: /600 Mb/ }).check()
    await phone.getByTestId('option-router').locator('input[type=checkbox]').check()
    await phone.waitForFunction(() => /170/.test(document.querySelector('[data-testid="total"]')?.textContent ?? ''), null, { timeout: WAIT })
    await shot(phone, 'product-phone', { fullPage: true })
    await noSidewaysScroll(phone, 'the product page (phone)')
    await phone.goto(`${server.url}/portal/cart`)
    await phone.getByTestId('cart-line').first().waitFor()
    await shot(phone, 'cart-phone', { fullPage: true })
    await noSidewaysScroll(phone, 'the cart (phone)')
    await staffPage.context().close()
    await phone.context().close()
    await page.context().close()
  })

  test('Settings > Products: the catalogue part of a product, and an option the server refuses named beside its field', async () => {
    for (const [size, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      const page = await newPage(options)
      await signIn(page, MARINA)
      await page.goto(`${server.url}/settings/products`)
      const row = page.getByTestId('product').filter({ hasText: 'Fibra em casa' })
      await row.getByRole('button').first().click()
      const fields = page.getByTestId('catalogue-fields')
      await fields.waitFor()
      assert.equal(await fields.getByTestId('in-catalogue').isChecked(), true)
      assert.equal(await page.getByTestId('option-editor').count(), 4)
      await shot(page, `settings-product-${size}`, { fullPage: true })
      await noSidewaysScroll(page, `the product form (${size})`)
      // A quantity whose most is below its least: refused, named beside it.
      await page.locator('#cat-options-2-max').fill('-1')
      await page.locator('form.product-form button[type=submit]').click()
      await page.locator('#cat-options-2-max ~ .field-error').waitFor()
      assert.equal(await page.locator('#cat-options-2-max').inputValue(), '-1', 'what was typed stays')
      await page.locator('#cat-options-2-max').fill('3')
      await page.locator('form.product-form button[type=submit]').click()
      await page.getByTestId('catalogue-fields').waitFor({ state: 'detached' })
      await page.context().close()
    }
    const saved = await api(server.url, manager, `/api/collections/products/records/${product.id}`)
    assert.equal(saved.options[2].max, 3)
    assert.equal(saved.pictures.length, 2)
  })
})


