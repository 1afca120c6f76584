// Browser test of a campaign on the demo: a segment with a purchase
// condition, a campaign written to it (a bad variable refused beside its
// field, what was typed kept), its preview from the outbox's own rules, the
// send, and the results; sending again queues nothing. Screenshots at
// desktop and phone size go to e2e/screenshots/campaigns-*.png.
//
//   /work/e2e-run.sh campaigns e2e/campaigns.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { apiToken, api, request } from './server.mjs'
import { browserKit, holdAnswers, DESKTOP, PHONE, MARINA, BEATRIZ } from './kit.mjs'

const { start, stop, newPage, signIn, shot, noSidewaysScroll } = browserKit({ prefix: 'campaigns', consoleErrors: /status of 400/, noPageErrors: true, timeout: 20000 })
let server

describe('a campaign in Chromium', { timeout: 300000 }, () => {
  let token // Marina's (manager)
  let segment
  let members

  before(async () => {
    server = await start()
    token = await apiToken(server.url, MARINA)
    const definition = { match: 'all', conditions: [{ kind: 'bought', op: 'bought', days: 365 }] }
    segment = await api(server.url, token, '/api/collections/segments/records', {
      method: 'POST', body: { name: 'Compraram no último ano', definition, proposition: 'Frete grátis na próxima compra' },
    })
    members = (await api(server.url, token, '/api/crm/segments/count', { method: 'POST', body: { definition } })).count
    assert.ok(members > 0, 'the demo has buyers in the last year')
  })

  after(async () => {
    await stop()
  })

  test('write, preview, send and see the results', async () => {
    const page = await newPage(DESKTOP)
    await signIn(page, MARINA)
    await page.goto(`${server.url}/campaigns`)
    // The segments are held: what is typed before they come stays.
    const release = await holdAnswers(page, '/api/collections/segments/records')
    await page.locator('a[href="/campaigns/new"]').click()
    await page.locator('#cp-name').fill('Frete grátis')
    release()
    await page.locator('#cp-segment').selectOption(segment.id)
    assert.equal(await page.locator('#cp-name').inputValue(), 'Frete grátis', 'the name typed while the segments loaded stays')
    await page.locator('#cp-subject_pt_br').fill('Frete grátis para você, {{contact.first_name}}')
    const bad = 'Olá {{contact.shoe_size}}, frete grátis nesta semana.'
    await page.locator('#cp-body_pt_br').fill(bad)
    await page.locator('form button[type=submit]').click()
    const err = page.locator('#cp-body_pt_br-err')
    await err.waitFor()
    assert.match(await err.textContent(), /contact\.shoe_size/)
    assert.equal(await page.locator('#cp-body_pt_br').inputValue(), bad, 'what was typed stays')
    await shot(page, 'bad-variable-desktop')

    await page.locator('#cp-body_pt_br').fill('Olá {{contact.first_name}}, frete grátis nesta semana em {{business.name}}.')
    await page.locator('#cp-subject_en').fill('Free delivery for you, {{contact.first_name}}')
    await page.locator('#cp-body_en').fill('Hello {{contact.first_name}}, free delivery this week.')
    await page.locator('#cp-window').fill('14')
    await page.locator('form button[type=submit]').click()
    await page.waitForURL(/\/campaigns\/[a-z0-9]{15}$/)
    const id = page.url().split('/').pop()
    const preview = page.getByTestId('campaign-preview')
    await preview.waitFor()

    // The page shows what the server's preview says, and it adds up to the segment.
    const p = await api(server.url, token, `/api/crm/campaigns/${id}/preview`)
    assert.equal(p.members, members)
    const s = p.by_state
    assert.equal(s.queued + s.waiting + s.refused + s.failed, members, 'every member is now, later or never')
    const shown = async (tid) => Number((await page.getByTestId(tid).textContent()).replace(/\D/g, ''))
    assert.equal(await shown('preview-now'), s.queued)
    assert.equal(await shown('preview-later'), s.waiting)
    assert.equal(await shown('preview-never'), s.refused + s.failed)
    assert.ok(await page.getByTestId('preview-reasons').locator('li').count() >= 1, 'the reasons are listed')
    await shot(page, 'editor-preview-desktop', { fullPage: true })
    await noSidewaysScroll(page, 'the campaign editor with its preview (desktop)')

    const phone = await newPage(PHONE)
    await signIn(phone, MARINA)
    await phone.goto(`${server.url}/campaigns/${id}`)
    await phone.getByTestId('campaign-preview').waitFor()
    await shot(phone, 'editor-preview-phone', { fullPage: true })
    await noSidewaysScroll(phone, 'the campaign editor with its preview (phone)')

    page.once('dialog', (d) => d.accept())
    await page.getByTestId('campaign-send').click()
    await page.getByTestId('campaign-results').waitFor()
    await page.getByTestId('campaign-state').filter({ hasText: /Enviada|Sent/ }).waitFor({ timeout: 60000 })
    const r = await api(server.url, token, `/api/crm/campaigns/${id}/results`)
    assert.equal(r.state, 'sent')
    assert.equal(r.messages, members, 'one message per member')
    assert.equal(r.window_days, 14)
    await page.getByTestId('results-reasons').waitFor()
    await shot(page, 'results-desktop', { fullPage: true })
    await noSidewaysScroll(page, 'the results (desktop)')

    await phone.goto(`${server.url}/campaigns/${id}`)
    await phone.getByTestId('campaign-results').waitFor()
    await shot(phone, 'results-phone', { fullPage: true })
    await noSidewaysScroll(phone, 'the results (phone)')

    // Sending again queues nothing new.
    const again = await request(server.url, token, `/api/crm/campaigns/${id}/send`, { method: 'POST' })
    assert.equal(again.status, 200)
    const rows = await api(server.url, token, `/api/collections/outbox/records?perPage=1&filter=${encodeURIComponent(`campaign="${id}"`)}`)
    assert.equal(rows.totalItems, members)

    // The list shows it sent; readonly staff get no way to write one.
    await page.goto(`${server.url}/campaigns`)
    await page.getByTestId('campaign-list').locator('tr', { hasText: 'Frete grátis' }).waitFor()
    const ro = await newPage(DESKTOP)
    await signIn(ro, BEATRIZ)
    await ro.goto(`${server.url}/campaigns/${id}`)
    await ro.getByTestId('campaign-results').waitFor()
    assert.equal(await ro.locator('a[href="/campaigns/new"], [data-testid=campaign-send], form button[type=submit]').count(), 0)
    const roToken = await apiToken(server.url, BEATRIZ)
    assert.equal((await request(server.url, roToken, `/api/crm/campaigns/${id}/send`, { method: 'POST' })).status, 403)
    await page.context().close()
    await phone.context().close()
    await ro.context().close()
  })
})
