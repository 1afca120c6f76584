// Browser test: everything a person reads is in their language. Rafael, of
// the demo business, reads Portuguese: the timeline's system entries (worded
// from their event and data, not stored English sentences) and an import's
// errors are in Portuguese; Beatriz reads English and sees the same entries
// in English. Screenshots at desktop and phone size go to
// e2e/screenshots/language-*.
//
//   /work/e2e-run.sh language e2e/language.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { apiToken, api } from './server.mjs'
import { browserKit, RAFAEL, BEATRIZ, JOAO } from './kit.mjs'

const DESKTOP = { width: 1280, height: 800 }
const PHONE = { width: 390, height: 844 }

// Three bad rows and a good one.
const CSV = [
  'Name,Email,Phone,Owner',
  'Boa Pessoa,boa.pessoa@example.test,,',
  'Sem Arroba,not-an-email,,',
  'Telefone Curto,curto@example.test,12,',
  'Dono Estranho,dono@example.test,,Ninguém Conhecido',
].join('\n')

const ENGLISH_SENTENCES = /^(Contact created|Deal (created|moved|won|lost|reopened)|Request \S+ (opened|answered|closed|rated)|Order (placed|cancelled)|Subscription |Consent |Message |Contact preferences changed)/

const kit = browserKit({ prefix: 'language', locale: 'pt-BR', timeout: 15000, context: { serviceWorkers: 'allow' } })
const { start, stop, signIn, shot, noSidewaysScroll, pageErrors } = kit
const newPage = (viewport, locale = 'pt-BR') => kit.newPage({ viewport, locale })
let server
let token

/** The titles of the system entries on João's timeline, by event. */
async function systemTitles(page) {
  await page.goto(`${server.url}/contacts/${JOAO}`)
  await page.locator('.entries .entry').first().waitFor()
  const out = {}
  for (const entry of await page.locator('.entries .entry[data-event]').all()) {
    const event = await entry.getAttribute('data-event')
    ;(out[event] ??= []).push((await entry.locator('.subject').innerText()).trim())
  }
  return out
}

describe('everything a person reads is in their language', { timeout: 300000 }, () => {
  before(async () => {
    server = await start()
    token = await apiToken(server.url, RAFAEL)
    // Fresh system entries at the top of João's timeline: his preferences
    // change, and a request opened for him by phone.
    await api(server.url, token, `/api/collections/contacts/records/${JOAO}`, { method: 'PATCH', body: { preferred_channel: 'whatsapp' } })
    const types = await api(server.url, token, `/api/collections/case_types/records?filter=${encodeURIComponent("code='INF'")}&skipTotal=1`)
    await api(server.url, token, '/api/collections/cases/records', {
      method: 'POST', body: { type: types.items[0].id, contact: JOAO, subject: 'Horário da visita', channel: 'phone' },
    })
  })

  after(async () => {
    await stop()
  })

  test('a Portuguese-speaking staff member reads the system entries in Portuguese', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page, RAFAEL)
    const titles = await systemTitles(page)
    assert.ok(Object.keys(titles).length > 0, 'the timeline shows system entries')
    assert.ok(titles['contact.preferences_changed']?.some((s) => s.startsWith('Preferências de contato alteradas: canal preferido')), JSON.stringify(titles))
    assert.ok(titles['case.opened']?.some((s) => /^Solicitação INF-\d+ aberta: Horário da visita$/.test(s)), JSON.stringify(titles))
    for (const [event, list] of Object.entries(titles)) {
      for (const s of list) assert.doesNotMatch(s, ENGLISH_SENTENCES, `${event} is worded in English for a Portuguese reader`)
    }
    // The detail under the preferences entry: the change, field by field.
    const prefs = page.locator('.entries .entry[data-event="contact.preferences_changed"]').first()
    assert.match(await prefs.locator('.body').innerText(), /canal preferido: .* → whatsapp/)
    await page.locator('.entries').scrollIntoViewIfNeeded()
    await shot(page, 'timeline-desktop')
    await noSidewaysScroll(page, 'timeline, desktop')
    await page.setViewportSize(PHONE)
    await page.locator('.entries .entry[data-event]').first().scrollIntoViewIfNeeded()
    await shot(page, 'timeline-phone')
    await noSidewaysScroll(page, 'timeline, phone')
    await page.context().close()
  })

  test('an English-speaking staff member reads the same entries in English', async () => {
    const page = await newPage(DESKTOP, 'en-US')
    await signIn(page, BEATRIZ)
    const titles = await systemTitles(page)
    assert.ok(titles['contact.preferences_changed']?.some((s) => s.startsWith('Contact preferences changed: preferred channel')), JSON.stringify(titles))
    assert.ok(titles['case.opened']?.some((s) => /^Request INF-\d+ opened: Horário da visita$/.test(s)), JSON.stringify(titles))
    await page.context().close()
  })

  test('an import with bad rows shows its errors in Portuguese', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page, RAFAEL)
    await page.goto(`${server.url}/import`)
    await page.locator('#import-file').setInputFiles({ name: 'pessoas.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) })
    await page.locator('#map-0').waitFor()
    await page.getByRole('button', { name: 'Conferir o arquivo' }).click()
    const rows = page.locator('table', { has: page.getByRole('columnheader', { name: 'Problema' }) }).locator('tbody tr')
    await rows.first().waitFor()
    const seen = {}
    for (const row of await rows.all()) {
      const cells = await row.locator('td').allInnerTexts()
      seen[cells[0]] = cells.slice(1)
    }
    assert.deepEqual(seen['3'], ['E-mail', '“not-an-email” não é um endereço de e-mail'], JSON.stringify(seen))
    assert.deepEqual(seen['4'], ['Telefone', '“12” não é um número de telefone possível em BR'], JSON.stringify(seen))
    assert.deepEqual(seen['5'], ['Responsável', 'nenhum membro da equipe tem este e-mail ou nome'], JSON.stringify(seen))
    await page.locator('table.problems').scrollIntoViewIfNeeded()
    await shot(page, 'import-errors-desktop')
    await noSidewaysScroll(page, 'import errors, desktop')
    await page.setViewportSize(PHONE)
    await page.locator('table.problems').scrollIntoViewIfNeeded()
    await shot(page, 'import-errors-phone')
    await noSidewaysScroll(page, 'import errors, phone')
    await page.context().close()
  })

  test('no page error', () => {
    assert.deepEqual(pageErrors, [])
  })
})
