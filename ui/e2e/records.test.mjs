// Browser tests of the record forms: companies, contacts and tasks created,
// changed, archived and deleted from their lists and from the pages that
// relate to them, against a real Vinculo server with the demo business.
// Rafael (agent) and Marina (manager) work in Portuguese, Beatriz (readonly)
// in English. Screenshots at desktop and phone size go to e2e/screenshots/records-*.
//
//   /work/e2e-run.sh records e2e/records.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { apiToken, api, request } from './server.mjs'
import { browserKit, DESKTOP, PHONE, RAFAEL, MARINA, BEATRIZ, JOAO } from './kit.mjs'

const ZONE = 'America/Sao_Paulo'
const RUN = Date.now().toString(36).slice(-5)

// shot(): a screenshot, and the page is no wider than the screen.
const { start, stop, newPage, signIn, shot } = browserKit({ prefix: 'records', timezoneId: ZONE, widthOnShot: true, noPageErrors: true })
let server
let rafael // API tokens, for checks behind the browser's back
let marinaId
const made = {} // what one test makes and a later one uses

/** Today where the demo team works, as YYYY-MM-DD. */
function todayThere() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date())
}

/** The instant of HH:MM on `day` in São Paulo (UTC-3 all year since 2019), as the record API writes it. */
function saoPauloInstant(day, hh, mm) {
  const [y, m, d] = day.split('-').map(Number)
  return new Date(Date.UTC(y, m - 1, d, hh + 3, mm)).toISOString().replace('T', ' ')
}

const one = async (token, collection, filter) => {
  const res = await api(server.url, token, `/api/collections/${collection}/records?filter=${encodeURIComponent(filter)}&perPage=5`)
  return res.items
}

describe('record forms in Chromium', { timeout: 300000 }, () => {
  before(async () => {
    server = await start()
    rafael = await apiToken(server.url, RAFAEL)
    marinaId = (await one(rafael, 'staff', 'name="Marina Duarte"'))[0].id
  })

  after(async () => {
    await stop()
  })

  test('a company is created from the list (a bad domain refused beside its field) and edited on its page', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page, RAFAEL)
    await page.goto(`${server.url}/companies`)
    await page.getByRole('button', { name: 'Nova empresa' }).click()
    const name = `Oficina Teste ${RUN}`
    await page.locator('#cof-name').fill(name)
    await page.locator('#cof-domain').fill('not a domain')
    await page.locator('#cof-industry').fill('Serviços')
    await page.locator('#cof-size').selectOption('11-50')
    await page.locator('#cof-tags').fill('oficina')
    await page.locator('#cof-tags').press('Enter')
    await page.getByRole('button', { name: 'Criar empresa' }).click()
    // The server's word beside the domain; what was typed stays.
    await page.locator('#cof-domain-error').waitFor()
    assert.equal(await page.locator('#cof-domain').getAttribute('aria-invalid'), 'true')
    assert.equal(await page.locator('#cof-name').inputValue(), name)
    assert.equal((await one(rafael, 'companies', `name="${name}"`)).length, 0, 'nothing saved')
    await shot(page, 'company-form-error-desktop', { fullPage: true })

    await page.locator('#cof-domain').fill('https://www.oficina-teste.example/')
    await page.getByRole('button', { name: 'Criar empresa' }).click()
    await page.waitForURL(/\/companies\/[a-z0-9]{15}$/)
    await page.getByRole('heading', { level: 1, name }).waitFor()
    const [co] = await one(rafael, 'companies', `name="${name}"`)
    assert.equal(co.domain, 'oficina-teste.example')
    assert.equal(co.size, '11-50')
    assert.deepEqual(co.tags, ['oficina'])
    assert.equal(co.owner, (await one(rafael, 'staff', 'name="Rafael Lima"'))[0].id, 'owned by who made it')
    made.company = co

    // Edited on its page.
    await page.getByRole('button', { name: 'Editar empresa' }).click()
    await page.locator('#cof-industry').fill('Mecânica')
    await page.locator('#cof-city').fill('Campinas')
    await shot(page, 'company-edit-desktop', { fullPage: true })
    await page.getByRole('button', { name: 'Salvar alterações' }).click()
    await page.locator('.facts').getByText('Mecânica').waitFor()
    const after = await api(server.url, rafael, `/api/collections/companies/records/${co.id}`)
    assert.equal(after.industry, 'Mecânica')
    assert.equal(after.city, 'Campinas')
    assert.equal(after.domain, 'oficina-teste.example', 'an edit keeps what it did not change')
    await shot(page, 'company-desktop')
    await page.context().close()
  })

  test('a contact is created from the list with a company typed in, an owner and a suggested tag', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page, RAFAEL)
    await page.goto(`${server.url}/contacts`)
    await page.getByRole('button', { name: 'Novo contato' }).click()
    const name = `Lúcia Nova ${RUN}`
    const companyName = `Empresa Inline ${RUN}`
    await page.locator('#cf-name').fill(name)
    await page.locator('#cf-email').fill(`lucia.${RUN}@example.com`)
    await page.locator('#cf-company').pressSequentially(companyName, { delay: 10 })
    const createOption = page.getByRole('option', { name: `Criar empresa “${companyName}”` })
    await createOption.waitFor()
    await shot(page, 'contact-form-company-desktop')
    await createOption.click()
    await page.getByRole('button', { name: 'Limpar a escolha' }).waitFor() // a company is chosen
    await page.locator('#cf-owner').selectOption(marinaId)
    // A suggested tag (the tags in use), and one typed.
    const suggested = page.getByRole('group', { name: 'Em uso' }).getByRole('button', { name: '#vip' })
    await suggested.click()
    await page.locator('#cf-tags').fill('indicação')
    await page.locator('#cf-tags').press('Enter')
    await page.locator('#cf-social-linkedin').fill('linkedin.com/in/lucia')
    // A time zone the server does not know: refused beside the field, the rest kept.
    await page.locator('#cf-timezone').fill('Mars/Phobos')
    await page.getByRole('button', { name: 'Criar contato' }).click()
    await page.locator('#cf-timezone-error').waitFor()
    assert.equal(await page.locator('#cf-name').inputValue(), name)
    assert.equal(await page.locator('#cf-company').inputValue(), companyName)
    await shot(page, 'contact-form-error-desktop', { fullPage: true })
    await page.locator('#cf-timezone').fill(ZONE)
    await page.getByRole('button', { name: 'Criar contato' }).click()
    await page.waitForURL(/\/contacts\/[a-z0-9]{15}$/)
    await page.getByRole('heading', { level: 1, name }).waitFor()

    const [ct] = await one(rafael, 'contacts', `name="${name}"`)
    const [co] = await one(rafael, 'companies', `name="${companyName}"`)
    assert.ok(co, 'the company typed in was created')
    assert.equal(ct.company, co.id)
    assert.equal(ct.owner, marinaId)
    assert.deepEqual(ct.tags, ['vip', 'indicação'])
    assert.deepEqual(ct.socials, { linkedin: 'linkedin.com/in/lucia' })
    assert.equal(ct.timezone, ZONE)
    made.marinasContact = ct
    await shot(page, 'contact360-desktop')
    await page.context().close()
  })

  test('a contact is created from a company page, edited, and deleted by the agent who owns it; another’s is refused', async () => {
    const page = await newPage(DESKTOP)
    page.on('dialog', (d) => d.accept()) // the "delete for good?" question
    await signIn(page, RAFAEL)
    await page.goto(`${server.url}/companies/${made.company.id}`)
    await page.getByRole('button', { name: '+ Novo contato' }).click()
    assert.equal(await page.locator('#cf-company').inputValue(), made.company.name, 'the company is preset')
    const name = `Pedro Oficina ${RUN}`
    await page.locator('#cf-name').fill(name)
    await shot(page, 'company-new-contact-desktop', { fullPage: true })
    await page.getByRole('button', { name: 'Criar contato' }).click()
    await page.locator('#co-people').locator('..').getByRole('link', { name }).waitFor()
    const [ct] = await one(rafael, 'contacts', `name="${name}"`)
    assert.equal(ct.company, made.company.id)

    // Edit it on its page.
    await page.locator('#co-people').locator('..').getByRole('link', { name }).click()
    await page.getByRole('heading', { level: 1, name }).waitFor()
    await page.getByRole('button', { name: 'Editar', exact: true }).click()
    await page.locator('#cf-job_title').fill('Gerente de oficina')
    await page.getByRole('button', { name: 'Salvar alterações' }).click()
    await page.locator('.role').getByText('Gerente de oficina').waitFor()
    assert.equal((await api(server.url, rafael, `/api/collections/contacts/records/${ct.id}`)).job_title, 'Gerente de oficina')

    // Rafael owns it: he may delete it.
    await page.getByRole('button', { name: 'Excluir' }).click()
    await page.waitForURL(/\/contacts$/)
    assert.equal((await request(server.url, rafael, `/api/collections/contacts/records/${ct.id}`)).status, 404, 'deleted')

    // Marina's contact: the API refuses, the page says so, the contact stays.
    await page.goto(`${server.url}/contacts/${made.marinasContact.id}`)
    await page.getByRole('heading', { level: 1, name: made.marinasContact.name }).waitFor()
    await page.getByRole('button', { name: 'Excluir' }).click()
    await page.getByRole('alert').filter({ hasText: 'só um gerente ou o responsável pode excluir' }).waitFor()
    assert.equal((await request(server.url, rafael, `/api/collections/contacts/records/${made.marinasContact.id}`)).status, 200, 'still there')
    await shot(page, 'contact-delete-refused-desktop')

    // Archiving it is allowed: it leaves the list unless asked for.
    await page.getByRole('button', { name: 'Arquivar' }).click()
    await page.getByText('Este contato está arquivado').waitFor()
    assert.equal((await api(server.url, rafael, `/api/collections/contacts/records/${made.marinasContact.id}`)).archived, true)
    await page.goto(`${server.url}/contacts`)
    const searched = page.waitForResponse((r) => r.url().includes('/api/collections/contacts/records') && decodeURIComponent(r.url()).includes('archived = false'))
    await page.locator('#contacts-search').fill(made.marinasContact.name)
    await searched
    await page.waitForTimeout(200)
    assert.equal(await page.getByRole('link', { name: made.marinasContact.name }).count(), 0, 'an archived contact is not listed')
    await page.getByLabel('Mostrar arquivados').check()
    await page.getByRole('link', { name: made.marinasContact.name }).waitFor()
    await shot(page, 'contacts-archived-desktop')
    await page.context().close()
  })

  test('a task for a colleague with a due time, from a contact page, seen on her Home and Tasks, and edited there', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page, RAFAEL)
    await page.goto(`${server.url}/contacts/${JOAO}`)
    await page.getByRole('heading', { level: 1, name: 'João Conceição' }).waitFor()
    await page.getByRole('button', { name: 'Nova tarefa' }).click()
    const dialog = page.getByRole('dialog', { name: 'Nova tarefa' })
    const title = `Ligar para João sobre a proposta ${RUN}`
    const day = todayThere()
    await dialog.getByLabel('O que fazer').fill(title)
    await dialog.getByLabel('Dia do prazo').fill(day)
    await dialog.getByLabel('Hora').fill('23:30')
    await dialog.getByLabel('Responsável').selectOption(marinaId)
    assert.match(await dialog.innerText(), /Horário de São Paulo/)
    await shot(page, 'task-dialog-desktop')
    await dialog.getByRole('button', { name: 'Criar tarefa' }).click()
    await dialog.waitFor({ state: 'hidden' })
    await page.getByTestId('tasks').getByText(title).waitFor()

    const [task] = await one(rafael, 'tasks', `title="${title}"`)
    assert.equal(task.assignee, marinaId)
    assert.equal(task.contact, JOAO)
    assert.equal(task.status, 'open')
    assert.equal(task.due, saoPauloInstant(day, 23, 30))
    await page.context().close()

    // Marina sees it on her Home (due today) and on her Tasks, and moves it to 10:00.
    const marina = await newPage(DESKTOP)
    await signIn(marina, MARINA)
    await marina.locator('#home-tasks').locator('..').getByText(title).waitFor()
    await shot(marina, 'home-desktop')
    await marina.goto(`${server.url}/tasks`)
    const row = marina.locator('.task').filter({ hasText: title })
    await row.waitFor()
    await row.getByRole('button', { name: 'Editar tarefa' }).click()
    const edit = marina.getByRole('dialog', { name: 'Editar tarefa' })
    assert.equal(await edit.getByLabel('Hora').inputValue(), '23:30', 'the due time where she works')
    await edit.getByLabel('Hora').fill('10:00')
    await shot(marina, 'task-edit-desktop')
    await edit.getByRole('button', { name: 'Salvar', exact: true }).click()
    await edit.waitFor({ state: 'hidden' })
    const after = await api(server.url, rafael, `/api/collections/tasks/records/${task.id}`)
    assert.equal(after.due, saoPauloInstant(day, 10, 0))
    assert.equal(after.assignee, marinaId)
    await shot(marina, 'tasks-desktop')
    await marina.context().close()
  })

  test('readonly staff see no write controls', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page, BEATRIZ)
    const none = async (where, names) => {
      for (const name of names) assert.equal(await page.getByRole('button', { name, exact: true }).count(), 0, `${where}: no "${name}"`)
    }
    await page.getByRole('heading', { level: 1 }).waitFor()
    await none('home', ['New task'])
    await page.goto(`${server.url}/companies`)
    await page.getByRole('heading', { level: 1, name: 'Companies' }).waitFor()
    await none('companies', ['New company'])
    await page.goto(`${server.url}/companies/${made.company.id}`)
    await page.getByRole('heading', { level: 1, name: made.company.name }).waitFor()
    await none('company', ['Edit company', 'Archive', 'Delete', 'New task', '+ New contact'])
    await page.goto(`${server.url}/contacts`)
    await page.getByRole('heading', { level: 1, name: 'Contacts' }).waitFor()
    await none('contacts', ['New contact'])
    await page.goto(`${server.url}/contacts/${JOAO}`)
    await page.getByRole('heading', { level: 1, name: 'João Conceição' }).waitFor()
    await none('contact', ['Edit', 'Archive', 'Delete', 'New task'])
    await page.goto(`${server.url}/tasks`)
    await page.getByTestId('task-list').waitFor()
    await none('tasks', ['New task', 'Edit task'])
    await shot(page, 'readonly-company-desktop')
    await page.context().close()
  })

  test('the forms and pages on a phone', async () => {
    const page = await newPage(PHONE)
    await signIn(page, RAFAEL)
    await shot(page, 'home-phone')
    await page.goto(`${server.url}/companies`)
    await page.getByRole('button', { name: 'Nova empresa' }).click()
    await page.locator('#cof-name').waitFor()
    await shot(page, 'company-form-phone', { fullPage: true })
    await page.goto(`${server.url}/companies/${made.company.id}`)
    await page.getByRole('heading', { level: 1, name: made.company.name }).waitFor()
    await shot(page, 'company-phone', { fullPage: true })
    await page.getByRole('button', { name: 'Editar empresa' }).click()
    await shot(page, 'company-edit-phone')
    await page.goto(`${server.url}/contacts`)
    await page.getByRole('button', { name: 'Novo contato' }).click()
    await page.locator('#cf-company').pressSequentially('Padaria', { delay: 10 })
    await page.getByRole('listbox').getByRole('option').first().waitFor()
    await shot(page, 'contact-form-phone')
    await shot(page, 'contact-form-phone-full', { fullPage: true })
    await page.goto(`${server.url}/contacts/${JOAO}`)
    await page.getByRole('heading', { level: 1, name: 'João Conceição' }).waitFor()
    await shot(page, 'contact360-phone')
    await page.getByRole('button', { name: 'Nova tarefa' }).click()
    await page.getByRole('dialog', { name: 'Nova tarefa' }).waitFor()
    await shot(page, 'task-dialog-phone')
    await page.keyboard.press('Escape')
    await page.goto(`${server.url}/tasks`)
    await page.getByTestId('task-list').waitFor()
    await page.getByRole('button', { name: 'Nova tarefa' }).click()
    const dialog = page.getByRole('dialog', { name: 'Nova tarefa' })
    await dialog.getByLabel('Contato').pressSequentially('João Con', { delay: 10 })
    await dialog.getByRole('listbox').getByRole('option', { name: /João Conceição/ }).first().waitFor()
    await shot(page, 'task-dialog-chosen-phone')
    await page.keyboard.press('Escape')
    await shot(page, 'tasks-phone')
    await page.context().close()
  })
})
