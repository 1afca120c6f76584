// Browser test of what inbound mail shows staff: a contact whose address
// bounced carries a red "Email bounces" badge with the receiving server's
// words, at desktop and phone size (screenshots e2e/screenshots/intake-*.png).
// The bounce itself is read by the intake (Go tests in
// plugins/channels/email); here a manager's API write stands for it.
//
//   /work/e2e-run.sh intake e2e/intake.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { apiToken, api } from './server.mjs'
import { browserKit, DESKTOP, PHONE, MARINA, BEATRIZ, JOAO } from './kit.mjs'

const { start, stop, newPage, signIn, shot, noSidewaysScroll } = browserKit({ prefix: 'intake', noPageErrors: true })
let server

describe('a bounced address on the contact page', { timeout: 300000 }, () => {
  before(async () => {
    server = await start()
  })
  after(async () => {
    await stop()
  })

  test('the badge and the reason, in both languages and sizes', async () => {
    const token = await apiToken(server.url, MARINA)
    await api(server.url, token, `/api/collections/contacts/records/${JOAO}`, {
      method: 'PATCH',
      body: { email_failing_at: '2026-11-24 12:00:00.000Z', email_failing_reason: '5.1.1 smtp; 550 5.1.1 User unknown' },
    })
    for (const [who, words] of [[MARINA, /E-mail devolvido/], [BEATRIZ, /Email bounces/]]) {
      for (const [size, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
        const page = await newPage(options)
        await signIn(page, who)
        await page.goto(`${server.url}/contacts/${JOAO}`)
        const badge = page.getByTestId('email-failing')
        await badge.waitFor()
        const text = await badge.innerText()
        assert.match(text, words)
        assert.match(text, /550 5\.1\.1 User unknown/)
        await badge.scrollIntoViewIfNeeded()
        await shot(page, `contact-bounce-${who === MARINA ? 'pt' : 'en'}-${size}`)
        await noSidewaysScroll(page, `the contact page with a bounced address (${size})`)
        await page.close()
      }
    }
    // A new address clears the mark.
    const contact = await api(server.url, token, `/api/collections/contacts/records/${JOAO}`)
    const changed = await api(server.url, token, `/api/collections/contacts/records/${JOAO}`, {
      method: 'PATCH', body: { email: contact.email.replace('@', '+novo@') },
    })
    assert.equal(changed.email_failing_at, '')
    assert.equal(changed.email_failing_reason, '')
  })
})
