// Browser tests of the team's last gaps (issue 16): on a request's page a
// writer sets its team by hand (the select beside the assignee), the change
// is saved and kept on reload; a read-only member sees the team as text,
// with no control. Screenshots at desktop and phone size go to
// e2e/screenshots/teamgaps-*.png.
//
//   /work/e2e-run.sh team e2e/teamgaps.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { apiToken, api } from './server.mjs'
import { browserKit, DESKTOP, PHONE, MARINA, BEATRIZ } from './kit.mjs'

const { start, stop, newPage, signIn, shot, noSidewaysScroll } = browserKit({ prefix: 'teamgaps', noPageErrors: true })
let server

describe("a request's team in Chromium", { timeout: 300000 }, () => {
  let manager

  before(async () => {
    server = await start()
    manager = await apiToken(server.url, MARINA)
  })

  after(async () => {
    await stop()
  })

  test('a manager sets the team of a request by hand; readonly staff only read it', async () => {
    const teams = await api(server.url, manager, '/api/collections/teams/records?sort=name')
    assert.ok(teams.items.length >= 2, 'the demo has teams')
    const open = await api(server.url, manager, `/api/collections/cases/records?perPage=2&filter=${encodeURIComponent('closed=false')}&sort=created`)
    assert.equal(open.items.length, 2, 'the demo has open requests')

    const setTo = []
    // The page reads the teams apart from the request: until they arrive, a request's team shows as none.
    const teamShown = (page, id) => page.waitForFunction((v) => document.querySelector('#case-team')?.value === v, id).catch(() => {})
    for (const [i, [size, options]] of [['desktop', DESKTOP], ['phone', PHONE]].entries()) {
      const kase = open.items[i]
      const other = teams.items.find((tm) => tm.id !== kase.team)
      setTo.push(other)
      const page = await newPage(options)
      await signIn(page, MARINA)
      await page.goto(`${server.url}/cases/${kase.id}`)
      const select = page.locator('#case-team')
      await select.waitFor()
      await teamShown(page, kase.team ?? '')
      assert.equal(await select.inputValue(), kase.team ?? '', 'the select shows the request’s team')
      await select.selectOption(other.id)
      await page.locator('#case-team:not([disabled])').waitFor()
      await page.getByText(/Solicitação atualizada|Case updated/).first().waitFor()
      const saved = await api(server.url, manager, `/api/collections/cases/records/${kase.id}`)
      assert.equal(saved.team, other.id, 'the team was saved')
      await select.scrollIntoViewIfNeeded()
      await shot(page, `case-team-${size}`)
      await noSidewaysScroll(page, `the request with its team (${size})`)

      await page.reload()
      await page.locator('#case-team').waitFor()
      await teamShown(page, other.id)
      assert.equal(await page.locator('#case-team').inputValue(), other.id, 'kept after a reload')
      if (size === 'desktop') {
        // Back to no team.
        await page.locator('#case-team').selectOption('')
        await page.locator('#case-team:not([disabled])').waitFor()
        for (let n = 0; n < 50; n++) {
          if ((await api(server.url, manager, `/api/collections/cases/records/${kase.id}`)).team === '') break
          await new Promise((r) => setTimeout(r, 100))
        }
        assert.equal((await api(server.url, manager, `/api/collections/cases/records/${kase.id}`)).team, '', 'the team was cleared')
      }
      await page.context().close()
    }

    // Beatriz (readonly) reads the team, with no control to change it.
    const page = await newPage(DESKTOP)
    await signIn(page, BEATRIZ)
    await page.goto(`${server.url}/cases/${open.items[1].id}`)
    const text = page.getByTestId('case-team')
    await text.waitFor()
    await text.filter({ hasText: setTo[1].name }).waitFor().catch(() => {})
    assert.match(await text.innerText(), new RegExp(setTo[1].name))
    assert.equal(await page.locator('#case-team').count(), 0, 'no team select for readonly staff')
    await shot(page, 'case-team-readonly-desktop')
    await page.context().close()
  })
})
