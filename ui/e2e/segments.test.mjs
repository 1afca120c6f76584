// Browser tests of segments on the demo: a segment built with a purchase
// condition, its live count changing as the product changes, saved with a
// value proposition, its members opened; and past orders imported as
// history (the dry run's report naming the line of an unknown customer).
// Screenshots at desktop and phone size go to e2e/screenshots/segments-*.png.
//
//   /work/e2e-run.sh segments e2e/segments.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { apiToken, api } from './server.mjs'
import { browserKit, DESKTOP, PHONE, RAFAEL, JOAO_EMAIL } from './kit.mjs'

const { start, stop, newPage, signIn, shot, noSidewaysScroll, pageErrors } = browserKit({ prefix: 'segments', consoleErrors: /status of 400/ })
let server

/** The live count the server gives for a definition. */
async function countOf(token, definition) {
  const res = await api(server.url, token, '/api/crm/segments/count', { method: 'POST', body: { definition } })
  return res.count
}

describe('segments and past orders in Chromium', { timeout: 300000 }, () => {
  let token
  let product // a product whose buyers are not all the buyers
  let anyCount, productCount

  before(async () => {
    server = await start()
    token = await apiToken(server.url, RAFAEL)
    const products = await api(server.url, token, '/api/collections/products/records?perPage=100&sort=name')
    const bought = (code) => ({ match: 'all', conditions: [{ kind: 'bought', op: 'bought', product: code, days: 0 }] })
    anyCount = await countOf(token, bought(''))
    for (const p of products.items) {
      const n = await countOf(token, bought(p.code))
      if (n > 0 && n !== anyCount) {
        product = p
        productCount = n
        break
      }
    }
    assert.ok(anyCount > 0, 'the demo has buyers')
    assert.ok(product, 'a demo product some buyers did not buy')
  })

  after(async () => {
    await stop()
  })

  test('build a purchase segment: the live count follows the product, save it with a value proposition, open its members', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page, RAFAEL)
    await page.goto(`${server.url}/segments`)
    await page.locator('a[href="/segments/new"]').click()
    await page.waitForURL(/\/segments\/new$/)
    const count = page.getByTestId('segment-count')
    const cond = page.getByTestId('segment-condition').first()
    // The new segment starts with "bought any product in the last 90 days": make it ever.
    await cond.getByLabel(/Número de dias|Number of days/).fill('0')
    await assertCount(count, anyCount)
    await cond.locator('select[id$="-product"]').selectOption(product.code)
    await assertCount(count, productCount)
    await page.locator('#seg-name').fill(`Compradores de ${product.name}`)
    await page.locator('#seg-prop').fill(`Leve o próximo ${product.name} com entrega grátis`)
    await shot(page, 'builder-desktop')
    await noSidewaysScroll(page, 'the segment builder (desktop)')
    await page.getByRole('button', { name: /Salvar segmento|Save segment/ }).click()
    await page.waitForURL(/\/segments\/(?!new)[a-z0-9]+$/)
    const id = page.url().split('/').pop()
    const members = page.getByTestId('segment-members')
    await members.locator('tbody tr').first().waitFor()
    const rows = await members.locator('tbody tr').count()
    assert.equal(rows, Math.min(productCount, 25), 'the members list holds the segment')
    await shot(page, 'members-desktop', { fullPage: true })
    const saved = await api(server.url, token, `/api/collections/segments/records/${id}`)
    assert.match(saved.proposition, /entrega grátis/)
    assert.equal(saved.definition.conditions[0].product, product.code)
    // A member opens their page.
    await members.locator('tbody a').first().click()
    await page.waitForURL(/\/contacts\/[a-z0-9]+$/)
    await page.context().close()

    // The same segment on a phone, and a bad condition told beside it.
    const phone = await newPage(PHONE)
    await signIn(phone, RAFAEL)
    await phone.goto(`${server.url}/segments/${id}`)
    await phone.getByTestId('segment-members').locator('tbody tr').first().waitFor()
    await assertCount(phone.getByTestId('segment-count'), productCount)
    await phone.locator('#seg-add').selectOption('spent')
    const spent = phone.getByTestId('segment-condition').nth(1)
    await spent.getByLabel(/Valor gasto|Amount/).fill('-5')
    await spent.locator('.field-error').waitFor()
    assert.match(await spent.locator('.field-error').innerText(), /Condição 2|Condition 2/)
    await shot(phone, 'builder-phone', { fullPage: true })
    await noSidewaysScroll(phone, 'the segment builder (phone)')
    await phone.goto(`${server.url}/segments`)
    await phone.locator('table a', { hasText: product.name }).waitFor()
    await shot(phone, 'list-phone')
    await noSidewaysScroll(phone, 'the segments list (phone)')
    await phone.context().close()
  })

  test('past orders: a dry run of the import names the line of an unknown customer', async () => {
    const file = `Pedido;E-mail;Data;Valor;Moeda;SKU\nH-1;${JOAO_EMAIL};2025-03-01;120,50;BRL;\nH-2;ninguem@nada.example;2025-03-02;10;BRL;\nH-3;${JOAO_EMAIL};2025-04-01;80;BRL;\n`
    for (const [size, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      const page = await newPage(options)
      await signIn(page, RAFAEL)
      await page.goto(`${server.url}/import`)
      await page.locator('#import-kind').selectOption('orders')
      await page.locator('#import-file').setInputFiles({ name: 'pedidos.csv', mimeType: 'text/csv', buffer: Buffer.from(file) })
      await page.locator('#map-0').waitFor()
      assert.equal(await page.locator('#map-0').inputValue(), 'order_id')
      assert.equal(await page.locator('#map-1').inputValue(), 'email')
      await page.getByRole('button', { name: /Conferir o arquivo|Check the file/ }).click()
      const problem = page.locator('td', { hasText: /nenhum contato tem este id|no contact has this id/ })
      await problem.waitFor({ timeout: 30000 })
      assert.equal(await page.locator('tr', { has: problem }).locator('td').first().innerText(), '3')
      await page.getByTestId('orders-history-note').waitFor()
      await problem.scrollIntoViewIfNeeded()
      await shot(page, `import-orders-${size}`, { fullPage: true })
      await noSidewaysScroll(page, `the import of orders (${size})`)
      await page.context().close()
    }
    assert.deepEqual(pageErrors, [])
  })
})

/** Waits until the live count shows n. */
async function assertCount(locator, n) {
  const want = new Intl.NumberFormat('pt-BR').format(n)
  const deadline = Date.now() + 15000
  let seen = ''
  while (Date.now() < deadline) {
    seen = (await locator.innerText()).trim()
    if (seen === want || seen === String(n)) return
    await new Promise((r) => setTimeout(r, 150))
  }
  assert.fail(`live count ${seen}, want ${n}`)
}
