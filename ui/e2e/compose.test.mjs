// Browser tests of writing email from the workspace: an agent writes to a
// contact from their page with a manager's template and an attachment, and
// the mail reaches a real SMTP server with its Message-ID (the signed
// token); a reply from a request's page threads on the request's first
// mail (In-Reply-To, References). Screenshots of the composer and
// Settings → Templates at desktop and phone size: e2e/screenshots/compose-*.png.
//
//   /work/e2e-run.sh outbound e2e/compose.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { apiToken, api } from './server.mjs'
import { browserKit, DESKTOP, PHONE, RAFAEL, MARINA, JOAO, JOAO_EMAIL } from './kit.mjs'
import { startSmtpSink } from './portal-smtp.mjs'

const { start, stop, newPage, signIn, shot, noSidewaysScroll } = browserKit({ prefix: 'compose', consoleErrors: /status of 400/, noPageErrors: true })
let server
let smtp

const header = (raw, name) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(raw.split(/\r?\n\r?\n/)[0])?.[1]?.trim() ?? ''

describe('writing email in Chromium', { timeout: 300000 }, () => {
  let marina
  let rafael
  let template

  before(async () => {
    smtp = await startSmtpSink()
    server = await start({ env: { VINCULO_SMTP_HOST: '127.0.0.1', VINCULO_SMTP_PORT: String(smtp.port), VINCULO_SMTP_SENDER: 'crm@vinculo.example' } })
    marina = await apiToken(server.url, MARINA)
    rafael = await apiToken(server.url, RAFAEL)
    // João's contact hours would hold a mail written on a weekend: without
    // them his mails go at once (the outbox's hours are its own tests').
    await api(server.url, rafael, `/api/collections/contacts/records/${JOAO}`, {
      method: 'PATCH', body: { preferred_days: [], preferred_hours_start: '', preferred_hours_end: '' },
    })
    template = await api(server.url, marina, '/api/collections/email_templates/records', {
      method: 'POST',
      body: {
        name: 'Boas-vindas', purpose: 'service',
        subject_en: 'Welcome, {{contact.first_name}}', body_en: 'Hello {{contact.name}},\n\n{{business.name}} welcomes you: {{portal_link}}',
        subject_pt_br: 'Bem-vindo, {{contact.first_name}}', body_pt_br: 'Olá {{contact.name}},\n\n{{business.name}} dá as boas-vindas: {{portal_link}}',
      },
    })
  })

  after(async () => {
    await stop()
    await smtp?.stop()
  })

  test('Settings → Templates: a manager sees, edits, and is told of an unknown variable', async () => {
    for (const [size, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      const page = await newPage(options)
      await signIn(page, MARINA)
      await page.goto(`${server.url}/settings/templates`)
      await page.getByText('Boas-vindas').first().waitFor()
      await shot(page, `templates-${size}`)
      await page.locator('.templates .item button').first().click()
      const body = page.locator('#tpl-body_en')
      await body.fill('Hello {{contact.nmae}}')
      await page.locator('.editor button[type=submit]').click()
      await page.locator('#tpl-body_en-error').waitFor()
      assert.equal(await body.inputValue(), 'Hello {{contact.nmae}}', 'what was typed stays')
      await shot(page, `templates-error-${size}`)
      await noSidewaysScroll(page, `the template editor (${size})`)
      await page.context().close()
    }
  })

  test('an agent writes to a contact with a template and an attachment; the mail reaches the SMTP server', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page, RAFAEL)
    await page.goto(`${server.url}/contacts/${JOAO}`)
    await page.locator('button.write-email').click()
    const dialog = page.locator('dialog.compose-email[open]')
    await dialog.waitFor()
    await dialog.locator('select[id$="-template"]').selectOption(template.id)
    await page.waitForFunction(() => document.querySelector('dialog.compose-email[open] textarea')?.value.includes('boas-vindas'))
    await dialog.locator('input[type=file]').setInputFiles({ name: 'tabela.txt', mimeType: 'text/plain', buffer: Buffer.from('Pães: R$ 10') })
    await dialog.getByText('tabela.txt').waitFor()
    await shot(page, 'composer-desktop')
    const since = smtp.messages.length
    await dialog.locator('button[type=submit]').click()
    await dialog.getByTestId('email-decision').waitFor()
    await shot(page, 'composer-decided-desktop')
    const mail = await smtp.waitFor((m) => m.to.includes(JOAO_EMAIL) && /Bem-vindo/.test(m.subject), { since })
    assert.match(header(mail.raw, 'Message-ID'), /^<v1\.[a-z0-9]+\.[0-9a-f]+@vinculo\.example>$/)
    assert.equal(header(mail.raw, 'Auto-Submitted'), '', 'a person wrote it')
    assert.match(mail.raw, /tabela\.txt/)
    assert.match(mail.text, /portal/)
    // The timeline has it.
    await dialog.locator('button.btn.primary').click()
    await page.getByText(/E-mail escrito|Email written/).first().waitFor()
    await page.context().close()
  })

  test('a reply from a request page threads on the request’s mail', async () => {
    const types = await api(server.url, rafael, `/api/collections/case_types/records?filter=${encodeURIComponent("code='SUP'")}`)
    const since = smtp.messages.length
    const c = await api(server.url, rafael, '/api/collections/cases/records', {
      method: 'POST', body: { contact: JOAO, type: types.items[0].id, subject: 'Forno com defeito', description: 'Não liga.' },
    })
    const opened = await smtp.waitFor((m) => m.to.includes(JOAO_EMAIL) && m.subject.includes(c.reference), { since })
    const first = header(opened.raw, 'Message-ID')
    for (const [size, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      const page = await newPage(options)
      await signIn(page, RAFAEL)
      await page.goto(`${server.url}/cases/${c.id}`)
      await page.locator('button.write-email').click()
      const dialog = page.locator('dialog.compose-email[open]')
      await dialog.waitFor()
      await page.waitForFunction(() => document.querySelector('dialog.compose-email[open] input[id$="-subject"]')?.value.startsWith('Re:'))
      assert.equal(await dialog.locator('input[id$="-subject"]').inputValue(), `Re: Forno com defeito [${c.reference}]`)
      await dialog.locator('textarea').fill(`Vamos enviar um técnico (${size}).`)
      await shot(page, `composer-request-${size}`)
      await noSidewaysScroll(page, `the composer (${size})`)
      const before = smtp.messages.length
      await dialog.locator('button[type=submit]').click()
      await dialog.getByTestId('email-decision').waitFor()
      const reply = await smtp.waitFor((m) => m.to.includes(JOAO_EMAIL) && m.text.includes(`técnico (${size})`), { since: before })
      assert.ok(header(reply.raw, 'In-Reply-To').startsWith('<'), 'In-Reply-To')
      assert.ok(header(reply.raw, 'References').startsWith(first), `References ${header(reply.raw, 'References')} start with ${first}`)
      await page.context().close()
    }
  })
})
