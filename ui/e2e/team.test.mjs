// Browser tests of Settings → Team, Pipelines and Tags (plugins/team), with
// the invitation followed to the end: the mail the server kept in its mail
// folder, the page that sets the password, the new colleague signed in.
// Screenshots of each section and dialog at 1280×800 and 390×844 go to
// e2e/screenshots/team-*.png.
//
//   /work/e2e-run.sh team e2e/team.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { apiToken, api, request } from './server.mjs'
import { browserKit, DESKTOP, PHONE, MARINA, RAFAEL } from './kit.mjs'

const LUISA = 'luisa.prado@vinculo.example'
const LUISA_PASSWORD = 'luisa-own-password-2026'

// signIn(page, email = MARINA, password) submits with Enter; shot() checks the page is no wider than the screen.
const { start, stop, newPage, signIn, shot } = browserKit({ prefix: 'team', user: MARINA, enter: true, widthOnShot: true, noPageErrors: true })
let server
let token // Marina's, for checks behind the browser's back

/** The newest mail to `email` in the server's mail folder since `since` (ms). */
async function mailTo(email, since) {
  const dir = join(server.data, 'mail')
  for (let i = 0; i < 50; i++) {
    let files = []
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.eml')).map((f) => join(dir, f)).filter((f) => statSync(f).mtimeMs >= since).sort()
    } catch {
      // the folder appears with the first mail
    }
    const hit = files.map((f) => readFileSync(f, 'utf8')).filter((text) => text.includes(email)).at(-1)
    if (hit) return hit
    await new Promise((r) => setTimeout(r, 100))
  }
  assert.fail(`no mail to ${email}`)
}

// Staff emails are not filterable through the API (PocketBase keeps them
// out of filters): the list, searched here.
const staffByEmail = async (email) => (await api(server.url, token, '/api/collections/staff/records?perPage=200')).items.find((s) => s.email === email)
const count = async (collection, filter) =>
  (await api(server.url, token, `/api/collections/${collection}/records?perPage=1&filter=${encodeURIComponent(filter)}`)).totalItems

describe('settings: team, pipelines and tags in Chromium', { timeout: 300000 }, () => {
  before(async () => {
    server = await start()
    token = await apiToken(server.url, MARINA)
  })

  after(async () => {
    await stop()
  })

  test('a manager invites a colleague, who sets a password from the mail and signs in', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page)
    await page.goto(`${server.url}/settings/team`)
    await page.locator(`tr.member[data-email="${RAFAEL}"]`).waitFor()
    await shot(page, 'team-desktop')

    await page.locator('.section-head .btn.primary').click()
    const dialog = page.locator('dialog[aria-labelledby="tm-invite-title"]')
    await dialog.waitFor()
    // Nothing typed: the server's message beside the name, the dialog stays.
    await page.locator('#tm-email').fill(LUISA)
    await dialog.locator('button[type="submit"]').click()
    await page.locator('#tm-name-error').waitFor()
    assert.equal(await page.locator('#tm-email').inputValue(), LUISA, 'what was typed stays')
    await shot(page, 'invite-error-desktop')
    await page.locator('#tm-name').fill('Luísa Prado')
    await page.locator('#tm-role').selectOption('agent')
    await page.locator('#tm-language').selectOption('en')
    await shot(page, 'invite-desktop')
    const since = Date.now() - 1000
    await dialog.locator('button[type="submit"]').click()
    await page.locator(`tr.member[data-email="${LUISA}"] .badge.blue`).waitFor()
    await dialog.waitFor({ state: 'hidden' })

    // The mail, in her language, with the link.
    const mail = await mailTo(LUISA, since)
    assert.match(mail, /Choose your password/)
    const link = /https?:\/\/\S+\/set-password#token=[\w.-]+&lang=en/.exec(mail)?.[0]
    assert.ok(link, 'a set-password link in the invitation')
    const url = new URL(link)

    const luisa = await newPage(PHONE)
    await luisa.goto(`${server.url}${url.pathname}${url.hash}`)
    await luisa.locator('#sp-password').waitFor()
    assert.match(await luisa.locator('.setpw').innerText(), new RegExp(LUISA.replace('.', '\\.')))
    await shot(luisa, 'setpw-phone')
    await luisa.locator('#sp-password').fill('short')
    await luisa.locator('#sp-confirm').fill('short')
    await luisa.locator('#sp-confirm').press('Enter')
    await luisa.locator('#sp-password-error').waitFor()
    await shot(luisa, 'setpw-error-phone')
    await luisa.locator('#sp-password').fill(LUISA_PASSWORD)
    await luisa.locator('#sp-confirm').fill(LUISA_PASSWORD)
    await luisa.locator('#sp-confirm').press('Enter')
    await luisa.locator('nav#main-nav').waitFor({ state: 'attached' })
    assert.equal(new URL(luisa.url()).hash, '', 'the token left the address bar')
    await luisa.context().close()
    assert.equal((await staffByEmail(LUISA)).verified, true)
    // And signs in again with it.
    assert.ok(await apiToken(server.url, LUISA, LUISA_PASSWORD))

    // The same link does not work twice.
    const again = await newPage(DESKTOP)
    await again.goto(`${server.url}${url.pathname}${url.hash}`)
    await again.locator('#sp-password').fill(LUISA_PASSWORD + 'x')
    await again.locator('#sp-confirm').fill(LUISA_PASSWORD + 'x')
    await again.locator('#sp-confirm').press('Enter')
    await again.locator('.setpw .alert.error').waitFor()
    await shot(again, 'setpw-expired-desktop')
    await again.context().close()
    await page.reload()
    await page.locator(`tr.member[data-email="${LUISA}"] .badge.green`).waitFor()
    await page.context().close()
  })

  test('a manager changes a role, and cannot leave the team without a manager', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page)
    await page.goto(`${server.url}/settings/team`)
    const luisaRole = page.locator(`tr.member[data-email="${LUISA}"] select`)
    await luisaRole.selectOption('manager')
    for (let i = 0; i < 30 && (await staffByEmail(LUISA)).role !== 'manager'; i++) await new Promise((r) => setTimeout(r, 100))
    assert.equal((await staffByEmail(LUISA)).role, 'manager')
    await luisaRole.selectOption('agent')
    for (let i = 0; i < 30 && (await staffByEmail(LUISA)).role !== 'agent'; i++) await new Promise((r) => setTimeout(r, 100))
    // Marina is now the only manager: stepping down is refused and the choice goes back.
    const own = page.locator(`tr.member[data-email="${MARINA}"] select`)
    await own.selectOption('agent')
    await page.locator('.toast, [role="status"], [role="alert"]').filter({ hasText: /gerente ativo|active manager/ }).first().waitFor()
    assert.equal(await own.inputValue(), 'manager')
    assert.equal((await staffByEmail(MARINA)).role, 'manager')
    await page.context().close()
  })

  test('deactivating Rafael hands his open records to Luísa, and he cannot sign in', async () => {
    const rafael = await staffByEmail(RAFAEL)
    const luisa = await staffByEmail(LUISA)
    const owned = await count('contacts', `owner="${rafael.id}"`)
    assert.ok(owned > 0, 'Rafael owns contacts in the demo')
    for (const [name, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      const page = await newPage(options)
      await signIn(page)
      await page.goto(`${server.url}/settings/team`)
      await page.locator(`tr.member[data-email="${RAFAEL}"]`).waitFor()
      if (name === 'phone') {
        await shot(page, 'team-phone')
        await page.locator('.section-head .btn.primary').click()
        await page.locator('#tm-name').waitFor()
        await shot(page, 'invite-phone')
        await page.locator('dialog[aria-labelledby="tm-invite-title"] button[type="button"]').click()
      }
      await page.locator(`tr.member[data-email="${RAFAEL}"] .actions button`).last().click()
      const dialog = page.locator('dialog[aria-labelledby="tm-leave-title"]')
      await dialog.locator('.holdings li').first().waitFor()
      await shot(page, `deactivate-${name}`)
      if (name === 'desktop') {
        // Nobody named: refused beside the field, nothing changed.
        await dialog.locator('button[type="submit"]').click()
        await page.locator('#tm-handover-error').waitFor()
        await shot(page, 'deactivate-error-desktop')
        assert.equal(await count('contacts', `owner="${rafael.id}"`), owned)
        await dialog.locator('button[type="button"]').click()
      } else {
        // The first kind's choice fills the others (a picker per kind).
        await page.locator('#tm-take-contacts').selectOption(luisa.id)
        await dialog.locator('button[type="submit"]').click()
        await page.locator(`tr.member[data-email="${RAFAEL}"] .badge.red`).waitFor()
        await shot(page, 'team-deactivated-phone')
      }
      await page.context().close()
    }
    assert.equal(await count('contacts', `owner="${rafael.id}"`), 0)
    assert.equal(await count('companies', `owner="${rafael.id}"`), 0)
    assert.equal(await count('deals', `owner="${rafael.id}" && status="open"`), 0)
    assert.equal(await count('tasks', `assignee="${rafael.id}" && status="open"`), 0)
    assert.ok((await count('contacts', `owner="${luisa.id}"`)) >= owned, 'Luísa holds what Rafael held')
    const res = await request(server.url, '', '/api/collections/staff/auth-with-password', { method: 'POST', body: { identity: RAFAEL, password: 'vinculo-demo-2026' } })
    assert.equal(res.status, 403, 'a deactivated member cannot sign in')
  })

  test('a manager adds a stage, drags it to the front, sets its probability', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page)
    await page.goto(`${server.url}/settings/pipelines`)
    await page.locator('.stage').first().waitFor()
    await shot(page, 'pipelines-desktop')
    const pipeline = await page.locator('#pl-pick').inputValue()
    await page.locator('#st-new-name').fill('Demonstração')
    await page.locator('#st-new-prob').fill('35')
    await page.locator('#st-new-stale').fill('12')
    await page.locator('form.add button[type="submit"]').click()
    const added = page.locator('.stage[data-stage="Demonstração"]')
    await added.waitFor()
    const n = await page.locator('.stage').count()
    assert.equal(await page.locator('.stage').last().getAttribute('data-stage'), 'Demonstração')

    await added.dragTo(page.locator('.stage').first())
    await page.waitForFunction(() => document.querySelector('.stage')?.dataset.stage === 'Demonstração')
    const stages = async () => (await api(server.url, token, `/api/collections/pipeline_stages/records?sort=position,created&filter=${encodeURIComponent(`pipeline="${pipeline}"`)}`)).items
    let stored = await stages()
    for (let i = 0; i < 30 && stored[0].name !== 'Demonstração'; i++) {
      await new Promise((r) => setTimeout(r, 100))
      stored = await stages()
    }
    assert.equal(stored[0].name, 'Demonstração')
    assert.deepEqual(stored.map((s) => s.position), Array.from({ length: n }, (_, i) => i + 1), 'positions 1..n')

    // The keyboard's way: move it down one.
    await added.locator('.stage-buttons button').nth(1).click()
    await page.waitForFunction(() => document.querySelectorAll('.stage')[1]?.dataset.stage === 'Demonstração')

    // Edit: probability 40, a bad value refused beside its field first.
    await added.locator('.stage-buttons button').nth(2).click()
    const edit = page.locator('dialog[aria-labelledby="st-title"]')
    await edit.waitFor()
    await page.locator('#st-prob').fill('140')
    await edit.locator('button[type="submit"]').click()
    await page.locator('#st-prob-error').waitFor()
    await shot(page, 'stage-edit-error-desktop')
    await page.locator('#st-prob').fill('40')
    await edit.locator('button[type="submit"]').click()
    await edit.waitFor({ state: 'hidden' })
    stored = await stages()
    assert.equal(stored.find((s) => s.name === 'Demonstração').probability, 40)
    assert.equal(stored.find((s) => s.name === 'Demonstração').stale_after_days, 12)

    // Deleting a stage that holds deals asks where they go.
    const full = stored.find((s) => s.kind === 'open' && s.name !== 'Demonstração')
    const inIt = await count('deals', `stage="${full.id}"`)
    assert.ok(inIt > 0, 'the demo has deals in its first open stage')
    await page.locator(`.stage[data-stage="${full.name}"] .stage-buttons button`).nth(3).click()
    const del = page.locator('dialog[aria-labelledby="del-title"]')
    await page.locator('#del-move').waitFor()
    await del.locator('button[type="submit"]').click()
    await page.locator('#del-move-error').waitFor()
    await shot(page, 'stage-delete-desktop')
    const target = stored.find((s) => s.name === 'Demonstração')
    await page.locator('#del-move').selectOption(target.id)
    await del.locator('button[type="submit"]').click()
    await del.waitFor({ state: 'hidden' })
    assert.equal(await count('deals', `stage="${full.id}"`), 0)
    assert.ok((await count('deals', `stage="${target.id}"`)) >= inIt)
    await page.context().close()

    // The phone: the section and its dialogs.
    const phone = await newPage(PHONE)
    await signIn(phone)
    await phone.goto(`${server.url}/settings/pipelines`)
    await phone.locator('.stage').first().waitFor()
    await shot(phone, 'pipelines-phone')
    await phone.locator('.stage').first().locator('.stage-buttons button').nth(2).click()
    await phone.locator('#st-name').waitFor()
    await shot(phone, 'stage-edit-phone')
    await phone.locator('dialog[aria-labelledby="st-title"] button[type="button"]').click()
    await phone.locator('.stage').first().locator('.stage-buttons button').nth(3).click()
    await phone.locator('dialog[aria-labelledby="del-title"] p').first().waitFor()
    await shot(phone, 'stage-delete-phone')
    await phone.locator('dialog[aria-labelledby="del-title"] button[type="button"]').click()
    await phone.locator('.bar-buttons .btn.primary').click()
    await phone.locator('#pl-name').waitFor()
    await shot(phone, 'pipeline-new-phone')
    await phone.context().close()
  })

  test('a manager renames and merges tags, and a contact’s tags follow', async () => {
    const vip = (await api(server.url, token, `/api/collections/contacts/records?perPage=1&filter=${encodeURIComponent('tags ~ \'"vip"\'')}`)).items[0]
    const partner = (await api(server.url, token, `/api/collections/contacts/records?perPage=1&filter=${encodeURIComponent('tags ~ \'"newsletter"\'')}`)).items[0]
    assert.ok(vip && partner, 'the demo has contacts tagged vip and newsletter')

    const page = await newPage(DESKTOP)
    await signIn(page)
    await page.goto(`${server.url}/settings/tags`)
    await page.locator('tr.tag-row[data-tag="vip"]').waitFor()
    await shot(page, 'tags-desktop')
    const dialog = page.locator('dialog[aria-labelledby="tg-title"]')

    await page.locator('tr.tag-row[data-tag="vip"] .actions button').nth(0).click()
    await page.locator('#tg-to').fill('   ')
    await dialog.locator('button[type="submit"]').click()
    await page.locator('#tg-to-error').waitFor()
    await shot(page, 'tag-rename-error-desktop')
    await page.locator('#tg-to').fill('cliente-vip')
    await dialog.locator('button[type="submit"]').click()
    await page.locator('tr.tag-row[data-tag="cliente-vip"]').waitFor()

    await page.locator('tr.tag-row[data-tag="newsletter"] .actions button').nth(1).click()
    await page.locator('#tg-into').selectOption('b2b')
    await shot(page, 'tag-merge-desktop')
    await dialog.locator('button[type="submit"]').click()
    await page.locator('tr.tag-row[data-tag="newsletter"]').waitFor({ state: 'detached' })

    await page.locator('tr.tag-row[data-tag="prospect"] .actions button').nth(2).click()
    await dialog.locator('p').first().waitFor()
    await shot(page, 'tag-delete-desktop')
    await dialog.locator('button[type="button"]').click()

    const after = await api(server.url, token, `/api/collections/contacts/records/${vip.id}`)
    assert.ok(after.tags.includes('cliente-vip') && !after.tags.includes('vip'), `renamed on the contact: ${after.tags}`)
    const merged = await api(server.url, token, `/api/collections/contacts/records/${partner.id}`)
    assert.ok(merged.tags.includes('b2b') && !merged.tags.includes('newsletter'), `merged on the contact: ${merged.tags}`)

    // The contact's page shows the new name.
    await page.goto(`${server.url}/contacts/${vip.id}`)
    await page.getByText('cliente-vip').first().waitFor()
    await page.context().close()

    const phone = await newPage(PHONE)
    await signIn(phone)
    await phone.goto(`${server.url}/settings/tags`)
    await phone.locator('tr.tag-row').first().waitFor()
    await shot(phone, 'tags-phone')
    await phone.locator('tr.tag-row').first().locator('.actions button').nth(0).click()
    await phone.locator('#tg-to').waitFor()
    await shot(phone, 'tag-rename-phone')
    await phone.context().close()
  })
})
