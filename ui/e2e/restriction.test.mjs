// Browser test of "restrict or object" (issue 20, item 4): João, signed in to
// the portal, restricts the processing of his data with one click and lifts
// it again, in Portuguese and in English, at desktop and phone size; objects
// to marketing (every marketing consent withdrawn); staff see the badges on
// his 360 page — Marina (manager, pt-BR) records a restriction asked by
// phone and lifts it, her too-long note refused beside the field with what
// she typed kept; Beatriz (readonly, en) sees the badges and no control.
// The objection to profiling with the suggestions disappearing is
// e2e/suggestions.test.mjs's. Screenshots go to
// e2e/screenshots/restriction-*.png.
//
//   /work/e2e-run.sh restriction e2e/restriction.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { apiToken, api } from './server.mjs'
import { browserKit, MARINA, BEATRIZ, JOAO, JOAO_EMAIL, DESKTOP, PHONE } from './kit.mjs'
import { startSmtpSink, smtpEnv, signInByCode } from './portal-smtp.mjs'

const { start, stop, newPage, signIn, shot, noSidewaysScroll } = browserKit({
  prefix: 'restriction',
  consoleErrors: /status of 400|Failed to load resource/,
  noPageErrors: true,
})
let server
let smtp
let manager // Marina's API token

/** Signs João in to the portal with the code from his mail. */
const signInCustomer = (page) => signInByCode(page, server.url, smtp, JOAO_EMAIL)

const joao = () => api(server.url, manager, `/api/collections/contacts/records/${JOAO}`)
const choices = () => api(server.url, manager, `/api/crm/contacts/${JOAO}/restriction`)

describe('restrict or object', { timeout: 400000 }, () => {
  let state // João's signed-in browser state

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

  test('João restricts processing with one click and lifts it, in both languages and sizes', async () => {
    for (const lang of ['pt-BR', 'en']) {
      await api(server.url, manager, `/api/collections/contacts/records/${JOAO}`, { method: 'PATCH', body: { language: lang } })
      for (const [size, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
        const page = await newPage({ ...options, storageState: state })
        await page.goto(`${server.url}/portal/restriction`)
        await page.getByTestId('restriction-card').waitFor()
        assert.equal(await page.locator('html').getAttribute('lang'), lang)
        await shot(page, `portal-${lang}-${size}`, { fullPage: true })
        await noSidewaysScroll(page, `the restriction page (${lang}, ${size})`)

        await page.getByTestId('restriction-note').fill(`Until my complaint is answered (${size})`)
        await page.getByTestId('restriction-restrict').click()
        await page.getByTestId('restriction-since').waitFor()
        await page.getByTestId('restriction-done').waitFor()
        assert.ok((await joao()).restricted_at, 'the server dated the restriction')
        await page.getByTestId('restriction-history').waitFor()
        assert.match(await page.getByTestId('restriction-history').innerText(), /Until my complaint is answered/)
        await shot(page, `portal-restricted-${lang}-${size}`, { fullPage: true })
        await noSidewaysScroll(page, `the restricted page (${lang}, ${size})`)

        await page.getByTestId('restriction-lift').click()
        await page.getByTestId('restriction-restrict').waitFor()
        assert.equal((await joao()).restricted_at, '', 'lifted')
        await page.context().close()
      }
    }
    const history = (await choices()).history
    assert.equal(history.length, 8, 'four restrictions and four lifts, each with its proof')
    assert.ok(history.every((h) => h.source === 'portal'))
  })

  test('João objects to marketing, then restricts again', async () => {
    await api(server.url, manager, `/api/collections/contacts/records/${JOAO}`, { method: 'PATCH', body: { language: 'pt-BR' } })
    const page = await newPage({ ...DESKTOP, storageState: state })
    await page.goto(`${server.url}/portal/restriction`)
    await page.getByTestId('marketing-object').click()
    await page.getByTestId('marketing-objected').waitFor()
    const consents = await api(server.url, manager, `/api/collections/consents/records?perPage=50&filter=${encodeURIComponent(`contact="${JOAO}" && purpose="marketing"`)}`)
    assert.ok(consents.items.length > 0 && consents.items.every((c) => c.state === 'withdrawn' && c.source === 'portal'), 'every marketing consent withdrawn through the portal')
    assert.ok((await choices()).marketing.objected)
    await page.getByTestId('restriction-restrict').click()
    await page.getByTestId('restriction-since').waitFor()
    await shot(page, 'portal-objected-pt-BR-desktop', { fullPage: true })
    await page.context().close()
  })

  test('staff see the badges on the 360 page; a writer records one asked by phone; readonly only reads', async () => {
    for (const [size, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      // Beatriz (readonly, English): the badges, no control.
      const ro = await newPage(options)
      await signIn(ro, BEATRIZ)
      await ro.goto(`${server.url}/contacts/${JOAO}`)
      await ro.getByTestId('badge-restricted').waitFor()
      assert.match(await ro.getByTestId('badge-restricted').innerText(), /Processing restricted since/)
      assert.match(await ro.getByTestId('badge-marketing').innerText(), /Objected to marketing/)
      assert.equal(await ro.getByTestId('privacy-choices').locator('details').count(), 0, 'readonly staff see no control')
      assert.equal(await ro.locator('form.composer').count(), 0, 'readonly staff get no form to log an interaction')
      assert.ok(await ro.getByTestId('privacy-choices').evaluate((el) => el.scrollWidth <= el.clientWidth), 'the badges fit their box')
      await shot(ro, `staff-readonly-en-${size}`)
      await noSidewaysScroll(ro, `the badges for readonly staff (${size})`)
      await ro.context().close()

      // Marina (manager, Portuguese): lifts it as asked by phone, then records it again.
      const page = await newPage(options)
      await signIn(page, MARINA)
      await page.goto(`${server.url}/contacts/${JOAO}`)
      const box = page.getByTestId('privacy-choices')
      await box.getByTestId('badge-restricted').waitFor()
      assert.match(await box.innerText(), /Tratamento restrito desde/)
      await box.locator('summary').click()
      await box.getByTestId('pchoices-source').selectOption('phone')
      const long = 'x'.repeat(1001)
      await box.getByTestId('pchoices-note').fill(long)
      await box.getByTestId('pchoices-submit').click()
      await box.locator('.field-error').waitFor()
      assert.equal(await box.getByTestId('pchoices-note').inputValue(), long, 'what was typed stays')
      await shot(page, `staff-bad-note-pt-BR-${size}`)
      assert.ok((await joao()).restricted_at, 'the refused lift changed nothing')

      await box.getByTestId('pchoices-note').fill('Ligou: pode voltar a usar os dados')
      await box.getByTestId('pchoices-submit').click()
      await box.getByTestId('badge-restricted').waitFor({ state: 'detached' })
      assert.equal((await joao()).restricted_at, '')
      await box.locator('summary').click()
      await box.getByTestId('pchoices-note').fill('Ligou pedindo a restrição até a disputa acabar')
      await box.getByTestId('pchoices-submit').click()
      await box.getByTestId('badge-restricted').waitFor()
      assert.match(await box.getByTestId('badge-restricted').innerText(), /pedido por telefone, registrado por Marina/)
      await box.scrollIntoViewIfNeeded()
      assert.ok(await box.evaluate((el) => el.scrollWidth <= el.clientWidth), 'the badges and the form fit their box')
      await shot(page, `staff-manager-pt-BR-${size}`)
      await noSidewaysScroll(page, `the badges for a writer (${size})`)
      await page.context().close()
    }
    const last = (await choices()).history[0]
    assert.equal(last.action, 'restricted')
    assert.equal(last.source, 'phone')
    assert.equal(last.recorded_by_name, 'Marina Duarte')
  })
})
