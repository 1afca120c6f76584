// Browser test of erasure (issue 20, item 3): João asks in the portal to have
// his data erased (the confirmation box is asked for beside it when he
// forgets it) and follows the request's state and deadline, in Portuguese
// and in English, at desktop and phone size; Marina (manager) sees the
// request in /privacy with its deadline, opens the preview of what is
// erased and what is kept and why, is asked for a reason when she refuses
// without one, then approves: the signed receipt is mailed to João before
// his address goes, shown on the page and checked as authentic (and a
// changed copy as not). Screenshots go to e2e/screenshots/erasure-*.png.
//
//   /work/e2e-run.sh erasure e2e/erasure.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { apiToken, api } from './server.mjs'
import { browserKit, MARINA, JOAO, JOAO_EMAIL, DESKTOP, PHONE } from './kit.mjs'
import { startSmtpSink, smtpEnv, signInByCode } from './portal-smtp.mjs'

const { start, stop, newPage, signIn, shot, noSidewaysScroll } = browserKit({
  prefix: 'erasure',
  consoleErrors: /status of 400|status of 401|status of 404|Failed to load resource/,
  noPageErrors: true,
})
let server
let smtp
let manager // Marina's API token

/** Signs João in to the portal with the code from his mail. */
const signInCustomer = (page) => signInByCode(page, server.url, smtp, JOAO_EMAIL)

describe('erasure with a signed receipt', { timeout: 400000 }, () => {
  let state // João's signed-in browser state
  let requestId

  before(async () => {
    smtp = await startSmtpSink()
    server = await start({ env: smtpEnv(smtp) })
    manager = await apiToken(server.url, MARINA)
    const page = await newPage(DESKTOP)
    await signInCustomer(page)
    state = await page.context().storageState()
    await page.context().close()
  })

  after(async () => {
    await stop()
    await smtp?.stop()
  })

  test('João asks for erasure in the portal and follows it', async () => {
    // What happens, in both languages and sizes, before he asks.
    for (const lang of ['pt-BR', 'en']) {
      await api(server.url, manager, `/api/collections/contacts/records/${JOAO}`, { method: 'PATCH', body: { language: lang } })
      for (const [size, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
        const page = await newPage({ ...options, storageState: state })
        await page.goto(`${server.url}/portal/erasure`)
        await page.getByTestId('erasure-ask').waitFor()
        assert.equal(await page.locator('html').getAttribute('lang'), lang)
        await shot(page, `portal-ask-${lang}-${size}`, { fullPage: true })
        await noSidewaysScroll(page, `the erasure page (${lang}, ${size})`)
        await page.context().close()
      }
    }
    const page = await newPage({ ...DESKTOP, storageState: state })
    await page.goto(`${server.url}/portal/erasure`)
    // Without the box ticked: asked for beside it, nothing recorded.
    await page.getByTestId('erasure-ask').click()
    await page.locator('.field-error').waitFor()
    assert.match(await page.locator('.field-error').innerText(), /Tick the box/)
    assert.equal((await api(server.url, manager, '/api/crm/erasure')).items.length, 0)
    await page.getByTestId('erasure-confirm').check()
    await page.getByTestId('erasure-ask').click()
    await page.getByTestId('erasure-request').waitFor()
    assert.equal(await page.getByTestId('erasure-request').getAttribute('data-state'), 'asked')
    assert.match(await page.getByTestId('erasure-state').innerText(), /Waiting for a decision/)
    await page.context().close()
    const list = (await api(server.url, manager, '/api/crm/erasure')).items
    assert.equal(list.length, 1)
    requestId = list[0].id
    for (const lang of ['pt-BR', 'en']) {
      await api(server.url, manager, `/api/collections/contacts/records/${JOAO}`, { method: 'PATCH', body: { language: lang } })
      for (const [size, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
        const p = await newPage({ ...options, storageState: state })
        await p.goto(`${server.url}/portal/erasure`)
        await p.getByTestId('erasure-request').waitFor()
        await shot(p, `portal-asked-${lang}-${size}`, { fullPage: true })
        await noSidewaysScroll(p, `the followed request (${lang}, ${size})`)
        await p.context().close()
      }
    }
  })

  test('Marina sees the preview, is asked for a reason to refuse, and approves: the receipt is mailed and checks out', async () => {
    const marina = JSON.parse(Buffer.from(manager.split('.')[1], 'base64url').toString()).id
    for (const lang of ['pt-BR', 'en']) {
      await api(server.url, manager, `/api/collections/staff/records/${marina}`, { method: 'PATCH', body: { language: lang } })
      for (const [size, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
        const page = await newPage(options)
        await signIn(page, MARINA)
        await page.goto(`${server.url}/privacy`)
        await page.getByTestId('privacy-list').waitFor()
        assert.match(await page.getByTestId('privacy-list').innerText(), /João/)
        await shot(page, `privacy-list-${lang}-${size}`, { fullPage: true })
        await noSidewaysScroll(page, `/privacy (${lang}, ${size})`)
        await page.goto(`${server.url}/privacy/${requestId}`)
        await page.getByTestId('privacy-kept').waitFor()
        await shot(page, `privacy-preview-${lang}-${size}`, { fullPage: true })
        await noSidewaysScroll(page, `the preview (${lang}, ${size})`)
        await page.context().close()
      }
    }
    const page = await newPage(DESKTOP)
    await signIn(page, MARINA) // in English now
    await page.goto(`${server.url}/privacy/${requestId}`)
    const erased = page.getByTestId('privacy-erased')
    await erased.waitFor()
    assert.match(await erased.innerText(), /Contact details/)
    assert.match(await page.getByTestId('privacy-kept').innerText(), /Invoice|Order|Nothing is kept/)
    // Refusing needs a reason, beside the field.
    await page.getByTestId('privacy-refuse').click()
    await page.locator('#pv-reason-error').waitFor()
    assert.match(await page.locator('#pv-reason-error').innerText(), /Say why/)
    // Approving asks once more, then erases.
    const since = smtp.messages.length
    await page.getByTestId('privacy-approve').click()
    await page.getByTestId('privacy-approve').click()
    await page.getByTestId('privacy-receipt').waitFor({ timeout: 30000 })
    assert.match(await page.getByTestId('privacy-state').innerText(), /Erased/)
    const receipt = await page.getByTestId('privacy-receipt').innerText()
    const mail = await smtp.waitFor((m) => m.to.includes(JOAO_EMAIL) && /ER-/.test(m.subject ?? ''), { since })
    assert.ok(mail, 'the receipt was mailed to João')
    const contact = await api(server.url, manager, `/api/collections/contacts/records/${JOAO}`)
    assert.match(contact.name, /^ER-[A-Z0-9]{8}$/)
    assert.equal(contact.email, '')
    await shot(page, 'privacy-done-en-desktop', { fullPage: true })
    await noSidewaysScroll(page, 'the erased request')
    // The receipt checks out; one character changed does not.
    await page.getByTestId('privacy-verify-input').fill(receipt)
    await page.getByTestId('privacy-verify').click()
    await page.getByTestId('privacy-verified').waitFor()
    assert.match(await page.getByTestId('privacy-verified').innerText(), /Authentic/)
    await page.getByTestId('privacy-verify-input').fill(receipt.replace('ER-', 'ER_'))
    await page.getByTestId('privacy-verify').click()
    await page.getByText(/Not authentic/).waitFor()
    await shot(page, 'privacy-verify-en-desktop', { fullPage: true })
    await page.context().close()
    const phone = await newPage(PHONE)
    await signIn(phone, MARINA)
    await phone.goto(`${server.url}/privacy/${requestId}`)
    await phone.getByTestId('privacy-receipt').waitFor()
    await shot(phone, 'privacy-done-en-phone', { fullPage: true })
    await noSidewaysScroll(phone, 'the erased request (phone)')
    await phone.context().close()
  })
})
