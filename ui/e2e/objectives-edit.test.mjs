// Browser tests of the demo business's year on the boards, of editing and
// deleting an objective from Home (managers; a measured objective keeps how
// it is measured), and of the portal's survey page speaking the language of
// the customer it was sent to. Screenshots at desktop and phone size go to
// e2e/screenshots/polish-*.png.
//
//   /work/e2e-run.sh polish e2e/objectives-edit.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { apiToken, api, request } from './server.mjs'
import { browserKit, DESKTOP, PHONE, MARINA, BEATRIZ } from './kit.mjs'

const { start, stop, newPage, signIn, shot, noSidewaysScroll } = browserKit({ prefix: 'polish', consoleErrors: /status of (400|404)/, noPageErrors: true })
let server
let token // Marina's

const SIZES = [['desktop', DESKTOP], ['phone', PHONE]]
const q = (s) => encodeURIComponent(s)

describe('the demo year on the boards, objectives edited, the survey page’s language', { timeout: 300000 }, () => {
  before(async () => {
    server = await start()
    token = await apiToken(server.url, MARINA)
  })
  after(async () => {
    await stop()
  })

  test('every board of the demo business has figures over the last year', async () => {
    const to = new Date()
    const from = new Date(to.getTime() - 364 * 86400000)
    const day = (d) => d.toISOString().slice(0, 10)
    const period = `period=custom&from=${day(from)}&to=${day(to)}`
    const value = async (board, key) => {
      const res = await api(server.url, token, `/api/crm/insights/${board}?${period}`)
      const fig = res.figures.find((f) => f.key === key)
      assert.ok(fig, `${board}/${key} is on its board`)
      return fig.value ?? fig.current?.value ?? null
    }
    for (const [board, key] of [['service', 'first_response_time'], ['service', 'resolution_time'], ['service', 'within_sla'], ['service', 'csat'],
      ['sales', 'win_rate'], ['sales', 'stage_conversion'], ['customers', 'mrr'], ['customers', 'nps'], ['team', 'response_time']]) {
      const v = await value(board, key)
      assert.ok(typeof v === 'number' && v !== 0, `${board}/${key} over the demo's year is ${v}`)
    }
    for (const [size, options] of SIZES) {
      const page = await newPage(options)
      await signIn(page, MARINA)
      await page.getByTestId('objectives-card').getByTestId('objective-row').first().waitFor()
      await shot(page, `home-${size}`, { fullPage: true })
      await noSidewaysScroll(page, `Home (${size})`)
      for (const board of ['sales', 'service', 'customers', 'team']) {
        await page.goto(`${server.url}/insights/${board}?${period}`)
        await page.getByTestId('figure-value').first().waitFor()
        await page.waitForLoadState('networkidle')
        await shot(page, `insights-${board}-${size}`, { fullPage: true })
        await noSidewaysScroll(page, `the ${board} board (${size})`)
      }
      await page.context().close()
    }
  })

  test('a manager edits a measured objective from Home, its measure stays; then deletes one', async () => {
    const list = await api(server.url, token, '/api/crm/objectives')
    const measured = list.items.find((o) => o.series.length > 2)
    assert.ok(measured, 'the demo has a measured objective')

    // Through the API, how it is measured cannot change once measured: 400 naming the field, nothing changed.
    const other = measured.period === 'month_to_date' ? 'quarter_to_date' : 'month_to_date'
    const refused = await request(server.url, token, `/api/collections/objectives/records/${measured.id}`, { method: 'PATCH', body: { period: other } })
    assert.equal(refused.status, 400)
    assert.ok(refused.json?.data?.period, 'the refusal names the period')
    assert.equal((await api(server.url, token, `/api/collections/objectives/records/${measured.id}`)).period, measured.period)

    for (const [size, options] of SIZES) {
      const page = await newPage(options)
      await signIn(page, MARINA)
      const row = page.getByTestId('objective-row').filter({ hasText: measured.name })
      await row.getByTestId('edit-objective').click()
      const dialog = page.locator('dialog[open]')
      await dialog.getByTestId('objective-locked').waitFor()
      assert.ok(await dialog.getByLabel(/^Medido|^Measured/).isDisabled(), 'the period of a measured objective is fixed')
      await shot(page, `objective-edit-${size}`)
      await noSidewaysScroll(page, `the objective's edit dialog (${size})`)
      if (size === 'phone') {
        await dialog.getByRole('button', { name: /Cancelar|Cancel/ }).click()
        await page.context().close()
        continue
      }
      // An empty name: the words beside the field, what was typed elsewhere stays.
      await dialog.getByLabel(/^Meta|^Target/).fill('4.6')
      await dialog.getByLabel(/^Nome|^Name/).fill('')
      await dialog.getByTestId('save-objective-changes').click()
      await dialog.locator('.field-error').first().waitFor()
      assert.equal(await dialog.getByLabel(/^Meta|^Target/).inputValue(), '4.6', 'what was typed stays')
      await dialog.getByLabel(/^Nome|^Name/).fill(`${measured.name} (revista)`)
      await dialog.getByTestId('save-objective-changes').click()
      await page.locator('dialog[open]').waitFor({ state: 'detached' })
      await page.getByTestId('objective-row').filter({ hasText: `${measured.name} (revista)` }).waitFor()
      const saved = await api(server.url, token, `/api/collections/objectives/records/${measured.id}`)
      assert.deepEqual([saved.name, saved.target, saved.period], [`${measured.name} (revista)`, 4.6, measured.period])
      await page.context().close()
    }

    // Delete: asked first, then gone with its history.
    const doomed = list.items.find((o) => o.id !== measured.id)
    const page = await newPage(DESKTOP)
    await signIn(page, MARINA)
    const row = page.getByTestId('objective-row').filter({ hasText: doomed.name })
    await row.getByTestId('edit-objective').click()
    const dialog = page.locator('dialog[open]')
    await dialog.getByTestId('delete-objective').click()
    await dialog.getByTestId('objective-delete-confirm').waitFor()
    await shot(page, 'objective-delete-desktop')
    await dialog.getByTestId('delete-objective-yes').click()
    await page.locator('dialog[open]').waitFor({ state: 'detached' })
    await row.waitFor({ state: 'detached' })
    assert.equal((await request(server.url, token, `/api/collections/objectives/records/${doomed.id}`)).status, 404)
    const snaps = await api(server.url, token, `/api/collections/objective_snapshots/records?filter=${q(`objective="${doomed.id}"`)}`)
    assert.equal(snaps.totalItems, 0, 'its measured days went with it')
    await page.context().close()

    // Read-only staff see the objectives, not the way to change them.
    const ro = await newPage(DESKTOP)
    await signIn(ro, BEATRIZ)
    await ro.goto(`${server.url}/`)
    await ro.waitForLoadState('networkidle')
    assert.equal(await ro.getByTestId('edit-objective').count(), 0)
    await ro.context().close()
  })

  test('the survey page speaks the language of the customer it was sent to, until the visitor switches', async () => {
    // An English-speaking customer who agreed to be asked; NPS switched on sends the survey.
    const contact = await api(server.url, token, '/api/collections/contacts/records', {
      method: 'POST', body: { name: 'Grace Harbour', email: 'grace.harbour@example.com', language: 'en', timezone: 'Europe/London' },
    })
    await api(server.url, token, '/api/collections/consents/records', {
      method: 'POST', body: { contact: contact.id, purpose: 'research', channel: 'email', state: 'granted', source: 'portal' },
    })
    const setting = (await api(server.url, token, `/api/collections/survey_settings/records?filter=${q('kind="nps"')}`)).items[0]
    await api(server.url, token, `/api/collections/survey_settings/records/${setting.id}`, { method: 'PATCH', body: { enabled: true, every_days: 30 } })
    let msg
    for (let i = 0; i < 40 && !msg; i++) {
      msg = (await api(server.url, token, `/api/collections/outbox/records?filter=${q(`contact="${contact.id}" && purpose="research"`)}`)).items[0]
      if (!msg) await new Promise((r) => setTimeout(r, 250))
    }
    assert.ok(msg, 'an NPS survey was queued for Grace')
    const link = msg.body.match(/\/portal\/survey\?t=[\w%-]+/)
    assert.ok(link, 'the message carries the survey link')

    for (const [size, options] of SIZES) {
      // A browser in Portuguese opens an English customer's survey.
      const page = await newPage({ ...options, locale: 'pt-BR' })
      await page.goto(`${server.url}${link[0]}`)
      const form = page.getByTestId('survey-form')
      await form.waitFor()
      assert.equal(await page.locator('html').getAttribute('lang'), 'en')
      assert.match(await form.getByTestId('survey-send').innerText(), /^Send/)
      assert.match(await form.locator('legend').innerText(), /score/i)
      await shot(page, `survey-english-${size}`)
      await noSidewaysScroll(page, `the survey page in English (${size})`)
      // The visitor switches: the page speaks Portuguese and stays so.
      await page.getByRole('button', { name: 'Português' }).click()
      await form.getByTestId('survey-send').filter({ hasText: /^Enviar/ }).waitFor()
      assert.equal(await page.locator('html').getAttribute('lang'), 'pt-BR')
      await page.context().close()
    }
  })
})
