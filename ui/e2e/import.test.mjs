// Browser test of the import wizard, the export menu and the merge page,
// against a real Vinculo server (see server.mjs): a small CSV goes through
// the wizard (columns mapped, dry-run report with the bad line, run with a
// live progress bar to 100%), the new contacts are found by search and in an
// export, and one is merged into the other and the merge undone.
//
//   node --test e2e/import.test.mjs   (after `npm run build`)
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { apiToken, api } from './server.mjs'
import { browserKit, RAFAEL } from './kit.mjs'

// Screenshots keep their plain names (import-step1.png, merge-chooser.png, …): no prefix.
const { start, stop, newPage, signIn, shot, pageErrors } = browserKit({
  prefix: '',
  timeout: 15000,
  context: { viewport: { width: 1280, height: 900 }, acceptDownloads: true, serviceWorkers: 'allow' },
  user: RAFAEL,
  screenshot: { fullPage: true },
})

// Two people new to the demo, and a line the dry run must report.
const CSV = [
  'Name,Email,Phone,Notes',
  'Zuleica Importada,zuleica.importada@example.test,+55 11 98888-7001,first',
  'Zuleica I. Duplicata,zuleica.duplicata@example.test,+55 11 98888-7002,second',
  'Broken Row,not-an-email,,third',
].join('\n')

let server
let token
let rafaelId

describe('import, export and merge in Chromium', { timeout: 300000 }, () => {
  before(async () => {
    server = await start()
    token = await apiToken(server.url, RAFAEL)
    // Rafael reads Portuguese in the demo; this test reads English.
    const me = await api(server.url, token, '/api/collections/staff/auth-refresh', { method: 'POST', body: {} })
    rafaelId = me.record.id
    await api(server.url, token, `/api/collections/staff/records/${me.record.id}`, { method: 'PATCH', body: { language: 'en' } })
  })

  after(stop)

  test('a CSV goes through the wizard: mapping, dry run report, live progress to 100%, contact findable', async () => {
    const page = await newPage()
    await signIn(page)
    await page.locator('nav#main-nav').getByRole('link', { name: 'Import' }).click()
    await page.getByRole('heading', { name: 'Import', level: 1 }).waitFor()

    await page.locator('#import-file').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) })
    // The columns are read in the browser and mapped by name; Notes is left out.
    await page.locator('#map-0').waitFor()
    assert.equal(await page.locator('#map-0').inputValue(), 'name')
    assert.equal(await page.locator('#map-1').inputValue(), 'email')
    assert.equal(await page.locator('#map-2').inputValue(), 'phone')
    assert.equal(await page.locator('#map-3').inputValue(), '')
    await shot(page, 'import-step1')

    await page.getByRole('button', { name: 'Check the file' }).click()
    const summary = page.getByTestId('dry-run-summary')
    await summary.waitFor()
    const count = async (label) => Number((await summary.locator('div', { has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) }).locator('dd').innerText()).replace(/\D/g, ''))
    assert.equal(await count('Rows'), 3)
    assert.equal(await count('New'), 2)
    assert.equal(await count('Errors'), 1)
    // The bad line is listed with its line number in the file (the header is line 1).
    const errorRows = page.locator('table', { has: page.getByRole('columnheader', { name: 'Problem' }) }).locator('tbody tr')
    assert.equal(await errorRows.count(), 1)
    assert.equal(await errorRows.first().locator('td').first().innerText(), '4')
    assert.equal(await errorRows.first().locator('td').nth(1).innerText(), 'Email') // the field as the mapping names it
    assert.equal(await errorRows.first().locator('td').nth(2).innerText(), '“not-an-email” is not an email address')
    await page.getByRole('button', { name: 'Download errors.csv' }).waitFor()
    // Nothing was written by the dry run.
    const before = await api(server.url, token, `/api/collections/contacts/records?filter=${encodeURIComponent("email='zuleica.importada@example.test'")}&skipTotal=1`)
    assert.equal(before.items.length, 0)
    await shot(page, 'import-step2')

    // All or nothing with a bad row would write nothing: the page says what to do instead.
    assert.ok(await page.getByRole('button', { name: /^Import 2 rows$/ }).isDisabled())
    await page.getByText('Some rows have errors: fix them in the file and check again').waitFor()
    await page.getByLabel('Import the valid rows only').check()
    await page.getByRole('button', { name: /^Import 2 rows$/ }).click()
    await page.getByRole('heading', { name: 'Import finished.' }).waitFor({ timeout: 30000 })
    const progress = page.getByTestId('import-progress')
    assert.match(await progress.innerText(), /100%/)
    assert.equal(await page.locator('#import-progress').getAttribute('value'), '100')
    await shot(page, 'import-step3')

    // The new contact is findable, by the search route and in the contacts list.
    const found = await api(server.url, token, '/api/crm/search?q=Zuleica%20Importada&collection=contacts')
    assert.ok(found.items.some((h) => h.title === 'Zuleica Importada'), 'search finds the imported contact')
    await page.getByRole('link', { name: 'Open contacts' }).click()
    await page.locator('#contacts-search').fill('Zuleica Importada')
    await page.getByRole('row').filter({ hasText: 'zuleica.importada@example.test' }).waitFor()

    // The export menu exports what the list shows: the search's match.
    await page.locator('summary', { hasText: 'Export' }).click()
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'CSV (spreadsheet)' }).click()])
    assert.match(download.suggestedFilename(), /^contacts-\d{4}-\d{2}-\d{2}\.csv$/)
    const csv = readFileSync(await download.path(), 'utf8')
    assert.ok(csv.startsWith('\uFEFFid,'), 'a CSV with a BOM and a header')
    assert.ok(csv.includes('zuleica.importada@example.test'))
    assert.ok(!csv.includes('joao'), 'only the search match, not the whole list')
    await page.context().close()
  })

  test('a duplicate is merged field by field and the merge undone', async () => {
    const list = await api(server.url, token, `/api/collections/contacts/records?filter=${encodeURIComponent("name~'Zuleica'")}&sort=name&skipTotal=1`)
    const kept = list.items.find((c) => c.name === 'Zuleica Importada')
    const dup = list.items.find((c) => c.name === 'Zuleica I. Duplicata')
    assert.ok(kept && dup, 'the import made both contacts')
    // Agents merge away only contacts they own (as they delete): Rafael takes the duplicate.
    await api(server.url, token, `/api/collections/contacts/records/${dup.id}`, { method: 'PATCH', body: { owner: rafaelId } })

    const page = await newPage()
    await signIn(page)
    await page.goto(`${server.url}/contacts/${kept.id}`)
    await page.getByRole('link', { name: 'Merge…' }).click()
    await page.getByRole('heading', { name: 'Merge Zuleica Importada with a duplicate' }).waitFor()
    await page.locator('#merge-search').fill('Duplicata')
    const hit = page.locator('.hits li', { hasText: 'Zuleica I. Duplicata' })
    await hit.getByRole('button', { name: 'Choose' }).click()
    // Keep the duplicate's email; the name stays the kept one's.
    const emailRow = page.getByRole('row', { name: /Email/ })
    await emailRow.getByLabel('zuleica.duplicata@example.test').check()
    await shot(page, 'merge-chooser')
    await page.getByRole('button', { name: 'Merge', exact: true }).click()
    await page.getByText('Merged: Zuleica I. Duplicata is now part of Zuleica Importada.').first().waitFor()

    const merged = await api(server.url, token, `/api/collections/contacts/records/${kept.id}`)
    assert.equal(merged.email, 'zuleica.duplicata@example.test')
    assert.equal(merged.name, 'Zuleica Importada')
    const gone = await fetch(`${server.url}/api/collections/contacts/records/${dup.id}`, { headers: { Authorization: token } })
    assert.equal(gone.status, 404)

    await page.getByRole('button', { name: 'Undo the merge' }).click()
    await page.getByText('Merge undone: Zuleica I. Duplicata is a separate contact again.').first().waitFor()
    const back = await api(server.url, token, `/api/collections/contacts/records/${dup.id}`)
    assert.equal(back.email, 'zuleica.duplicata@example.test')
    const restored = await api(server.url, token, `/api/collections/contacts/records/${kept.id}`)
    assert.equal(restored.email, 'zuleica.importada@example.test')
    await page.context().close()
  })

  test('two companies are merged: the duplicate’s people move over, and back on undo', async () => {
    const kept = await api(server.url, token, '/api/collections/companies/records', { method: 'POST', body: { name: 'Serralheria Aço Forte', owner: rafaelId } })
    const dup = await api(server.url, token, '/api/collections/companies/records', { method: 'POST', body: { name: 'Serralheria Aco Forte Ltda', domain: 'acoforte.example', owner: rafaelId } })
    const person = await api(server.url, token, '/api/collections/contacts/records', { method: 'POST', body: { name: 'Otávio Ferreira', company: dup.id, owner: rafaelId } })

    const page = await newPage()
    await signIn(page)
    await page.goto(`${server.url}/companies/${kept.id}`)
    await page.getByRole('link', { name: 'Merge…' }).click()
    await page.getByRole('heading', { name: 'Merge Serralheria Aço Forte with a duplicate' }).waitFor()
    await page.locator('#merge-search').fill('Serralheria')
    await page.locator('.hits li', { hasText: 'Serralheria Aco Forte Ltda' }).getByRole('button', { name: 'Choose' }).click()
    await page.getByText('Everything of Serralheria Aco Forte Ltda (its people').waitFor()
    await shot(page, 'merge-company-chooser')
    await page.getByRole('button', { name: 'Merge', exact: true }).click()
    await page.getByText('Merged: Serralheria Aco Forte Ltda is now part of Serralheria Aço Forte.').first().waitFor()
    const merged = await api(server.url, token, `/api/collections/companies/records/${kept.id}`)
    assert.equal(merged.domain, 'acoforte.example', 'an empty field takes the duplicate’s value by default')
    assert.equal((await api(server.url, token, `/api/collections/contacts/records/${person.id}`)).company, kept.id)

    await page.getByRole('button', { name: 'Undo the merge' }).click()
    await page.getByText('Merge undone: Serralheria Aco Forte Ltda is a separate company again.').first().waitFor()
    assert.equal((await api(server.url, token, `/api/collections/contacts/records/${person.id}`)).company, dup.id)
    await page.context().close()
  })

  test('no page errors', () => {
    assert.deepEqual(pageErrors, [])
  })
})
