// Browser test of mail filed under nobody, against a real IMAP server
// (Dovecot, e2e/dovecot.mjs): the Lima family writes from the address two
// contacts share, so the intake guesses nobody and keeps the mail under
// nobody. The menu counts it; an agent reads it on Mail to file (its HTML
// sanitised; its attachment through a file token), is told
// beside the field when he files it without a contact, files it to Rita
// Lima, and reads it on her timeline. A readonly colleague sees the list on
// a phone and no write controls. Screenshots: e2e/screenshots/unfiled-*.png.
//
//   /work/e2e-run.sh unfiled e2e/unfiled.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { apiToken, api } from './server.mjs'
import { browserKit, DESKTOP, PHONE, MARINA, RAFAEL, BEATRIZ } from './kit.mjs'
import { startDovecot, dovecotMissing } from './dovecot.mjs'

const { start, stop, newPage, signIn, shot, noSidewaysScroll } = browserKit({ prefix: 'unfiled', consoleErrors: /status of 400/, noPageErrors: true })
const SUPPORT = 'suporte@vinculo.example'
const SUPPORT_PASSWORD = `pw-${randomBytes(6).toString('hex')}`
const LIMA = `familia-${randomBytes(3).toString('hex')}@lima.example`
const LIVE = { timeout: 30000 } // the reader's IDLE answer, the intake, then realtime
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <</Type/Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n')

/** A mail from the Lima family, HTML with a script in it and a PDF attached. */
function limaMail(subject, words) {
  const b = `b-${randomBytes(6).toString('hex')}`
  return [
    `From: =?UTF-8?Q?Fam=C3=ADlia_Lima?= <${LIMA}>`,
    `To: ${SUPPORT}`,
    `Subject: ${subject}`,
    `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <lima-${randomBytes(8).toString('hex')}@lima.example>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${b}"`,
    '',
    `--${b}`,
    'Content-Type: text/html; charset=utf-8',
    '',
    `<p>${words}</p><script>document.title='pwned'</script><p onclick="alert(1)">Obrigado, <b>Rita</b></p>`,
    `--${b}`,
    'Content-Type: application/pdf',
    'Content-Disposition: attachment; filename="conta.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    PDF.toString('base64'),
    `--${b}--`,
    '',
  ].join('\r\n')
}

const missing = dovecotMissing()

describe('mail filed under nobody, through Dovecot, in Chromium', { timeout: 300000, skip: missing || false }, () => {
  let server
  let dovecot
  let marina
  let paulo
  let rita

  before(async () => {
    dovecot = await startDovecot({ [SUPPORT]: SUPPORT_PASSWORD })
    server = await start()
    marina = await apiToken(server.url, MARINA)
    paulo = await api(server.url, marina, '/api/collections/contacts/records', { method: 'POST', body: { name: 'Paulo Lima', email: LIMA } })
    rita = await api(server.url, marina, '/api/collections/contacts/records', { method: 'POST', body: { name: 'Rita Lima', email: LIMA } })
    // The support mailbox, read over IMAP; a new thread is a timeline entry.
    await api(server.url, marina, '/api/collections/mailboxes/records', {
      method: 'POST',
      body: { name: 'Suporte', address: SUPPORT, host: '127.0.0.1', port: dovecot.port, tls: 'none', username: SUPPORT,
        password: SUPPORT_PASSWORD, new_thread: 'timeline', active: true },
    })
  })

  after(async () => {
    await stop()
    await dovecot?.stop()
  })

  test('an agent reads a mail kept under nobody and files it to the contact who wrote it', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page, RAFAEL)
    await dovecot.append(SUPPORT, limaMail('Nossa conta de novembro', 'Quem de nós paga este mês?'))

    // The menu counts it, live.
    const count = page.getByTestId('unfiled-count')
    await count.waitFor(LIVE)
    assert.match(await count.innerText(), /^1\b/)
    await page.locator('nav#main-nav a[href="/mail"]').click()
    const item = page.getByTestId('unfiled-list').locator('a.mail').filter({ hasText: 'Nossa conta de novembro' })
    await item.waitFor()
    assert.match(await item.innerText(), /Endereço compartilhado/)
    assert.match(await item.innerText(), new RegExp(LIMA.replace(/[.]/g, '\\.')))
    await item.click()
    await page.waitForURL(/\/mail\/[a-z0-9]+$/)

    const mail = page.getByTestId('unfiled-mail')
    await mail.waitFor()
    assert.equal(await page.getByTestId('unfiled-from').innerText(), LIMA)
    // The HTML shown is the sanitised one: no script, no event attribute.
    const body = mail.getByTestId('unfiled-html')
    assert.match(await body.innerText(), /Quem de nós paga este mês\?\s+Obrigado, Rita/)
    const html = await body.innerHTML()
    assert.match(html, /<b>Rita<\/b>/)
    assert.doesNotMatch(html, /<script|onclick|pwned/)
    assert.notEqual(await page.title(), 'pwned')
    // The attachment, protected: its link carries a file token and serves the PDF.
    const download = mail.getByTestId('file-download').first()
    await assert.doesNotReject(download.evaluate((a) => new Promise((ok, no) => {
      const t0 = Date.now()
      const wait = () => (a.getAttribute('href') ? ok() : Date.now() - t0 > 8000 ? no(new Error('no link')) : setTimeout(wait, 100))
      wait()
    })))
    const href = await download.getAttribute('href')
    assert.match(href, /[?&]token=/)
    const file = await page.request.get(new URL(href, server.url).toString())
    assert.equal(file.status(), 200)
    assert.ok((await file.body()).subarray(0, 8).equals(PDF.subarray(0, 8)), 'the PDF as it arrived')
    const noToken = await page.request.get(new URL(href, server.url).toString().replace(/([?&])token=[^&]*/, '$1'))
    assert.notEqual(noToken.status(), 200, 'no file without a token')

    // Filed without a contact: the server's words beside the field; nothing is filed.
    const form = page.getByTestId('unfiled-form')
    await form.getByTestId('unfiled-file').click()
    const problem = form.locator('#uf-contact-error')
    await problem.waitFor()
    assert.equal(await problem.innerText(), 'Escolha o contato que escreveu este e-mail.')
    assert.equal(await page.locator('#uf-contact').getAttribute('aria-invalid'), 'true')
    await shot(page, 'mail-desktop', { fullPage: true })
    await noSidewaysScroll(page, 'the mail to file (desktop)')

    // The contacts with the sender's address are offered: Rita wrote it.
    const same = form.getByRole('group', { name: 'Com este endereço:' })
    await same.waitFor() // its own fetch, after the mail's
    assert.deepEqual((await same.getByRole('button').allInnerTexts()).sort(), ['Paulo Lima', 'Rita Lima'])
    await same.getByRole('button', { name: 'Rita Lima' }).click()
    assert.equal(await page.locator('#uf-contact').inputValue(), 'Rita Lima')
    await form.getByLabel('Um e-mail na linha do tempo do contato').check()
    await form.getByTestId('unfiled-file').click()
    const outcome = page.getByTestId('unfiled-outcome')
    await outcome.waitFor()
    assert.match(await outcome.innerText(), /Arquivado por Rafael/)
    await page.getByTestId('unfiled-empty').waitFor() // the list is empty now
    await count.waitFor({ state: 'detached' })
    await shot(page, 'filed-desktop', { fullPage: true })

    // On Rita's timeline, not Paulo's.
    await outcome.getByTestId('unfiled-contact-link').click()
    await page.waitForURL(new RegExp(`/contacts/${rita.id}$`))
    const entry = page.locator('li').filter({ hasText: 'Nossa conta de novembro' }).first()
    await entry.waitFor()
    assert.match(await entry.innerText(), /Quem de nós paga este mês\?/)
    await shot(page, 'timeline-desktop', { fullPage: true })
    await page.goto(`${server.url}/contacts/${paulo.id}`)
    await page.getByRole('heading', { name: 'Paulo Lima' }).first().waitFor()
    assert.equal(await page.locator('li').filter({ hasText: 'Nossa conta de novembro' }).count(), 0)
  })

  test('a readonly colleague reads the mails on a phone, with no write controls', async () => {
    await dovecot.append(SUPPORT, limaMail('Mudança de endereço', 'Mudamos para a Rua das Flores, 12.'))
    const phone = await newPage(PHONE)
    await signIn(phone, BEATRIZ)
    await phone.goto(`${server.url}/mail`)
    const item = phone.getByTestId('unfiled-list').locator('a.mail').filter({ hasText: 'Mudança de endereço' })
    await item.waitFor(LIVE)
    assert.match(await item.innerText(), /Shared address/)
    await shot(phone, 'list-phone', { fullPage: true })
    await noSidewaysScroll(phone, 'the mails to file (phone)')
    await item.click()
    await phone.getByTestId('unfiled-mail').waitFor()
    assert.equal(await phone.getByTestId('unfiled-form').count(), 0, 'no filing form for readonly staff')
    assert.equal(await phone.getByTestId('unfiled-list').isVisible(), false, 'one pane at a time on a phone')
    assert.match(await phone.locator('main').innerText(), /A colleague who may write files this mail\./)
    await shot(phone, 'mail-phone', { fullPage: true })
    await noSidewaysScroll(phone, 'the mail (phone)')

    // What was handled, and by whom.
    await phone.getByRole('link', { name: /All mails to file/ }).click()
    await phone.getByRole('button', { name: 'Handled' }).click()
    const handled = phone.getByTestId('unfiled-list').locator('a.mail').filter({ hasText: 'Nossa conta de novembro' })
    await handled.waitFor()
    assert.match(await handled.innerText(), /Filed by Rafael/)
    await shot(phone, 'handled-phone', { fullPage: true })
  })
})
