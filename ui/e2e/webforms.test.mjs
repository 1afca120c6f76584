// Browser tests of web-to-lead: Marina (a manager) makes a web form in
// Settings → Web forms; a small site served by this test puts it on its page
// with the script tag; a visitor fills it in (a wrong email first: the
// server's words beside the field, what was typed kept), ticks the consent
// and sends it; the confirmation mail is read from a real SMTP server; its
// link is opened and confirmed; the contact's page shows the consent
// granted with its proof. Also Settings → Channels: WhatsApp's credentials
// saved, the page saying which secrets are set. Screenshots at desktop and
// phone size go to e2e/screenshots/webforms-*.png.
//
//   /work/e2e-run.sh webforms e2e/webforms.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { apiToken, api } from './server.mjs'
import { startSmtpSink } from './portal-smtp.mjs'
import { browserKit, DESKTOP, PHONE, MARINA } from './kit.mjs'

const { start, stop, newPage, signIn, shot, noSidewaysScroll } = browserKit({
  prefix: 'webforms',
  locale: 'pt-BR',
  consoleErrors: /status of 400|Failed to load resource/,
  noPageErrors: true,
})
let server
let smtp
let site // {url, stop}: the business's own site, another origin
let formId
const VISITOR = 'lia.prado@cafe.example'

/** The business's site: one page that shows the form with the script tag. */
function startSite() {
  return new Promise((ok) => {
    const http = createServer((req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8')
      res.end(`<!doctype html><html lang="pt-BR"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Café Prado</title><style>body{font-family:Georgia,serif;margin:0;padding:1rem;background:#fbf7f0;color:#3b2a1a}main{max-width:640px;margin:auto}</style></head>
<body><main><h1>Café Prado</h1><p>Fale com a gente: respondemos em um dia útil.</p>
<script src="${server.url}/forms/${formId}.js"></script>
<p>Rua das Flores, 10 — São Paulo</p></main></body></html>`)
    })
    http.listen(0, '127.0.0.1', () => ok({ url: `http://127.0.0.1:${http.address().port}`, stop: () => new Promise((r) => http.close(r)) }))
  })
}

describe('web-to-lead in Chromium', { timeout: 300000 }, () => {
  before(async () => {
    smtp = await startSmtpSink()
    server = await start({ env: { VINCULO_SMTP_HOST: '127.0.0.1', VINCULO_SMTP_PORT: String(smtp.port), VINCULO_SMTP_SENDER: 'ola@cafe.example' } })
  })

  after(async () => {
    await site?.stop()
    await stop()
    await smtp?.stop()
  })

  test('a manager makes a form in Settings → Web forms', async () => {
    // The site's address is known before the form: it listens first, the page needs the form's id only when served.
    site = await startSite()
    const page = await newPage(DESKTOP)
    await signIn(page, MARINA)
    await page.goto(`${server.url}/settings/web-forms`)
    await page.getByRole('button', { name: 'Novo formulário web' }).click()
    const dialog = page.locator('dialog.settings-dialog[open]')
    await dialog.waitFor()
    await dialog.locator('#wf-name').fill('Fale com o Café')
    for (const key of ['phone', 'company', 'message']) {
      const row = dialog.locator(`li.pick[data-field="${key}"]`)
      if (!(await row.locator('input[type=checkbox]').first().isChecked())) await row.locator('input[type=checkbox]').first().check()
    }
    // A site that is not a web address: the server's words beside the field, what was typed kept.
    await dialog.locator('#wf-allowed_origins').fill('javascript:alert(1)')
    await dialog.locator('#wf-consent_text').fill('I want Café Prado’s news by email.')
    await dialog.locator('#wf-consent_pt').fill('Quero receber as novidades do Café Prado por e-mail.')
    await dialog.locator('#wf-thanks_pt').fill('Obrigado! Respondemos em um dia útil.')
    await shot(page, 'settings-dialog-desktop')
    await dialog.locator('button[type=submit]').click()
    const originError = dialog.locator('#wf-allowed_origins-error')
    await originError.waitFor()
    assert.match(await originError.textContent(), /sem caminho/)
    assert.equal(await dialog.locator('#wf-name').inputValue(), 'Fale com o Café', 'what was typed stays')
    await dialog.locator('#wf-allowed_origins').fill(`${site.url}/`)
    await dialog.locator('button[type=submit]').click()
    await dialog.waitFor({ state: 'hidden' })

    const row = page.locator('li.form[data-form="Fale com o Café"]')
    await row.waitFor()
    assert.match(await row.textContent(), /Ativo/)
    assert.match(await row.textContent(), new RegExp(site.url.replace(/[.:/]/g, '\\$&')), 'the site is kept as its origin')
    await row.locator('details.embed summary').click()
    const script = await row.locator('code[data-snippet=script]').textContent()
    formId = /\/forms\/([a-z0-9]+)\.js/.exec(script)[1]
    assert.ok(formId, script)
    await row.getByRole('button', { name: 'Prévia' }).click()
    const preview = page.frameLocator('li.form iframe')
    await preview.locator('#f-email').waitFor()
    await shot(page, 'settings-desktop', { fullPage: true })
    await noSidewaysScroll(page, 'Settings → Web forms (desktop)')

    const phone = await newPage(PHONE)
    await signIn(phone, MARINA)
    await phone.goto(`${server.url}/settings/web-forms`)
    await phone.locator('li.form').first().waitFor()
    await shot(phone, 'settings-phone')
    await noSidewaysScroll(phone, 'Settings → Web forms (phone)')
    await phone.getByRole('button', { name: /Editar/ }).first().click()
    await phone.locator('dialog.settings-dialog[open]').waitFor()
    await shot(phone, 'settings-dialog-phone')
    await noSidewaysScroll(phone, 'the web form dialog (phone)')
    await page.context().close()
    await phone.context().close()
  })

  test('a visitor sends the form on the business’s site and confirms the consent from the mail', async () => {
    assert.ok(formId, 'the form from the test before')
    for (const [size, options] of [['phone', PHONE], ['desktop', DESKTOP]]) {
      const page = await newPage(options)
      await page.goto(site.url)
      const frame = page.frameLocator('iframe[data-vinculo-form]')
      await frame.locator('#f-name').waitFor()
      // The iframe grows to the form's height (the form page tells it).
      await page.waitForFunction(() => parseInt(document.querySelector('iframe[data-vinculo-form]').style.height) > 480)
      await shot(page, `form-${size}`, { fullPage: true })
      await noSidewaysScroll(page, `the site with the form (${size})`)
      if (size === 'phone') {
        // A wrong email: the server's words beside it, what was typed kept.
        await frame.locator('#f-name').fill('Lia Prado')
        await frame.locator('#f-email').fill('lia.prado@')
        await frame.locator('#send').click()
        await frame.locator('#f-email-err').waitFor()
        assert.match(await frame.locator('#f-email-err').textContent(), /Informe um e-mail/)
        assert.equal(await frame.locator('#f-name').inputValue(), 'Lia Prado')
        await shot(page, 'form-error-phone', { fullPage: true })
        await page.context().close()
        continue
      }
      await frame.locator('#f-name').fill('Lia Prado')
      await frame.locator('#f-email').fill(VISITOR)
      await frame.locator('#f-phone').fill('+55 11 98888-7777')
      await frame.locator('#f-company').fill('Café Prado')
      await frame.locator('#f-message').fill('Vocês fazem bolos para festas?')
      await frame.locator('#f-consent').check()
      const since = smtp.messages.length
      await frame.locator('#send').click()
      await frame.locator('#done').waitFor()
      assert.match(await frame.locator('#done').textContent(), /Respondemos em um dia útil/)
      assert.match(await frame.locator('#done').textContent(), /confirmar seu consentimento/)
      await frame.locator('#f').waitFor({ state: 'hidden' })
      // The frame shrinks to the thank-you words.
      await page.waitForFunction(() => parseInt(document.querySelector('iframe[data-vinculo-form]').style.height) < 300)
      await shot(page, 'form-sent-desktop', { fullPage: true })

      const mail = await smtp.waitFor((m) => m.to.includes(VISITOR), { since })
      assert.match(mail.text, /Quero receber as novidades do Café Prado por e-mail\./)
      const link = /https?:\/\/[^\s"<>]+\/forms\/confirm\?token=[A-Za-z0-9_-]+/.exec(mail.text)?.[0]
      assert.ok(link, mail.text)

      const confirm = await newPage(DESKTOP)
      await confirm.goto(link)
      await confirm.locator('#agreed').waitFor()
      await shot(confirm, 'confirm-desktop')
      await confirm.locator('#confirm').click()
      await confirm.locator('#message.ok').waitFor()
      assert.match(await confirm.locator('#message').textContent(), /confirmado/)
      await shot(confirm, 'confirmed-desktop')
      // Opening it again is harmless.
      const again = await newPage(PHONE)
      await again.goto(link)
      await again.locator('#message').waitFor()
      assert.match(await again.locator('#message').textContent(), /já foi confirmado/)
      await shot(again, 'confirmed-again-phone')
      await noSidewaysScroll(again, 'the confirmation page (phone)')
      await page.context().close()
      await confirm.context().close()
      await again.context().close()
    }
  })

  test('the contact’s page shows the consent granted with its proof', async () => {
    const token = await apiToken(server.url, MARINA)
    const found = await api(server.url, token, `/api/collections/contacts/records?filter=${encodeURIComponent(`email="${VISITOR}"`)}`)
    assert.equal(found.items.length, 1)
    assert.equal(found.items[0].source, 'web_form')
    for (const [size, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      const page = await newPage(options)
      await signIn(page, MARINA)
      await page.goto(`${server.url}/contacts/${found.items[0].id}`)
      const proof = page.getByTestId('consent-proof')
      await proof.waitFor()
      const text = await proof.textContent()
      assert.match(text, /Fale com o Café/)
      assert.match(text, /IP 127\.0\.0\.1/)
      assert.match(text, /Quero receber as novidades do Café Prado por e-mail\./)
      await proof.scrollIntoViewIfNeeded()
      await shot(page, `contact-proof-${size}`)
      await noSidewaysScroll(page, `the contact page (${size})`)
      await page.context().close()
    }
  })

  test('Settings → Channels: WhatsApp’s credentials saved, the page says which secrets are set', async () => {
    for (const [size, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      const page = await newPage(options)
      await signIn(page, MARINA)
      await page.goto(`${server.url}/settings/channels`)
      const card = page.locator('section.channel[data-channel=whatsapp]')
      await page.locator('section.channel[data-channel=whatsapp][aria-busy=false]').waitFor() // the accounts were read
      if (size === 'desktop') {
        await card.locator('#whatsapp-phone_number_id').fill('106540352242922')
        await card.locator('#whatsapp-number').fill('+55 11 4000-0000')
        await card.locator('#whatsapp-app_secret').fill('app-secret-1')
        await card.locator('#whatsapp-access_token').fill('EAAG-token')
        await card.locator('#whatsapp-verify_token').fill('verify-me')
        await card.locator('input[type=checkbox]').check()
        await card.locator('button[type=submit]').click()
        await page.waitForFunction(() => document.querySelector('#whatsapp-app_secret')?.placeholder?.startsWith('Salvo'))
      }
      for (const f of ['app_secret', 'access_token', 'verify_token']) {
        assert.match(await card.locator(`#whatsapp-${f}`).getAttribute('placeholder'), /^Salvo/, `${f} is said to be set (${size})`)
        assert.equal(await card.locator(`#whatsapp-${f}`).inputValue(), '', `${f} is never shown back`)
      }
      // Said in words that stay visible, not only in a placeholder the field may cut.
      assert.equal(await card.locator('[data-secret-set]').count(), 3, `the three secrets are said to be saved (${size})`)
      assert.match(await page.locator('section.channel[data-channel=sms] #sms-auth_token').getAttribute('placeholder'), /Não definido/)
      assert.equal(await page.locator('section.channel[data-channel=sms] [data-secret-set]').count(), 0)
      assert.equal(await card.locator('#whatsapp-phone_number_id').inputValue(), '106540352242922')
      assert.match(await card.locator('.badge').textContent(), /Ativo|On|Ligado/)
      await shot(page, `channels-${size}`, { fullPage: true })
      await noSidewaysScroll(page, `Settings → Channels (${size})`)
      await page.context().close()
    }
  })
})
