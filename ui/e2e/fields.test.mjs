// Browser test of custom fields: a manager adds a select field to contacts in
// Settings → Fields; it shows in the contact form, on the contact's page, as
// a list column and filter, in the export and in the import mapping; a
// rename keeps the values; a delete first says how many records hold one.
// The order of the fields (moved in Settings) is the forms' order; an option
// renamed is renamed in the records, one removed is asked about first; the
// customer edits the fields marked as theirs on the portal's profile, in
// their language, and never sees an internal one; a bad custom value in an
// import is told to a Portuguese reader in Portuguese.
//
//   /work/e2e-run.sh fields e2e/fields.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { apiToken, api, request } from './server.mjs'
import { startSmtpSink } from './portal-smtp.mjs'
import { browserKit, DESKTOP, PHONE, MARINA, RAFAEL } from './kit.mjs'

// signIn(page) signs Marina in; shot() first checks that nothing is wider than the screen.
const { start, stop, newPage, signIn, shot, pageErrors } = browserKit({ prefix: 'fields', user: MARINA, widthOnShot: true })
let server
let smtp
let token

describe('custom fields in Chromium', { timeout: 300000 }, () => {
  before(async () => {
    smtp = await startSmtpSink()
    server = await start({ env: { VINCULO_SMTP_HOST: '127.0.0.1', VINCULO_SMTP_PORT: String(smtp.port), VINCULO_SMTP_SENDER: 'portal@vinculo.example' } })
    // Marina reads the workspace in English for these tests.
    token = await apiToken(server.url, MARINA)
    const me = await api(server.url, token, '/api/collections/staff/auth-refresh', { method: 'POST' })
    await api(server.url, token, `/api/collections/staff/records/${me.record.id}`, { method: 'PATCH', body: { language: 'en' } })
  })

  after(async () => {
    await stop()
    await smtp?.stop()
  })

  test('a select field on contacts, from Settings to the form, page, list, export, import; renamed; deleted', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page)
    await page.goto(`${server.url}/settings/fields`)
    await page.getByRole('heading', { name: 'Add a field' }).waitFor()

    // Bad input: the server's words beside the field, what was typed kept.
    await page.locator('#cf-kind').selectOption('select')
    await page.locator('#cf-label').fill('Region')
    await page.getByRole('button', { name: 'Add field' }).click()
    await page.locator('#cf-options-error').waitFor()
    assert.match(await page.locator('#cf-options-error').innerText(), /at least one option/)
    assert.equal(await page.locator('#cf-label').inputValue(), 'Region')
    await shot(page, 'settings-error-desktop')

    await page.locator('#cf-options').fill('North\nSouth')
    await page.locator('#cf-label-other').fill('Região')
    await page.getByRole('button', { name: 'Add field' }).click()
    const row = page.locator('li[data-field="cf_region"]')
    await row.waitFor()
    assert.match(await row.innerText(), /Region[\s\S]*cf_region[\s\S]*One choice[\s\S]*North, South[\s\S]*Internal/)
    await shot(page, 'settings-desktop')

    // The contact form has it; the contact's page shows it.
    await page.goto(`${server.url}/contacts`)
    await page.getByRole('button', { name: 'New contact' }).click()
    await page.locator('#cf-name').fill('Fields Test Person')
    const input = page.locator('#cf-contacts-cf_region')
    await input.waitFor()
    await input.selectOption('North')
    await shot(page, 'form-desktop')
    await page.getByRole('button', { name: 'Create contact' }).click()
    await page.waitForURL(/\/contacts\/[a-z0-9]{15}$/)
    const contactId = page.url().split('/').pop()
    const values = page.getByTestId('custom-field-values')
    await values.waitFor()
    assert.match(await values.innerText(), /Region\s*North/)
    await values.scrollIntoViewIfNeeded()
    await shot(page, 'contact-desktop')
    const stored = await api(server.url, token, `/api/collections/contacts/records/${contactId}`)
    assert.equal(stored.cf_region, 'North')

    // A list column and a filter.
    await page.goto(`${server.url}/contacts`)
    await page.locator('.cf-columns summary').click()
    await page.locator('.cf-columns label').filter({ hasText: 'Region' }).locator('input').check()
    await page.locator('th.custom').filter({ hasText: 'Region' }).waitFor()
    await page.locator('.cf-columns summary').click()
    await page.locator('#cf-filter-contacts').selectOption('cf_region')
    await page.locator('#cf-filter-value-contacts').selectOption('North')
    // Only the contacts whose region is North are left (the demo's have none).
    await page.waitForFunction(() => {
      const cells = [...document.querySelectorAll('td[data-field="cf_region"]')]
      return cells.length > 0 && cells.every((td) => td.textContent.trim() === 'North')
    })
    await page.locator('tr', { hasText: 'Fields Test Person' }).waitFor()
    await shot(page, 'list-desktop')
    await page.locator('#cf-filter-value-contacts').selectOption('South')
    await page.locator('tr', { hasText: 'Fields Test Person' }).waitFor({ state: 'detached' })

    // The export has the column and the value.
    const csv = await request(server.url, token, `/api/crm/export/contacts?format=csv&filter=${encodeURIComponent(`id = '${contactId}'`)}`)
    assert.equal(csv.status, 200)
    const [head, line] = csv.text.split(/\r?\n/)
    const col = head.split(',').indexOf('cf_region')
    assert.ok(col >= 0, `export header: ${head}`)
    assert.equal(line.split(',')[col], 'North')

    // The import mapping offers it.
    await page.goto(`${server.url}/import`)
    await page.locator('input[type=file]').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from('Name,Zone\nAna Import,South\n') })
    const map = page.locator('select[id^="map-"]').nth(1)
    await map.waitFor()
    await map.selectOption('cf_region')
    assert.equal(await map.inputValue(), 'cf_region')
    await shot(page, 'import-desktop')

    // Rename: the value stays under the new name.
    await page.goto(`${server.url}/settings/fields`)
    await row.getByRole('button', { name: /^Edit/ }).click()
    await page.locator('#cfe-label').fill('Sales region')
    await page.locator('#cfe-name').fill('cf_sales_region')
    await shot(page, 'edit-desktop')
    await page.locator('dialog[open]').getByRole('button', { name: 'Save' }).click()
    await page.locator('li[data-field="cf_sales_region"]').waitFor()
    const renamed = await api(server.url, token, `/api/collections/contacts/records/${contactId}`)
    assert.equal(renamed.cf_sales_region, 'North')
    assert.ok(!('cf_region' in renamed))

    // Delete: the dialog says how many records hold a value, then deletes.
    await page.locator('li[data-field="cf_sales_region"]').getByRole('button', { name: /^Delete/ }).click()
    const count = page.getByTestId('cf-count')
    await count.waitFor()
    assert.match(await count.innerText(), /^One record holds a value/)
    await shot(page, 'delete-desktop')
    await page.locator('dialog[open]').getByRole('button', { name: 'Delete the field' }).click()
    await page.locator('li[data-field="cf_sales_region"]').waitFor({ state: 'detached' })
    const after = await api(server.url, token, `/api/collections/contacts/records/${contactId}`)
    assert.ok(!('cf_sales_region' in after), 'the field is gone from the record')
    await page.context().close()
    assert.deepEqual(pageErrors, [])
  })

  test('a multi-choice field on companies: a column and a filter of the companies list', async () => {
    const field = await api(server.url, token, '/api/crm/fields', { method: 'POST', body: { collection: 'companies', label: 'Tier', kind: 'multi_select', options: ['Gold', 'Silver', 'Bronze'] } })
    const { items } = await api(server.url, token, '/api/collections/companies/records?perPage=1&sort=name')
    await api(server.url, token, `/api/collections/companies/records/${items[0].id}`, { method: 'PATCH', body: { [field.name]: ['Gold', 'Bronze'] } })
    const page = await newPage(DESKTOP)
    await signIn(page)
    await page.goto(`${server.url}/companies`)
    await page.locator('.cf-columns summary').click()
    await page.locator('.cf-columns label').filter({ hasText: 'Tier' }).locator('input').check()
    await page.locator('.cf-columns summary').click()
    await page.locator('#cf-filter-companies').selectOption(field.name)
    await page.locator('#cf-filter-value-companies').selectOption('Gold')
    await page.locator('tr', { hasText: items[0].name }).locator(`td[data-field="${field.name}"]`).filter({ hasText: 'Gold, Bronze' }).waitFor()
    // The filtered list replaces the whole one (the row above shows in both).
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1)
    assert.equal(await page.locator('tbody tr').count(), 1)
    await shot(page, 'companies-desktop')
    await page.context().close()
  })

  test('the pages at phone size', async () => {
    const field = await api(server.url, token, '/api/crm/fields', { method: 'POST', body: { collection: 'contacts', label: 'Preferred store', kind: 'select', options: ['Centro', 'Zona Sul'] } })
    const page = await newPage(PHONE)
    await signIn(page)
    await page.goto(`${server.url}/settings/fields`)
    await page.locator(`li[data-field="${field.name}"]`).waitFor()
    await shot(page, 'settings-phone')
    await page.locator(`li[data-field="${field.name}"]`).getByRole('button', { name: /^Delete/ }).click()
    await page.getByTestId('cf-count').waitFor()
    await shot(page, 'delete-phone')
    await page.locator('dialog[open]').getByRole('button', { name: 'Cancel' }).click()

    await page.goto(`${server.url}/contacts`)
    await page.getByRole('button', { name: 'New contact' }).click()
    await page.locator(`#cf-contacts-${field.name}`).scrollIntoViewIfNeeded()
    await shot(page, 'form-phone')

    const contacts = await api(server.url, token, '/api/collections/contacts/records?perPage=1&sort=-created')
    const id = contacts.items[0].id
    await api(server.url, token, `/api/collections/contacts/records/${id}`, { method: 'PATCH', body: { [field.name]: 'Zona Sul' } })
    await page.goto(`${server.url}/contacts/${id}`)
    await page.getByTestId('custom-field-values').scrollIntoViewIfNeeded()
    assert.match(await page.getByTestId('custom-field-values').innerText(), /Zona Sul/)
    await shot(page, 'contact-phone')

    await page.goto(`${server.url}/contacts`)
    await page.getByRole('button', { name: /^Filter contacts/ }).click()
    await page.locator('#cf-filter-contacts').selectOption(field.name)
    await page.locator('#cf-filter-value-contacts').selectOption('Zona Sul')
    await page.locator('.cf-columns summary').click()
    await page.locator('.cf-columns label').filter({ hasText: 'Preferred store' }).locator('input').check()
    await page.locator(`td[data-field="${field.name}"]`).first().waitFor()
    await shot(page, 'list-phone')
    await page.context().close()
    assert.deepEqual(pageErrors, [])
  })
  test('the customer edits the fields marked as theirs on the portal profile, in Portuguese; internal ones never show', async () => {
    const JOAO = { email: 'joao.conceicao@padariapaodourado1.example', contact: 'ct0000000000001' }
    await api(server.url, token, '/api/crm/fields', { method: 'POST', body: { collection: 'contacts', label: 'Shoe size', labels: { 'pt-BR': 'Tamanho do calçado' }, kind: 'select', options: ['37', '38', '39', '40'], customer: true } })
    await api(server.url, token, '/api/crm/fields', { method: 'POST', body: { collection: 'contacts', label: 'Internal score', labels: { 'pt-BR': 'Pontuação interna' }, kind: 'number' } })
    await api(server.url, token, `/api/collections/contacts/records/${JOAO.contact}`, { method: 'PATCH', body: { cf_internal_score: 7 } })

    for (const [size, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      const page = await newPage(options)
      await page.goto(`${server.url}/portal/`)
      await page.locator('#signin-email').fill(JOAO.email)
      const since = smtp.messages.length
      await page.locator('main form button[type=submit]').click()
      await page.locator('#signin-code').waitFor()
      await page.locator('#signin-code').fill(await smtp.codeFor(JOAO.email, since))
      await page.locator('main form button[type=submit]').click()
      await page.getByTestId('me-name').waitFor()
      await page.goto(`${server.url}/portal/profile`)
      const input = page.locator('#profile-cf-cf_shoe_size')
      await input.waitFor()
      assert.equal(await page.locator('label[for="profile-cf-cf_shoe_size"]').innerText(), 'Tamanho do calçado')
      const text = await page.locator('main').innerText()
      assert.ok(!/Pontuação interna|Internal score/.test(text), 'an internal field shows in the portal')
      assert.equal(await page.locator('[id^="profile-cf-"]').count(), 1)
      if (size === 'desktop') {
        await input.selectOption('39')
        await page.locator('main form.card button[type=submit]').first().click()
        await page.locator('main form.card .ok-note').waitFor()
        const stored = await api(server.url, token, `/api/collections/contacts/records/${JOAO.contact}`)
        assert.equal(stored.cf_shoe_size, '39')
        assert.equal(stored.cf_internal_score, 7)
      } else {
        assert.equal(await input.inputValue(), '39') // what the customer saved, read back
      }
      await page.locator('fieldset.custom-fields').scrollIntoViewIfNeeded()
      await shot(page, `portal-profile-${size}`, { prefix: 'cf2' })
      await page.context().close()
    }
    assert.deepEqual(pageErrors, [])
  })

  test('the manager reorders the fields by the buttons and by dragging; the form follows', async () => {
    const order = async () => (await api(server.url, token, '/api/crm/fields?collection=contacts')).items.map((f) => f.name)
    const before = await order()
    assert.ok(before.length >= 3, `fields: ${before}`)
    const last = before.at(-1)
    for (const [size, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      const page = await newPage(options)
      await signIn(page)
      await page.goto(`${server.url}/settings/fields`)
      const rows = page.locator('ol.rows > li')
      await rows.nth(before.length - 1).waitFor()
      if (size === 'desktop') {
        // The last field up by one, with its button.
        await page.locator(`li[data-field="${last}"]`).getByRole('button', { name: /^Move .* up$/ }).click()
        await page.waitForFunction((n) => document.querySelectorAll('ol.rows > li')[n]?.dataset.field, before.length - 2)
        await page.locator(`ol.rows > li:nth-child(${before.length - 1})[data-field="${last}"]`).waitFor()
        // The list moves at once; the server has the order when the page says so.
        await page.locator('.toast').filter({ hasText: `moved to place ${before.length - 1}.` }).waitFor()
        const moved = [...before]
        moved.splice(before.length - 1, 1)
        moved.splice(before.length - 2, 0, last)
        assert.deepEqual(await order(), moved)
        // Then dragged to the top.
        await page.locator(`li[data-field="${last}"]`).dragTo(rows.first())
        await page.locator(`ol.rows > li:first-child[data-field="${last}"]`).waitFor()
        await page.locator('.toast').filter({ hasText: 'moved to place 1.' }).waitFor()
        const top = await order()
        assert.equal(top[0], last)
        await shot(page, `reorder-${size}`, { prefix: 'cf2' })
        // The contact form shows the fields in that order.
        await page.goto(`${server.url}/contacts`)
        await page.getByRole('button', { name: 'New contact' }).click()
        await page.locator(`#cf-contacts-${last}`).waitFor()
        const ids = await page.locator('fieldset.custom-fields [id^="cf-contacts-cf_"]').evaluateAll((els) => els.map((e) => e.id.replace('cf-contacts-', '')))
        assert.deepEqual(ids.filter((n) => top.includes(n)), top.filter((n) => ids.includes(n)))
        assert.equal(ids[0], last)
      } else {
        await page.locator(`ol.rows > li:first-child[data-field="${last}"]`).waitFor()
        await shot(page, `reorder-${size}`, { prefix: 'cf2' })
      }
      await page.context().close()
    }
    assert.deepEqual(pageErrors, [])
  })

  test('an option renamed follows in the records; one removed that a record holds is asked about, then cleared', async () => {
    const field = await api(server.url, token, '/api/crm/fields', { method: 'POST', body: { collection: 'contacts', label: 'Branch', kind: 'select', options: ['Centro', 'Zona Norte'] } })
    const contacts = await api(server.url, token, '/api/collections/contacts/records?perPage=1&sort=-created')
    const id = contacts.items[0].id
    await api(server.url, token, `/api/collections/contacts/records/${id}`, { method: 'PATCH', body: { [field.name]: 'Zona Norte' } })
    const page = await newPage(DESKTOP)
    await signIn(page)
    await page.goto(`${server.url}/settings/fields`)
    const row = page.locator(`li[data-field="${field.name}"]`)
    await row.getByRole('button', { name: /^Edit/ }).click()
    const dialog = page.locator('dialog[open]')
    await dialog.getByRole('textbox', { name: 'Option 2' }).fill('Zona Norte (Santana)')
    await dialog.getByRole('button', { name: 'Save' }).click()
    await dialog.waitFor({ state: 'detached' })
    assert.equal((await api(server.url, token, `/api/collections/contacts/records/${id}`))[field.name], 'Zona Norte (Santana)')

    await row.getByRole('button', { name: /^Edit/ }).click()
    await dialog.getByRole('button', { name: 'Remove the option “Zona Norte (Santana)”' }).click()
    await dialog.getByRole('button', { name: 'Save' }).click()
    const asked = page.getByTestId('cf-option-count')
    await asked.waitFor()
    assert.match(await asked.innerText(), /One record holds an option you removed \(Zona Norte \(Santana\)\)/)
    assert.equal((await api(server.url, token, `/api/collections/contacts/records/${id}`))[field.name], 'Zona Norte (Santana)', 'nothing changed before the confirmation')
    await shot(page, 'option-remove-desktop', { prefix: 'cf2' })
    await dialog.getByRole('button', { name: 'Remove and save' }).click()
    await dialog.waitFor({ state: 'detached' })
    assert.equal((await api(server.url, token, `/api/collections/contacts/records/${id}`))[field.name], '')
    assert.match(await row.innerText(), /Centro/)
    assert.ok(!/Zona Norte/.test(await row.innerText()))
    await page.context().close()
    assert.deepEqual(pageErrors, [])
  })

  test('a bad custom value in an import is told to a Portuguese reader in Portuguese; the column was guessed by its label', async () => {
    const rafael = await apiToken(server.url, RAFAEL)
    const me = await api(server.url, rafael, '/api/collections/staff/auth-refresh', { method: 'POST' })
    await api(server.url, rafael, `/api/collections/staff/records/${me.record.id}`, { method: 'PATCH', body: { language: 'pt-BR' } })
    const page = await newPage(DESKTOP)
    await signIn(page, RAFAEL)
    await page.goto(`${server.url}/import`)
    await page.locator('#import-file').setInputFiles({ name: 'erro.csv', mimeType: 'text/csv', buffer: Buffer.from('Nome,Email,Tamanho do calçado\nAna Erro,ana.erro@example.test,47\nBia Certa,bia.certa@example.test,38\n') })
    await page.locator('#map-2').waitFor()
    assert.equal(await page.locator('#map-2').inputValue(), 'cf_shoe_size')
    await page.getByRole('button', { name: 'Conferir o arquivo' }).click()
    const problem = page.locator('td', { hasText: 'não é uma das opções: 37, 38, 39, 40' })
    await problem.waitFor({ timeout: 30000 })
    // The field by its label in the reader's language, not its API name.
    assert.equal(await page.locator('tr', { has: problem }).locator('td').nth(1).innerText(), 'Tamanho do calçado')
    await problem.scrollIntoViewIfNeeded()
    await shot(page, 'import-error-desktop', { prefix: 'cf2' })
    await page.context().close()
    assert.deepEqual(pageErrors, [])
  })
})
