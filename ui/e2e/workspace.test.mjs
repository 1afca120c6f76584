// Browser tests of the staff workspace: Debian's Chromium driven by
// playwright-core against a real Vinculo server (built from this repository,
// fresh demo data, a free loopback port). Screenshots of each page at desktop
// and phone size go to e2e/screenshots/ (ignored by git).
//
//   node --test e2e/        (after `npm run build`, so the binary embeds the UI)
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { apiToken, api } from './server.mjs'
import { browserKit, DESKTOP, PHONE, RAFAEL, MARINA, JOAO, JOAO_EMAIL } from './kit.mjs'

// Screenshots keep their plain names (signin-desktop.png, …): no prefix.
const { start, stop, newPage, signIn, shot, noSidewaysScroll, pageErrors } = browserKit({ prefix: '', consoleErrors: true, user: RAFAEL })

/**
 * Signs the demo customer in the way a real client does: ask for a one-time
 * code, read it from the mail the server kept (the demo has no SMTP server:
 * <data_dir>/mail/*.eml), and trade it for a token.
 */
async function customerToken(email) {
  const since = Date.now() - 1000
  const res = await fetch(`${server.url}/api/collections/customers/request-otp`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }),
  })
  assert.equal(res.status, 200, 'request-otp')
  const { otpId } = await res.json()
  const code = await mailedCode(email, since)
  const auth = await fetch(`${server.url}/api/collections/customers/auth-with-otp`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ otpId, password: code }),
  })
  assert.equal(auth.status, 200, 'auth-with-otp')
  return (await auth.json()).token
}

/** The one-time code in the newest mail to `email` kept in the mail folder since `since` (ms). */
async function mailedCode(email, since) {
  const mailDir = join(server.data, 'mail')
  let code = ''
  for (let i = 0; i < 50 && !code; i++) {
    let files = []
    try {
      files = readdirSync(mailDir).filter((f) => f.endsWith('.eml')).map((f) => join(mailDir, f)).filter((f) => statSync(f).mtimeMs >= since).sort()
    } catch {
      // the folder appears with the first mail
    }
    for (const f of files) {
      const text = readFileSync(f, 'utf8')
      if (!text.includes(email)) continue
      const m = /(?<![#\w])(\d{6,10})(?!\w)/.exec(text) // not a colour like #000000 of the mail's style
      if (m) code = m[1]
    }
    if (!code) await new Promise((r) => setTimeout(r, 100))
  }
  assert.ok(code, `a sign-in code mailed to ${email}`)
  return code
}

let server

/** A day a week from now as YYYY-MM-DD. */
function dayInAWeek() {
  const d = new Date(Date.now() + 7 * 86400000)
  return d.toISOString().slice(0, 10)
}

describe('staff workspace in Chromium', { timeout: 240000 }, () => {
  before(async () => {
    server = await start()
  })

  after(stop)

  test('a wrong password is refused and what was typed stays', async () => {
    const page = await newPage(DESKTOP)
    await page.goto(`${server.url}/`)
    await page.locator('#signin-email').fill(RAFAEL)
    await page.locator('#signin-password').fill('not-the-password')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('alert').filter({ hasText: 'The email or the password is not right.' }).waitFor()
    assert.equal(await page.locator('#signin-email').inputValue(), RAFAEL)
    await shot(page, 'signin-desktop')
    await page.context().close()
  })

  test('sign in as Rafael, find João with Ctrl+K, log a call with a follow-up', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page)
    // Rafael's profile says pt-BR: the workspace speaks Portuguese.
    await page.getByRole('navigation', { name: 'Principal' }).getByRole('link', { name: 'Contatos' }).waitFor()
    assert.equal(await page.locator('html').getAttribute('lang'), 'pt-BR')
    await shot(page, 'home-desktop')

    await page.keyboard.press('Control+k')
    const box = page.getByRole('combobox', { name: 'Buscar em tudo' })
    await box.waitFor()
    await box.pressSequentially('joao', { delay: 30 })
    const hit = page.getByRole('option').filter({ hasText: 'João Conceição' })
    await hit.waitFor()
    await shot(page, 'search-desktop')
    await hit.click()
    await page.waitForURL(`**/contacts/${JOAO}`)
    await page.getByRole('heading', { level: 1, name: 'João Conceição' }).waitFor()

    // The header in plain words, the open-request banner, the timeline.
    const prefs = await page.getByTestId('preferences').innerText()
    assert.match(prefs, /Prefere e-mail, dias úteis 9–20, horário de São Paulo/)
    await page.getByTestId('open-case-banner').waitFor()
    assert.ok(await page.locator('.entries .entry').count() > 0, 'the timeline shows entries')
    await page.locator('.live').waitFor() // realtime subscribed
    await shot(page, 'contact360-desktop')
    await shot(page, 'contact360-desktop-full', { fullPage: true })

    // Log a call with a follow-up on a chosen day.
    const subject = `Ligação de teste ${Date.now()}`
    const day = dayInAWeek()
    await page.getByRole('radio', { name: 'Ligação' }).check()
    await page.getByLabel('Assunto').fill(subject)
    await page.getByLabel('Anotações').fill('Cliente pediu proposta de upgrade.')
    await page.getByLabel('Resultado').fill('atendeu')
    await page.getByLabel('Minutos').fill('12')
    await page.getByLabel('Tarefa de retorno').check()
    await page.getByLabel('Data do retorno').fill(day)
    await page.getByRole('button', { name: 'Salvar na linha do tempo' }).click()

    const entry = page.locator('.entries .entry').first()
    await entry.filter({ hasText: subject }).waitFor()
    assert.match(await entry.innerText(), /Resultado: atendeu/)
    assert.match(await entry.innerText(), /12 min/)
    await page.getByTestId('tasks').getByText(`Retorno: ${subject}`).waitFor() // the follow-up in the staff member's language
    await shot(page, 'contact360-after-call-desktop', { fullPage: true })
    // The composer is empty again after a save.
    assert.equal(await page.getByLabel('Assunto').inputValue(), '')

    // Behind the browser's back: the follow-up task exists, Rafael's, due that day at 09:00 São Paulo time.
    const token = await apiToken(server.url, RAFAEL)
    const acts = await api(server.url, token, `/api/collections/activities/records?filter=${encodeURIComponent(`subject="${subject}"`)}`)
    assert.equal(acts.items.length, 1)
    const activity = acts.items[0]
    assert.equal(activity.type, 'call')
    assert.equal(activity.contact, JOAO)
    assert.equal(activity.outcome, 'atendeu')
    assert.equal(activity.duration_minutes, 12)
    const tasks = await api(server.url, token, `/api/collections/tasks/records?filter=${encodeURIComponent(`activity="${activity.id}"`)}`)
    assert.equal(tasks.items.length, 1, 'one follow-up task')
    const task = tasks.items[0]
    assert.equal(task.status, 'open')
    assert.equal(task.contact, JOAO)
    assert.equal(task.assignee, activity.staff)
    assert.equal(task.due, `${day} 12:00:00.000Z`)

    // Live: a colleague's note arrives without a reload.
    const marina = await apiToken(server.url, 'marina@vinculo.example')
    const me = await api(server.url, marina, '/api/collections/staff/auth-refresh', { method: 'POST' })
    const note = `Nota ao vivo ${Date.now()}`
    await api(server.url, marina, '/api/collections/activities/records', {
      method: 'POST',
      body: { type: 'note', actor_type: 'staff', staff: me.record.id, contact: JOAO, subject: note, body: 'Escrita pela Marina.' },
    })
    await page.locator('.entries .entry').first().filter({ hasText: note }).waitFor()
    assert.match(await page.locator('.entries .entry').first().innerText(), /Marina/)

    // Filters: only calls, then load more stays within the filter.
    await page.getByLabel('Tipo').selectOption('call')
    await page.locator('.entries .entry').first().filter({ hasText: subject }).waitFor()
    for (const text of await page.locator('.entries .entry .badge').allInnerTexts()) assert.equal(text.trim(), 'Ligação')
    await page.getByLabel('Tipo').selectOption('')
    await page.locator('.entries .entry').first().filter({ hasText: note }).waitFor()

    // The language switch: English on screen and in Rafael's profile.
    await page.getByLabel('Idioma').selectOption('en')
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Contacts' }).waitFor()
    assert.match(await page.getByTestId('preferences').innerText(), /Prefers email, weekdays 9–20, São Paulo time/)
    let language = ''
    for (let i = 0; i < 50 && language !== 'en'; i++) {
      language = (await api(server.url, token, `/api/collections/staff/records/${activity.staff}`)).language
      if (language !== 'en') await new Promise((r) => setTimeout(r, 100))
    }
    assert.equal(language, 'en', 'the choice is kept in Rafael’s profile')
    await page.context().close()
  })

  test('contacts: list, sort, instant search, create with messages next to the field', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page)
    await page.getByRole('navigation').getByRole('link', { name: 'Contacts' }).click()
    await page.waitForURL('**/contacts')
    const rows = page.locator('tbody tr:not(.empty)')
    await rows.first().waitFor()
    assert.equal(await rows.count(), 25, 'a full first page')
    await shot(page, 'contacts-desktop')

    // Paging: next page, other rows.
    const firstName = await rows.first().locator('td.name a').innerText()
    await page.getByRole('button', { name: 'Next' }).click()
    await page.getByText('Page 2').waitFor()
    await page.waitForFunction((n) => document.querySelector('tbody tr td.name a')?.textContent !== n, firstName)
    await page.getByRole('button', { name: 'Previous' }).click()
    await page.getByText('Page 1').waitFor()

    // Sort by name ascending.
    await page.getByRole('button', { name: 'Sort by Name' }).click()
    await page.locator('th[aria-sort="ascending"]').filter({ hasText: 'Name' }).waitFor()
    await page.waitForFunction(() => {
      const names = [...document.querySelectorAll('tbody td.name a')].map((a) => a.textContent)
      return names.length > 1 && names.every((n, i) => i === 0 || names[i - 1].localeCompare(n) <= 0)
    })

    // Instant search.
    await page.getByLabel('Search contacts').fill('joao')
    await page.getByText('Best matches for “joao”').waitFor()
    await rows.filter({ hasText: 'João Conceição' }).waitFor()
    for (const name of await rows.locator('td.name a').allInnerTexts()) assert.match(name, /João/)
    await page.getByLabel('Search contacts').fill('')
    await page.getByRole('button', { name: 'Next' }).waitFor()

    // Create: a missing name is caught here; a time zone the server does not know, by the server; nothing typed is lost.
    await page.getByRole('button', { name: 'New contact' }).click()
    await page.getByRole('button', { name: 'Create contact' }).click()
    await page.locator('#cf-name-error').filter({ hasText: 'Required.' }).waitFor()
    await page.locator('#cf-name').fill('Beatriz Teste E2E')
    await page.locator('#cf-email').fill('beatriz.e2e@example.com')
    await page.locator('#cf-phone').fill('+55 11 99999-0000')
    await page.locator('#cf-timezone').fill('Mars/Phobos')
    await page.locator('#cf-stage').selectOption('lead')
    await page.getByRole('button', { name: 'Create contact' }).click()
    await page.locator('#cf-timezone-error').waitFor()
    assert.equal(await page.locator('#cf-timezone').getAttribute('aria-invalid'), 'true')
    assert.equal(await page.locator('#cf-name').inputValue(), 'Beatriz Teste E2E')
    assert.equal(await page.locator('#cf-email').inputValue(), 'beatriz.e2e@example.com')
    await shot(page, 'contacts-form-error-desktop')
    await page.locator('#cf-timezone').fill('America/Sao_Paulo')
    await page.getByRole('button', { name: 'Create contact' }).click()
    await page.getByRole('heading', { level: 1, name: 'Beatriz Teste E2E' }).waitFor()
    assert.match(page.url(), /\/contacts\/[a-z0-9]{15}$/)

    // The session survives a reload (the SDK's auth store); signing out ends it.
    await page.reload()
    await page.getByRole('heading', { level: 1, name: 'Beatriz Teste E2E' }).waitFor()
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.locator('#signin-email').waitFor()
    await page.reload()
    await page.locator('#signin-email').waitFor()
    assert.equal(await page.evaluate(() => localStorage.getItem('vinculo_staff_auth')), null)
    await page.context().close()
  })

  test('phone size: sign-in, contacts and the 360 page', async () => {
    const page = await newPage(PHONE)
    await page.goto(`${server.url}/`)
    await page.locator('#signin-email').waitFor()
    await shot(page, 'signin-phone')
    await signIn(page, 'marina@vinculo.example') // pt-BR in her profile
    await page.goto(`${server.url}/contacts`)
    await page.locator('tbody tr td.name a').first().waitFor()
    await shot(page, 'contacts-phone')
    // The menu opens and closes with the keyboard-reachable button.
    const menu = page.getByRole('button', { name: 'Menu' })
    await menu.click()
    await page.getByRole('navigation', { name: 'Principal' }).getByRole('link', { name: 'Contatos' }).waitFor()
    await shot(page, 'menu-phone')
    await menu.click()
    await page.goto(`${server.url}/contacts/${JOAO}`)
    await page.getByRole('heading', { level: 1, name: 'João Conceição' }).waitFor()
    await page.locator('.entries .entry').first().waitFor()
    await shot(page, 'contact360-phone')
    await shot(page, 'contact360-phone-full', { fullPage: true })
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    assert.ok(overflow <= 0, `the 360 page is ${overflow}px wider than the phone`)
    await page.context().close()
  })

  test('contacts: filters, and editing a contact with messages next to the field', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page, MARINA)
    await page.goto(`${server.url}/contacts`)
    const rows = page.locator('tbody tr:not(.empty)')
    await rows.first().waitFor()
    // Stage and open-request filters narrow the list; clearing brings it back.
    await page.locator('#cflt-stage').selectOption('customer')
    await page.waitForFunction(() => [...document.querySelectorAll('tbody td:nth-child(5)')].every((td) => /Cliente/.test(td.textContent))) // after the row's checkbox
    await page.getByLabel('Com solicitação aberta').check()
    await rows.filter({ hasText: 'João Conceição' }).waitFor()
    for (const badge of await rows.locator('td.name .badge.amber').allInnerTexts()) assert.match(badge, /aberta/)
    assert.equal(await rows.locator('td.name .badge.amber').count(), await rows.count(), 'every row has an open request')
    await page.getByRole('button', { name: 'Limpar filtros' }).click()
    await page.getByRole('button', { name: 'Próxima' }).waitFor()

    // Edit: an empty name is caught next to the field; a saved change shows at once.
    await page.goto(`${server.url}/contacts/${JOAO}`)
    await page.getByRole('heading', { level: 1, name: 'João Conceição' }).waitFor()
    await page.getByRole('button', { name: 'Editar' }).click()
    assert.equal(await page.locator('#cf-name').inputValue(), 'João Conceição')
    await page.locator('#cf-name').fill('')
    await page.locator('#cf-job_title').fill('Sócio-gerente')
    await page.getByRole('button', { name: 'Salvar alterações' }).click()
    await page.locator('#cf-name-error').waitFor()
    assert.equal(await page.locator('#cf-job_title').inputValue(), 'Sócio-gerente', 'what was typed stays')
    await page.locator('#cf-email').fill('not an email')
    await page.locator('#cf-name').fill('João Conceição')
    await page.getByRole('button', { name: 'Salvar alterações' }).click()
    await page.locator('#cf-email-error').waitFor()
    await page.locator('#cf-email').fill('joao.conceicao@padariapaodourado1.example')
    await page.getByRole('button', { name: 'Salvar alterações' }).click()
    await page.locator('.hero .role').filter({ hasText: 'Sócio-gerente' }).waitFor()
    await page.context().close()
  })

  test('deals: drag a card to the next stage, the totals follow, a colleague sees it live', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page)
    await page.goto(`${server.url}/deals`)
    const first = page.getByTestId('stage-0')
    const next = page.getByTestId('stage-1')
    await first.locator('.deal').first().waitFor()
    await page.locator('.live').waitFor()
    await shot(page, 'deals-desktop')

    // A colleague's board, open at the same time.
    const other = await newPage(DESKTOP)
    await signIn(other, 'marina@vinculo.example')
    await other.goto(`${server.url}/deals`)
    await other.getByTestId('stage-1').locator('.deal').first().waitFor()
    await other.locator('.live').waitFor()

    const read = async (col) => ({
      count: Number(await col.getByTestId('count').innerText()),
      total: await col.getByTestId('total').innerText(),
      weighted: await col.getByTestId('weighted').innerText(),
    })
    const before = [await read(first), await read(next)]
    const card = first.locator('.deal').first()
    const id = await card.getAttribute('data-deal')
    const from = await card.locator('.deal-title').boundingBox()
    const to = await next.locator('.col-head').boundingBox()
    await page.mouse.move(from.x + 10, from.y + 5)
    await page.mouse.down()
    await page.mouse.move(from.x + 40, from.y + 30, { steps: 4 })
    await page.mouse.move(to.x + to.width / 2, to.y + 80, { steps: 12 })
    await page.mouse.up()

    await next.locator(`[data-deal="${id}"]`).waitFor()
    const after = [await read(first), await read(next)]
    assert.equal(after[0].count, before[0].count - 1)
    assert.equal(after[1].count, before[1].count + 1)
    assert.notEqual(after[1].total, before[1].total, 'the next stage’s total grew')
    assert.notEqual(after[1].weighted, before[1].weighted, 'and its weighted total')
    await shot(page, 'deals-after-drag-desktop')

    // Saved, and the colleague's board moved the card without a reload (the
    // board shows a move at once; the colleague's hears of it once it is saved).
    await other.getByTestId('stage-1').locator(`[data-deal="${id}"]`).waitFor()
    const token = await apiToken(server.url, RAFAEL)
    const saved = await api(server.url, token, `/api/collections/deals/records/${id}`)
    assert.equal(saved.stage, await next.getAttribute('data-stage'))
    assert.ok(saved.stage_changed_at, 'the stage change time is kept')
    await other.context().close()

    // The keyboard way: the card's "Move to" menu takes it back.
    await page.locator(`#move-${id}`).selectOption(await first.getAttribute('data-stage'))
    await first.locator(`[data-deal="${id}"]`).waitFor()
    assert.equal(Number(await first.getByTestId('count').innerText()), before[0].count)
    await page.context().close()
  })

  test('deals on a phone: drag a card by its grip with a finger', async () => {
    const page = await newPage(PHONE)
    await signIn(page, MARINA)
    await page.goto(`${server.url}/deals`)
    const first = page.getByTestId('stage-0')
    const next = page.getByTestId('stage-1')
    const card = first.locator('.deal').first()
    await card.waitFor()
    const id = await card.getAttribute('data-deal')
    const before = Number(await next.getByTestId('count').innerText())
    // Real touch events (Chromium turns them into pointer events); near the
    // edge the board scrolls to the next stage.
    const cdp = await page.context().newCDPSession(page)
    const touch = (type, x, y) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints: type === 'touchEnd' ? [] : [{ x, y }] })
    const grip = await card.locator('.grip').boundingBox()
    let x = grip.x + grip.width / 2
    const y = grip.y + grip.height / 2
    await touch('touchStart', x, y)
    for (let i = 0; i < 40; i++) {
      x = Math.min(x + 12, 385)
      await touch('touchMove', x, y + i)
      await page.waitForTimeout(16)
    }
    await page.waitForTimeout(200)
    await touch('touchEnd')
    await next.locator(`[data-deal="${id}"]`).waitFor()
    assert.equal(Number(await next.getByTestId('count').innerText()), before + 1)
    await shot(page, 'deals-after-touch-drag-phone')
    await page.context().close()
  })

  test('deals: a move the server refuses goes back with a clear message', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page)
    await page.goto(`${server.url}/deals`)
    const first = page.getByTestId('stage-0')
    const card = first.locator('.deal').first()
    await card.waitFor()
    const id = await card.getAttribute('data-deal')
    // The server refuses every deal update from now on in this page.
    await page.route('**/api/collections/deals/records/*', (route) => route.request().method() === 'PATCH'
      ? route.fulfill({ status: 403, contentType: 'application/json', body: JSON.stringify({ status: 403, message: 'Only managers may move deals in this pipeline.', data: {} }) })
      : route.continue())
    await page.locator(`#move-${id}`).selectOption(await page.getByTestId('stage-1').getAttribute('data-stage'))
    await page.getByTestId('move-error').waitFor()
    await first.locator(`[data-deal="${id}"]`).waitFor()
    assert.match(await page.getByTestId('move-error').innerText(), /(não pôde ser movido|could not be moved)/)
    await page.context().close()
    // The browser logs the refusal this test made on purpose.
    for (let i = pageErrors.length - 1; i >= 0; i--) if (/\/deals: console: .*status of 403/.test(pageErrors[i])) pageErrors.splice(i, 1)
  })

  test('cases: answer publicly, the customer’s reply arrives live, status along the workflow', async () => {
    // Marina (pt-BR) answers; Rafael is her colleague behind the API.
    const token = await apiToken(server.url, MARINA)
    const open = await api(server.url, token, `/api/collections/cases/records?filter=${encodeURIComponent(`contact="${JOAO}" && closed=false`)}&sort=created`)
    assert.ok(open.items.length > 0, 'João has an open case in the demo')
    const theCase = open.items[0]

    const page = await newPage(DESKTOP)
    await signIn(page, MARINA)
    await page.goto(`${server.url}/cases`)
    await page.locator('tbody tr').first().waitFor()
    await shot(page, 'cases-desktop')
    // Filters: only mine.
    await page.getByLabel('Minhas').check()
    await page.locator('tbody tr').first().waitFor()

    await page.goto(`${server.url}/cases/${theCase.id}`)
    await page.getByRole('heading', { level: 1, name: theCase.subject }).waitFor()
    await page.locator('.live').waitFor()

    // A public reply, then an internal note: shown differently.
    const reply = `Olá João, estamos verificando ${Date.now()}`
    await page.getByLabel('Sua resposta').fill(reply)
    await page.getByRole('button', { name: 'Enviar resposta' }).click()
    await page.getByTestId('staff-message').filter({ hasText: reply }).waitFor()
    // The message may come live before the answer to the send, which empties the box.
    await page.waitForFunction(() => document.querySelector('#msg-body')?.value === '').catch(() => {})
    assert.equal(await page.getByLabel('Sua resposta').inputValue(), '')
    await page.getByRole('radio', { name: 'Nota interna' }).check()
    const note = `Checar contrato antes ${Date.now()}`
    await page.getByLabel('Sua nota interna').fill(note)
    await page.getByRole('button', { name: 'Adicionar nota interna' }).click()
    await page.getByTestId('internal-note').filter({ hasText: note }).waitFor()

    // The customer answers through the API, signed in by a one-time code.
    const customer = await customerToken(JOAO_EMAIL)
    const answer = `Obrigado! Fico no aguardo ${Date.now()}`
    await api(server.url, customer, '/api/collections/case_messages/records', { method: 'POST', body: { case: theCase.id, body: answer } })
    await page.getByTestId('customer-message').filter({ hasText: answer }).waitFor()
    // The customer never sees the internal note.
    const seen = await api(server.url, customer, `/api/collections/case_messages/records?filter=${encodeURIComponent(`case="${theCase.id}"`)}`)
    assert.ok(!seen.items.some((m) => m.body === note), 'internal notes stay internal')
    await shot(page, 'case-desktop', { fullPage: true })

    // A colleague moves the status: it shows here without a reload.
    const rafael = await apiToken(server.url, RAFAEL)
    const type = await api(server.url, rafael, `/api/collections/case_types/records/${theCase.type}`)
    const next = (type.transitions?.[theCase.status] ?? [])[0]
    assert.ok(next, 'the workflow has a next status')
    const nextLabel = type.statuses.find((x) => x.key === next).label
    await api(server.url, rafael, `/api/collections/cases/records/${theCase.id}`, { method: 'PATCH', body: { status: next } })
    await page.getByTestId('case-status').filter({ hasText: nextLabel }).waitFor()

    // A failed send keeps the draft.
    await page.getByRole('radio', { name: 'Responder ao cliente' }).check()
    const draft = 'Texto que não pode se perder'
    await page.getByLabel('Sua resposta').fill(draft)
    await page.route('**/api/collections/case_messages/records', (route) => route.abort())
    await page.getByRole('button', { name: 'Enviar resposta' }).click()
    await page.getByRole('alert').first().waitFor()
    assert.equal(await page.getByLabel('Sua resposta').inputValue(), draft)
    await page.context().close()
    // The browser logs the failure this test made on purpose.
    for (let i = pageErrors.length - 1; i >= 0; i--) if (/\/cases\/.*net::ERR_FAILED/.test(pageErrors[i])) pageErrors.splice(i, 1)
  })

  test('tasks: the follow-up of a logged call is there; complete and reschedule', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page, MARINA) // pt-BR, São Paulo time
    await page.goto(`${server.url}/contacts/${JOAO}`)
    await page.getByRole('heading', { level: 1, name: 'João Conceição' }).waitFor()
    const subject = `Ligação para tarefas ${Date.now()}`
    await page.getByRole('radio', { name: 'Ligação' }).check()
    await page.getByLabel('Assunto').fill(subject)
    await page.getByLabel('Tarefa de retorno').check()
    await page.getByLabel('Data do retorno').fill(dayInAWeek())
    await page.getByRole('button', { name: 'Salvar na linha do tempo' }).click()
    await page.getByTestId('tasks').getByText(`Retorno: ${subject}`).waitFor() // the follow-up in the staff member's language

    await page.getByRole('navigation', { name: 'Principal' }).getByRole('link', { name: 'Tarefas' }).click()
    const row = page.locator('.task').filter({ hasText: `Retorno: ${subject}` })
    await row.waitFor()
    await shot(page, 'tasks-desktop')

    // Reschedule to another day, then complete: it leaves the open list.
    const day = new Date(Date.now() + 10 * 86400000).toISOString().slice(0, 10)
    await row.locator('input[type=date]').fill(day)
    await page.getByText('remarcada para').waitFor()
    const token = await apiToken(server.url, MARINA)
    const found = await api(server.url, token, `/api/collections/tasks/records?filter=${encodeURIComponent(`title="Retorno: ${subject}"`)}`)
    assert.equal(found.items[0].due, `${day} 12:00:00.000Z`, 'due that day at 09:00 São Paulo time')
    await row.getByRole('button', { name: /Concluir/ }).click()
    await row.waitFor({ state: 'detached' })
    const done = await api(server.url, token, `/api/collections/tasks/records/${found.items[0].id}`)
    assert.equal(done.status, 'done')

    // Live: a task a colleague gives Marina appears.
    const rafael = await apiToken(server.url, RAFAEL)
    const me = await api(server.url, token, '/api/collections/staff/auth-refresh', { method: 'POST' })
    const title = `Tarefa ao vivo ${Date.now()}`
    await api(server.url, rafael, '/api/collections/tasks/records', { method: 'POST', body: { title, status: 'open', assignee: me.record.id, due: new Date(Date.now() + 3600000).toISOString() } })
    await page.locator('.task').filter({ hasText: title }).waitFor()
    await page.context().close()
  })

  test('companies, the profile and every page at desktop and phone size', async () => {
    for (const [size, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      const page = await newPage(options)
      await signIn(page) // Rafael, in English since the language test
      const pages = [
        ['home', '/', '#home-tasks'],
        ['contacts', '/contacts', 'tbody td.name a'],
        ['contact360', `/contacts/${JOAO}`, '.entries .entry'],
        ['companies', '/companies', 'tbody td.name a'],
        ['company', '/companies/co0000000000001', '#co-people'],
        ['deals', '/deals', '.deal'],
        ['cases', '/cases', 'tbody td.subject a'],
        ['tasks', '/tasks', '.task'],
        ['profile', '/profile', '#pf-name'],
      ]
      for (const [name, path, ready] of pages) {
        await page.goto(`${server.url}${path}`)
        await page.locator(ready).first().waitFor()
        await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]') && !document.body.innerText.includes('Loading…'))
        await page.waitForTimeout(150) // fonts and the last paint
        await shot(page, `${name}-${size === 'desktop' ? 'desktop' : 'phone'}`)
        await noSidewaysScroll(page, `${name} at ${size} size`)
      }
      // A case page, and the company page reached from the list.
      await page.goto(`${server.url}/cases`)
      await page.locator('tbody td.subject a').first().click()
      await page.locator('[data-testid=messages]').waitFor()
      await shot(page, `case-${size}`)
      await noSidewaysScroll(page, `a case at ${size} size`)
      await page.context().close()
    }

    // The profile: a new language switches the workspace and is kept.
    const page = await newPage(PHONE)
    await signIn(page, 'beatriz@vinculo.example')
    await page.goto(`${server.url}/profile`)
    await page.locator('#pf-language').selectOption('pt-BR')
    await page.locator('#pf-timezone').fill('America/Manaus')
    await page.getByRole('button', { name: 'Save' }).first().click() // the profile's, not the notifications'
    await page.getByRole('heading', { level: 1, name: 'Meu perfil' }).waitFor()
    const token = await apiToken(server.url, 'beatriz@vinculo.example')
    const me = await api(server.url, token, '/api/collections/staff/auth-refresh', { method: 'POST' })
    assert.equal(me.record.language, 'pt-BR')
    assert.equal(me.record.timezone, 'America/Manaus')
    await page.locator('#pf-language').selectOption('en')
    await page.locator('#pf-timezone').fill('America/Sao_Paulo')
    await page.getByRole('button', { name: 'Salvar' }).first().click() // the profile's, not the notifications'
    await page.getByRole('heading', { level: 1, name: 'My profile' }).waitFor()
    // Only managers see the copy of the data; Beatriz (read-only) does not.
    assert.equal(await page.locator('#replication-title').count(), 0, 'a read-only member sees no replication')
    await page.context().close()

    // Marina, a manager, sees that the demo keeps no replica, in Portuguese
    // (her profile's language), at both sizes.
    for (const [size, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      const mp = await newPage(options)
      await signIn(mp, MARINA)
      await mp.goto(`${server.url}/profile`)
      await mp.getByRole('heading', { level: 2, name: 'Cópia dos dados' }).waitFor()
      await mp.getByRole('status').filter({ hasText: 'Desligada' }).waitFor()
      await shot(mp, `profile-manager-replication-${size}`)
      await noSidewaysScroll(mp, `the manager's profile at ${size} size`)
      await mp.context().close()
    }
  })

  test('installs as an app: manifest, icons and a service worker for the shell', async () => {
    const page = await newPage({ ...DESKTOP, serviceWorkers: 'allow' })
    await page.goto(`${server.url}/`)
    const href = await page.locator('link[rel=manifest]').getAttribute('href')
    const res = await fetch(`${server.url}${href}`)
    assert.equal(res.status, 200)
    assert.match(res.headers.get('content-type'), /manifest\+json/)
    const manifest = await res.json()
    assert.equal(manifest.start_url, '/')
    assert.equal(manifest.display, 'standalone')
    for (const icon of manifest.icons) assert.equal((await fetch(`${server.url}${icon.src}`)).status, 200, icon.src)
    // The worker takes the page, keeps the shell, and leaves the API alone.
    const cached = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.ready
      for (let i = 0; i < 50; i++) {
        const keys = await caches.keys()
        if (keys.length) {
          const cache = await caches.open(keys[0])
          const urls = (await cache.keys()).map((r) => new URL(r.url).pathname)
          if (urls.some((u) => u.startsWith('/assets/'))) return { scope: reg.scope, urls }
        }
        await new Promise((r) => setTimeout(r, 100))
      }
      return { scope: reg.scope, urls: [] }
    })
    assert.equal(cached.scope, `${server.url}/`)
    assert.ok(cached.urls.includes('/index.html'), 'the shell is kept')
    assert.ok(cached.urls.some((u) => u.startsWith('/assets/') && u.endsWith('.js')), 'with its scripts')
    assert.ok(!cached.urls.some((u) => u.startsWith('/api/')), 'never the API')
    await page.context().close()
  })

  test('sign-in by one-time code is offered only when the staff collection has it on', async () => {
    const page = await newPage(DESKTOP)
    // The page asks the server whether codes are on; the answer decides the button.
    const asked = page.waitForResponse((r) => r.url().includes('/api/collections/staff/auth-methods'))
    await page.goto(`${server.url}/`)
    await page.locator('#signin-email').waitFor()
    await asked
    assert.equal(await page.getByRole('button', { name: 'Email me a sign-in code' }).count(), 0, 'off in the demo')

    // A superuser turns one-time codes on for staff, as in the dashboard.
    execFileSync(server.bin, ['superuser', 'upsert', 'e2e-admin@vinculo.example', 'e2e-admin-pass-2026', '--dir', server.data], { env: server.env, stdio: 'ignore' })
    const su = await fetch(`${server.url}/api/collections/_superusers/auth-with-password`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identity: 'e2e-admin@vinculo.example', password: 'e2e-admin-pass-2026' }),
    })
    assert.equal(su.status, 200)
    const admin = (await su.json()).token
    const staff = await api(server.url, admin, '/api/collections/staff')
    const setOTP = (enabled) => api(server.url, admin, '/api/collections/staff', { method: 'PATCH', body: { otp: { ...staff.otp, enabled } } })
    await setOTP(true)
    try {
      await page.reload()
      await page.getByRole('button', { name: 'Email me a sign-in code' }).click()
      const since = Date.now() - 1000
      await page.locator('#signin-email').fill('beatriz@vinculo.example')
      await page.getByRole('button', { name: 'Send code' }).click()
      await page.getByText('a code is on its way').waitFor()
      // A wrong code is refused; the right one signs in.
      await page.locator('#signin-code').fill('000000')
      await page.getByRole('button', { name: 'Sign in', exact: true }).click()
      await page.getByRole('alert').filter({ hasText: 'not right or has expired' }).waitFor()
      await page.locator('#signin-code').fill(await mailedCode('beatriz@vinculo.example', since))
      await page.getByRole('button', { name: 'Sign in', exact: true }).click()
      await page.locator('nav#main-nav').waitFor({ state: 'attached' })
    } finally {
      await setOTP(false)
    }
    await page.context().close()
    for (let i = pageErrors.length - 1; i >= 0; i--) if (/status of 400/.test(pageErrors[i])) pageErrors.splice(i, 1) // the wrong code
  })

  test('no script errors on any page', () => {
    assert.deepEqual(pageErrors.filter((e) => !/Failed to load resource: the server responded with a status of 400/.test(e)), [])
  })
})
