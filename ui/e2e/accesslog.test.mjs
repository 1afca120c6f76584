// Browser test of "who looked at my data" (issue 20): Marina (manager) opens
// João's customer page; João, signed in to the portal, sees her name and
// role on /portal/access, newest first; the manager sees the same log on the
// customer's page. Screenshots at desktop and phone size go to
// e2e/screenshots/accesslog-*.png.
//
//   /work/e2e-run.sh accesslog e2e/accesslog.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { browserKit, MARINA, JOAO, JOAO_EMAIL, DESKTOP, PHONE } from './kit.mjs'
import { startSmtpSink, smtpEnv, signInByCode } from './portal-smtp.mjs'

const { start, stop, newPage, signIn, shot, noSidewaysScroll } = browserKit({
  prefix: 'accesslog',
  consoleErrors: /Failed to load resource/,
  noPageErrors: true,
})
let server
let smtp

/** Signs João in to the portal with the code from his mail. */
const signInCustomer = (page) => signInByCode(page, server.url, smtp, JOAO_EMAIL)

describe('who looked at my data', { timeout: 300000 }, () => {
  let state // João's signed-in browser state

  before(async () => {
    smtp = await startSmtpSink()
    server = await start({ env: smtpEnv(smtp) })
    const page = await newPage(DESKTOP)
    await signInCustomer(page)
    state = await page.context().storageState()
    await page.context().close()
  })

  after(async () => {
    await stop()
    await smtp?.stop()
  })

  test('Marina opens João’s page; João sees her name and role in the portal', async () => {
    for (const [size, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      const staff = await newPage(options)
      await signIn(staff, MARINA)
      await staff.goto(`${server.url}/contacts/${JOAO}`)
      const card = staff.getByTestId('access-card')
      await card.waitFor()
      await card.getByRole('button').click()
      await card.getByTestId('access-entry').first().waitFor()
      assert.match(await card.getByTestId('access-entry').first().innerText(), /Marina/)
      await card.scrollIntoViewIfNeeded()
      await shot(staff, `staff-card-${size}`)
      await noSidewaysScroll(staff, `the staff access card (${size})`)
      await staff.context().close()

      const portal = await newPage({ ...options, storageState: state })
      // The look is written a moment after the page was answered.
      let text = ''
      for (let i = 0; i < 20 && !/Marina/.test(text); i++) {
        await portal.goto(`${server.url}/portal/access`)
        await portal.locator('h1').waitFor()
        await portal.waitForTimeout(300)
        text = (await portal.getByTestId('access-log').innerText().catch(() => ''))
      }
      // The customer page itself, and what the page listed of his (his services, say).
      const row = await portal.getByTestId('access-row').filter({ hasText: /sua página de cliente|your customer page/ }).first().innerText()
      assert.match(row, /Marina Duarte \((gerente|manager)\)/, 'who looked, by name and role')
      assert.match(row, /Seus dados de contato|Your contact details/, 'what')
      await shot(portal, `portal-${size}`)
      await noSidewaysScroll(portal, `the portal access page (${size})`)
      await portal.context().close()
    }
  })
})
