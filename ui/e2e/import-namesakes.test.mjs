// Browser test of the import's possible duplicates: people of the same name
// and company as a stored contact or an earlier row, with an email or phone
// of their own, are imported as other people and listed for review — in the
// dry run's report and after the import, in Portuguese and in English, at
// desktop and phone size — while a row with neither email nor phone is a
// duplicate. Screenshots: e2e/screenshots/import-namesakes-*.png.
//
//   /work/e2e-run.sh import e2e/import-namesakes.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { apiToken, api } from './server.mjs'
import { browserKit, DESKTOP, PHONE, MARINA, RAFAEL, JOAO } from './kit.mjs'

const { start, stop, newPage, signIn, shot, noSidewaysScroll } = browserKit({ prefix: 'import-namesakes', noPageErrors: true })
let server

/** A spreadsheet of one size's people: a namesake of João (another email), two Maria Silva of one bakery, and a bare Maria. */
function file(joao, company, size) {
  const n = size === 'desktop' ? 1 : 2
  return [
    'Nome;Empresa;E-mail;Celular',
    `${joao.name};${company};joao.outro.${size}@example.test;`,
    `Maria Silva;Padaria ${size};maria.${size}@example.test;(11) 98888-${n}001`,
    `Maria Silva;Padaria ${size};maria.silva.${size}@example.test;(11) 98888-${n}002`,
    `Maria Silva;PADARIA ${size.toUpperCase()};;`,
  ].join('\n')
}

describe('possible duplicates of an import in Chromium', { timeout: 300000 }, () => {
  let joao
  let company

  before(async () => {
    server = await start()
    const token = await apiToken(server.url, RAFAEL)
    joao = await api(server.url, token, `/api/collections/contacts/records/${JOAO}?expand=company`)
    company = joao.expand?.company?.name
    assert.ok(company && joao.email, 'the demo’s João has a company and an email')
    // Rafael reads English here; Marina stays in Portuguese.
    const me = await api(server.url, token, '/api/collections/staff/auth-refresh', { method: 'POST', body: {} })
    await api(server.url, token, `/api/collections/staff/records/${me.record.id}`, { method: 'PATCH', body: { language: 'en' } })
  })

  after(stop)

  for (const [size, options, who, words] of [
    ['desktop', DESKTOP, MARINA, { check: 'Conferir o arquivo', possible: 'Possíveis duplicados', title: 'Possíveis duplicados para revisar', record: 'um contato já cadastrado', row: 'linha 3 deste arquivo', run: /^Importar 4 linhas$/, done: 'Importação concluída.', New: 'Novos', Dups: 'Duplicados' }],
    ['phone', PHONE, RAFAEL, { check: 'Check the file', possible: 'Possible duplicates', title: 'Possible duplicates to review', record: 'a contact already saved', row: 'row 3 of this file', run: /^Import 4 rows$/, done: 'Import finished.', New: 'New', Dups: 'Duplicates' }],
  ]) {
    test(`namesakes are imported and listed for review (${size})`, async () => {
      const page = await newPage(options)
      await signIn(page, who)
      await page.goto(`${server.url}/import`)
      await page.locator('#import-file').setInputFiles({ name: `pessoas-${size}.csv`, mimeType: 'text/csv', buffer: Buffer.from(file(joao, company, size)) })
      await page.locator('#map-0').waitFor()
      assert.deepEqual(await Promise.all([0, 1, 2, 3].map((i) => page.locator(`#map-${i}`).inputValue())), ['name', 'company', 'email', 'mobile'])
      await page.getByRole('button', { name: words.check }).click()

      const summary = page.getByTestId('dry-run-summary')
      await summary.waitFor()
      const count = async (label) => Number((await summary.locator('div', { has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) }).locator('dd').innerText()).replace(/\D/g, ''))
      // João's namesake and the two Marias are new; the bare Maria is a duplicate.
      assert.equal(await count(words.New), 3)
      assert.equal(await count(words.Dups), 1)
      assert.equal(await count(words.possible), 2)
      const table = page.getByTestId('possible-duplicates')
      await page.getByRole('heading', { name: words.title }).waitFor()
      const rows = table.locator('tbody tr')
      assert.equal(await rows.count(), 2)
      assert.deepEqual(await rows.nth(0).locator('td').allInnerTexts(), ['2', joao.name, words.record])
      assert.deepEqual(await rows.nth(1).locator('td').allInnerTexts(), ['4', 'Maria Silva', words.row])
      assert.equal(await rows.nth(0).getByRole('link').getAttribute('href'), `/contacts/${JOAO}`)
      await shot(page, `dry-run-${size}`)
      await noSidewaysScroll(page, `the dry run's possible duplicates (${size})`)

      await page.getByRole('button', { name: words.run }).click()
      await page.getByRole('heading', { name: words.done }).waitFor({ timeout: 30000 })
      await page.getByTestId('possible-duplicates').waitFor()
      assert.equal(await page.getByTestId('possible-duplicates').locator('tbody tr').count(), 2)
      await shot(page, `done-${size}`)
      await noSidewaysScroll(page, `the finished import's possible duplicates (${size})`)

      // Three new people stored: João's namesake and both Marias, each their own.
      const token = await apiToken(server.url, who)
      const marias = await api(server.url, token, `/api/collections/contacts/records?filter=${encodeURIComponent(`name='Maria Silva' && email~'${size}'`)}&skipTotal=1`)
      assert.equal(marias.items.length, 2)
      const namesake = await api(server.url, token, `/api/collections/contacts/records?filter=${encodeURIComponent(`email='joao.outro.${size}@example.test'`)}&skipTotal=1`)
      assert.equal(namesake.items.length, 1)
      assert.equal(namesake.items[0].name, joao.name)
      await page.context().close()
    })
  }
})
