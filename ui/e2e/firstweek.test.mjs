// The first week, in Chromium, on a fresh install (no demo data): Ana, the
// owner of a small bakery, made the first manager with `vinculo staff create`,
// never opens PocketBase's dashboard. On Monday morning she sets the business
// up in Settings, in Portuguese: the name and the hours, a sales pipeline with
// its stages, a lost reason of her own, two request types (one with a choice
// field and statuses with a next step), a product, and a colleague invited by
// email. Bruno follows the invitation from the mail, chooses a password and
// signs in. Then the team works a day: a customer phones, Bruno creates her
// company and her contact, opens a request for her by phone, makes a deal in
// the new pipeline and moves it on the board, and gives Ana a task for the
// afternoon, which she sees on her Home. The customer signs in to the portal
// with the code mailed to her and sees the request; Bruno answers; the deal is
// won and its page shows the stage history. Every step is done in the browser;
// the REST API only checks what the browser did. Screenshots at 1280×800 and
// 390×844 go to e2e/screenshots/firstweek-*.png.
//
//   /work/e2e-run.sh firstweek e2e/firstweek.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { apiToken, api, launchChromium } from './server.mjs'
import { startFresh } from './fresh.mjs'

const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url))
const DESKTOP = { viewport: { width: 1280, height: 800 } }
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }
const ZONE = 'America/Sao_Paulo'
const ANA = { email: 'ana@padariaaurora.example', password: 'ana-senha-da-padaria', name: 'Ana Ribeiro', language: 'pt-BR' }
const BRUNO = { email: 'bruno@padariaaurora.example', password: 'bruno-senha-2026', name: 'Bruno Costa' }
const CARLA = { email: 'carla.mendes@cafe-esquina.example', name: 'Carla Mendes', phone: '+55 11 98765-4321' }
const BUSINESS = 'Padaria Aurora'
const COMPANY = 'Café da Esquina'
const PIPELINE = 'Encomendas grandes'
const STAGES = [
  { name: 'Primeiro contato', kind: 'open', probability: 20 },
  { name: 'Orçamento enviado', kind: 'open', probability: 60 },
  { name: 'Fechado', kind: 'won', probability: 100 },
  { name: 'Não fechou', kind: 'lost', probability: 0 },
]
const DEAL = 'Café da manhã semanal do Café da Esquina'
const SUBJECT = 'Bolo para 40 pessoas no sábado'
const TASK = 'Ligar para Carla e confirmar o sabor do bolo'

let server
let browser
let ana // Ana's API token, for checks behind the browser's back
const pages = {} // one browser context per person
const pageErrors = []
const dashboard = [] // any request for PocketBase's dashboard: there must be none
const made = {} // what one step leaves for the next

async function newPage(options, locale) {
  const context = await browser.newContext({ locale, timezoneId: ZONE, serviceWorkers: 'block', acceptDownloads: false, ...options })
  context.setDefaultTimeout(10000)
  const page = await context.newPage()
  page.on('pageerror', (err) => pageErrors.push(`${page.url()}: ${err.message}`))
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/_/')) dashboard.push(r.url())
  })
  return page
}

async function signIn(page, who) {
  await page.goto(`${server.url}/`)
  await page.locator('#signin-email').fill(who.email)
  await page.locator('#signin-password').fill(who.password)
  await page.locator('#signin-password').press('Enter')
  await page.locator('nav#main-nav').waitFor({ state: 'attached' })
}

/** A screenshot at the page's size, and the page is no wider than the screen. */
async function shot(page, name, { fullPage = false } = {}) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok(overflow <= 0, `${name}: the page is ${overflow}px wider than the screen`)
  await page.screenshot({ path: `${SHOTS}firstweek-${name}.png`, fullPage })
}

/** The same page, also on a phone: the viewport changes, a screenshot, back to the desktop. */
async function shotBoth(page, name, opts) {
  await shot(page, `${name}-desktop`, opts)
  await page.setViewportSize(PHONE.viewport)
  await page.waitForTimeout(150)
  await shot(page, `${name}-phone`, opts)
  await page.setViewportSize(DESKTOP.viewport)
}

/** A settings section, reached as a manager does: the main menu, then the section's link. */
async function openSettings(page, section) {
  await page.locator('nav#main-nav').getByRole('link', { name: 'Configurações' }).click()
  await page.getByRole('navigation', { name: 'Configurações' }).getByRole('link', { name: section, exact: true }).click()
  await page.waitForURL(/\/settings\//)
}

/** A mail's text, its quoted-printable soft breaks and escapes undone when it is so encoded. */
function mailText(raw) {
  if (!/quoted-printable/i.test(raw)) return raw
  const bytes = raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)))
  return Buffer.from(bytes, 'latin1').toString('utf8')
}

/** Today where the bakery works, as YYYY-MM-DD. */
function todayThere() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date())
}

let steps = 0
/**
 * A step of the story: when it fails, each person's page is kept as a
 * screenshot in the system's temporary folder, named in the failure.
 */
function step(name, fn, options = {}) {
  const n = ++steps
  test(name, options, async () => {
    try {
      await fn()
    } catch (err) {
      const kept = []
      for (const [who, page] of Object.entries(pages)) {
        const path = join(tmpdir(), `firstweek-failed-${n}-${who}.png`)
        if (await page.screenshot({ path, fullPage: true }).then(() => true, () => false)) kept.push(`${path} (${page.url()})`)
      }
      err.message += `\npages at the failure: ${kept.join(', ')}`
      throw err
    }
  })
}

/** The record once `ready(record)` holds (the board shows a move before the server has it), or as it is after 3 s. */
async function settled(collection, id, ready) {
  let rec
  for (let i = 0; i < 30; i++) {
    rec = await api(server.url, ana, `/api/collections/${collection}/records/${id}`)
    if (ready(rec)) break
    await new Promise((r) => setTimeout(r, 100))
  }
  return rec
}

const records = async (collection, filter, sort = '') =>
  (await api(server.url, ana, `/api/collections/${collection}/records?perPage=100${filter ? `&filter=${encodeURIComponent(filter)}` : ''}${sort ? `&sort=${sort}` : ''}`)).items

describe('the first week of a fresh install, in Chromium', { timeout: 240000 }, () => {
  before(async () => {
    mkdirSync(SHOTS, { recursive: true })
    server = await startFresh(ANA)
    browser = await launchChromium(chromium)
    ana = await apiToken(server.url, ANA.email, ANA.password)
  })

  after(async () => {
    await browser?.close().catch(() => {})
    await server?.stop()
  })

  step('a fresh install: the start says how to make the first manager; then one manager, nothing else', async () => {
    // The very first start, before anybody: the owner is told what to run.
    assert.match(server.firstMessage, /No manager yet/)
    assert.match(server.firstMessage, /vinculo staff create/)
    assert.match(server.created, new RegExp(`${ANA.email} \\(manager\\) may sign in`))
    assert.doesNotMatch(server.startMessage, /No manager yet/, 'once there is a manager, the start stops asking')
    // Run away from the repository, the automations are the ones built into the binary.
    assert.match(server.startMessage, /05_followup_task\.pb\.js\s+embedded/)
    assert.equal((await records('staff')).length, 1)
    for (const c of ['pipelines', 'case_types', 'products', 'contacts', 'companies', 'deals', 'cases']) {
      assert.equal((await records(c)).length, 0, `no ${c} in a fresh install`)
    }
    assert.match(server.startMessage, /Staff workspace: http:\/\/127\.0\.0\.1:\d+\//)
  })

  step('Monday morning: Ana names the business and its hours', async () => {
    // Her browser speaks English; once signed in she reads the workspace in
    // Portuguese, her language since `staff create --language pt-BR`.
    const page = (pages.ana = await newPage(DESKTOP, 'en-US'))
    await signIn(page, ANA)
    await page.locator('nav#main-nav').getByRole('link', { name: 'Configurações' }).waitFor()
    await openSettings(page, 'Empresa')
    await page.locator('#biz-name').fill(BUSINESS)
    await page.locator('#biz-timezone').fill(ZONE)
    await page.locator('#biz-language').selectOption('pt-BR')
    const sat = page.getByRole('group', { name: 'Sábado' })
    await sat.getByRole('button', { name: 'Adicionar horário em Sábado' }).click()
    await sat.getByLabel('Sábado: abre às').fill('07:00')
    await sat.getByLabel('Sábado: fecha às').fill('13:00')
    await page.getByRole('button', { name: 'Salvar', exact: true }).click()
    await page.getByRole('status').filter({ hasText: 'Salvo. Já está valendo.' }).waitFor()
    await shot(page, 'business-desktop')

    const [biz] = await records('business_settings')
    assert.equal(biz.name, BUSINESS)
    assert.equal(biz.timezone, ZONE)
    assert.match(biz.hours, /sat 07:00-13:00/)
  })

  step('Ana sets up a pipeline with its stages, and a lost reason in her words', async () => {
    const page = pages.ana
    await openSettings(page, 'Funis')
    await page.getByText('Nenhum funil ainda').or(page.locator('.bar-buttons')).first().waitFor()
    await page.locator('.bar-buttons').getByRole('button', { name: 'Novo funil' }).click()
    const dialog = page.locator('dialog[aria-labelledby="pl-title"]')
    await page.locator('#pl-name').fill(PIPELINE)
    await page.locator('#pl-currency').fill('BRL')
    await dialog.locator('button[type="submit"]').click()
    await dialog.waitFor({ state: 'hidden' })
    await page.getByRole('heading', { name: new RegExp(PIPELINE) }).waitFor()

    for (const s of STAGES) {
      await page.locator('#st-new-name').fill(s.name)
      await page.locator('#st-new-kind').selectOption(s.kind)
      await page.locator('#st-new-prob').fill(String(s.probability))
      await page.locator('form.add button[type="submit"]').click()
      await page.locator(`.stage[data-stage="${s.name}"]`).waitFor()
    }
    assert.deepEqual(await page.locator('.stage').evaluateAll((els) => els.map((e) => e.dataset.stage)), STAGES.map((s) => s.name))
    // As she finds it the next time, without the notes of each addition over it.
    await page.reload()
    await page.locator(`.stage[data-stage="${STAGES[3].name}"]`).waitFor()
    await shotBoth(page, 'pipeline')

    const [pipeline] = await records('pipelines')
    assert.equal(pipeline.name, PIPELINE)
    assert.equal(pipeline.currency, 'BRL')
    const stages = await records('pipeline_stages', `pipeline="${pipeline.id}"`, 'position')
    assert.deepEqual(stages.map((s) => [s.name, s.kind, s.probability]), STAGES.map((s) => [s.name, s.kind, s.probability]))
    made.pipeline = pipeline
    made.stages = stages

    // Lost reasons: the install brings some; she adds one of her own.
    await openSettings(page, 'Motivos de perda')
    await page.locator('li[data-reason]').first().waitFor()
    await page.locator('#lr-new').fill('Achou caro')
    await page.locator('form.add button[type=submit]').click()
    await page.locator('li[data-reason="Achou caro"]').waitFor()
    assert.equal((await records('lost_reasons', 'name="Achou caro" && active=true')).length, 1)
  })

  step('Ana makes two request types: an order with a choice field and a next step, and a complaint', async () => {
    const page = pages.ana
    await openSettings(page, 'Tipos de solicitação')
    await page.getByRole('button', { name: 'Novo tipo de solicitação' }).click()
    await page.locator('#rt-name').fill('Encomenda')
    await page.locator('#rt-code').fill('ENC')
    await page.getByRole('button', { name: 'Adicionar um campo' }).click()
    await page.locator('#rt-f0-label').fill('Tamanho')
    await page.locator('#rt-f0-type').selectOption('select')
    await page.locator('#rt-f0-options').fill('Pequeno\nMédio\nGrande')
    await page.getByLabel('Obrigatório').check()
    await page.getByRole('button', { name: 'Adicionar uma situação' }).click()
    await page.locator('#rt-s0-label').fill('Recebida')
    await page.locator('#rt-s0-public').fill('Recebemos sua encomenda')
    await page.getByRole('button', { name: 'Adicionar uma situação' }).click()
    await page.locator('#rt-s1-label').fill('Entregue')
    await page.locator('#rt-s1-public').fill('Encomenda entregue')
    await page.getByLabel('Encerra a solicitação').nth(1).check()
    await page.getByLabel('Permitir só as mudanças listadas abaixo').check()
    await page.getByRole('group', { name: 'De Recebida' }).getByLabel('Entregue').check()
    await shotBoth(page, 'request-type', { fullPage: true })
    await page.getByRole('button', { name: 'Salvar tipo de solicitação' }).click()
    await page.getByRole('status').filter({ hasText: '“Encomenda” foi salvo.' }).waitFor()
    await page.getByRole('button', { name: 'Voltar à lista' }).click()

    await page.getByRole('button', { name: 'Novo tipo de solicitação' }).click()
    await page.locator('#rt-name').fill('Reclamação')
    await page.locator('#rt-code').fill('REC')
    await page.getByRole('button', { name: 'Adicionar uma situação' }).click()
    await page.locator('#rt-s0-label').fill('Aberta')
    await page.locator('#rt-s0-public').fill('Estamos vendo')
    await page.getByRole('button', { name: 'Adicionar uma situação' }).click()
    await page.locator('#rt-s1-label').fill('Resolvida')
    await page.locator('#rt-s1-public').fill('Resolvida')
    await page.getByLabel('Encerra a solicitação').nth(1).check()
    await page.getByRole('button', { name: 'Salvar tipo de solicitação' }).click()
    await page.getByRole('status').filter({ hasText: '“Reclamação” foi salvo.' }).waitFor()
    await page.getByRole('button', { name: 'Voltar à lista' }).click()
    await page.getByText('Reclamação', { exact: true }).waitFor()
    await page.getByText('Encomenda', { exact: true }).waitFor()

    const types = await records('case_types', '', 'code')
    assert.deepEqual(types.map((x) => x.code), ['ENC', 'REC'])
    const enc = types[0]
    assert.deepEqual(enc.fields, [{ name: 'tamanho', label: 'Tamanho', type: 'select', required: true, options: ['Pequeno', 'Médio', 'Grande'] }])
    assert.deepEqual(enc.statuses.map((s) => [s.key, s.closed]), [['recebida', false], ['entregue', true]])
    assert.deepEqual(enc.transitions, { recebida: ['entregue'], entregue: [] })
    made.enc = enc
  })

  step('Ana adds a product', async () => {
    const page = pages.ana
    await openSettings(page, 'Produtos e planos')
    await page.getByRole('button', { name: 'Novo produto' }).click()
    await page.locator('#pf-name').fill('Bolo de festa (kg)')
    await page.locator('#pf-kind').selectOption('one_off')
    await page.locator('#pf-price').fill('89,90')
    await page.getByRole('button', { name: 'Salvar' }).click()
    const row = page.getByTestId('product').filter({ hasText: 'Bolo de festa (kg)' })
    await row.waitFor()
    assert.match(await row.innerText(), /89,90/)
    const [product] = await records('products')
    assert.deepEqual([product.name, product.kind, product.price, product.currency, product.active], ['Bolo de festa (kg)', 'one_off', 89.9, 'BRL', true])
  })

  step('Ana invites Bruno; he sets a password from the mail and signs in', async () => {
    const page = pages.ana
    await openSettings(page, 'Equipe')
    await page.getByRole('button', { name: 'Convidar colega' }).click()
    const dialog = page.locator('dialog[aria-labelledby="tm-invite-title"]')
    await page.locator('#tm-name').fill(BRUNO.name)
    await page.locator('#tm-email').fill(BRUNO.email)
    await page.locator('#tm-role').selectOption('agent')
    await page.locator('#tm-language').selectOption('pt-BR')
    await shot(page, 'invite-desktop')
    const since = Date.now() - 1000
    await dialog.getByRole('button', { name: 'Enviar convite' }).click()
    await dialog.waitFor({ state: 'hidden' })
    await page.locator(`tr.member[data-email="${BRUNO.email}"]`).waitFor()

    const mail = mailText(await server.mailTo(BRUNO.email, since))
    // In his language, from Ana, naming the business as she set it this morning.
    assert.match(mail, /Escolha sua senha/)
    assert.match(mail, /Ana Ribeiro/)
    assert.match(mail, /Padaria Aurora/)
    const link = /https?:\/\/[^\s"<>]+\/set-password#token=[\w.-]+(?:&lang=[\w-]+)?/.exec(mail)?.[0]
    assert.ok(link, 'the invitation has a link to choose a password')
    assert.match(link, /&lang=pt-BR$/, 'the link carries his language')
    const url = new URL(link)

    // His browser speaks English too: the workspace speaks the language Ana chose for him.
    const bruno = (pages.bruno = await newPage(DESKTOP, 'en-US'))
    await bruno.goto(`${server.url}${url.pathname}${url.hash}`)
    made.invitation = `${server.url}${url.pathname}${url.hash}`
    await bruno.locator('#sp-password').fill(BRUNO.password)
    await bruno.locator('#sp-confirm').fill(BRUNO.password)
    await bruno.setViewportSize(PHONE.viewport)
    await shot(bruno, 'set-password-phone')
    await bruno.setViewportSize(DESKTOP.viewport)
    await bruno.locator('#sp-confirm').press('Enter')
    await bruno.locator('nav#main-nav').waitFor({ state: 'attached' })
    // An agent: no Settings for him.
    assert.equal(await bruno.locator('nav#main-nav').getByRole('link', { name: 'Configurações' }).count(), 0)

    const staff = await records('staff')
    const member = staff.find((s) => s.email === BRUNO.email)
    assert.deepEqual([member.role, member.verified, member.active !== false], ['agent', true, true])
    made.bruno = member
    made.ana = staff.find((s) => s.email === ANA.email)
    // He signs in again with his own password.
    assert.ok(await apiToken(server.url, BRUNO.email, BRUNO.password))
  })

  // In an English browser, the link's language holds once the workspace has
  // settled (its reader settings run again after the page opens).
  step('the invitation’s page speaks the language Ana chose for Bruno', async () => {
    assert.ok(made.invitation, 'the invitation of the step before')
    const page = await newPage(PHONE, 'en-US')
    try {
      await page.goto(made.invitation)
      await page.locator('#sp-password').waitFor()
      await page.getByRole('heading', { level: 1, name: 'Escolha sua senha' }).waitFor()
      await page.waitForTimeout(500) // the session's check has come back meanwhile
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Escolha sua senha')
      assert.equal(await page.locator('label[for="sp-confirm"]').innerText(), 'Repita a senha')
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'pt-BR')
      await shot(page, 'set-password-pt-phone')
    } finally {
      await page.context().close()
    }
  })

  step('a customer phones: Bruno creates her company, then her contact with the company picked', async () => {
    const page = pages.bruno
    await page.locator('nav#main-nav').getByRole('link', { name: 'Empresas' }).click()
    await page.getByRole('button', { name: 'Nova empresa' }).click()
    await page.locator('#cof-name').fill(COMPANY)
    await page.locator('#cof-domain').fill('cafe-esquina.example')
    await page.locator('#cof-industry').fill('Cafeteria')
    await page.getByRole('button', { name: 'Criar empresa' }).click()
    await page.waitForURL(/\/companies\/[a-z0-9]{15}$/)
    await page.getByRole('heading', { level: 1, name: COMPANY }).waitFor()
    const [co] = await records('companies', `name="${COMPANY}"`)
    assert.equal(co.owner, made.bruno.id, 'the company is his')
    made.company = co

    await page.locator('nav#main-nav').getByRole('link', { name: 'Contatos' }).click()
    await page.getByRole('button', { name: 'Novo contato' }).click()
    await page.locator('#cf-name').fill(CARLA.name)
    await page.locator('#cf-email').fill(CARLA.email)
    await page.locator('#cf-phone').fill(CARLA.phone)
    await page.locator('#cf-company').pressSequentially('Café da', { delay: 20 })
    await page.getByRole('listbox').getByRole('option').filter({ hasText: COMPANY }).first().click()
    await page.getByRole('button', { name: 'Limpar a escolha' }).waitFor()
    await shot(page, 'contact-form-desktop', { fullPage: true })
    await page.getByRole('button', { name: 'Criar contato' }).click()
    await page.waitForURL(/\/contacts\/[a-z0-9]{15}$/)
    await page.getByRole('heading', { level: 1, name: CARLA.name }).waitFor()
    const [ct] = await records('contacts', `name="${CARLA.name}"`)
    assert.equal(ct.company, co.id)
    assert.equal(ct.email, CARLA.email)
    made.contact = ct
  })

  step('Bruno opens an order for Carla, by phone, with the type’s field', async () => {
    const page = pages.bruno
    await page.getByTestId('new-request').click()
    const dialog = page.getByRole('dialog', { name: 'Nova solicitação para um cliente' })
    await dialog.waitFor()
    await dialog.getByTestId('nr-contact').filter({ hasText: CARLA.name }).waitFor()
    // Every type, the internal ones too: Encomenda is not on the public form.
    await dialog.locator('#nr-type').selectOption({ label: 'Encomenda (fora do formulário público)' })
    await dialog.locator('#nr-data-tamanho').selectOption('Grande')
    await dialog.locator('#nr-channel').selectOption('phone')
    await dialog.locator('#nr-subject').fill(SUBJECT)
    await dialog.locator('#nr-description').fill('Ligou às 9h10. Sabor a confirmar.')
    await shot(page, 'new-request-desktop')
    await dialog.getByRole('button', { name: 'Abrir solicitação' }).click()
    await dialog.waitFor({ state: 'hidden' })
    // Carla's page lists it at once, with its reference and the first status's public label.
    const onHerPage = page.locator('#c360-cases li').filter({ hasText: SUBJECT })
    await onHerPage.filter({ hasText: 'Recebemos sua encomenda' }).filter({ hasText: /ENC-\d+/ }).waitFor()
    // He opens it from her page: its row is a link to the request.
    await onHerPage.getByRole('link', { name: SUBJECT }).click()
    await page.waitForURL(/\/cases\/[a-z0-9]{15}$/)
    made.caseId = page.url().split('/').pop()
    await page.getByTestId('opened-by').filter({ hasText: BRUNO.name }).filter({ hasText: 'telefone' }).waitFor()
    const c = await api(server.url, ana, `/api/collections/cases/records/${made.caseId}`)
    assert.deepEqual([c.contact, c.company, c.type, c.channel, c.opened_by, c.status], [made.contact.id, made.company.id, made.enc.id, 'phone', made.bruno.id, 'recebida'])
    assert.deepEqual(c.data, { tamanho: 'Grande' })
    assert.match(c.reference, /^ENC-/)
    made.reference = c.reference
  })

  step('Bruno makes a deal for Carla in the new pipeline and moves it on the board', async () => {
    const page = pages.bruno
    await page.goto(`${server.url}/contacts/${made.contact.id}`)
    const section = page.locator('section.related-deals')
    await section.locator('button.new-deal').click()
    const dialog = page.locator('dialog.new-deal-dialog[open]')
    await dialog.getByLabel('Título').fill(DEAL)
    await dialog.getByLabel('Valor').fill('1200')
    // Carla's company comes with her: the form shows it before he saves.
    await page.waitForFunction((name) => document.querySelector('dialog.new-deal-dialog[open] input[id$="-company"]')?.value === name, COMPANY)
    await shot(page, 'new-deal-desktop')
    await dialog.getByRole('button', { name: 'Criar negócio' }).click()
    await section.getByRole('link', { name: DEAL }).waitFor()
    const [deal] = await records('deals', `title="${DEAL}"`)
    assert.deepEqual([deal.contact, deal.company, deal.pipeline, deal.stage, deal.amount, deal.status], [made.contact.id, made.company.id, made.pipeline.id, made.stages[0].id, 1200, 'open'])
    made.deal = deal

    await page.locator('nav#main-nav').getByRole('link', { name: 'Negócios' }).click()
    const card = page.locator(`[data-deal="${deal.id}"]`)
    await page.locator(`[data-stage="${made.stages[0].id}"] [data-deal="${deal.id}"]`).waitFor()
    await page.locator(`#move-${deal.id}`).selectOption(made.stages[1].id)
    await page.locator(`[data-stage="${made.stages[1].id}"] [data-deal="${deal.id}"]`).waitFor()
    assert.match(await card.innerText(), /Café da manhã/)
    await shotBoth(page, 'board')
    assert.equal((await settled('deals', deal.id, (d) => d.stage === made.stages[1].id)).stage, made.stages[1].id)
  })

  step('a second deal, made from the board’s column, is lost with Ana’s own reason', async () => {
    const page = pages.bruno
    const first = page.locator(`[data-stage="${made.stages[0].id}"]`)
    await first.locator('button.new-deal').click()
    const dialog = page.locator('dialog.new-deal-dialog[open]')
    await dialog.getByLabel('Título').fill('Bolo de casamento')
    await dialog.getByLabel('Valor').fill('2400')
    // The stages are read after the dialog opens.
    await page.waitForFunction((id) => document.querySelector('dialog.new-deal-dialog[open] select[id$="-stage"]')?.value === id, made.stages[0].id).catch(() => {})
    assert.equal(await dialog.getByLabel('Etapa').inputValue(), made.stages[0].id, 'the column’s stage')
    // Picking the contact brings her company into the form.
    const company = dialog.locator('input[id$="-company"]')
    assert.equal(await company.inputValue(), '', 'a column knows no company')
    await dialog.locator('input[id$="-contact"]').pressSequentially('Carla', { delay: 20 })
    await dialog.getByRole('listbox').getByRole('option').filter({ hasText: CARLA.name }).first().click()
    await page.waitForFunction((name) => document.querySelector('dialog.new-deal-dialog[open] input[id$="-company"]')?.value === name, COMPANY)
    await dialog.getByRole('button', { name: 'Criar negócio' }).click()
    const card = first.locator('.deal', { hasText: 'Bolo de casamento' })
    await card.waitFor()
    const id = await card.getAttribute('data-deal')
    await page.locator(`#move-${id}`).selectOption(made.stages[3].id)
    const reason = page.locator('dialog.reason-dialog[open]')
    await reason.locator('select option', { hasText: 'Achou caro' }).waitFor({ state: 'attached' })
    await reason.locator('select').selectOption('Achou caro')
    await shot(page, 'lost-reason-desktop')
    await reason.locator('button[type=submit]').click()
    await page.locator(`[data-stage="${made.stages[3].id}"] [data-deal="${id}"]`).waitFor()
    const lost = await settled('deals', id, (d) => d.status !== 'open')
    assert.deepEqual([lost.status, lost.lost_reason, lost.pipeline, lost.contact, lost.company], ['lost', 'Achou caro', made.pipeline.id, made.contact.id, made.company.id])
    assert.ok(lost.closed_at, 'closed when lost')
  })

  step('Bruno gives Ana a task for the afternoon; she sees it on her Home', async () => {
    const page = pages.bruno
    await page.goto(`${server.url}/contacts/${made.contact.id}`)
    await page.getByRole('heading', { level: 1, name: CARLA.name }).waitFor()
    await page.getByRole('button', { name: 'Nova tarefa' }).click()
    const dialog = page.getByRole('dialog', { name: 'Nova tarefa' })
    await dialog.getByLabel('O que fazer').fill(TASK)
    await dialog.getByLabel('Dia do prazo').fill(todayThere())
    await dialog.getByLabel('Hora').fill('23:30')
    await dialog.getByLabel('Responsável').selectOption(made.ana.id)
    await dialog.getByRole('button', { name: 'Criar tarefa' }).click()
    await dialog.waitFor({ state: 'hidden' })
    const [task] = await records('tasks', `title="${TASK}"`)
    assert.deepEqual([task.assignee, task.contact, task.status], [made.ana.id, made.contact.id, 'open'])
    const [y, m, d] = todayThere().split('-').map(Number)
    assert.equal(task.due, new Date(Date.UTC(y, m - 1, d, 23 + 3, 30)).toISOString().replace('T', ' '), '23:30 in São Paulo')
    made.task = task

    const home = pages.ana
    await home.locator('nav#main-nav').getByRole('link', { name: 'Início' }).click()
    await home.locator('#home-tasks').locator('..').getByText(TASK).waitFor()
    await shotBoth(home, 'home')
  })

  step('Carla signs in to the portal with the mailed code and sees the order opened for her', async () => {
    const page = (pages.carla = await newPage(PHONE, 'pt-BR'))
    await page.goto(`${server.url}/portal/`)
    await page.locator('#signin-email').fill(CARLA.email)
    const since = Date.now() - 1000
    await page.locator('main form button[type=submit]').click()
    await page.locator('#signin-code').waitFor()
    const mail = mailText(await server.mailTo(CARLA.email, since))
    const code = /(?<![#\w=])(\d{6,10})(?!\w)/.exec(mail.split(/\r?\n\r?\n/).slice(1).join('\n'))?.[1]
    assert.ok(code, 'a sign-in code in the mail')
    assert.match(mail, /Padaria Aurora/, 'the mail names the business as Ana set it')
    await page.locator('#signin-code').fill(code)
    await page.locator('main form button[type=submit]').click()
    await page.getByTestId('me-name').waitFor()
    const open = page.getByTestId('open-requests').getByRole('link').filter({ hasText: SUBJECT })
    await open.waitFor()
    assert.match(await open.innerText(), /Recebemos sua encomenda/)
    await shot(page, 'portal-requests-phone', { fullPage: true })
    await open.click()
    await page.getByTestId('reference').filter({ hasText: made.reference }).waitFor()
  })

  step('Bruno answers Carla, and she reads the answer', async () => {
    const page = pages.bruno
    await page.goto(`${server.url}/cases/${made.caseId}`)
    await page.getByRole('radio', { name: 'Responder ao cliente' }).check()
    const answer = 'Olá, Carla! O bolo grande serve 40 pessoas. Qual sabor prefere?'
    await page.locator('#msg-body').fill(answer)
    await page.locator('form.composer button[type=submit]').click()
    await page.getByTestId('staff-message').filter({ hasText: answer }).waitFor()
    await shotBoth(page, 'case')

    const carla = pages.carla
    await carla.reload()
    await carla.getByTestId('chat').getByText(answer).waitFor()
    await shot(carla, 'portal-request-phone', { fullPage: true })
    const msgs = await records('case_messages', `case="${made.caseId}" && internal=false && author_staff="${made.bruno.id}"`)
    assert.equal(msgs.length, 1)
  })

  // Staff read how the customer asked (the request's channel, not the
  // colleague's browser); Carla reads every step of her request in words, the
  // mail that told her it was received too, never a template's name.
  step('what Bruno and Carla read about the order is in words', async () => {
    const page = pages.bruno
    await page.goto(`${server.url}/contacts/${made.contact.id}`)
    const opened = page.locator('li').filter({ hasText: `Solicitação ${made.reference} aberta` }).last()
    await opened.waitFor()
    const said = (await opened.innerText()).replace(/\s+/g, ' ')
    assert.match(said, /Bruno Costa · telefone/, `Carla's timeline says it came by phone: ${said}`)
    assert.doesNotMatch(said, /o site/)
    const sent = page.locator('li').filter({ hasText: 'Mensagem enviada' }).last()
    assert.doesNotMatch(await sent.innerText(), /nenhuma|case_opened/)
    await shot(page, 'contact-desktop', { fullPage: true })

    const carla = pages.carla
    await carla.goto(`${server.url}/portal/requests/${made.caseId}`)
    await carla.getByTestId('reference').waitFor()
    const steps = carla.getByTestId('steps').locator('li .label')
    await steps.filter({ hasText: 'Avisamos que recebemos sua solicitação' }).waitFor()
    const words = await steps.allInnerTexts()
    assert.ok(words.includes('Recebemos sua encomenda'), `the opening's public label: ${words}`)
    assert.ok(words.includes('Respondemos'), `Bruno's answer: ${words}`)
    for (const w of words) assert.doesNotMatch(w, /^[a-z]+([._][a-z]+)+$/, `a raw key in the portal's history: ${words}`)
    assert.equal(await carla.getByText('case_opened', { exact: true }).count(), 0)
    await shot(carla, 'portal-request-steps-phone', { fullPage: true })
  })

  step('the deal is won; its page shows the stage history', async () => {
    const page = pages.bruno
    await page.goto(`${server.url}/deals/${made.deal.id}`)
    await page.getByTestId('deal-hero').waitFor()
    await page.getByRole('button', { name: 'Ganho', exact: true }).click()
    await page.getByTestId('deal-status').filter({ hasText: 'Ganho' }).waitFor()
    const history = page.getByTestId('deal-history')
    await history.locator('li').nth(2).waitFor()
    const text = await history.innerText()
    assert.ok(text.includes(`${STAGES[0].name} → ${STAGES[1].name}`), `the board move in the history: ${text}`)
    assert.ok(text.includes(`${STAGES[1].name} → ${STAGES[2].name}`), `the win in the history: ${text}`)
    assert.ok(text.includes(BRUNO.name), 'who moved it')
    await shotBoth(page, 'deal', { fullPage: true })
  })

  step('at the end of the day, the records say what the browser did', async () => {
    const deal = await api(server.url, ana, `/api/collections/deals/records/${made.deal.id}`)
    assert.equal(deal.status, 'won')
    assert.equal(deal.stage, made.stages[2].id)
    assert.ok(deal.closed_at, 'closed when won')
    assert.equal(deal.owner, made.bruno.id)
    const rows = await records('deal_stage_history', `deal="${deal.id}"`, 'at,created')
    assert.deepEqual(rows.map((r) => [r.from_stage, r.to_stage, r.status, r.by]), [
      ['', made.stages[0].id, 'open', made.bruno.id],
      [made.stages[0].id, made.stages[1].id, 'open', made.bruno.id],
      [made.stages[1].id, made.stages[2].id, 'won', made.bruno.id],
    ])
    const c = await api(server.url, ana, `/api/collections/cases/records/${made.caseId}`)
    assert.equal(c.channel, 'phone')
    assert.equal(c.closed, false)
    const task = await api(server.url, ana, `/api/collections/tasks/records/${made.task.id}`)
    assert.equal(task.assignee, made.ana.id)
    // Carla has a portal account now, made by her first code.
    const accounts = await records('customers', `contact="${made.contact.id}"`)
    assert.equal(accounts.length, 1)
    assert.deepEqual(pageErrors, [], 'no errors in the pages')
    assert.deepEqual(dashboard, [], 'nobody opened PocketBase’s dashboard')
  })
})
