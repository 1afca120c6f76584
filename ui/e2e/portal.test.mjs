// Browser tests of the customer portal at /portal/: Debian's Chromium driven
// by playwright-core against a real Vinculo server (built from this
// repository, fresh demo data, a free loopback port) whose mail goes to a
// real SMTP server on loopback, where the tests read the one-time codes.
// Screenshots of every page at phone and desktop size go to
// e2e/screenshots/portal-*.png (ignored by git).
//
//   npm run build && node --test e2e/portal.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { unzipSync, strFromU8 } from 'fflate'
import { startServer, api, request, launchChromium } from './server.mjs'
import { startSmtpSink } from './portal-smtp.mjs'

const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url))
const DESKTOP = { viewport: { width: 1280, height: 800 } }
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }
const PASSWORD = 'vinculo-demo-2026'
const JOAO = { email: 'joao.conceicao@padariapaodourado1.example', contact: 'ct0000000000001', customer: 'cu0000000000001' }
const ANA = { email: 'ana.goncalves@padariapaodourado1.example', contact: 'ct0000000000002', customer: 'cu0000000000002' }
const WAIT = 10000
// a 1×1 PNG, for attachments
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='

let server
let smtp
let browser
let staff // {token, id} of Rafael, an agent
const pageErrors = []
const shared = {} // what one test leaves for the next: the request opened, João's signed-in state

async function newPage(options, storageState) {
  const context = await browser.newContext({ locale: 'en-US', timezoneId: 'America/Sao_Paulo', serviceWorkers: 'block', ...options, storageState })
  context.setDefaultTimeout(WAIT)
  const page = await context.newPage()
  page.on('pageerror', (err) => pageErrors.push(`${page.url()}: ${err.message}`))
  page.on('console', (msg) => {
    // A refused request shows in the console; the tests check what the page says about it.
    if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) pageErrors.push(`${page.url()}: console: ${msg.text()}`)
  })
  return page
}

async function shot(page, name, { fullPage = false } = {}) {
  await page.screenshot({ path: `${SHOTS}portal-${name}.png`, fullPage })
}

async function staffSignIn(email) {
  const res = await fetch(`${server.url}/api/collections/staff/auth-with-password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ identity: email, password: PASSWORD }),
  })
  assert.equal(res.status, 200, `staff sign-in of ${email}`)
  const body = await res.json()
  return { token: body.token, id: body.record.id }
}

const q = (filter) => encodeURIComponent(filter)

/** Signs in at /portal/ with a code read from the mail the server sent. */
async function signInByCode(page, email) {
  await page.goto(`${server.url}/portal/`)
  await page.locator('#signin-email').fill(email)
  const since = smtp.messages.length
  await page.locator('main form button[type=submit]').click()
  await page.locator('#signin-code').waitFor()
  const code = await smtp.codeFor(email, since)
  await page.locator('#signin-code').fill(code)
  await page.locator('main form button[type=submit]').click()
  await page.getByTestId('me-name').waitFor()
}

async function portalToken(page) {
  return page.evaluate(() => JSON.parse(localStorage.getItem('vinculo_portal_auth') || '{}').token)
}

/** A fetch as the customer whose token this is; the answer's status and JSON. */
async function asCustomer(token, path, opts) {
  const { status, json } = await request(server.url, token, path, opts)
  return { status, json }
}

async function queueMarketing(channel, subject) {
  const rec = await api(server.url, staff.token, '/api/collections/outbox/records', {
    method: 'POST',
    body: { contact: JOAO.contact, purpose: 'marketing', channel, subject, body: 'Promoção de fim de ano', state: 'queued' },
  })
  return api(server.url, staff.token, `/api/collections/outbox/records/${rec.id}`)
}

function dayInDays(n) {
  return new Date(Date.now() + n * 86400000).toISOString().slice(0, 10)
}

describe('customer portal in Chromium', { timeout: 420000 }, () => {
  before(async () => {
    mkdirSync(SHOTS, { recursive: true })
    smtp = await startSmtpSink()
    server = await startServer({
      env: {
        VINCULO_SMTP_HOST: '127.0.0.1',
        VINCULO_SMTP_PORT: String(smtp.port),
        VINCULO_SMTP_SENDER: 'portal@vinculo.example',
      },
    })
    browser = await launchChromium(chromium)
    staff = await staffSignIn('rafael@vinculo.example')
  })

  after(async () => {
    await browser?.close().catch(() => {})
    await server?.stop()
    await smtp?.stop()
  })

  test('an unknown email gets the same friendly answer; João signs in with the code from his mail', async () => {
    const page = await newPage(PHONE)
    await page.goto(`${server.url}/portal/`)
    await page.locator('#signin-email').waitFor()
    await shot(page, 'signin-phone')

    // Nobody has this email: the same answer, and no mail goes out.
    const before = smtp.messages.length
    await page.locator('#signin-email').fill('nobody-here@example.com')
    await page.locator('main form button[type=submit]').click()
    await page.locator('#signin-code').waitFor()
    const unknownAnswer = await page.getByRole('status').first().innerText()
    assert.match(unknownAnswer, /nobody-here@example\.com/)
    await page.getByRole('button', { name: 'Use another email' }).click()

    await page.locator('#signin-email').fill(JOAO.email)
    await page.locator('main form button[type=submit]').click()
    await page.locator('#signin-code').waitFor()
    const knownAnswer = await page.getByRole('status').first().innerText()
    assert.equal(knownAnswer.replace(JOAO.email, 'X'), unknownAnswer.replace('nobody-here@example.com', 'X'), 'the same words whether the email is known or not')
    await shot(page, 'signin-code-phone')
    const code = await smtp.codeFor(JOAO.email, before)
    assert.ok(!smtp.messages.slice(before).some((m) => m.to.includes('nobody-here@example.com')), 'no mail to an unknown address')

    // A wrong code is refused kindly; the right one signs in.
    await page.locator('#signin-code').fill(code === '000000' ? '111111' : '000000')
    await page.locator('main form button[type=submit]').click()
    await page.getByRole('alert').waitFor()
    await page.locator('#signin-code').fill(code)
    await page.locator('main form button[type=submit]').click()
    await page.getByTestId('me-name').filter({ hasText: 'João Conceição' }).waitFor()
    // João's profile says pt-BR: the portal speaks Portuguese.
    await page.getByRole('heading', { level: 1, name: 'Meus pedidos' }).waitFor()
    assert.equal(await page.locator('html').getAttribute('lang'), 'pt-BR')
    shared.joao = await page.context().storageState()
    await page.context().close()
  })

  test('João opens a request; the team sees it, moves it and answers, and the portal follows live', async () => {
    const page = await newPage(DESKTOP, shared.joao)
    await page.goto(`${server.url}/portal/new`)
    await page.getByRole('radio', { name: /Suporte técnico/ }).check()
    const subject = `Internet caindo ${Date.now()}`
    await page.locator('#new-subject').fill(subject)
    // Validated as he types: clearing the subject says so at once.
    await page.locator('#new-subject').fill('')
    await page.locator('#new-subject-err').waitFor()
    await page.locator('#new-subject').fill(subject)
    await page.locator('#field-equipment').fill('Roteador da sala')
    await page.locator('#new-description').fill('A conexão cai toda noite por volta das 20h.')
    await shot(page, 'new-request-desktop')
    await page.getByRole('button', { name: 'Enviar pedido' }).click()
    const reference = (await page.getByTestId('new-reference').innerText()).trim()
    assert.match(reference, /^SUP-\d{4,}$/)
    await shot(page, 'new-request-done-desktop')

    // The team sees it through the staff API, as João's, from the portal.
    const found = await api(server.url, staff.token, `/api/collections/cases/records?filter=${q(`reference="${reference}"`)}`)
    assert.equal(found.items.length, 1)
    const kase = found.items[0]
    assert.equal(kase.contact, JOAO.contact)
    assert.equal(kase.subject, subject)
    assert.equal(kase.channel, 'portal')
    assert.equal(kase.data.equipment, 'Roteador da sala')
    shared.case = { id: kase.id, reference, subject }

    await page.getByRole('link', { name: 'Acompanhar este pedido' }).click()
    await page.waitForURL(`**/portal/requests/${kase.id}`)
    const status = page.getByTestId('status')
    await status.filter({ hasText: 'Recebido' }).waitFor()
    await page.locator('.live-dot').waitFor() // subscribed
    await page.getByTestId('next-answer').waitFor()

    // Staff move it through the API: the page shows it without a reload.
    await api(server.url, staff.token, `/api/collections/cases/records/${kase.id}`, { method: 'PATCH', body: { status: 'triage' } })
    await status.filter({ hasText: 'Em análise' }).waitFor()
    await page.getByTestId('steps').getByText('Em análise').first().waitFor()

    // Chat: João writes with a photo attached, the team reads it in the API.
    await page.locator('#chat-body').fill('Obrigado! Fico em casa depois das 18h.')
    await page.locator('.composer input[type=file]').setInputFiles({ name: 'roteador.png', mimeType: 'image/png', buffer: Buffer.from(PNG, 'base64') })
    await page.getByRole('button', { name: 'Enviar', exact: true }).click()
    const mine = page.getByTestId('chat').locator('.msg.mine').filter({ hasText: 'Fico em casa depois das 18h' })
    await mine.waitFor()
    const msgs = await api(server.url, staff.token, `/api/collections/case_messages/records?filter=${q(`case="${kase.id}"`)}&sort=created`)
    const fromJoao = msgs.items.find((m) => m.body.includes('Fico em casa'))
    assert.ok(fromJoao, 'the team sees João’s message')
    assert.equal(fromJoao.author_customer, JOAO.customer)
    assert.equal(fromJoao.internal, false)
    assert.equal(fromJoao.attachments.length, 1)
    // The attachment opens for him (protected files go with a file token).
    const link = mine.getByTestId('file-download') // shared/FileList: "Baixar", with a file token
    await mine.locator('[data-testid="file-download"][href]').waitFor() // the token is fetched after the message shows
    const file = await page.request.get(new URL(await link.getAttribute('href'), server.url).href)
    assert.equal(file.status(), 200)
    assert.equal(file.headers()['content-type'], 'image/png')
    assert.equal(await mine.getByTestId('read-state').innerText(), 'Enviada')

    // The team answers: it appears live, and João's page marks it read.
    const answer = await api(server.url, staff.token, '/api/collections/case_messages/records', {
      method: 'POST',
      body: { case: kase.id, body: 'Um técnico passa amanhã às 19h.', author_staff: staff.id },
    })
    await page.getByTestId('chat').locator('.msg:not(.mine)').filter({ hasText: 'Um técnico passa amanhã às 19h.' }).waitFor()
    // An internal note never reaches him.
    await api(server.url, staff.token, '/api/collections/case_messages/records', {
      method: 'POST',
      body: { case: kase.id, body: 'Nota interna: cliente VIP', internal: true, author_staff: staff.id },
    })
    let readAt = ''
    for (let i = 0; i < 50 && !readAt; i++) {
      readAt = (await api(server.url, staff.token, `/api/collections/case_messages/records/${answer.id}`)).read_by_customer_at
      if (!readAt) await new Promise((r) => setTimeout(r, 200))
    }
    assert.ok(readAt, 'the portal marked the team’s answer read')
    // The team reads João's message: "Lida" appears live beside it.
    await api(server.url, staff.token, `/api/crm/cases/${kase.id}/read`, { method: 'POST' })
    await mine.getByTestId('read-state').filter({ hasText: 'Lida' }).waitFor()
    assert.equal(await page.getByText('Nota interna').count(), 0, 'internal notes stay internal')
    await shot(page, 'request-desktop')
    await page.context().close()
  })

  test('withdrawing a consent: a marketing message on that channel is refused', async () => {
    const page = await newPage(PHONE, shared.joao)
    await page.goto(`${server.url}/portal/consents`)
    const sms = page.getByTestId('consent-marketing-sms')
    await sms.waitFor()
    // Give it, then withdraw it, each with one click.
    if ((await sms.getByTestId('consent-state').innerText()) !== 'Autorizado') {
      await sms.getByRole('button', { name: /^Autorizar/ }).click()
      await sms.getByTestId('consent-state').filter({ hasText: 'Autorizado' }).waitFor()
    }
    await sms.getByRole('button', { name: /^Retirar/ }).click()
    await sms.getByTestId('consent-state').filter({ hasText: 'Retirado' }).waitFor()
    await sms.getByText(/Versões anteriores/).waitFor()
    await shot(page, 'consents-phone')

    const rows = await api(server.url, staff.token, `/api/collections/consents/records?filter=${q(`contact="${JOAO.contact}" && purpose="marketing" && channel="sms"`)}`)
    assert.equal(rows.items.length, 1)
    assert.equal(rows.items[0].state, 'withdrawn')
    assert.equal(rows.items[0].source, 'portal')
    assert.ok(rows.items[0].history.length >= 1, 'the earlier state is kept')

    const msg = await queueMarketing('sms', 'Oferta por SMS')
    assert.equal(msg.state, 'refused', `outbox: ${msg.state} ${msg.reason}`)
    assert.match(msg.reason, /withdrawn/)
    await page.context().close()
  })

  test('preferences in plain words, and the outbox obeys them', async () => {
    const page = await newPage(DESKTOP, shared.joao)
    await page.goto(`${server.url}/portal/preferences`)
    await page.getByTestId('preferences-now').waitFor()
    const pause = dayInDays(10)
    await page.locator('#pref-channel').selectOption('none')
    await page.locator('#pref-pause').fill(pause)
    await page.locator('#pref-max').fill('2')
    const preview = await page.getByTestId('preferences-preview').innerText()
    assert.match(preview, /^Só sobre os meus pedidos, /)
    assert.match(preview, /no máximo 2 mensagens por semana/)
    assert.match(preview, /contato pausado até/)
    await page.getByRole('button', { name: 'Salvar', exact: true }).click()
    await page.getByText('Salvo. Obrigado!').waitFor()
    assert.match(await page.getByTestId('preferences-now').innerText(), /contato pausado até/)
    await shot(page, 'preferences-desktop', { fullPage: true })

    const contact = await api(server.url, staff.token, `/api/collections/contacts/records/${JOAO.contact}`)
    assert.equal(contact.preferred_channel, 'none')
    assert.equal(contact.max_contacts_per_week, 2)
    assert.ok(contact.paused_until.startsWith(pause) || contact.paused_until.startsWith(dayInDays(11)), contact.paused_until)

    // Marketing by email now is refused: he asked to hear only about his requests.
    const msg = await queueMarketing('email', 'Oferta de fim de ano')
    assert.equal(msg.state, 'refused', `outbox: ${msg.state} ${msg.reason}`)
    assert.match(msg.reason, /none/)

    // Back to email, still paused: marketing waits instead.
    await page.locator('#pref-channel').selectOption('email')
    await page.getByRole('button', { name: 'Salvar', exact: true }).click()
    await page.getByText('Salvo. Obrigado!').waitFor()
    const later = await queueMarketing('email', 'Oferta de janeiro')
    if (later.state === 'refused') assert.match(later.reason, /consent/, later.reason) // his marketing consent by email may be withdrawn in the demo
    else assert.equal(later.state, 'waiting', `outbox: ${later.state} ${later.reason}`)
    await page.context().close()
  })

  test('profile: João keeps his contact points current; a new email waits for its confirmation', async () => {
    const page = await newPage(PHONE, shared.joao)
    await page.goto(`${server.url}/portal/profile`)
    await page.locator('#profile-mobile').fill('+55 11 98888-7777')
    await page.locator('#profile-name').fill('')
    await page.locator('#profile-name[aria-invalid="true"]').waitFor() // checked as he types
    await page.locator('#profile-name').fill('João Conceição')
    await page.getByRole('button', { name: 'Salvar', exact: true }).click()
    await page.getByText('Salvo. Obrigado!').waitFor()
    const contact = await api(server.url, staff.token, `/api/collections/contacts/records/${JOAO.contact}`)
    assert.match(contact.mobile.replace(/\D/g, ''), /11988887777$/)

    const since = smtp.messages.length
    await page.locator('#profile-new-email').fill('joao.novo@example.com')
    await page.getByRole('button', { name: 'Trocar e-mail' }).click()
    await page.getByText(/Enviamos um link de confirmação para joao.novo@example.com/).waitFor()
    await smtp.waitFor((m) => m.to.includes('joao.novo@example.com'), { since })
    // Not used before it is confirmed.
    assert.equal((await api(server.url, staff.token, `/api/collections/contacts/records/${JOAO.contact}`)).email, JOAO.email)
    assert.equal(await page.getByTestId('my-email').innerText(), JOAO.email)
    await shot(page, 'profile-email-sent-phone', { fullPage: true })
    await page.context().close()
  })

  test('cancelling a subscription takes a click and a confirmation', async () => {
    const page = await newPage(PHONE, shared.joao)
    await page.goto(`${server.url}/portal/services`)
    const card = page.getByTestId('subscription').filter({ has: page.getByRole('button', { name: 'Cancelar', exact: true }) }).first()
    await card.waitFor()
    const id = await card.getAttribute('data-id')
    const mine = page.locator(`[data-id="${id}"]`)
    const dialog = page.getByRole('dialog')
    // Pause until a date, then resume: each with its confirmation.
    if (await mine.getByRole('button', { name: 'Pausar' }).count()) {
      await mine.getByRole('button', { name: 'Pausar' }).click()
      await dialog.locator('#pause-until').fill(dayInDays(30))
      await dialog.getByRole('button', { name: 'Sim, pausar' }).click()
      await mine.getByTestId('sub-status').filter({ hasText: /^Pausad/ }).waitFor()
      assert.equal((await api(server.url, staff.token, `/api/collections/subscriptions/records/${id}`)).paused_until.slice(0, 10), dayInDays(30))
      await mine.getByRole('button', { name: 'Retomar' }).click()
      await dialog.getByRole('button', { name: 'Sim, retomar' }).click()
      await mine.getByTestId('sub-status').filter({ hasText: /^Ativ/ }).waitFor()
    }
    await mine.getByRole('button', { name: 'Cancelar', exact: true }).click()
    await dialog.waitFor()
    await shot(page, 'services-confirm-phone')
    // Now, not at the end of the period; the reason is asked (services.test.mjs covers the rest).
    await dialog.getByLabel('Agora').check()
    await dialog.locator('#cancel-reason').selectOption('moving')
    await dialog.getByRole('button', { name: 'Sim, cancelar' }).click()
    await mine.getByTestId('sub-status').filter({ hasText: /^Cancelad/ }).waitFor()
    await shot(page, 'services-phone', { fullPage: true })

    const sub = await api(server.url, staff.token, `/api/collections/subscriptions/records/${id}`)
    assert.equal(sub.status, 'cancelled')
    assert.ok(sub.cancelled_at)
    const acts = await api(server.url, staff.token, `/api/collections/activities/records?filter=${q(`contact="${sub.contact}" && actor_type="customer"`)}&sort=-created`)
    assert.ok(acts.items.some((a) => /cancel/i.test(`${a.event ?? ''} ${a.subject}`)), 'the cancellation is on the timeline')
    await page.context().close()
  })

  test('my data: one download with my records and no one else’s', async () => {
    const page = await newPage(DESKTOP, shared.joao)
    await page.goto(`${server.url}/portal/data`)
    // The full copy (plugins/fullcopy): one ZIP of JSON and CSV files.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Baixar uma cópia completa (ZIP)' }).click()])
    const zip = unzipSync(new Uint8Array(readFileSync(await download.path())))
    const data = Object.fromEntries(Object.entries(zip).filter(([n]) => n.endsWith('.json')).map(([n, b]) => [n.slice(0, -5), JSON.parse(strFromU8(b))]))
    assert.equal(data.contact[0].id, JOAO.contact)
    assert.ok(data.requests.some((c) => c.reference === shared.case.reference), 'holds the request he opened')
    const mine = (list) => (list ?? []).every((r) => r.contact === JOAO.contact)
    for (const key of ['requests', 'orders', 'subscriptions', 'consents', 'timeline']) assert.ok(mine(data[key]), `${key}: only João's`)
    const text = JSON.stringify(data)
    assert.ok(!text.includes(ANA.email) && !text.includes(ANA.contact), 'nothing of Ana, his colleague')
    // A note the team wrote about him is his personal data: in the copy, marked internal.
    assert.ok(data.request_messages.some((m) => m.internal && m.body.includes('Nota interna')), 'the team’s note, marked internal')
    await shot(page, 'data-desktop')

    const [card] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Baixar meu cartão (vCard)' }).click()])
    const vcf = readFileSync(await card.path(), 'utf8')
    assert.match(vcf, /BEGIN:VCARD/)
    assert.match(vcf, /João Conceição/)
    await page.context().close()
  })

  test('public request form and tracking by code, without an account', async () => {
    const page = await newPage(PHONE)
    // João's request was made in the portal: he follows it there, not here,
    // even with its code and his email.
    await page.goto(`${server.url}/portal/track?ref=${shared.case.reference}`)
    await page.locator('#track-email').fill(JOAO.email)
    await page.getByRole('button', { name: 'Show status' }).click()
    await page.getByRole('alert').filter({ hasText: 'We found no request' }).waitFor()

    // Someone without an account asks for information and follows it.
    await page.goto(`${server.url}/portal/new-request?type=INF`)
    if (await page.locator('#pub-type').count()) await page.locator('#pub-type').selectOption('INF')
    await page.getByRole('button', { name: 'Send request' }).click()
    await page.locator('#pub-name[aria-invalid="true"]').waitFor() // checked before sending
    await page.locator('#pub-name').fill('Carla Visitante')
    await page.locator('#pub-email').fill('carla.visitante@example.com')
    await page.locator('#pub-subject').fill('Horário de atendimento no feriado')
    await shot(page, 'public-request-phone')
    const mailsBefore = smtp.messages.length
    await page.getByRole('button', { name: 'Send request' }).click()
    // Nothing is filed yet: a link goes to the address, in fixed words.
    await page.getByRole('heading', { name: 'Check your email' }).waitFor()
    assert.match(await page.getByTestId('public-check').innerText(), /carla\.visitante@example\.com/)
    await shot(page, 'public-check-email-phone')
    const confirmMail = await smtp.waitFor((m) => m.to.includes('carla.visitante@example.com'), { since: mailsBefore })
    for (const typed of ['Carla Visitante', 'Visitante', 'Horário de atendimento']) {
      assert.ok(!confirmMail.subject.includes(typed) && !confirmMail.text.includes(typed), `the confirmation mail carries the sender's "${typed}": ${confirmMail.text}`)
    }
    const link = /\/portal\/confirm-request\?token=[\w-]+/.exec(confirmMail.text)
    assert.ok(link, `no confirmation link in: ${confirmMail.text}`)
    // A known customer's address gets the same answer, and nothing joins his account.
    const answers = []
    for (const address of [JOAO.email, `ninguem${Date.now()}@example.com`]) {
      const res = await fetch(`${server.url}/api/crm/public/requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'INF', name: 'Impostor', email: address, subject: 'Sua conta foi bloqueada' }),
      })
      answers.push(`${res.status} ${await res.text()}`)
    }
    assert.equal(answers[0], answers[1], 'the same answer whether the email is a customer’s or nobody’s')
    const joaoCases = await api(server.url, staff.token, `/api/collections/cases/records?filter=${q(`contact = '${JOAO.contact}' && subject = 'Sua conta foi bloqueada'`)}`)
    assert.equal(joaoCases.totalItems, 0, 'an unconfirmed request joined João’s account')
    // The owner of the address opens the link and confirms.
    await page.goto(`${server.url}${link[0]}`)
    await page.getByTestId('confirm-request').waitFor()
    assert.ok(!(await page.locator('main').innerText()).includes('Horário de atendimento'), 'the confirmation page shows nothing the sender typed')
    await shot(page, 'confirm-request-phone')
    await page.getByRole('button', { name: 'Confirm and send' }).click()
    const reference = (await page.getByTestId('public-reference').innerText()).trim()
    assert.match(reference, /^INF-\d{4,}$/)
    await shot(page, 'confirm-request-done-phone')
    await page.getByRole('link', { name: 'Follow this request' }).click()
    await page.getByTestId('track-status').waitFor() // code and email came in the link
    const result = await page.getByTestId('track-result').innerText()
    assert.ok(!result.includes('Horário de atendimento no feriado'), 'tracking shows the status, nothing else')
    await shot(page, 'public-track-phone')
    // Someone else's email with the same code learns nothing.
    await page.goto(`${server.url}/portal/track?ref=${reference}`)
    await page.locator('#track-email').fill('someone-else@example.com')
    await page.getByRole('button', { name: 'Show status' }).click()
    await page.getByRole('alert').filter({ hasText: 'We found no request' }).waitFor()
    await shot(page, 'track-result-phone')
    // The link works once.
    await page.goto(`${server.url}${link[0]}`)
    await page.getByRole('button', { name: 'Confirm and send' }).click()
    await page.getByRole('alert').filter({ hasText: 'This link has expired or was already used' }).waitFor()
    await shot(page, 'confirm-request-used-phone')
    await page.context().close()

    // João got a link for the impostor's request, in fixed words; he opens it
    // and does not confirm: nothing reaches his account.
    const joaoMail = await smtp.waitFor((m) => m.to.includes(JOAO.email) && /confirm-request/.test(m.text), { since: mailsBefore })
    assert.ok(!/Impostor|bloqueada/.test(joaoMail.subject + joaoMail.text), `João's mail carries the sender's words: ${joaoMail.text}`)
    const desk = await newPage(DESKTOP)
    await desk.goto(`${server.url}${/\/portal\/confirm-request\?token=[\w-]+/.exec(joaoMail.text)[0]}`)
    await desk.getByTestId('confirm-request').waitFor()
    assert.ok(!/Impostor|bloqueada/.test(await desk.locator('main').innerText()), 'the page shows nothing the sender typed')
    await shot(desk, 'confirm-request-desktop')
    await desk.context().close()
    const stillNone = await api(server.url, staff.token, `/api/collections/cases/records?filter=${q(`contact = '${JOAO.contact}' && subject = 'Sua conta foi bloqueada'`)}`)
    assert.equal(stillNone.totalItems, 0, 'an unconfirmed request joined João’s account')
  })

  test('isolation: a customer of another company sees none of João’s requests, by the UI, REST or realtime', async () => {
    // Staff create a company, its contact and invite her.
    const company = await api(server.url, staff.token, '/api/collections/companies/records', { method: 'POST', body: { name: 'Outra Empresa Ltda.' } })
    const email = `carla.outra${Date.now()}@outra.example`
    const contact = await api(server.url, staff.token, '/api/collections/contacts/records', {
      method: 'POST',
      body: { name: 'Carla Outra', email, company: company.id, language: 'en' },
    })
    const invited = await api(server.url, staff.token, `/api/crm/contacts/${contact.id}/invite`, { method: 'POST' })
    assert.ok(invited.customer)

    const page = await newPage(DESKTOP)
    await signInByCode(page, email)
    await page.getByRole('heading', { level: 1, name: 'My requests' }).waitFor()
    await page.getByText('You have no requests yet').waitFor()
    assert.equal(await page.getByText(shared.case.reference).count(), 0)
    await page.goto(`${server.url}/portal/requests/${shared.case.id}`)
    await page.getByRole('alert').filter({ hasText: 'We could not find this request' }).waitFor()
    assert.equal(await page.getByText(shared.case.subject).count(), 0)

    // REST with her token: nothing of João's.
    const token = await portalToken(page)
    const list = await asCustomer(token, '/api/collections/cases/records')
    assert.equal(list.status, 200)
    assert.equal(list.json.items.length, 0)
    assert.equal((await asCustomer(token, `/api/collections/cases/records/${shared.case.id}`)).status, 404)
    assert.equal((await asCustomer(token, `/api/crm/portal/cases/${shared.case.id}`)).status, 403)
    const messages = await asCustomer(token, `/api/collections/case_messages/records?filter=${q(`case="${shared.case.id}"`)}`)
    assert.equal(messages.json.items.length, 0)
    assert.equal((await asCustomer(token, `/api/collections/contacts/records/${JOAO.contact}`)).status, 404)

    // Realtime: subscribed to every request and message she may see, she
    // hears of her own request's change and never of João's.
    await page.evaluate(async (tok) => {
      window.__events = []
      const es = new EventSource('/api/realtime')
      window.__es = es
      const clientId = await new Promise((ok) => es.addEventListener('PB_CONNECT', (e) => ok(JSON.parse(e.data).clientId)))
      for (const topic of ['cases', 'case_messages']) es.addEventListener(topic, (e) => window.__events.push({ topic, ...JSON.parse(e.data) }))
      const res = await fetch('/api/realtime', {
        method: 'POST',
        headers: { 'content-type': 'application/json', Authorization: tok },
        body: JSON.stringify({ clientId, subscriptions: ['cases', 'case_messages'] }),
      })
      if (!res.ok) throw new Error(`subscribe: ${res.status}`)
    }, token)
    const types = await api(server.url, staff.token, `/api/collections/case_types/records?filter=${q('code="INF"')}`)
    const own = await asCustomer(token, '/api/collections/cases/records', {
      method: 'POST',
      body: { type: types.items[0].id, contact: contact.id, subject: 'Dúvida da Carla', channel: 'portal' },
    })
    assert.equal(own.status, 200, JSON.stringify(own.json))
    await api(server.url, staff.token, `/api/collections/cases/records/${shared.case.id}`, { method: 'PATCH', body: { status: 'partner' } })
    await api(server.url, staff.token, '/api/collections/case_messages/records', { method: 'POST', body: { case: shared.case.id, body: 'Para o João', author_staff: staff.id } })
    await api(server.url, staff.token, `/api/collections/cases/records/${own.json.id}`, { method: 'PATCH', body: { status: 'answered' } })
    await page.waitForFunction((id) => window.__events.some((e) => e.record?.id === id && e.action === 'update'), own.json.id)
    const events = await page.evaluate(() => window.__events)
    assert.ok(events.every((e) => e.record?.id !== shared.case.id && e.record?.case !== shared.case.id), `she heard of João's request: ${JSON.stringify(events)}`)

    // Her request is answered (closed): she rates it.
    await page.goto(`${server.url}/portal/requests/${own.json.id}`)
    await page.getByRole('heading', { name: 'How did we do?' }).waitFor()
    await page.locator('.star').nth(3).click()
    await page.locator('#rate-comment').fill('Resposta rápida.')
    await shot(page, 'request-rate-desktop')
    await page.getByRole('button', { name: 'Send rating' }).click()
    await page.getByText('Thank you for your rating!').waitFor()
    const rated = await api(server.url, staff.token, `/api/collections/cases/records/${own.json.id}`)
    assert.equal(rated.rating, 4)
    assert.equal(rated.rating_comment, 'Resposta rápida.')

    // She chooses a password too: then signs in with it instead of a code.
    await page.goto(`${server.url}/portal/profile`)
    await page.locator('#pw-new').fill('carla-senha-2026')
    await page.locator('#pw-confirm').fill('carla-senha-2026')
    await page.getByRole('button', { name: 'Set password' }).click()
    await page.getByText('Your password is saved.').waitFor()
    await page.getByTestId('me-name').waitFor() // still signed in here
    await page.getByRole('button', { name: 'Sign out', exact: true }).click()
    await page.getByRole('button', { name: 'Sign in with a password instead' }).click()
    await page.locator('#signin-email').fill(email)
    await page.locator('#signin-password').fill('carla-senha-2026')
    await page.locator('main form button[type=submit]').click()
    await page.getByTestId('me-name').filter({ hasText: 'Carla Outra' }).waitFor()

    // A new email: the link in the mail, opened signed in, confirms it; she
    // stays signed in, and the contact's email follows.
    await page.goto(`${server.url}/portal/profile`)
    const mailsBefore = smtp.messages.length
    await page.locator('#profile-new-email').fill('carla.nova@example.com')
    await page.getByRole('button', { name: 'Change email' }).click()
    await page.getByText('Please type your password to change your email.').waitFor() // she chose a password: it is asked
    await page.locator('#profile-email-password').fill('carla-senha-2026')
    await page.getByRole('button', { name: 'Change email' }).click()
    const changeMail = await smtp.waitFor((m) => m.to.includes('carla.nova@example.com'), { since: mailsBefore })
    const link = /\/portal\/confirm-email-change\?token=[\w.-]+/.exec(changeMail.text)
    assert.ok(link, `no confirmation link in: ${changeMail.text}`)
    await page.goto(`${server.url}${link[0]}`)
    await page.getByText('Done: we will write to carla.nova@example.com from now on.').waitFor()
    await shot(page, 'confirm-email-desktop')
    assert.equal((await api(server.url, staff.token, `/api/collections/contacts/records/${contact.id}`)).email, 'carla.nova@example.com')
    await page.goto(`${server.url}/portal/profile`)
    assert.equal(await page.getByTestId('my-email').innerText(), 'carla.nova@example.com')
    // The old address is told.
    await smtp.waitFor((m) => m.to.includes(email.toLowerCase()) && m.text.includes('carla.nova@example.com'), { since: mailsBefore })

    // Two-step sign-in: she turns it on (her password confirms it); the code
    // alone no longer signs her in, the code and then her password do.
    await page.locator('#pw-old').fill('carla-senha-2026')
    await page.getByRole('button', { name: 'Turn on' }).click()
    await page.getByText('On: you sign in with the code and your password.').waitFor()
    await page.getByRole('button', { name: 'Sign out', exact: true }).click()
    await page.locator('#signin-email').fill('carla.nova@example.com')
    const beforeCode = smtp.messages.length
    await page.locator('main form button[type=submit]').click()
    await page.locator('#signin-code').fill(await smtp.codeFor('carla.nova@example.com', beforeCode))
    await page.locator('main form button[type=submit]').click()
    await page.getByText('The code was right. As you asked, we also need your password.').waitFor()
    assert.equal(await portalToken(page), undefined, 'signed in with the code alone')
    await shot(page, 'signin-mfa-desktop')
    await page.locator('#signin-password').fill('carla-senha-2026')
    await page.locator('main form button[type=submit]').click()
    await page.getByTestId('me-name').filter({ hasText: 'Carla Outra' }).waitFor()
    const newToken = await portalToken(page)

    // Sign out everywhere: back to the sign-in page, and the old token is dead.
    await page.goto(`${server.url}/portal/`)
    await page.getByRole('button', { name: 'Sign out everywhere' }).click()
    await page.locator('#signin-email').waitFor()
    assert.equal((await asCustomer(newToken, '/api/crm/portal/me')).status, 401)
    await page.context().close()
  })

  test('colleagues: Ana (company admin) sees what João shares with the company and nothing else; João never sees Ana’s', async () => {
    // João opens a request shared with his company's admins.
    const joao = await newPage(PHONE, shared.joao)
    await joao.goto(`${server.url}/portal/new`)
    await joao.getByRole('radio', { name: /Ordem de serviço/ }).check()
    await joao.locator('#new-subject').fill('Mudar o roteador de sala')
    await joao.locator('#field-address').fill('')
    await joao.getByRole('button', { name: 'Enviar pedido' }).click()
    await joao.locator('#field-address-err').waitFor() // a required field of the type, checked before sending
    await joao.locator('#field-address').fill('Rua das Flores, 100')
    await joao.getByRole('checkbox', { name: /Compartilhar com os administradores/ }).check()
    await shot(joao, 'new-request-shared-phone', { fullPage: true })
    await joao.getByRole('button', { name: 'Enviar pedido' }).click()
    const sharedRef = (await joao.getByTestId('new-reference').innerText()).trim()
    const joaoToken = await portalToken(joao)

    const ana = await newPage(DESKTOP)
    await signInByCode(ana, ANA.email)
    await ana.getByTestId('me-name').filter({ hasText: 'Ana Luísa Gonçalves' }).waitFor()
    await ana.getByTestId('open-requests').getByText(sharedRef).waitFor() // the list, not a pinned card
    assert.equal(await ana.getByText(shared.case.reference).count(), 0, 'João’s unshared request stays his')
    await ana.getByTestId('open-requests').getByText(sharedRef).click()
    await ana.getByTestId('reference').filter({ hasText: sharedRef }).waitFor()
    await ana.goto(`${server.url}/portal/requests/${shared.case.id}`)
    await ana.getByRole('alert').waitFor()
    const anaToken = await portalToken(ana)
    assert.equal((await asCustomer(anaToken, `/api/collections/cases/records/${shared.case.id}`)).status, 404)
    assert.equal((await asCustomer(anaToken, `/api/collections/contacts/records/${JOAO.contact}`)).status, 404)

    // Ana's own request, not shared: João (a member) never sees it.
    const types = await api(server.url, staff.token, `/api/collections/case_types/records?filter=${q('code="INF"')}`)
    const hers = await asCustomer(anaToken, '/api/collections/cases/records', {
      method: 'POST',
      body: { type: types.items[0].id, contact: ANA.contact, subject: 'Pergunta da Ana', channel: 'portal', shared: true },
    })
    assert.equal(hers.status, 200, JSON.stringify(hers.json))
    assert.equal((await asCustomer(joaoToken, `/api/collections/cases/records/${hers.json.id}`)).status, 404, 'a member sees only his own')
    const joaoList = await asCustomer(joaoToken, '/api/collections/cases/records?perPage=200')
    assert.ok(joaoList.json.items.every((c) => c.contact === JOAO.contact), 'João lists only his own requests')
    await joao.goto(`${server.url}/portal/`)
    await joao.getByTestId('open-requests').getByText(sharedRef).waitFor()
    assert.equal(await joao.getByText('Pergunta da Ana').count(), 0)
    await joao.context().close()
    await ana.context().close()
  })

  test('screenshots of every page at phone and desktop size', async () => {
    const pages = [
      ['requests', '/portal/'],
      ['request', `/portal/requests/${shared.case.id}`],
      ['new', '/portal/new'],
      ['profile', '/portal/profile'],
      ['preferences', '/portal/preferences'],
      ['consents', '/portal/consents'],
      ['services', '/portal/services'],
      ['data', '/portal/data'],
    ]
    for (const [size, options] of [['phone', PHONE], ['desktop', DESKTOP]]) {
      const page = await newPage(options, shared.joao)
      for (const [name, path] of pages) {
        await page.goto(`${server.url}${path}`)
        await page.locator('main h1').first().waitFor()
        await page.waitForLoadState('networkidle').catch(() => {})
        await shot(page, `${name}-${size}`)
      }
      if (size === 'phone') {
        await page.getByRole('button', { name: 'Menu' }).click()
        await page.locator('#portal-nav').getByRole('link', { name: 'Meus dados', exact: true }).waitFor()
        await shot(page, 'menu-phone')
      }
      await page.context().close()
      const anon = await newPage(options)
      for (const [name, path] of [['signin', '/portal/'], ['track', '/portal/track'], ['public-request', '/portal/new-request']]) {
        await anon.goto(`${server.url}${path}`)
        await anon.locator('main h1').first().waitFor()
        await shot(anon, `${name}-${size}`)
      }
      await anon.context().close()
    }
  })

  test('the portal installs: a manifest and a service worker scoped to /portal/ that leaves the API alone', async () => {
    const manifest = await (await fetch(`${server.url}/portal/manifest.webmanifest`)).json()
    assert.equal(manifest.scope, '/portal/')
    assert.equal(manifest.start_url, '/portal/')
    assert.ok(manifest.icons.some((i) => i.sizes === '512x512'))
    const context = await browser.newContext({ locale: 'en-US' })
    const sw = await context.newPage()
    await sw.goto(`${server.url}/portal/`)
    const scope = await sw.evaluate(async () => (await navigator.serviceWorker.ready).scope)
    assert.equal(scope, `${server.url}/portal/`)
    const cached = await sw.evaluate(async () => {
      const keys = []
      for (const name of await caches.keys()) for (const req of await (await caches.open(name)).keys()) keys.push(new URL(req.url).pathname)
      return keys
    })
    assert.ok(cached.includes('/portal/'), `cached: ${cached}`)
    assert.ok(!cached.some((p) => p.startsWith('/api/')), `the API is never cached: ${cached}`)
    await context.close()
  })

  test('no page errors', () => {
    assert.deepEqual(pageErrors, [])
  })
})
