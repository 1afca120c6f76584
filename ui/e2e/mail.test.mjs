// Browser test of email both ways against real mail servers: Dovecot (IMAP,
// e2e/dovecot.mjs) and an SMTP sink (e2e/portal-smtp.mjs). A manager adds
// the support mailbox in Settings → Mailboxes and tests its connection; an
// agent writes to the customer from a request's page, and the mail reaches
// the SMTP server with its Message-ID (the signed token), In-Reply-To and
// References; the customer's mail program answers it (In-Reply-To = that
// Message-ID, the agent's words quoted), the answer is put into the mailbox
// over IMAP, and it appears live — no reload — on the request page the
// agent has open (desktop and phone) and on the customer's portal page. The
// same for a reply written in the request's conversation, which the
// customer gets by email. Screenshots: e2e/screenshots/mail-*.png.
//
//   /work/e2e-run.sh mailbrowser e2e/mail.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { apiToken, api } from './server.mjs'
import { browserKit, DESKTOP, PHONE, MARINA, RAFAEL, JOAO, JOAO_EMAIL } from './kit.mjs'
import { startSmtpSink } from './portal-smtp.mjs'
import { startDovecot, dovecotMissing } from './dovecot.mjs'

const { start, stop, newPage, signIn, shot, noSidewaysScroll } = browserKit({ prefix: 'mail', consoleErrors: /status of 400/, noPageErrors: true })
const SUPPORT = 'suporte@vinculo.example'
const SUPPORT_PASSWORD = `pw-${randomBytes(6).toString('hex')}`
const LIVE = { timeout: 30000 } // the reader's IDLE answer, the intake, then realtime

const header = (raw, name) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(raw.split(/\r?\n\r?\n/)[0])?.[1]?.trim() ?? ''
const q = (filter) => encodeURIComponent(filter)

/** The customer's answer as his mail program writes it: threaded on the mail he got, that mail quoted under his words. */
function customerReply(mail, { words, quoted }) {
  const id = header(mail.raw, 'Message-ID')
  const refs = header(mail.raw, 'References')
  const subject = mail.subject.replace(/\s*\[[A-Z]+-\d+\]\s*$/, '') // a mail program may drop the reference: the token threads it
  return [
    `From: =?UTF-8?Q?Jo=C3=A3o_Concei=C3=A7=C3=A3o?= <${JOAO_EMAIL}>`,
    `To: ${SUPPORT}`,
    `Subject: Re: ${subject}`,
    `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <reply-${randomBytes(8).toString('hex')}@padariapaodourado1.example>`,
    `In-Reply-To: ${id}`,
    `References: ${refs ? `${refs} ` : ''}${id}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    words,
    '',
    `Em ${new Date().toLocaleDateString('pt-BR')}, Vinculo <crm@vinculo.example> escreveu:`,
    ...quoted.split('\n').map((l) => `> ${l}`),
    '',
  ].join('\r\n')
}

const missing = dovecotMissing()

describe('email both ways in Chromium, through Dovecot and an SMTP server', { timeout: 300000, skip: missing || false }, () => {
  let server
  let smtp
  let dovecot
  let rafael
  let kase // the request the agent writes on

  before(async () => {
    dovecot = await startDovecot({ [SUPPORT]: SUPPORT_PASSWORD })
    smtp = await startSmtpSink()
    server = await start({ env: { VINCULO_SMTP_HOST: '127.0.0.1', VINCULO_SMTP_PORT: String(smtp.port), VINCULO_SMTP_SENDER: 'crm@vinculo.example' } })
    rafael = await apiToken(server.url, RAFAEL)
    // João's contact hours would hold a mail written on a weekend: without
    // them his mails go at once (the outbox's hours are its own tests').
    await api(server.url, rafael, `/api/collections/contacts/records/${JOAO}`, {
      method: 'PATCH', body: { preferred_days: [], preferred_hours_start: '', preferred_hours_end: '' },
    })
  })

  after(async () => {
    await stop()
    await smtp?.stop()
    await dovecot?.stop()
  })

  test('Settings → Mailboxes: a manager adds the support mailbox, its connection test says OK, its reader is working', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page, MARINA)
    await page.goto(`${server.url}/settings/mailboxes`)
    await page.locator('.mailboxes .section-head button.primary').click()
    const dialog = page.locator('dialog.settings-dialog[open]')
    await dialog.waitFor()
    await page.locator('#mb-name').fill('Suporte')
    await page.locator('#mb-host').fill('127.0.0.1')
    await page.locator('#mb-tls').selectOption('none')
    await page.locator('#mb-port').fill(String(dovecot.port))
    await page.locator('#mb-username').fill(SUPPORT)
    await page.locator('#mb-password').fill(SUPPORT_PASSWORD)
    await page.locator('#mb-address').fill(SUPPORT)
    // The first type is picked, once the types are read (the form may open before).
    await page.waitForFunction(() => document.querySelector('#mb-case_type')?.value !== '', null, { timeout: 10000 }).catch(() => {})
    assert.notEqual(await page.locator('#mb-case_type').inputValue(), '', 'a new mail opens a request of the first type')
    await shot(page, 'mailbox-form-desktop')
    await dialog.locator('button[type=submit]').click()
    await dialog.waitFor({ state: 'detached' }) // closed: no dialog is [open]

    const box = page.locator('[data-mailbox="Suporte"]')
    await box.waitFor()
    assert.match(await box.locator('.where').innerText(), new RegExp(`${SUPPORT} · 127\\.0\\.0\\.1:${dovecot.port}`))
    await box.getByRole('button', { name: /^(Test connection|Testar conexão)$/i }).click()
    const result = box.locator('.alert.success[role=status]')
    await result.waitFor()
    assert.match(await result.innerText(), /IDLE/i, 'Dovecot offers IDLE')
    // The reader signed in too: its status turns OK live.
    await box.locator('[data-status="ok"]').waitFor(LIVE)
    await shot(page, 'mailboxes-desktop')
    await noSidewaysScroll(page, 'Settings → Mailboxes (desktop)')
    await page.context().close()

    const phone = await newPage(PHONE)
    await signIn(phone, MARINA)
    await phone.goto(`${server.url}/settings/mailboxes`)
    const onPhone = phone.locator('[data-mailbox="Suporte"]')
    await onPhone.locator('[data-status="ok"]').waitFor()
    await onPhone.getByRole('button', { name: /^(Test connection|Testar conexão)$/i }).click()
    await onPhone.locator('.alert.success[role=status]').waitFor()
    await shot(phone, 'mailboxes-phone')
    await noSidewaysScroll(phone, 'Settings → Mailboxes (phone)')
    // The form's own test, with the saved password (left blank).
    await onPhone.getByRole('button', { name: /Suporte/ }).click()
    const form = phone.locator('dialog.settings-dialog[open]')
    await form.waitFor()
    await form.getByRole('button', { name: /^(Test connection|Testar conexão)$/i }).click()
    await form.locator('.alert.success[role=status]').waitFor()
    await shot(phone, 'mailbox-form-phone')
    await noSidewaysScroll(phone, 'the mailbox form (phone)')
    await phone.context().close()
  })

  test('an agent writes from a request; the customer’s answer through IMAP appears live on the request and in the portal', async () => {
    const types = await api(server.url, rafael, `/api/collections/case_types/records?filter=${q("code='SUP'")}`)
    kase = await api(server.url, rafael, '/api/collections/cases/records', {
      method: 'POST', body: { contact: JOAO, type: types.items[0].id, subject: 'Forno não esquenta', description: 'O forno liga mas não passa de 50 graus.' },
    })

    // The agent writes on the request (reply-all on its thread).
    const desk = await newPage(DESKTOP)
    await signIn(desk, RAFAEL)
    await desk.goto(`${server.url}/cases/${kase.id}`)
    await desk.locator('.ref .live').waitFor() // the page follows the request live
    await desk.locator('button.write-email').click()
    const dialog = desk.locator('dialog.compose-email[open]')
    await dialog.waitFor()
    await desk.waitForFunction(() => document.querySelector('dialog.compose-email[open] input[id$="-subject"]')?.value.startsWith('Re:'))
    const words = 'Podemos mandar um técnico amanhã de manhã. Qual horário fica melhor?'
    await dialog.locator('textarea').fill(words)
    const since = smtp.messages.length
    await dialog.locator('button[type=submit]').click()
    await dialog.getByTestId('email-decision').waitFor()
    const mail = await smtp.waitFor((m) => m.to.includes(JOAO_EMAIL) && m.text.includes('técnico amanhã'), { since })
    const messageId = header(mail.raw, 'Message-ID')
    assert.match(messageId, /^<v1\.[a-z0-9]+\.[0-9a-f]+@vinculo\.example>$/, 'the Message-ID is the signed token')
    const inReplyTo = header(mail.raw, 'In-Reply-To')
    const references = header(mail.raw, 'References')
    assert.match(inReplyTo, /^<[^<>\s]+>$/, 'In-Reply-To names the request’s earlier mail')
    assert.ok(references.split(/\s+/).includes(inReplyTo), `References (${references}) hold In-Reply-To (${inReplyTo})`)
    assert.ok(!references.includes(messageId), 'a mail does not reference itself')
    await dialog.locator('button.btn.primary').click() // closes the composer
    await dialog.waitFor({ state: 'hidden' })

    // The same request open on the agent's phone, and João's portal page.
    const phone = await newPage(PHONE)
    await signIn(phone, RAFAEL)
    await phone.goto(`${server.url}/cases/${kase.id}`)
    await phone.locator('.ref .live').waitFor()
    const portal = await newPage(DESKTOP)
    await portalSignIn(portal, JOAO_EMAIL)
    await portal.goto(`${server.url}/portal/requests/${kase.id}`)
    await portal.locator('.live-dot').waitFor()

    // João answers from his mail program; the mail lands in the support mailbox.
    const answer = 'Amanhã às 9h está ótimo, obrigado! Estarei na padaria desde as 6h.'
    const reply = customerReply(mail, { words: answer, quoted: words })
    await dovecot.append(SUPPORT, reply)

    // Live, without a reload, on every page that has the request open.
    const onDesk = desk.getByTestId('customer-message').filter({ hasText: 'Amanhã às 9h está ótimo' })
    const onPhone = phone.getByTestId('customer-message').filter({ hasText: 'Amanhã às 9h está ótimo' })
    await onDesk.waitFor(LIVE)
    await onPhone.waitFor(LIVE)
    const mine = portal.getByTestId('chat').locator('.msg.mine').filter({ hasText: 'Amanhã às 9h está ótimo' })
    await mine.waitFor(LIVE)
    assert.ok(!(await onDesk.innerText()).includes('> Podemos'), 'the quoted mail is not repeated on the request')
    assert.match(await onDesk.innerText(), /João Conceição/, 'the customer is its author')

    // The thread store has the answer on this request, threaded by the token.
    const replyId = header(reply, 'Message-ID').slice(1, -1)
    const rows = await api(server.url, rafael, `/api/collections/email_messages/records?filter=${q(`message_id="${replyId}"`)}`)
    assert.equal(rows.items.length, 1, 'the answer is kept once')
    assert.equal(rows.items[0].direction, 'in')
    assert.equal(rows.items[0].case, kase.id)
    assert.equal(rows.items[0].in_reply_to, messageId.slice(1, -1))

    await onDesk.scrollIntoViewIfNeeded()
    await shot(desk, 'request-composed-reply-desktop')
    await noSidewaysScroll(desk, 'the request page with the mail answer (desktop)')
    await onPhone.evaluate((el) => el.scrollIntoView({ block: 'center' })) // clear of the toast at the bottom
    await shot(phone, 'request-composed-reply-phone')
    await noSidewaysScroll(phone, 'the request page with the mail answer (phone)')
    await mine.scrollIntoViewIfNeeded()
    await shot(portal, 'portal-reply-desktop')
    for (const p of [desk, phone, portal]) await p.context().close()
  })

  test('a reply in the request’s conversation goes by email; the customer’s answer to it appears live under it', async () => {
    const desk = await newPage(DESKTOP)
    await signIn(desk, RAFAEL)
    await desk.goto(`${server.url}/cases/${kase.id}`)
    await desk.locator('.ref .live').waitFor()
    const phone = await newPage(PHONE)
    await signIn(phone, RAFAEL)
    await phone.goto(`${server.url}/cases/${kase.id}`)
    await phone.locator('.ref .live').waitFor()

    // "The customer sees this reply in the portal and by email."
    const words = 'O técnico Carlos chega às 9h. Deixe o forno desligado até lá, por favor.'
    const since = smtp.messages.length
    await desk.locator('#msg-body').fill(words)
    await desk.locator('form.composer button[type=submit]').click()
    await desk.getByTestId('staff-message').filter({ hasText: 'técnico Carlos' }).waitFor()
    const mail = await smtp.waitFor((m) => m.to.includes(JOAO_EMAIL) && m.text.includes('técnico Carlos'), { since })
    const messageId = header(mail.raw, 'Message-ID')
    assert.match(messageId, /^<v1\.[a-z0-9]+\.[0-9a-f]+@vinculo\.example>$/, 'the Message-ID is the signed token')
    const inReplyTo = header(mail.raw, 'In-Reply-To')
    assert.match(inReplyTo, /^<[^<>\s]+>$/, 'In-Reply-To names the request’s earlier mail')
    assert.ok(header(mail.raw, 'References').split(/\s+/).includes(inReplyTo), 'References hold In-Reply-To')
    assert.match(mail.text, /portal/, 'the portal link is in the mail')

    const answer = 'Combinado, deixo desligado. Obrigado pela rapidez!'
    await dovecot.append(SUPPORT, customerReply(mail, { words: answer, quoted: words }))
    const onDesk = desk.getByTestId('customer-message').filter({ hasText: 'Combinado, deixo desligado' })
    const onPhone = phone.getByTestId('customer-message').filter({ hasText: 'Combinado, deixo desligado' })
    await onDesk.waitFor(LIVE)
    await onPhone.waitFor(LIVE)
    assert.ok(!(await onDesk.innerText()).includes('Carlos'), 'the quoted reply is not repeated')
    // In order: the agent's reply, then the customer's answer to it.
    const bodies = await desk.getByTestId('messages').locator('.msg .body').allInnerTexts()
    assert.ok(bodies.findIndex((b) => b.includes('técnico Carlos')) < bodies.findIndex((b) => b.includes('Combinado')), bodies.join(' | '))

    await desk.getByTestId('messages').scrollIntoViewIfNeeded()
    await shot(desk, 'request-reply-desktop')
    await noSidewaysScroll(desk, 'the request page with the conversation by mail (desktop)')
    await onPhone.evaluate((el) => el.scrollIntoView({ block: 'center' })) // clear of the toast at the bottom
    await shot(phone, 'request-reply-phone')
    await noSidewaysScroll(phone, 'the request page with the conversation by mail (phone)')
    for (const p of [desk, phone]) await p.context().close()
  })

  /** Signs a customer in at /portal/ with the one-time code from the mail the server sent. */
  async function portalSignIn(page, email) {
    await page.goto(`${server.url}/portal/`)
    await page.locator('#signin-email').fill(email)
    const since = smtp.messages.length
    await page.locator('main form button[type=submit]').click()
    await page.locator('#signin-code').waitFor()
    await page.locator('#signin-code').fill(await smtp.codeFor(email, since))
    await page.locator('main form button[type=submit]').click()
    await page.getByTestId('me-name').waitFor()
  }
})
