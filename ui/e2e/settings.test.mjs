// Browser tests of Settings → Request types and Settings → Business: a manager
// builds a request type (a choice field with two options, two statuses, a
// next step) and sees it offered on the portal's public form; a bad
// definition shows the server's message beside the input at fault; a new
// name and opening hours reach the portal's brand without a restart.
//
//   /work/e2e-run.sh business e2e/settings.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { apiToken, api } from './server.mjs'
import { startSmtpSink } from './portal-smtp.mjs'
import { browserKit, SHOTS, DESKTOP, PHONE, MARINA, JOAO as JOAO_CONTACT, JOAO_EMAIL } from './kit.mjs'

const JOAO = { email: JOAO_EMAIL, contact: JOAO_CONTACT }

// signIn(page) signs Marina in; shots() checks the page is no wider than the screen and takes it whole.
const { start, stop, newPage, signIn, shot: shots, noSidewaysScroll, pageErrors } = browserKit({
  prefix: 'settings', user: MARINA, widthOnShot: true, screenshot: { fullPage: true },
})
let server
let smtp

describe('settings: request types and the business', { timeout: 300000 }, () => {
  before(async () => {
    smtp = await startSmtpSink() // the portal's sign-in codes, for a customer's test
    server = await start({ env: { VINCULO_SMTP_HOST: '127.0.0.1', VINCULO_SMTP_PORT: String(smtp.port), VINCULO_SMTP_SENDER: 'portal@vinculo.example' } })
    // Marina reads the workspace in English for these tests.
    const token = await apiToken(server.url, MARINA)
    const me = await api(server.url, token, '/api/collections/staff/auth-refresh', { method: 'POST' })
    await api(server.url, token, `/api/collections/staff/records/${me.record.id}`, { method: 'PATCH', body: { language: 'en' } })
  })

  after(async () => {
    await stop()
    await smtp?.stop()
  })

  test('a manager builds a request type and customers are offered it', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page)
    await page.goto(`${server.url}/settings/request-types`)
    await page.getByRole('button', { name: 'New request type' }).click()
    await page.locator('#rt-name').fill('Troca de equipamento')
    await page.locator('#rt-code').fill('TRQ')
    await page.getByLabel('Offered on the public request form').check()
    await page.locator('#rt-first').fill('4')
    await page.locator('#rt-resolution').fill('24')

    await page.getByRole('button', { name: 'Add a field' }).click()
    await page.locator('#rt-f0-label').fill('Equipamento')
    assert.equal(await page.locator('#rt-f0-name').inputValue(), 'equipamento', 'the name follows the label')
    await page.locator('#rt-f0-type').selectOption('select')
    await page.locator('#rt-f0-options').fill('Roteador\nDecodificador')
    await page.getByLabel('Required', { exact: true }).check()

    await page.getByRole('button', { name: 'Add a status' }).click()
    await page.locator('#rt-s0-label').fill('Recebida')
    await page.locator('#rt-s0-public').fill('Recebemos seu pedido')
    await page.getByRole('button', { name: 'Add a status' }).click()
    await page.locator('#rt-s1-label').fill('Trocado')
    await page.locator('#rt-s1-public').fill('Equipamento trocado')
    await page.getByLabel('Closes the request').nth(1).check()
    await page.getByLabel('Allow only the moves listed below').check()
    await page.getByRole('group', { name: 'From Recebida' }).getByLabel('Trocado').check()
    await shots(page, 'request-type-desktop')

    await page.getByRole('button', { name: 'Save request type' }).click()
    await page.getByRole('status').filter({ hasText: '“Troca de equipamento” is saved.' }).waitFor()

    // Stored in the format plugins/requests and the portal read.
    const token = await apiToken(server.url, MARINA)
    const list = await api(server.url, token, `/api/collections/case_types/records?filter=${encodeURIComponent('code="TRQ"')}`)
    assert.equal(list.items.length, 1)
    const tp = list.items[0]
    assert.deepEqual(tp.fields, [{ name: 'equipamento', label: 'Equipamento', type: 'select', required: true, options: ['Roteador', 'Decodificador'] }])
    assert.deepEqual(tp.statuses.map((s) => [s.key, s.public_label, s.closed]), [['recebida', 'Recebemos seu pedido', false], ['trocado', 'Equipamento trocado', true]])
    assert.deepEqual(tp.transitions, { recebida: ['trocado'], trocado: [] })
    assert.equal(tp.public, true)
    assert.equal(tp.sla_first_response_hours, 4)

    // Offered on the portal's public form, with its field and options.
    const portal = await newPage(PHONE)
    await portal.goto(`${server.url}/portal/new-request`)
    await portal.locator('#pub-type').selectOption('TRQ')
    const field = portal.locator('#field-equipamento')
    await field.waitFor()
    assert.deepEqual(await field.locator('option').allInnerTexts(), [await field.locator('option').first().innerText(), 'Roteador', 'Decodificador'])
    await noSidewaysScroll(portal, 'the public form')
    await portal.screenshot({ path: `${SHOTS}settings-portal-new-type-phone.png`, fullPage: true })
    await portal.context().close()

    // The list, at both sizes.
    await page.getByRole('button', { name: 'Back to the list' }).click()
    await page.getByText('Troca de equipamento', { exact: true }).waitFor()
    await shots(page, 'request-types-desktop')
    await page.setViewportSize(PHONE.viewport)
    await shots(page, 'request-types-phone')
    await page.getByRole('button', { name: 'Edit “Troca de equipamento”' }).click()
    await page.locator('#rt-name').waitFor()
    await shots(page, 'request-type-phone')
    await page.context().close()
  })

  test('long text, yes/no and labels in Portuguese: a pt-BR customer reads them on the portal', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page)
    await page.goto(`${server.url}/settings/request-types`)
    await page.getByRole('button', { name: 'New request type' }).click()
    await page.locator('#rt-name').fill('Mudança de endereço')
    await page.locator('#rt-code').fill('MUD')

    // A long text, labelled in both languages, with help in both.
    await page.getByRole('button', { name: 'Add a field' }).click()
    await page.locator('#rt-f0-label').fill('New address')
    assert.equal(await page.locator('#rt-f0-name').inputValue(), 'new_address', 'the name follows the first label')
    await page.locator('#rt-f0-label-other').fill('Novo endereço')
    assert.equal(await page.locator('#rt-f0-name').inputValue(), 'new_address', 'the second label leaves the name alone')
    await page.locator('#rt-f0-type').selectOption('long_text')
    await page.locator('#rt-f0-help').fill('Street, number and city')
    await page.locator('#rt-f0-help-other').fill('Rua, número e cidade')
    const first = page.locator('li[aria-label="Field 1"]')
    await first.getByLabel('Required', { exact: true }).check()

    // A yes/no that must be ticked, in both languages.
    await page.getByRole('button', { name: 'Add a field' }).click()
    await page.locator('#rt-f1-label').fill('I confirm I live here')
    await page.locator('#rt-f1-label-other').fill('Confirmo que moro aqui')
    await page.locator('#rt-f1-type').selectOption('bool')
    const second = page.locator('li[aria-label="Field 2"]')
    await second.getByLabel('Must be ticked (like a consent)').check()

    // A yes/no labelled once: the same words for everyone.
    await page.getByRole('button', { name: 'Add a field' }).click()
    await page.locator('#rt-f2-label').fill('Elevador')
    await page.locator('#rt-f2-type').selectOption('bool')

    await page.getByRole('button', { name: 'Add a status' }).click()
    await page.locator('#rt-s0-label').fill('Recebida')
    await page.locator('#rt-s0-public').fill('We have your request')
    await page.locator('#rt-s0-public-other').fill('Recebemos seu pedido')
    await page.getByRole('button', { name: 'Add a status' }).click()
    await page.locator('#rt-s1-label').fill('Feita')
    await page.locator('#rt-s1-public').fill('Address changed')
    await page.getByLabel('Closes the request').nth(1).check()
    await page.locator('#rt-f1-type').scrollIntoViewIfNeeded()
    await noSidewaysScroll(page, 'the editor')
    await page.screenshot({ path: `${SHOTS}rt2-editor-desktop.png`, fullPage: true })
    await page.setViewportSize(PHONE.viewport)
    await noSidewaysScroll(page, 'the editor on a phone')
    await page.screenshot({ path: `${SHOTS}rt2-editor-phone.png`, fullPage: true })
    await page.setViewportSize(DESKTOP.viewport)

    await page.getByRole('button', { name: 'Save request type' }).click()
    await page.getByRole('status').filter({ hasText: '“Mudança de endereço” is saved.' }).waitFor()

    const token = await apiToken(server.url, MARINA)
    const tp = (await api(server.url, token, `/api/collections/case_types/records?filter=${encodeURIComponent('code="MUD"')}`)).items[0]
    assert.deepEqual(tp.fields, [
      { name: 'new_address', label: { en: 'New address', 'pt-BR': 'Novo endereço' }, help: { en: 'Street, number and city', 'pt-BR': 'Rua, número e cidade' }, type: 'long_text', required: true },
      { name: 'i_confirm_i_live_here', label: { en: 'I confirm I live here', 'pt-BR': 'Confirmo que moro aqui' }, type: 'bool', required: true },
      { name: 'elevador', label: 'Elevador', type: 'bool', required: false },
    ])
    assert.deepEqual(tp.statuses.map((s) => s.public_label), [{ en: 'We have your request', 'pt-BR': 'Recebemos seu pedido' }, 'Address changed'])

    // Reopened, the editor shows each language in its place.
    await page.getByRole('button', { name: 'Back to the list' }).click()
    await page.getByRole('button', { name: 'Edit “Mudança de endereço”' }).click()
    assert.equal(await page.locator('#rt-f0-label-other').inputValue(), 'Novo endereço')
    assert.equal(await page.locator('#rt-s0-public-other').inputValue(), 'Recebemos seu pedido')
    assert.equal(await page.locator('#rt-f2-label').inputValue(), 'Elevador')

    // João reads Portuguese: the portal's form speaks it.
    await api(server.url, token, `/api/collections/contacts/records/${JOAO.contact}`, { method: 'PATCH', body: { language: 'pt-BR' } })
    for (const [size, opts] of [['phone', PHONE], ['desktop', DESKTOP]]) {
      const portal = await newPage(opts)
      await portal.goto(`${server.url}/portal/`)
      await portal.locator('#signin-email').fill(JOAO.email)
      const since = smtp.messages.length
      await portal.locator('main form button[type=submit]').click()
      await portal.locator('#signin-code').waitFor()
      await portal.locator('#signin-code').fill(await smtp.codeFor(JOAO.email, since))
      await portal.locator('main form button[type=submit]').click()
      await portal.getByTestId('me-name').waitFor()
      await portal.goto(`${server.url}/portal/new`)
      await portal.getByText('Mudança de endereço', { exact: true }).click()
      const story = portal.locator('#field-new_address')
      await story.waitFor()
      assert.equal(await story.evaluate((el) => el.tagName), 'TEXTAREA', 'long text is a textarea')
      assert.equal((await portal.locator('label[for="field-new_address"]').innerText()).replace('*', '').trim(), 'Novo endereço')
      await portal.locator('#field-new_address-help').filter({ hasText: 'Rua, número e cidade' }).waitFor()
      const tick = portal.getByRole('checkbox', { name: 'Confirmo que moro aqui' })
      assert.equal(await tick.count(), 1, 'the yes/no is a checkbox with its Portuguese label')
      await portal.getByRole('checkbox', { name: 'Elevador' }).waitFor()

      if (size === 'desktop') {
        await noSidewaysScroll(portal, 'the portal form')
        await portal.screenshot({ path: `${SHOTS}rt2-portal-desktop.png`, fullPage: true })
        await portal.context().close()
        continue
      }
      // Sent without the box ticked: the form says so, in Portuguese, and keeps what was typed.
      await portal.locator('#new-subject').fill('Mudei de casa')
      await story.fill('Rua das Palmeiras, 45\nCuritiba')
      await portal.getByRole('button', { name: 'Enviar pedido' }).click()
      await portal.locator('#field-i_confirm_i_live_here-err').filter({ hasText: 'Marque esta opção para continuar, por favor.' }).waitFor()
      assert.equal(await story.inputValue(), 'Rua das Palmeiras, 45\nCuritiba')
      await noSidewaysScroll(portal, 'the portal form on a phone')
      await portal.screenshot({ path: `${SHOTS}rt2-portal-phone.png`, fullPage: true })

      await tick.check()
      await portal.getByRole('button', { name: 'Enviar pedido' }).click()
      const ref = await portal.getByTestId('new-reference').innerText()
      assert.match(ref, /^MUD-\d{4}$/)
      const kase = (await api(server.url, token, `/api/collections/cases/records?filter=${encodeURIComponent(`reference="${ref}"`)}`)).items[0]
      assert.deepEqual(kase.data, { new_address: 'Rua das Palmeiras, 45\nCuritiba', i_confirm_i_live_here: true, elevador: false })
      assert.equal(kase.status_label, 'Recebemos seu pedido', 'the status label is in the customer’s language')
      await portal.goto(`${server.url}/portal/requests/${kase.id}`)
      await portal.getByTestId('status').filter({ hasText: 'Recebemos seu pedido' }).waitFor()
      await portal.context().close()

      // Marina reads English: the case page shows the labels and Yes/No in hers.
      await page.goto(`${server.url}/cases/${kase.id}`)
      const data = page.getByTestId('case-data')
      await data.waitFor()
      assert.match(await data.innerText(), /New address\s+Rua das Palmeiras, 45\s+Curitiba/)
      assert.match(await data.innerText(), /I confirm I live here\s+Yes/)
      assert.match(await data.innerText(), /Elevador\s+No/)
      await page.screenshot({ path: `${SHOTS}rt2-case-desktop.png` })
    }
    await page.context().close()
  })

  test('a bad definition shows the server’s message beside the field, and what was typed stays', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page)
    await page.goto(`${server.url}/settings/request-types`)
    await page.getByRole('button', { name: 'New request type' }).click()
    await page.locator('#rt-name').fill('Tipo ruim')
    await page.locator('#rt-code').fill('RUI')
    await page.getByRole('button', { name: 'Add a field' }).click()
    await page.locator('#rt-f0-label').fill('Plano')
    await page.locator('#rt-f0-type').selectOption('select') // no options
    await page.getByRole('button', { name: 'Add a status' }).click()
    await page.locator('#rt-s0-label').fill('Nova')
    await page.locator('#rt-s0-public').fill('Recebida')
    await page.getByRole('button', { name: 'Add a status' }).click()
    await page.locator('#rt-s1-label').fill('Nova') // the same key twice
    await page.locator('#rt-s1-public').fill('De novo')
    await page.getByRole('button', { name: 'Save request type' }).click()

    await page.locator('#rt-e-fields-0-options').filter({ hasText: 'A choice from a list needs its options.' }).waitFor()
    await page.locator('#rt-e-statuses-1-key').filter({ hasText: 'Key “nova” appears twice.' }).waitFor()
    assert.equal(await page.locator('#rt-f0-options').getAttribute('aria-invalid'), 'true')
    assert.equal(await page.locator('#rt-name').inputValue(), 'Tipo ruim')
    assert.equal(await page.locator('#rt-s1-public').inputValue(), 'De novo')
    const token = await apiToken(server.url, MARINA)
    const list = await api(server.url, token, `/api/collections/case_types/records?filter=${encodeURIComponent('code="RUI"')}`)
    assert.equal(list.items.length, 0, 'nothing saved')
    await shots(page, 'request-type-errors-desktop')
    await page.context().close()
  })

  test('a new name and opening hours reach the portal without a restart', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page)
    await page.goto(`${server.url}/settings/business`)
    await page.locator('#biz-name').waitFor()
    await shots(page, 'business-desktop')

    // A time zone that does not exist: the server's words beside it.
    await page.locator('#biz-timezone').fill('America/Atlantida')
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await page.locator('#biz-timezone-error').filter({ hasText: '“America/Atlantida” is not a time zone' }).waitFor()
    await page.locator('#biz-timezone').fill('America/Sao_Paulo')

    await page.locator('#biz-name').fill('Padaria Aberta Sábado')
    await page.getByRole('group', { name: 'Saturday' }).getByRole('button', { name: 'Add opening hours on Saturday' }).click()
    const sat = page.getByRole('group', { name: 'Saturday' })
    await sat.getByLabel('Saturday: opens at').fill('08:00')
    await sat.getByLabel('Saturday: closes at').fill('12:00')
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await page.getByRole('status').filter({ hasText: 'Saved. It applies now.' }).waitFor()

    const token = await apiToken(server.url, MARINA)
    const rows = await api(server.url, token, '/api/collections/business_settings/records')
    assert.equal(rows.items[0].name, 'Padaria Aberta Sábado')
    assert.match(rows.items[0].hours, /sat 08:00-12:00/)
    assert.equal(rows.items[0].withhold_working_notes, false)

    // Internal request notes as the team's working notes: the full copy leaves them out.
    await page.getByLabel("Internal request notes are the team's working notes").check()
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await page.getByRole('status').filter({ hasText: 'Saved. It applies now.' }).waitFor()
    const after = await api(server.url, token, '/api/collections/business_settings/records')
    assert.equal(after.items[0].withhold_working_notes, true)

    const portal = await newPage(PHONE)
    await portal.goto(`${server.url}/portal/new-request`)
    await portal.locator('.brand-name').filter({ hasText: 'Padaria Aberta Sábado' }).waitFor()
    await noSidewaysScroll(portal, 'the portal')
    await portal.screenshot({ path: `${SHOTS}settings-portal-brand-phone.png` })
    await portal.context().close()

    await page.setViewportSize(PHONE.viewport)
    await shots(page, 'business-phone')
    await page.context().close()
    assert.deepEqual(pageErrors, [])
  })
})
