// Browser tests of hand-offs and mentions (issue 16): Rafael hands three
// contacts to Marina at once from the contacts list, with a note (each
// timeline says so, Marina is told once); Rafael mentions Marina with "@" in
// a request's internal note, picking her from the suggestions with the
// keyboard (the note shows her name, Marina has the notification); the
// deactivation dialog asks who takes each kind, and the server's refusal
// shows beside the kind left without a taker. Screenshots at desktop and
// phone size go to e2e/screenshots/handover-*.png.
//
//   /work/e2e-run.sh handover e2e/handover.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { apiToken, api } from './server.mjs'
import { browserKit, DESKTOP, PHONE, RAFAEL, MARINA } from './kit.mjs'

const { start, stop, newPage, signIn, shot, noSidewaysScroll } = browserKit({ prefix: 'handover', consoleErrors: /status of 400/, noPageErrors: true })
let server
const q = (s) => encodeURIComponent(s)

describe('hand-offs and mentions in Chromium', { timeout: 300000 }, () => {
  let rafael // {token, id}
  let marina

  before(async () => {
    server = await start()
    const me = async (email) => {
      const token = await apiToken(server.url, email)
      const { record } = await api(server.url, token, '/api/collections/staff/auth-refresh', { method: 'POST' })
      return { token, id: record.id, name: record.name }
    }
    rafael = await me(RAFAEL)
    marina = await me(MARINA)
  })

  after(async () => {
    await stop()
  })

  test('three contacts handed to Marina at once from the list, with a note', async () => {
    // The phone first: the dialog fits, then is cancelled.
    const phone = await newPage(PHONE)
    await signIn(phone, RAFAEL)
    await phone.goto(`${server.url}/contacts`)
    const phoneBoxes = phone.locator('td.pick input[type=checkbox]')
    await phoneBoxes.first().waitFor()
    await phoneBoxes.nth(0).check()
    await phoneBoxes.nth(1).check()
    await phone.locator('.pick-bar .btn.primary').click()
    await phone.locator('dialog.handover-dialog[open]').waitFor()
    await shot(phone, 'dialog-phone')
    await noSidewaysScroll(phone, 'the hand-over dialog (phone)')
    await phone.locator('dialog.handover-dialog button[type=button]').click()
    await phone.context().close()

    const page = await newPage(DESKTOP)
    await signIn(page, RAFAEL)
    await page.goto(`${server.url}/contacts`)
    const rows = page.locator('tbody tr:has(td.pick)')
    await rows.nth(2).waitFor()
    const ids = []
    for (let i = 0; i < 3; i++) {
      await rows.nth(i).locator('td.pick input').check()
      ids.push((await rows.nth(i).locator('td.name a').getAttribute('href')).split('/').pop())
    }
    assert.equal(page.url(), `${server.url}/contacts`, 'picking a row does not open it')
    await page.locator('.pick-bar').getByText(/3/).waitFor()
    await page.locator('.pick-bar .btn.primary').click()
    const dialog = page.locator('dialog.handover-dialog[open]')
    await dialog.waitFor()
    await dialog.locator('#ho-to option', { hasText: 'Marina' }).waitFor({ state: 'attached' })
    // Nobody chosen: said beside the field, the note kept.
    await dialog.locator('#ho-note').fill('Estes três preferem ligação de manhã.')
    await dialog.locator('button[type=submit]').click()
    await dialog.locator('#ho-to-error').waitFor()
    assert.equal(await dialog.locator('#ho-note').inputValue(), 'Estes três preferem ligação de manhã.')
    await dialog.locator('#ho-to').selectOption(marina.id)
    await shot(page, 'dialog-desktop')
    await noSidewaysScroll(page, 'the hand-over dialog')
    await dialog.locator('button[type=submit]').click()
    await page.locator('dialog.handover-dialog[open]').waitFor({ state: 'detached' })
    await page.locator('.pick-bar').waitFor({ state: 'detached' })

    for (const id of ids) {
      const c = await api(server.url, rafael.token, `/api/collections/contacts/records/${id}`)
      assert.equal(c.owner, marina.id, `${c.name} is Marina's`)
      const entries = await api(server.url, rafael.token, `/api/collections/activities/records?filter=${q(`contact="${id}" && event="owner.handed_over"`)}`)
      assert.equal(entries.items.length, 1, `${c.name}'s timeline keeps the hand-over`)
      assert.equal(entries.items[0].body, 'Estes três preferem ligação de manhã.')
    }
    const told = await api(server.url, marina.token, `/api/collections/notifications/records?filter=${q('event="handed_over"')}`)
    assert.equal(told.items.length, 1, 'Marina is told once')
    assert.equal(told.items[0].data.count, 3)
    assert.equal(told.items[0].data.note, 'Estes três preferem ligação de manhã.')

    // The contact's timeline words it.
    await page.goto(`${server.url}/contacts/${ids[0]}`)
    const entry = page.locator('li.entry[data-event="owner.handed_over"]')
    await entry.waitFor()
    assert.match(await entry.innerText(), /Rafael Lima.*Marina Duarte/s)
    assert.match(await entry.innerText(), /preferem ligação de manhã/)
    await page.context().close()
  })

  test('Marina mentioned with @ in a request’s internal note', async () => {
    const cases = await api(server.url, rafael.token, `/api/collections/cases/records?perPage=1&sort=-created&filter=${q('closed=false')}`)
    const cs = cases.items[0]
    const body = 'Olá @Marina Duarte pode ver o orçamento?'
    for (const [size, options] of [['phone', PHONE], ['desktop', DESKTOP]]) {
      const page = await newPage(options)
      await signIn(page, RAFAEL)
      // The box reads the team when it is first focused; "@" typed before it arrives suggests nobody.
      const team = page.waitForResponse((r) => r.url().includes('/api/collections/staff/records') && r.url().includes('deactivated'))
      await page.goto(`${server.url}/cases/${cs.id}`)
      await page.locator('form.composer label.pill').nth(1).click()
      await page.locator('form.composer.internal').waitFor()
      const box = page.locator('#msg-body')
      await box.click()
      await team
      await box.pressSequentially('Olá @Mar')
      const list = page.getByRole('listbox')
      await list.waitFor()
      assert.equal(await box.getAttribute('aria-activedescendant'), `${await list.getAttribute('id')}-0`, 'the first suggestion is active')
      const names = await list.getByRole('option').allInnerTexts()
      assert.ok(names.some((o) => o.includes('Marina Duarte')), `Marina is suggested: ${names}`)
      assert.ok(!names.some((o) => o.includes('Rafael')), 'nobody is suggested to mention themselves')
      await list.scrollIntoViewIfNeeded()
      await shot(page, `mention-${size}`)
      await noSidewaysScroll(page, `the mention suggestions (${size})`)
      if (size === 'phone') {
        // Escape closes the suggestions and keeps the words.
        await box.press('Escape')
        await list.waitFor({ state: 'detached' })
        assert.equal(await box.inputValue(), 'Olá @Mar')
        await page.context().close()
        continue
      }
      await box.press('Enter')
      await list.waitFor({ state: 'detached' })
      assert.equal(await box.inputValue(), 'Olá @Marina Duarte ')
      await box.pressSequentially('pode ver o orçamento?')
      await page.locator('form.composer button[type=submit]').click()
      const note = page.getByTestId('internal-note').filter({ hasText: 'pode ver o orçamento?' })
      await note.waitFor()
      assert.equal(await note.locator('.mention').innerText(), '@Marina Duarte', 'the note shows the name')
      assert.ok(!(await note.innerText()).includes(marina.id), 'never the id')
      await note.scrollIntoViewIfNeeded()
      await shot(page, 'mention-note-desktop')
      await page.context().close()
    }
    const msgs = await api(server.url, rafael.token, `/api/collections/case_messages/records?filter=${q(`case="${cs.id}" && internal=true`)}&sort=-created`)
    assert.equal(msgs.items[0].body, `Olá @[Marina Duarte](${marina.id}) pode ver o orçamento?`, `saved as a mention: ${body}`)
    const told = await api(server.url, marina.token, `/api/collections/notifications/records?filter=${q(`event="mentioned" && record="${cs.id}"`)}`)
    assert.equal(told.items.length, 1, 'Marina is told once')
    assert.equal(told.items[0].collection, 'cases')
    assert.equal(told.items[0].by, rafael.id)
  })

  test('deactivating asks who takes each kind; a kind left without a taker is refused beside it', async () => {
    const holdings = await api(server.url, marina.token, `/api/crm/team/${rafael.id}/holdings`)
    const held = Object.keys(holdings).filter((k) => holdings[k] > 0)
    assert.ok(held.length >= 2, `Rafael holds several kinds: ${JSON.stringify(holdings)}`)
    for (const [size, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      const page = await newPage(options)
      await signIn(page, MARINA)
      await page.goto(`${server.url}/settings/team`)
      const row = page.locator(`tr.member[data-email="${RAFAEL}"]`)
      await row.waitFor()
      await row.locator('.actions button').last().click()
      const dialog = page.locator('dialog[aria-labelledby="tm-leave-title"]')
      await dialog.locator(`#tm-take-${held[0]}`).waitFor()
      for (const k of held) assert.ok(await dialog.locator(`#tm-take-${k}`).isVisible(), `a picker for ${k}`)
      // The first choice fills the others; one set back to nobody is refused by the server.
      await dialog.locator(`#tm-take-${held[0]}`).selectOption(marina.id)
      assert.equal(await dialog.locator(`#tm-take-${held[1]}`).inputValue(), marina.id)
      await dialog.locator(`#tm-take-${held[1]}`).selectOption('')
      await dialog.locator('button[type=submit]').click()
      await dialog.locator(`#tm-take-${held[1]}-error`).waitFor()
      assert.equal(await dialog.locator('.holdings .field-error').count(), 1, 'only the kind left without a taker is refused')
      assert.equal(await dialog.locator(`#tm-take-${held[0]}`).inputValue(), marina.id, 'the choices stay')
      await shot(page, `deactivate-${size}`)
      await noSidewaysScroll(page, `the deactivation dialog (${size})`)
      await dialog.locator('button[type=button]').click()
      await page.context().close()
    }
    const still = await api(server.url, marina.token, `/api/crm/team/${rafael.id}/holdings`)
    assert.deepEqual(still, holdings, 'a refused deactivation moved nothing')
    const r = await api(server.url, marina.token, `/api/collections/staff/records/${rafael.id}`)
    assert.equal(r.deactivated, false)
  })
})
