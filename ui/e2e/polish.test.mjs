// Browser tests of loose ends of the workspace's week: an archived pipeline
// is offered neither on the deals board nor in the new-deal form (its deals
// stay); a task is made from a request's page and from a deal's page, about
// that record and its customer; readonly staff see no New task there.
// Screenshots at desktop and phone size go to e2e/screenshots/polish-*.png.
//
//   /work/e2e-run.sh polish e2e/polish.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { apiToken, api } from './server.mjs'
import { browserKit, DESKTOP, PHONE, RAFAEL, MARINA, BEATRIZ } from './kit.mjs'

const SIZES = [['desktop', DESKTOP], ['phone', PHONE]]
const { start, stop, newPage, signIn, shot, noSidewaysScroll } = browserKit({ prefix: 'polish', consoleErrors: true, noPageErrors: true })
let server

const q = (filter) => encodeURIComponent(filter)

describe('loose ends of the week in Chromium', { timeout: 300000 }, () => {
  let token // Rafael's
  let manager // Marina's

  before(async () => {
    server = await start()
    token = await apiToken(server.url, RAFAEL)
    manager = await apiToken(server.url, MARINA)
  })

  after(async () => {
    await stop()
  })

  test('an archived pipeline is offered neither on the board nor in the new-deal form', async () => {
    const pipelines = (await api(server.url, token, '/api/collections/pipelines/records?sort=position,name')).items
    assert.ok(pipelines.length >= 2, 'the demo has two pipelines')
    const [kept, archived] = pipelines
    await api(server.url, manager, `/api/collections/pipelines/records/${archived.id}`, { method: 'PATCH', body: { archived: true } })
    const deals = await api(server.url, token, `/api/collections/deals/records?perPage=1&filter=${q(`pipeline="${archived.id}"`)}`)
    assert.ok(deals.totalItems > 0, 'the archived pipeline keeps its deals')

    for (const [size, options] of SIZES) {
      const page = await newPage(options)
      await signIn(page, RAFAEL)
      await page.goto(`${server.url}/deals`)
      await page.locator('[data-stage]').first().waitFor()
      const offered = await page.locator('#pipeline-select option').allTextContents()
      assert.deepEqual(offered, pipelines.filter((p) => p.id !== archived.id).map((p) => p.name))
      assert.equal(await page.locator('#pipeline-select').inputValue(), kept.id)
      assert.equal(await page.getByTestId('archived-pipeline').count(), 0)

      await page.locator('[data-stage] .new-deal').first().click()
      const dialog = page.locator('dialog.new-deal-dialog[open]')
      await dialog.waitFor()
      const choose = dialog.locator('select[id$="-pipeline"]')
      await choose.locator('option').first().waitFor({ state: 'attached' })
      const inForm = await choose.locator('option').evaluateAll((els) => els.map((e) => e.value))
      assert.ok(inForm.includes(kept.id), 'the pipeline in use is offered')
      assert.ok(!inForm.includes(archived.id), 'the archived pipeline is not offered for a new deal')
      await shot(page, `new-deal-${size}`)
      await noSidewaysScroll(page, `the new-deal form (${size})`)
      await page.context().close()
    }
    await api(server.url, manager, `/api/collections/pipelines/records/${archived.id}`, { method: 'PATCH', body: { archived: false } })
  })

  test('a task from a request’s page and from a deal’s page is about that record and its customer', async () => {
    const cases = (await api(server.url, token, `/api/collections/cases/records?perPage=1&sort=created&filter=${q("contact != ''")}`)).items
    const deals = (await api(server.url, token, `/api/collections/deals/records?perPage=1&sort=created&filter=${q("contact != '' && company != ''")}`)).items
    assert.equal(cases.length, 1)
    assert.equal(deals.length, 1)
    const places = [
      { what: 'request', url: `/cases/${cases[0].id}`, field: 'case', record: cases[0], ready: '#case-status', about: 'Sobre esta solicitação.' },
      { what: 'deal', url: `/deals/${deals[0].id}`, field: 'deal', record: deals[0], ready: '[data-testid="deal-hero"]', about: 'Sobre este negócio.' },
    ]
    for (const place of places) {
      for (const [size, options] of SIZES) {
        const page = await newPage(options)
        await signIn(page, RAFAEL)
        await page.goto(`${server.url}${place.url}`)
        await page.locator(place.ready).waitFor()
        await page.locator('button.new-task').click()
        const dialog = page.locator('dialog.record-dialog[open]')
        await dialog.waitFor()
        const title = `Ligar de volta (${place.what}, ${size})`
        await dialog.locator('input[id$="-title-input"]').fill(title)
        assert.equal((await dialog.locator('.concerns').textContent()).trim(), place.about, 'the form says what the task is about')
        await shot(page, `task-${place.what}-${size}`)
        await noSidewaysScroll(page, `the task form on a ${place.what}'s page (${size})`)
        await dialog.locator('button[type=submit]').click()
        await dialog.waitFor({ state: 'hidden' })
        const made = await api(server.url, token, `/api/collections/tasks/records?filter=${q(`title="${title}"`)}`)
        assert.equal(made.items.length, 1, `the task from the ${place.what}'s page was saved`)
        const task = made.items[0]
        assert.equal(task[place.field], place.record.id, `the task is about the ${place.what}`)
        assert.equal(task.contact, place.record.contact, `the task names the ${place.what}'s contact`)
        if (place.record.company) assert.equal(task.company, place.record.company, `the task names the ${place.what}'s company`)
        assert.ok(task.assignee, 'assigned (to me unless changed)')
        await page.context().close()
      }
    }

    // Readonly staff see the pages without New task.
    const page = await newPage(DESKTOP)
    await signIn(page, BEATRIZ)
    for (const place of places) {
      await page.goto(`${server.url}${place.url}`)
      await page.locator(place.ready).waitFor()
      assert.equal(await page.locator('button.new-task').count(), 0, `readonly sees New task on a ${place.what}'s page`)
    }
    await page.context().close()
  })
})
