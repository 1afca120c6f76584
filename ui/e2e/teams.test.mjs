// Browser tests of teams and partners: Paulo, a partner technician, signs
// in and sees only the request assigned to him, its customer's name and
// contact points, and a workspace with nothing else in it; Marina (manager)
// chooses in Settings → Teams that agents see only their teams' records,
// and Rafael (team Suporte) no longer sees a contact of Marina's (team
// Vendas). Screenshots at desktop and phone size go to
// e2e/screenshots/teams-*.png.
//
//   /work/e2e-run.sh teams e2e/teams.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { apiToken, api } from './server.mjs'
import { browserKit, DESKTOP, PHONE, RAFAEL, MARINA } from './kit.mjs'

const PAULO = 'paulo@vinculo.example' // the demo's partner technician

const { start, stop, newPage, signIn, shot, noSidewaysScroll } = browserKit({ prefix: 'teams', noPageErrors: true })
let server

describe('teams and partners in Chromium', { timeout: 300000 }, () => {
  let manager // Marina's token

  before(async () => {
    server = await start()
    manager = await apiToken(server.url, MARINA)
  })

  after(async () => {
    await stop()
  })

  test('a partner sees only their request, and of its customer only the name and contact points', async () => {
    const paulo = await api(server.url, manager, `/api/collections/staff/records?filter=${encodeURIComponent(`role="partner"`)}`)
    const mine = await api(server.url, manager, `/api/collections/cases/records?filter=${encodeURIComponent(`assignee="${paulo.items[0].id}"`)}&expand=contact`)
    assert.equal(mine.items.length, 1, 'the demo gives Paulo one request')
    const kase = mine.items[0]
    const all = await api(server.url, manager, '/api/collections/cases/records?perPage=1')
    assert.ok(all.totalItems > 1, 'the business has other requests')

    for (const [size, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      const page = await newPage(options)
      await signIn(page, PAULO)
      // Only the requests page is offered, wherever he goes.
      const links = page.locator('nav#main-nav a[href]')
      const hrefs = await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')))
      assert.ok(hrefs.includes('/cases'), 'the requests page is in the menu')
      for (const h of ['/contacts', '/companies', '/deals', '/insights', '/import', '/settings', '/orders']) {
        assert.ok(!hrefs.includes(h), `no ${h} in a partner's menu`)
      }
      assert.equal(await page.locator('button.search-btn').count(), 0, 'no search for a partner')
      await page.goto(`${server.url}/contacts`)
      const rows = page.locator(`a[href="/cases/${kase.id}"]`)
      await rows.first().waitFor()
      const listed = await page.locator('a[href^="/cases/"]').evaluateAll((as) => [...new Set(as.map((a) => a.getAttribute('href')))])
      assert.deepEqual(listed, [`/cases/${kase.id}`], 'his request, and no other')
      assert.equal(await page.getByRole('button', { name: /Nova solicitação|New request/ }).count(), 0, 'a partner opens no requests')
      await shot(page, `partner-list-${size}`)
      await noSidewaysScroll(page, `the partner's requests (${size})`)

      await page.goto(`${server.url}/cases/${kase.id}`)
      await page.getByText(kase.expand.contact.name).first().waitFor()
      await page.locator('#case-assignee[disabled]').waitFor()
      await shot(page, `partner-request-${size}`)
      await noSidewaysScroll(page, `the partner's request (${size})`)
      await page.context().close()
    }

    // His note lands on the request.
    const token = await apiToken(server.url, PAULO)
    const note = await api(server.url, token, '/api/collections/case_messages/records', { method: 'POST', body: { case: kase.id, body: 'Chego na segunda às 9h.', internal: true } })
    assert.equal(note.case, kase.id)
    const contact = await api(server.url, token, `/api/collections/contacts/records/${kase.contact}`)
    assert.deepEqual(Object.keys(contact).filter((k) => !['id', 'collectionId', 'collectionName', 'name', 'email', 'phone', 'mobile', 'address'].includes(k)), [])
  })

  test('a manager sets team visibility; an agent of another team no longer sees the contact', async () => {
    const rafael = await apiToken(server.url, RAFAEL)
    const me = await api(server.url, manager, `/api/collections/staff/records?filter=${encodeURIComponent(`name="Marina Duarte"`)}`)
    const marinas = await api(server.url, manager, `/api/collections/contacts/records?perPage=1&filter=${encodeURIComponent(`owner="${me.items[0].id}"`)}`)
    const contact = marinas.items[0]
    assert.equal((await api(server.url, rafael, `/api/collections/contacts/records/${contact.id}`)).id, contact.id, 'everyone sees everything at first')

    for (const [size, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      const page = await newPage(options)
      await signIn(page, MARINA)
      await page.goto(`${server.url}/settings/teams`)
      await page.locator('[data-team="Suporte"]').waitFor()
      await shot(page, `settings-${size}`)
      await noSidewaysScroll(page, `Settings → Teams (${size})`)
      if (size === 'desktop') {
        // A new team with a bad name keeps what was typed and says why.
        await page.getByRole('button', { name: /Novo time|New team/ }).click()
        await page.locator('#tm-name').fill('Suporte')
        await page.locator('form.editor button[type=submit]').click()
        await page.locator('#tm-name-error').waitFor()
        assert.equal(await page.locator('#tm-name').inputValue(), 'Suporte')
        await shot(page, `settings-editor-${size}`)
        await page.locator('form.editor button[type=button]').click()

        await page.locator('input[name=tm-visibility][value=teams]').check()
        await page.locator('form.visibility button[type=submit]').click()
        await page.locator('form.visibility button[type=submit][disabled]').waitFor() // at once, while it is sent
        await page.locator('.toast').filter({ hasText: /Salvo: quem vê o quê|Saved: who sees what/ }).waitFor()
      }
      await page.context().close()
    }

    const page = await newPage(DESKTOP)
    await signIn(page, RAFAEL)
    await page.goto(`${server.url}/contacts/${contact.id}`)
    await page.locator('[role=alert]').first().waitFor()
    assert.equal(await page.getByRole('heading', { name: contact.name }).count(), 0, 'the contact is not shown')
    await page.context().close()
    const refused = await fetch(`${server.url}/api/collections/contacts/records/${contact.id}`, { headers: { Authorization: rafael } })
    assert.equal(refused.status, 404)
    assert.equal((await api(server.url, manager, `/api/collections/contacts/records/${contact.id}`)).id, contact.id, 'the manager still sees it')
  })
})
