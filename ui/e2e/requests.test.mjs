// Browser tests of requests opened by staff and of files on both sides:
// João phones; Rafael (an agent) opens a service order for him with the
// type's fields and a photo; João signs in to the portal, sees it with the
// photo and answers with another; Rafael previews and downloads João's
// picture, answers with a PDF, closes the request (asked first) and reopens
// it. Screenshots of the dialog, the case page and the portal's request at
// 1280x800 and 390x844 go to e2e/screenshots/requests-*.png.
//
//   /work/e2e-run.sh requests e2e/requests.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { apiToken, api, request } from './server.mjs'
import { browserKit, holdAnswers, DESKTOP, PHONE, RAFAEL, MARINA, PASSWORD, JOAO as JOAO_CONTACT, JOAO_EMAIL } from './kit.mjs'

const JOAO = { email: JOAO_EMAIL, contact: JOAO_CONTACT }
// A one-page PDF, small enough to write by hand.
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n')

// staffSignIn(page, email = RAFAEL)
const { start, stop, newPage, shot, noSidewaysScroll, pageErrors, signIn: staffSignIn } = browserKit({
  prefix: 'requests', context: { acceptDownloads: true }, consoleErrors: /Failed to load resource/, user: RAFAEL,
})
let server
let rafael // {token, id}
let marina
const shared = {} // what one test leaves for the next: the request, the pictures

/** The one-time code in the newest mail to `email` kept in the mail folder since `since` (ms). */
async function mailedCode(email, since) {
  const mailDir = join(server.data, 'mail')
  for (let i = 0; i < 80; i++) {
    let files = []
    try {
      files = readdirSync(mailDir).filter((f) => f.endsWith('.eml')).map((f) => join(mailDir, f)).filter((f) => statSync(f).mtimeMs >= since).sort()
    } catch {
      // the folder appears with the first mail
    }
    let code = ''
    for (const f of files) {
      const text = readFileSync(f, 'utf8')
      if (!text.includes(email)) continue
      const m = /(?<![#\w])(\d{6,10})(?!\w)/.exec(text)
      if (m) code = m[1]
    }
    if (code) return code
    await new Promise((r) => setTimeout(r, 100))
  }
  assert.fail(`no sign-in code mailed to ${email}`)
}

/** Signs João in at /portal/ with the code the server mailed him, as a customer does. */
async function portalSignIn(page) {
  await page.goto(`${server.url}/portal/`)
  await page.locator('#signin-email').fill(JOAO.email)
  const since = Date.now() - 1000
  await page.locator('main form button[type=submit]').click()
  await page.locator('#signin-code').waitFor()
  await page.locator('#signin-code').fill(await mailedCode(JOAO.email, since))
  await page.locator('main form button[type=submit]').click()
  await page.getByTestId('me-name').waitFor()
}

/** A picture drawn by the browser: a PNG with something to see in a screenshot. */
async function drawPicture(page, label, colour) {
  const b64 = await page.evaluate(([text, fill]) => {
    const c = document.createElement('canvas')
    c.width = 480
    c.height = 300
    const g = c.getContext('2d')
    g.fillStyle = fill
    g.fillRect(0, 0, 480, 300)
    g.fillStyle = '#fff'
    g.font = 'bold 40px sans-serif'
    g.fillText(text, 30, 160)
    return c.toDataURL('image/png').split(',')[1]
  }, [label, colour])
  return Buffer.from(b64, 'base64')
}

/** The link of a file's download, once the page has its file token. */
async function downloadHref(file) {
  const link = file.locator('a[data-testid=file-download][href]')
  await link.waitFor()
  return link.getAttribute('href')
}

/** What a link serves, fetched as the page would (with its file token). */
async function fetchLink(href) {
  const res = await fetch(new URL(href, server.url))
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()), type: res.headers.get('content-type') ?? '' }
}

describe('requests opened by staff, and files on both sides, in Chromium', { timeout: 300000 }, () => {
  before(async () => {
    server = await start()
    const signIn = await api(server.url, '', '/api/collections/staff/auth-with-password', { method: 'POST', body: { identity: RAFAEL, password: PASSWORD } })
    rafael = { token: signIn.token, id: signIn.record.id }
    marina = { token: await apiToken(server.url, MARINA) }
    // A finished service order may come back: the manager lets "done" reopen to "scheduled".
    const types = await api(server.url, marina.token, `/api/collections/case_types/records?filter=${encodeURIComponent("code='OS' || code='SUP'")}`)
    shared.os = types.items.find((x) => x.code === 'OS')
    shared.sup = types.items.find((x) => x.code === 'SUP')
    assert.equal(shared.os.public, false, 'the service order is not on the public form')
    await api(server.url, marina.token, `/api/collections/case_types/records/${shared.os.id}`, {
      method: 'PATCH', body: { transitions: { ...shared.os.transitions, done: ['scheduled'] } },
    })
  })

  after(async () => {
    await stop()
  })

  test('João phoned: Rafael opens a service order for him with its fields and a photo', async () => {
    const page = await newPage(DESKTOP)
    await staffSignIn(page)
    await page.goto(`${server.url}/cases`)
    await page.getByTestId('new-request').click()
    const dialog = page.getByRole('dialog', { name: 'Nova solicitação para um cliente' })
    await dialog.waitFor()

    // Search as you type; the company follows the contact.
    await dialog.locator('#nr-contact').pressSequentially('joao conc', { delay: 30 })
    await dialog.getByRole('option').filter({ hasText: 'João Conceição' }).first().click()
    await dialog.getByTestId('nr-contact').filter({ hasText: 'Padaria' }).waitFor()

    // Every type, the internal ones too; the type's own fields appear.
    await dialog.locator('#nr-type').selectOption(shared.os.id)
    await dialog.locator('#nr-data-address').waitFor()
    assert.equal(await dialog.locator('#nr-channel').inputValue(), 'phone', 'by phone unless said otherwise')
    // The team, the assignee's options, is read apart from the page.
    await page.waitForFunction((id) => document.querySelector('#nr-assignee')?.value === id, rafael.id).catch(() => {})
    assert.equal(await dialog.locator('#nr-assignee').inputValue(), rafael.id, 'assigned to whoever opens it')
    await dialog.locator('#nr-priority').selectOption('high')
    await dialog.locator('#nr-subject').fill('Forno sem aquecer desde segunda')
    await dialog.locator('#nr-description').fill('Ligou às 10h05; pede visita técnica.')

    // The type's required field is checked before anything is sent, and what was typed stays.
    await dialog.getByRole('button', { name: 'Abrir solicitação' }).click()
    await dialog.locator('#nr-data-address-err').waitFor()
    assert.equal(await dialog.locator('#nr-subject').inputValue(), 'Forno sem aquecer desde segunda')

    await dialog.locator('#nr-data-address').fill('Rua das Flores, 120')
    shared.photo = await drawPicture(page, 'Forno · foto 1', '#0b57d0')
    await dialog.locator('#nr-files').setInputFiles({ name: 'forno.png', mimeType: 'image/png', buffer: shared.photo })
    await noSidewaysScroll(page, 'the new-request dialog')
    await shot(page, 'dialog-desktop')

    await dialog.getByRole('button', { name: 'Abrir solicitação' }).click()
    await page.waitForURL(/\/cases\/[a-z0-9]{15}$/)
    shared.id = page.url().split('/').pop()

    // The case page: who opened it and how, its file.
    await page.getByTestId('opened-by').filter({ hasText: 'Rafael Lima' }).filter({ hasText: 'telefone' }).waitFor()
    await page.locator('.case-files').getByTestId('file').filter({ hasText: 'forno.png' }).waitFor()

    // The server did for it what it does for any request.
    const c = await api(server.url, rafael.token, `/api/collections/cases/records/${shared.id}`)
    assert.equal(c.contact, JOAO.contact)
    assert.ok(c.company, 'the company follows the contact')
    assert.equal(c.type, shared.os.id)
    assert.equal(c.channel, 'phone')
    assert.equal(c.priority, 'high')
    assert.equal(c.opened_by, rafael.id)
    assert.equal(c.status, 'new')
    assert.match(c.reference, /^OS-\d{4,}$/)
    assert.ok(c.resolution_due, 'SLA times are set')
    assert.deepEqual(c.data, { address: 'Rua das Flores, 120' })
    assert.equal(c.attachments.length, 1)
    const told = await api(server.url, marina.token, `/api/collections/outbox/records?filter=${encodeURIComponent(`case='${shared.id}' && template='case_opened'`)}`)
    assert.equal(told.items.length, 1, 'João is told his request was received')
    shared.reference = c.reference
    await page.context().close()
  })

  test('while the team is on its way, the assignee already reads the one who opens the request', async () => {
    const page = await newPage(DESKTOP)
    await staffSignIn(page)
    // The page loads anew and reads the team again: held until released.
    const release = await holdAnswers(page, '/api/collections/staff/records')
    await page.goto(`${server.url}/cases`)
    await page.getByTestId('new-request').click()
    const dialog = page.getByRole('dialog', { name: 'Nova solicitação para um cliente' })
    await dialog.waitFor()
    const assignee = dialog.locator('#nr-assignee')
    assert.equal(await assignee.locator('option').count(), 2, 'no one, and the one who opens it: the team is held')
    assert.equal(await assignee.inputValue(), rafael.id)
    assert.match(await assignee.locator('option:checked').textContent(), /^Rafael.* \(eu\)$/)
    await shot(page, 'assignee-waiting-desktop')
    release()
    await page.waitForFunction(() => document.querySelectorAll('#nr-assignee option').length > 2)
    assert.equal(await assignee.inputValue(), rafael.id, 'the team came and the choice stayed')
    assert.match(await assignee.locator('option:checked').textContent(), /^Rafael.* \(eu\)$/)
    await page.context().close()
  })

  test('from the customer’s page: a refusal by the server shows beside its field and keeps what was typed', async () => {
    const page = await newPage(DESKTOP)
    await staffSignIn(page)
    await page.goto(`${server.url}/contacts/${JOAO.contact}`)
    await page.getByTestId('new-request').click()
    const dialog = page.getByRole('dialog', { name: 'Nova solicitação para um cliente' })
    await dialog.waitFor()
    await dialog.locator('#nr-type').locator('option').nth(1).waitFor({ state: 'attached' })
    // Meanwhile the manager makes the support type's equipment field required.
    const fields = shared.sup.fields.map((f) => (f.name === 'equipment' ? { ...f, required: true } : f))
    await api(server.url, marina.token, `/api/collections/case_types/records/${shared.sup.id}`, { method: 'PATCH', body: { fields } })
    try {
      // The customer of the page is already chosen, with their company.
      await dialog.getByTestId('nr-contact').filter({ hasText: 'João Conceição' }).filter({ hasText: 'Padaria' }).waitFor()
      await dialog.locator('#nr-type').selectOption(shared.sup.id)
      await dialog.locator('#nr-subject').fill('Internet lenta à noite')
      await dialog.getByRole('button', { name: 'Abrir solicitação' }).click()
      await dialog.locator('#nr-data-equipment-err').waitFor()
      assert.equal(await dialog.locator('#nr-subject').inputValue(), 'Internet lenta à noite')
      await dialog.getByRole('alert').first().waitFor()
      assert.ok(await dialog.isVisible(), 'the dialog stays open')
    } finally {
      await api(server.url, marina.token, `/api/collections/case_types/records/${shared.sup.id}`, { method: 'PATCH', body: { fields: shared.sup.fields } })
    }
    await page.context().close()
  })

  for (const [size, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    test(`João sees the request and its photo in the portal (${size}) and answers with a picture`, async () => {
      assert.ok(shared.id, 'the request of the first test')
      const page = await newPage(options)
      await portalSignIn(page)
      await page.goto(`${server.url}/portal/requests/${shared.id}`)
      await page.getByTestId('reference').filter({ hasText: shared.reference }).waitFor()
      const file = page.getByTestId('file').filter({ hasText: 'forno.png' })
      await file.waitFor()
      // The picture shows inline (its link carries a file token), and downloads.
      await file.locator('img').evaluate((img) => img.complete || new Promise((r) => img.addEventListener('load', r, { once: true })))
      assert.ok(await file.locator('img').evaluate((img) => img.naturalWidth) > 0, 'the picture loaded')
      const got = await fetchLink(await downloadHref(file))
      assert.equal(got.status, 200)
      assert.ok(got.body.equals(shared.photo), 'the download is the photo Rafael attached')

      if (size === 'desktop') {
        shared.reply = await drawPicture(page, 'Painel do forno', '#b3261e')
        await page.locator('#chat-body').fill('Segue a foto do painel.')
        await page.locator('.composer input[type=file]').setInputFiles({ name: 'painel.png', mimeType: 'image/png', buffer: shared.reply })
        await page.locator('.composer button[type=submit]').click()
        await page.getByTestId('chat').getByTestId('file').filter({ hasText: 'painel.png' }).waitFor()
      }
      await noSidewaysScroll(page, `the portal's request (${size})`)
      await shot(page, `portal-${size}`, { fullPage: true })
      await page.context().close()
    })
  }

  test('Rafael previews and downloads João’s picture, and answers with a PDF', async () => {
    assert.ok(shared.reply, 'João answered with a picture')
    const page = await newPage(DESKTOP)
    await staffSignIn(page)
    await page.goto(`${server.url}/cases/${shared.id}`)
    const fromJoao = page.getByTestId('customer-message').filter({ hasText: 'Segue a foto do painel.' })
    const file = fromJoao.getByTestId('file').filter({ hasText: 'painel.png' })
    await file.waitFor()

    // Preview: the picture in the page, full size.
    await file.getByRole('button', { name: 'Ver', exact: true }).click()
    const preview = page.getByTestId('file-preview')
    await preview.waitFor()
    await preview.evaluate((img) => img.complete || new Promise((r) => img.addEventListener('load', r, { once: true })))
    assert.equal(await preview.evaluate((img) => img.naturalWidth), 480, 'the full picture shows')
    await shot(page, 'preview-desktop')
    await page.getByRole('dialog', { name: 'painel.png' }).getByRole('button', { name: 'Fechar' }).click()

    // Download: the browser saves João's very file.
    const [download] = await Promise.all([page.waitForEvent('download'), file.getByTestId('file-download').click()])
    assert.equal(download.suggestedFilename(), 'painel.png')
    assert.ok(readFileSync(await download.path()).equals(shared.reply), 'the downloaded file is João’s')

    // A reply with a PDF: João sees it in the portal.
    await page.getByRole('radio', { name: 'Responder ao cliente' }).check()
    await page.locator('#msg-body').fill('Segue o orçamento da visita.')
    await page.locator('#msg-files').setInputFiles({ name: 'orcamento.pdf', mimeType: 'application/pdf', buffer: PDF })
    await page.locator('form.composer button[type=submit]').click()
    const mine = page.getByTestId('staff-message').filter({ hasText: 'Segue o orçamento da visita.' })
    await mine.getByTestId('file').filter({ hasText: 'orcamento.pdf' }).waitFor()
    // A PDF previews in a frame.
    await mine.getByRole('button', { name: 'Ver', exact: true }).click()
    const frame = page.locator('iframe[data-testid=file-preview]')
    await frame.waitFor()
    const pdf = await fetchLink(await frame.getAttribute('src'))
    assert.equal(pdf.status, 200)
    assert.match(pdf.type, /pdf/)
    await page.getByRole('dialog', { name: 'orcamento.pdf' }).getByRole('button', { name: 'Fechar' }).click()

    const msgs = await api(server.url, rafael.token, `/api/collections/case_messages/records?filter=${encodeURIComponent(`case='${shared.id}' && author_staff!=''`)}`)
    const reply = msgs.items.find((m) => m.body === 'Segue o orçamento da visita.')
    assert.equal(reply?.attachments?.length, 1, 'the reply carries the PDF')
    assert.equal(reply.internal, false)

    await noSidewaysScroll(page, 'the case page')
    await page.evaluate(() => window.scrollTo(0, 0))
    await shot(page, 'case-desktop')
    await page.context().close()

    // João sees the PDF the team sent him, and opens it.
    const portal = await newPage(DESKTOP)
    await portalSignIn(portal)
    await portal.goto(`${server.url}/portal/requests/${shared.id}`)
    const sent = portal.getByTestId('chat').getByTestId('file').filter({ hasText: 'orcamento.pdf' })
    await sent.waitFor()
    const got = await fetchLink(await downloadHref(sent))
    assert.equal(got.status, 200)
    assert.ok(got.body.equals(PDF), 'João downloads the PDF the team sent')
    await portal.context().close()
  })

  test('closing asks first; a closed request the type lets reopen gets a Reopen button', async () => {
    const page = await newPage(DESKTOP)
    await staffSignIn(page)
    await page.goto(`${server.url}/cases/${shared.id}`)
    const status = page.getByTestId('case-status')
    await status.filter({ hasText: 'Nova' }).waitFor()

    // Changing one's mind: nothing changes.
    await page.locator('#case-status').selectOption('done')
    const confirm = page.getByRole('dialog', { name: 'Encerrar esta solicitação?' })
    await confirm.waitFor()
    await shot(page, 'confirm-close-desktop')
    await confirm.getByRole('button', { name: 'Cancelar' }).click()
    await confirm.waitFor({ state: 'hidden' })
    assert.equal((await api(server.url, rafael.token, `/api/collections/cases/records/${shared.id}`)).status, 'new')

    await page.locator('#case-status').selectOption('done')
    await confirm.getByTestId('confirm-close').click()
    await status.filter({ hasText: 'Concluída' }).waitFor()
    await page.getByTestId('reopen').waitFor()
    await shot(page, 'closed-desktop')
    let c = await api(server.url, rafael.token, `/api/collections/cases/records/${shared.id}`)
    assert.equal(c.closed, true)

    await page.getByTestId('reopen').click()
    await status.filter({ hasText: 'Agendada' }).waitFor()
    c = await api(server.url, rafael.token, `/api/collections/cases/records/${shared.id}`)
    assert.equal(c.closed, false)
    assert.equal(c.status, 'scheduled')

    // The server's check stays: a move the type does not allow is refused.
    const bad = await request(server.url, rafael.token, `/api/collections/cases/records/${shared.id}`, { method: 'PATCH', body: { status: 'new' } })
    assert.equal(bad.status, 400)
    assert.ok(bad.json?.data?.status, 'the refusal names the status')

    // On a phone, the case page with its files fits the screen.
    const phone = await newPage(PHONE)
    await staffSignIn(phone)
    await phone.goto(`${server.url}/cases/${shared.id}`)
    await phone.getByTestId('file').first().waitFor()
    await noSidewaysScroll(phone, 'the case page on a phone')
    await shot(phone, 'case-phone', { fullPage: true })
    await phone.goto(`${server.url}/cases`)
    await phone.getByTestId('new-request').click()
    await phone.getByRole('dialog', { name: 'Nova solicitação para um cliente' }).waitFor()
    await noSidewaysScroll(phone, 'the new-request dialog on a phone')
    await shot(phone, 'dialog-phone')
    await phone.context().close()
    await page.context().close()
  })

  test('no errors in the pages', () => {
    assert.deepEqual(pageErrors, [])
  })
})
