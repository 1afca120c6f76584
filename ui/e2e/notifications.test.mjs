// Browser tests of the notifications (issue 16): a manager assigns a request
// to Rafael and it arrives live in Rafael's bell, open in another browser
// context; opening it goes to the request and marks it read; "mark all read";
// each member's email choices on the Profile page; the SLA warning share in
// Settings → Request types. Screenshots at desktop and phone size go to
// e2e/screenshots/notifications-*.png.
//
//   /work/e2e-run.sh notifications e2e/notifications.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { apiToken, api } from './server.mjs'
import { browserKit, DESKTOP, PHONE, RAFAEL, MARINA } from './kit.mjs'

const { start, stop, newPage, signIn, shot, noSidewaysScroll } = browserKit({ prefix: 'notifications', noPageErrors: true })
let server

/** The server's answer to the page's realtime subscription to `topic`: from then on the page hears of its changes. */
const subscribed = (page, topic) => page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/realtime' && (r.request().postData() ?? '').includes(`"${topic}`))

describe('notifications in Chromium', { timeout: 300000 }, () => {
  let marina
  let rafael // Rafael's staff record

  before(async () => {
    server = await start()
    marina = await apiToken(server.url, MARINA)
    const me = await api(server.url, await apiToken(server.url, RAFAEL), '/api/collections/staff/auth-refresh', { method: 'POST' })
    rafael = me.record
  })

  after(async () => {
    await stop()
  })

  test('a request assigned to Rafael arrives live in his bell; opening it marks it read', async () => {
    for (const [size, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      const page = await newPage(options)
      const live = subscribed(page, 'notifications/') // made after the first paint
      await signIn(page, RAFAEL)
      const bell = page.locator('button[aria-controls=notif-panel]')
      await bell.waitFor()
      await live
      // His unread count as the server has it, and the bell showing it (no badge for none).
      const unread = await api(server.url, await apiToken(server.url, RAFAEL), `/api/collections/notifications/records?perPage=1&filter=${encodeURIComponent('read_at = ""')}`)
      const before = unread.totalItems
      await page.waitForFunction((n) => Number(document.querySelector('[data-testid="notif-count"]')?.textContent || 0) === n, before)
      // Marina, in her own browser context, assigns him a request.
      const other = await newPage(DESKTOP)
      await signIn(other, MARINA)
      const open = await api(server.url, marina, `/api/collections/cases/records?perPage=1&sort=-created&filter=${encodeURIComponent(`assignee!="${rafael.id}"`)}`)
      const kase = open.items[0]
      const res = await other.evaluate(async ([id, to]) => {
        const auth = JSON.parse(localStorage.getItem('vinculo_staff_auth'))
        const r = await fetch(`/api/collections/cases/records/${id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json', Authorization: auth.token }, body: JSON.stringify({ assignee: to }) })
        return r.status
      }, [kase.id, rafael.id])
      assert.equal(res, 200)
      // Live: the count grows without a reload.
      await page.getByTestId('notif-count').filter({ hasText: String(before + 1) }).waitFor()
      await bell.click()
      const panel = page.locator('#notif-panel')
      const item = panel.locator('li.unread').filter({ hasText: kase.subject }).first()
      await item.waitFor()
      assert.match(await item.textContent(), /Marina/)
      await shot(page, `bell-open-${size}`)
      await noSidewaysScroll(page, `the open bell (${size})`)
      await item.locator('a').click()
      await page.waitForURL(`**/cases/${kase.id}`)
      // Marked read at once; a list read before the mark may answer after it, and the server's count follows live.
      await page.waitForFunction((n) => Number(document.querySelector('[data-testid="notif-count"]')?.textContent || 0) === n, before).catch(() => {})
      const after = await page.evaluate(() => document.querySelector('[data-testid="notif-count"]')?.textContent || '0')
      assert.equal(Number(after), before, 'opening it marked it read')
      // Mark all read.
      await bell.click()
      const markAll = panel.getByRole('button', { name: /Mark all read|Marcar todas/ })
      if (await markAll.count()) {
        await markAll.click()
        await page.getByTestId('notif-count').waitFor({ state: 'detached' })
      }
      assert.equal(await panel.locator('li.unread').count(), 0)
      await other.context().close()
      await page.context().close()
    }
  })

  test('a mention arrives live in the colleague’s bell', async () => {
    // Marina watches her bell while Rafael, in his own browser context,
    // mentions her with "@" in a request's internal note.
    const page = await newPage(DESKTOP)
    const live = subscribed(page, 'notifications/') // made after the first paint
    await signIn(page, MARINA)
    const bell = page.locator('button[aria-controls=notif-panel]')
    await bell.waitFor()
    await live
    const rafaelToken = await apiToken(server.url, RAFAEL)
    const open = await api(server.url, rafaelToken, `/api/collections/cases/records?perPage=1&sort=-created&filter=${encodeURIComponent('closed=false')}`)
    const kase = open.items[0]
    await bell.click()
    await page.locator('#notif-panel').waitFor()
    // Other notices about the request may be there already (an escalation
    // names its assignee, Rafael, whenever the clock has passed its deadline):
    // only a mention counts.
    const mentioned = /mencionou você|mentioned you/
    assert.equal(await page.locator('#notif-panel li').filter({ hasText: kase.subject }).filter({ hasText: mentioned }).count(), 0)
    const other = await newPage(PHONE)
    await signIn(other, RAFAEL)
    // The box reads the team when it is first focused; "@" typed before it arrives suggests nobody.
    const team = other.waitForResponse((r) => r.url().includes('/api/collections/staff/records') && r.url().includes('deactivated'))
    await other.goto(`${server.url}/cases/${kase.id}`)
    await other.locator('form.composer label.pill').nth(1).click()
    await other.locator('form.composer.internal').waitFor()
    const box = other.locator('#msg-body')
    await box.click()
    await team
    await box.pressSequentially('Veja isto @Mar')
    await other.getByRole('listbox').waitFor()
    await box.press('Enter')
    await box.pressSequentially('quando puder')
    await other.locator('form.composer button[type=submit]').click()
    await other.getByTestId('internal-note').filter({ hasText: 'quando puder' }).waitFor()
    // Live: the line arrives in Marina's open list without a reload, and says who.
    const item = page.locator('#notif-panel li.unread').filter({ hasText: kase.subject }).filter({ hasText: mentioned }).filter({ hasText: 'Rafael' })
    await item.first().waitFor()
    assert.equal(await item.count(), 1, 'told once')
    await shot(page, 'mention-live-desktop')
    await item.first().locator('a').click()
    await page.waitForURL(`**/cases/${kase.id}`)
    await other.context().close()
    await page.context().close()
  })

  test('email choices on the Profile page are kept', async () => {
    for (const [size, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      const page = await newPage(options)
      await signIn(page, RAFAEL)
      await page.goto(`${server.url}/profile`)
      const form = page.locator('form.notif-settings')
      await form.locator('#ns-assigned').waitFor()
      await form.locator('#ns-assigned').selectOption('now')
      await form.locator('#ns-hour').selectOption(size === 'desktop' ? '7' : '9')
      await form.locator('button[type=submit]').click()
      await page.locator('.toast').filter({ hasText: /Configurações de notificações salvas|Notification settings saved/ }).waitFor()
      await form.scrollIntoViewIfNeeded()
      await shot(page, `settings-${size}`, { fullPage: true })
      await noSidewaysScroll(page, `the notification settings (${size})`)
      await page.reload()
      await form.locator('#ns-assigned').waitFor()
      assert.equal(await form.locator('#ns-assigned').inputValue(), 'now')
      assert.equal(await form.locator('#ns-hour').inputValue(), size === 'desktop' ? '7' : '9')
      await page.context().close()
    }
  })

  test('a manager sets the SLA warning share', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page, MARINA)
    await page.goto(`${server.url}/settings/request-types`)
    const input = page.locator('#sla-share')
    await input.waitFor()
    await input.fill('150')
    await page.locator('form.sla-share button[type=submit]').click()
    await page.locator('#sla-share-error').waitFor()
    assert.equal(await input.inputValue(), '150', 'what was typed stays')
    await input.fill('75')
    await page.locator('form.sla-share button[type=submit]').click()
    await page.locator('#sla-share-error').waitFor({ state: 'detached' }) // at once, before the server answers
    await page.locator('.toast').filter({ hasText: /Percentual de aviso salvo|Warning share saved/ }).waitFor()
    const row = await api(server.url, marina, '/api/collections/business_settings/records')
    assert.equal(row.items[0].sla_warn_percent, 75)
    await shot(page, 'sla-share-desktop')
    await page.context().close()
  })
})
