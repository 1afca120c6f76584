// Browser tests of objectives and surveys: a manager sets an objective
// beside a figure on the Insights page and sees it on Home with its status;
// Settings → Surveys switches NPS on (bad input shown beside the field);
// a customer answers the NPS survey from the link in the email on the
// portal's survey page, then changes the answer. Screenshots at desktop and
// phone size go to e2e/screenshots/objectives-*.png.
//
//   /work/e2e-run.sh surveys e2e/objectives.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { apiToken, api } from './server.mjs'
import { browserKit, DESKTOP, PHONE, MARINA, JOAO } from './kit.mjs'

const { start, stop, newPage, signIn, shot, noSidewaysScroll } = browserKit({ prefix: 'objectives', consoleErrors: /status of 400/, noPageErrors: true })
let server
let token // Marina's

describe('objectives and surveys in Chromium', { timeout: 300000 }, () => {
  before(async () => {
    server = await start()
    token = await apiToken(server.url, MARINA)
  })
  after(async () => {
    await stop()
  })

  test('an objective set beside a figure on the Insights page shows on Home', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page, MARINA)
    await page.goto(`${server.url}/insights/service`)
    const button = page.getByTestId('set-objective').first()
    await button.waitFor()
    await button.click()
    const dialog = page.locator('dialog[open]')
    await dialog.waitFor()
    const name = 'Objetivo do teste'
    await dialog.getByLabel(/^Nome|^Name/).fill(name)
    await dialog.getByLabel(/^Meta|^Target/).fill('10')
    // A due date before the start: the server's words beside the field, what was typed stays.
    await dialog.getByLabel(/^Prazo|^Due date/).fill('2020-01-01')
    await shot(page, 'dialog-desktop')
    await dialog.getByTestId('save-objective').click()
    await dialog.locator('.field-error').first().waitFor()
    assert.equal(await dialog.getByLabel(/^Nome|^Name/).inputValue(), name, 'what was typed stays')
    await dialog.getByLabel(/^Prazo|^Due date/).fill(`${new Date().getFullYear() + 1}-06-30`)
    await dialog.getByTestId('save-objective').click()
    await page.locator('dialog[open]').waitFor({ state: 'detached' }).catch(() => {})
    const saved = await api(server.url, token, `/api/collections/objectives/records?filter=${encodeURIComponent(`name="${name}"`)}`)
    assert.equal(saved.items.length, 1)
    assert.match(saved.items[0].figure, /^service\//)

    for (const [size, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      const p = size === 'desktop' ? page : await newPage(options)
      if (size === 'phone') await signIn(p, MARINA)
      await p.goto(`${server.url}/`)
      const row = p.getByTestId('objective-row').filter({ hasText: name })
      await row.waitFor()
      assert.match(await row.getByTestId('objective-state').innerText(), /No caminho|Em risco|On track|At risk|Ainda não medido|Not measured yet/)
      await p.getByTestId('objectives-card').scrollIntoViewIfNeeded()
      await shot(p, `card-${size}`)
      await noSidewaysScroll(p, `the objectives card (${size})`)
      if (size === 'phone') {
        await p.goto(`${server.url}/insights/service`)
        await p.getByTestId('set-objective').first().click()
        await p.locator('dialog[open]').waitFor()
        await shot(p, 'dialog-phone')
        await noSidewaysScroll(p, 'the objective dialog (phone)')
      }
      await p.context().close()
    }
  })

  test('NPS switched on in Settings → Surveys, answered on the portal’s survey page', async () => {
    // João gives research consent by email.
    await api(server.url, token, '/api/collections/consents/records', {
      method: 'POST', body: { contact: JOAO, purpose: 'research', channel: 'email', state: 'granted', source: 'portal' },
    })
    for (const [size, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      const page = await newPage(options)
      await signIn(page, MARINA)
      await page.goto(`${server.url}/settings/surveys`)
      const nps = page.getByTestId('survey-settings-nps')
      await nps.waitFor()
      await shot(page, `settings-${size}`)
      await noSidewaysScroll(page, `Settings → Surveys (${size})`)
      if (size === 'desktop') {
        await nps.getByTestId('survey-enabled-nps').check()
        await nps.getByLabel(/dias|days/).fill('0')
        await nps.getByTestId('survey-save-nps').click()
        await nps.locator('.field-error').waitFor()
        await nps.getByLabel(/dias|days/).fill('30')
        await nps.getByTestId('survey-save-nps').click()
        await nps.locator('.field-error').waitFor({ state: 'detached' }) // at once, before the server answers
        await page.locator('.toast').filter({ hasText: /Configurações da pesquisa salvas|Survey settings saved/ }).waitFor()
      }
      await page.context().close()
    }
    // The survey went to João through the outbox, with its link.
    let msg
    for (let i = 0; i < 20 && !msg; i++) {
      const list = await api(server.url, token, `/api/collections/outbox/records?filter=${encodeURIComponent(`contact="${JOAO}" && purpose="research"`)}`)
      msg = list.items[0]
      if (!msg) await new Promise((r) => setTimeout(r, 250))
    }
    assert.ok(msg, 'an NPS survey was queued for João')
    const link = msg.body.match(/\/portal\/survey\?t=[\w%-]+/)
    assert.ok(link, 'the message carries the survey link')

    for (const [size, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      const page = await newPage(options)
      await page.goto(`${server.url}${link[0]}`)
      const form = page.getByTestId('survey-form')
      await form.waitFor()
      await form.locator('label.score').nth(9).click()
      await form.locator('textarea').fill(`Muito bom (${size})`)
      await shot(page, `survey-${size}`)
      await noSidewaysScroll(page, `the survey page (${size})`)
      await form.getByTestId('survey-send').click()
      await form.getByTestId('survey-done').waitFor()
      await shot(page, `survey-done-${size}`)
      await page.context().close()
    }
    const answers = await api(server.url, token, `/api/collections/survey_answers/records?filter=${encodeURIComponent(`contact="${JOAO}" && kind="nps"`)}`)
    assert.equal(answers.items.length, 1, 'a second answer to the same link replaces the first')
    assert.equal(answers.items[0].score, 9)
    assert.equal(answers.items[0].comment, 'Muito bom (phone)')
  })
})
