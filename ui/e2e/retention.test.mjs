// Browser tests of Settings → Retention: a manager sets the leads' rule
// (the server's words beside a bad number of months, what was typed kept),
// turns it on, reads the preview of the next run, runs it after confirming
// and finds the run in the history with what it changed. Screenshots at
// desktop and phone size, in both languages, go to
// e2e/screenshots/retention-*.png.
//
//   /work/e2e-run.sh retention e2e/retention.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { apiToken, api } from './server.mjs'
import { browserKit, DESKTOP, PHONE, MARINA } from './kit.mjs'

const { start, stop, newPage, signIn, shot, noSidewaysScroll } = browserKit({ prefix: 'retention', consoleErrors: /status of 400/, noPageErrors: true })
let server

describe('retention rules in Chromium', { timeout: 300000 }, () => {
  let token // Marina's
  let marina

  before(async () => {
    server = await start()
    token = await apiToken(server.url, MARINA)
    marina = (await api(server.url, token, '/api/collections/staff/auth-refresh', { method: 'POST' })).record
  })

  after(async () => {
    await stop()
  })

  /** Marina's workspace language. */
  const speak = (language) => api(server.url, token, `/api/collections/staff/records/${marina.id}`, { method: 'PATCH', body: { language } })

  async function openRetention(options) {
    const page = await newPage(options)
    await signIn(page, MARINA)
    await page.goto(`${server.url}/settings/retention`)
    await page.getByTestId('retention-rules').locator('li.rule').first().waitFor()
    return page
  }

  test('every rule starts off, with the preview of what turning it on would change', async () => {
    const preview = await api(server.url, token, '/api/crm/retention/preview')
    assert.deepEqual(preview.rules.map((r) => [r.kind, r.enabled]), [['leads', false], ['outbox', false], ['access_log', false], ['notifications', false]])
    const leads = preview.rules.find((r) => r.kind === 'leads')
    assert.ok(leads.count > 0, 'the demo has leads untouched for over two years')
    for (const [size, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      const page = await openRetention(options)
      await page.getByTestId('retention-next').getByText(/Nenhuma regra está ligada/).waitFor()
      const rule = page.locator('li.rule[data-kind=leads]')
      await rule.getByTestId('retention-due').getByText(new RegExp(`Se ligada:\\s*${leads.count} leads anonimizados`)).waitFor()
      await noSidewaysScroll(page, `the retention settings (${size})`)
      await shot(page, `off-pt-${size}`, { fullPage: true })
      await page.context().close()
    }
  })

  test('a manager sets the leads’ rule, sees its preview, runs it and finds the run', async () => {
    const page = await openRetention(DESKTOP)
    const rule = page.locator('li.rule[data-kind=leads]')
    const months = rule.getByTestId('retention-months')

    // Bad input: the server's words beside the field, what was typed kept, nothing saved.
    await months.fill('0')
    await rule.getByTestId('retention-save').click()
    await rule.locator('.field-error').getByText(/número inteiro de meses, de 1 a 600/).waitFor()
    assert.equal(await months.inputValue(), '0', 'what was typed stays')
    await shot(page, 'bad-months-pt-desktop')
    let stored = (await api(server.url, token, '/api/collections/retention_rules/records?filter=kind%3D%22leads%22')).items[0]
    assert.equal(stored.months, 24, 'a refused change saves nothing')
    assert.equal(stored.enabled, false)

    await months.fill('24')
    await rule.getByTestId('retention-switch').check()
    await rule.getByTestId('retention-save').click()
    await rule.locator('.badge.on').waitFor()
    stored = (await api(server.url, token, '/api/collections/retention_rules/records?filter=kind%3D%22leads%22')).items[0]
    assert.equal(stored.enabled, true)

    const preview = await api(server.url, token, '/api/crm/retention/preview')
    const due = preview.rules.find((r) => r.kind === 'leads')
    assert.ok(due.count > 0 && due.examples.length > 0)
    const words = `${due.count} leads anonimizados`
    await page.getByTestId('retention-next').getByText(`Próxima execução: ${words}.`).waitFor()
    await rule.getByTestId('retention-due').getByText(new RegExp(`Agora:\\s*${words}`)).waitFor()
    await rule.getByTestId('retention-due').getByText(due.examples[0].label).waitFor()
    await shot(page, 'on-pt-desktop', { fullPage: true })

    await page.getByTestId('retention-run').click()
    const dialog = page.locator('dialog[open]')
    await dialog.getByText(`Esta execução fará estas mudanças: ${words}.`).waitFor()
    await noSidewaysScroll(page, 'the run-now dialog')
    await shot(page, 'confirm-pt-desktop')
    await dialog.getByTestId('retention-confirm').click()
    await dialog.waitFor({ state: 'hidden' })

    const runs = page.getByTestId('retention-runs').locator('li')
    await runs.first().getByText(`Executada por ${marina.name}`).waitFor()
    await runs.first().getByText(words).waitFor()
    await page.getByTestId('retention-next').getByText('Próxima execução: nada a fazer.').waitFor()
    await shot(page, 'ran-pt-desktop', { fullPage: true })

    const recorded = await api(server.url, token, '/api/collections/retention_runs/records?sort=-started')
    assert.equal(recorded.items.length, 1)
    const run = recorded.items[0]
    assert.equal(run.trigger, 'manual')
    assert.equal(run.by, marina.id)
    assert.equal(run.changed, due.count, 'the run changed what the preview said')
    assert.equal(run.errors, 0)
    const after = await api(server.url, token, `/api/collections/contacts/records/${due.examples[0].id}`)
    assert.notEqual(after.name, due.examples[0].label, 'the oldest lead is anonymised')
    await page.context().close()

    const phone = await openRetention(PHONE)
    await phone.getByTestId('retention-runs').locator('li').first().waitFor()
    await noSidewaysScroll(phone, 'the retention settings after a run (phone)')
    await shot(phone, 'ran-pt-phone', { fullPage: true })
    await phone.getByTestId('retention-run').click()
    await phone.locator('dialog[open]').getByText(/nada a fazer|será apenas registrada/).waitFor()
    await shot(phone, 'confirm-pt-phone')
    await phone.context().close()
  })

  test('in English', async () => {
    await speak('en')
    try {
      for (const [size, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
        const page = await openRetention(options)
        await page.getByText('How long Vinculo keeps each kind of record', { exact: false }).waitFor()
        await page.getByTestId('retention-runs').locator('li').first().getByText(/leads anonymised|lead anonymised/).waitFor()
        await noSidewaysScroll(page, `the retention settings in English (${size})`)
        await shot(page, `en-${size}`, { fullPage: true })
        if (size === 'desktop') {
          const rule = page.locator('li.rule[data-kind=outbox]')
          await rule.getByTestId('retention-months').fill('601')
          await rule.getByTestId('retention-save').click()
          await rule.locator('.field-error').getByText('Enter a whole number of months from 1 to 600.').waitFor()
          await page.getByTestId('retention-run').click()
          await page.locator('dialog[open]').getByText('Run the rules that are on now?').waitFor()
          await shot(page, 'confirm-en-desktop')
        }
        await page.context().close()
      }
    } finally {
      await speak('pt-BR')
    }
  })
})
