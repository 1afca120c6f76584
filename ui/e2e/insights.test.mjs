// Browser tests of the Insights area with the demo business: each board
// shows the figures the API gives (value, previous value, count, chart and
// its numbers), a click on a number lands on the records behind it (the
// API's own list, with links to each record and the CSV), the period switch
// changes the address and the values (a reload keeps them), a filter, and a
// custom period the server refuses shows its words beside the field.
// Screenshots of every board and the records page at desktop and phone size
// go to e2e/screenshots/insightsui-*.png.
//
//   /work/e2e-run.sh insightsui e2e/insights.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { apiToken, api, request } from './server.mjs'
import { browserKit, DESKTOP, PHONE, MARINA, BEATRIZ } from './kit.mjs'

const { start, stop, newPage, signIn, shot, noSidewaysScroll } = browserKit({ prefix: 'insightsui', consoleErrors: /status of 400/, noPageErrors: true })
let server
let token // Marina's (a manager; she reads the workspace in Portuguese)

const BOARDS = ['sales', 'service', 'customers', 'team']
/** The demo business has data this year in every board. */
const YEAR = 'period=this_year'

/** Text with Intl's no-break spaces as plain ones. */
const plain = (s) => String(s).replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim()

/** A figure's headline as the page must word it (in the reader's language, the business's currency). */
function worded(value, unit, currency, lang) {
  const n = value ?? 0
  const f = {
    money: { style: 'currency', currency },
    percent: { style: 'percent', maximumFractionDigits: 1 },
    hours: { style: 'unit', unit: 'hour', unitDisplay: 'short', maximumFractionDigits: 1 },
    days: { style: 'unit', unit: 'day', unitDisplay: 'long', maximumFractionDigits: 1 },
    score: { maximumFractionDigits: 1 },
    count: { maximumFractionDigits: 0 },
  }[unit]
  return plain(new Intl.NumberFormat(lang, f).format(unit === 'percent' ? n / 100 : n))
}

/** The figures a board shows: key, headline and the count in its line under it. */
async function shown(page) {
  return page.locator('article.figure').evaluateAll((els) => els.map((el) => ({
    key: el.dataset.figure,
    value: el.querySelector('[data-testid=figure-value]').textContent,
    previous: el.querySelector('[data-testid=figure-previous]').textContent,
    empty: Boolean(el.querySelector('[data-testid=figure-empty]')),
    canvas: Boolean(el.querySelector('canvas')),
    table: Boolean(el.querySelector('[data-testid=figure-table]')),
    numbers: el.querySelectorAll('[data-testid=figure-numbers] tbody tr').length,
  })))
}

/** The board as the page shows it agrees with the API's answer. */
async function sameAsAPI(page, answer, lang = 'pt-BR') {
  const records = lang === 'en' ? 'records' : 'registros'
  await page.waitForFunction((keys) => {
    const els = [...document.querySelectorAll('article.figure')]
    return els.length === keys.length && els.every((el, i) => el.dataset.figure === keys[i])
  }, answer.figures.map((f) => f.key))
  // Chart.js arrives on its own chunk: wait for every chart.
  await page.waitForFunction((n) => document.querySelectorAll('article.figure canvas').length === n, answer.figures.filter((f) => f.series?.length).length)
  // A switch of period keeps the same figures: wait until the page shows this answer's values.
  const want = answer.figures.map((f) => worded(f.value, f.unit, answer.currency, lang))
  await page.waitForFunction((want) => {
    const plain = (s) => String(s).replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim()
    const els = [...document.querySelectorAll('article.figure [data-testid=figure-value]')]
    return els.length === want.length && els.every((el, i) => plain(el.textContent) === want[i])
  }, want, { timeout: 10000 }).catch(() => {}) // on a mismatch the assertions below name the figure
  const figs = await shown(page)
  assert.deepEqual(figs.map((f) => f.key), answer.figures.map((f) => f.key), 'the API’s figures, in its order')
  for (const [i, f] of answer.figures.entries()) {
    const on = figs[i]
    assert.equal(plain(on.value), worded(f.value, f.unit, answer.currency, lang), `${f.key}: the value`)
    assert.match(plain(on.previous), new RegExp(`\\b${f.count} ${records}`), `${f.key}: the count`)
    if (f.previous !== null) assert.ok(plain(on.previous).includes(worded(f.previous, f.unit, answer.currency, lang)), `${f.key}: the previous value`)
    assert.equal(on.empty, !f.count && !f.value, `${f.key}: says so when there is no data`)
    if (f.series?.length) {
      assert.equal(on.numbers, f.series.length, `${f.key}: every point of the chart is in its table`)
      assert.ok(on.canvas, `${f.key}: drawn`)
    }
    if (f.table && !f.series?.length) assert.ok(on.table, `${f.key}: shown as a table`)
  }
}

describe('Insights in Chromium', { timeout: 300000 }, () => {
  before(async () => {
    server = await start()
    token = await apiToken(server.url, MARINA)
  })

  after(async () => {
    await stop()
  })

  test('each board shows the figures the API gives, at desktop and phone size', async () => {
    const meta = await api(server.url, token, '/api/crm/insights')
    assert.deepEqual(meta.boards, BOARDS)
    for (const [size, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      const page = await newPage(options)
      await signIn(page, MARINA)
      // /insights is the Sales board, this month.
      await page.goto(`${server.url}/insights`)
      await page.locator('nav.tabs a[aria-current=page][data-board=sales]').waitFor()
      await sameAsAPI(page, await api(server.url, token, '/api/crm/insights/sales'))

      for (const board of BOARDS) {
        const answer = await api(server.url, token, `/api/crm/insights/${board}?${YEAR}`)
        assert.deepEqual(answer.figures.map((f) => f.key), meta.figures[board].map((f) => f.key))
        await page.locator(`nav.tabs a[data-board=${board}]`).click()
        await page.waitForURL(`**/insights/${board}*`)
        if (board === 'sales') {
          await page.locator('#ins-period').selectOption('this_year')
          await page.waitForURL(`**/insights/sales?${YEAR}`)
        }
        assert.ok(page.url().includes(YEAR), `the tab keeps the period: ${page.url()}`)
        await sameAsAPI(page, answer)
        // Every chart drawn has a size, within the screen.
        await page.locator('article.figure canvas').first().waitFor()
        const boxes = await page.locator('article.figure canvas').evaluateAll((els) => els.map((c) => c.getBoundingClientRect().width))
        assert.ok(boxes.every((w) => w > 100 && w <= options.viewport.width), `${board}: charts fit the screen (${boxes})`)
        // Managers have the objective dialog beside each figure.
        assert.equal(await page.locator('article.figure .objective').count(), answer.figures.length)
        // A table figure (the retention cohorts) is a shaded table; a chart's numbers open under it.
        for (const f of answer.figures.filter((x) => x.table && !x.series?.length)) {
          assert.ok(await page.locator(`article[data-figure=${f.key}] td[style*=background]`).count() > 0, `${f.key}: shaded cells`)
        }
        const stacked = answer.figures.find((f) => f.series?.some((p) => p.parts && 'churn' in p.parts))
        if (board === 'customers') assert.ok(stacked, 'MRR with its movements')
        if (size === 'desktop' && stacked) {
          const card = page.locator(`article[data-figure=${stacked.key}]`)
          await card.locator('details summary').click()
          await card.locator('[data-testid=figure-numbers]').waitFor()
          await card.scrollIntoViewIfNeeded()
          await shot(page, `${board}-numbers-${size}`)
        }
        await noSidewaysScroll(page, `the ${board} board (${size})`)
        await shot(page, `${board}-${size}`, { fullPage: size === 'desktop' })
        if (size === 'phone') {
          await shot(page, `${board}-${size}-full`, { fullPage: true })
          // A figure further down, as a phone shows it.
          await page.locator('article.figure').nth(Math.min(answer.figures.length - 1, board === 'customers' ? 4 : 2)).scrollIntoViewIfNeeded()
          await shot(page, `${board}-${size}-scrolled`)
        }
      }
      await page.context().close()
    }
  })

  test('a click on a number lands on the records behind it, with their links and CSV', async () => {
    const answer = await api(server.url, token, `/api/crm/insights/sales?${YEAR}`)
    const fig = answer.figures.find((f) => f.count > 0)
    assert.ok(fig, 'the demo business has a sales figure with records this year')
    const { records } = await api(server.url, token, `/api/crm/insights/sales/${fig.key}/records?${YEAR}`)
    assert.ok(records.length > 0)
    for (const [size, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      const page = await newPage({ ...options, acceptDownloads: true })
      await signIn(page, MARINA)
      await page.goto(`${server.url}/insights/sales?${YEAR}`)
      await page.locator(`article[data-figure=${fig.key}] [data-testid=figure-value]`).click()
      await page.waitForURL(`**/insights/sales/${fig.key}?${YEAR}`)
      const rows = page.getByTestId('insight-record')
      await rows.nth(records.length - 1).waitFor()
      const listed = await rows.evaluateAll((els) => els.map((el) => ({
        collection: el.dataset.collection, id: el.dataset.id, href: el.querySelector('a')?.getAttribute('href') ?? '',
      })))
      assert.deepEqual(listed.map((r) => [r.collection, r.id]), records.map((r) => [r.collection, r.id]), 'the API’s records, in its order')
      for (const r of listed) {
        if (r.collection === 'deals') assert.equal(r.href, `/deals/${r.id}`)
      }
      await noSidewaysScroll(page, `the records page (${size})`)
      await shot(page, `records-${size}`, { fullPage: size === 'desktop' })

      if (size === 'desktop') {
        // The CSV: the same records, with the session's token in a header.
        const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('records-csv').click()])
        assert.match(download.suggestedFilename(), new RegExp(`^sales-${fig.key}-.*\\.csv$`))
        const text = await (await import('node:fs/promises')).readFile(await download.path(), 'utf8')
        const lines = text.trim().split(/\r?\n/)
        assert.equal(lines[0], 'collection,id,title,value,currency,when,detail')
        assert.equal(lines.length - 1, records.length)
        // A record's link opens its page; back to the board keeps the period.
        const first = listed.find((r) => r.href)
        await page.locator(`[data-testid=insight-record][data-id="${first.id}"] a`).click()
        await page.waitForURL(`**${first.href}`)
        await page.goBack()
        await page.getByTestId('records-back').click()
        await page.waitForURL(`**/insights/sales?${YEAR}`)
      }
      await page.context().close()
    }
  })

  test('the period switch changes the address and the values; a reload keeps them; a filter applies', async () => {
    const year = await api(server.url, token, `/api/crm/insights/service?${YEAR}`)
    const month = await api(server.url, token, '/api/crm/insights/service?period=last_month')
    assert.notDeepEqual(year.figures.map((f) => f.count), month.figures.map((f) => f.count), 'the two periods differ in the demo data')
    const page = await newPage(DESKTOP)
    await signIn(page, MARINA)
    await page.goto(`${server.url}/insights/service?${YEAR}`)
    await sameAsAPI(page, year)
    await page.locator('#ins-period').selectOption('last_month')
    await page.waitForURL('**/insights/service?period=last_month')
    await sameAsAPI(page, month)
    const range = await page.getByTestId('period-range').textContent()
    await page.reload()
    assert.equal(await page.locator('#ins-period').inputValue(), 'last_month')
    await sameAsAPI(page, month)
    assert.equal(await page.getByTestId('period-range').textContent(), range)

    // A filter the service figures honour: the request type.
    const types = await api(server.url, token, '/api/collections/case_types/records?sort=name&fields=id,name')
    const type = types.items[0]
    await page.locator('#ins-type option', { hasText: type.name }).waitFor({ state: 'attached' })
    await page.locator('#ins-type').selectOption(type.id)
    await page.waitForURL(`**/insights/service?period=last_month&type=${type.id}`)
    const filtered = await api(server.url, token, `/api/crm/insights/service?period=last_month&type=${type.id}`)
    await sameAsAPI(page, filtered)
    assert.ok(filtered.figures.every((f) => f.applied.includes('type')))

    // The Sales tab keeps the period and drops the request type (no sales figure honours it); an owner applies.
    await page.locator('nav.tabs a[data-board=sales]').click()
    await page.waitForURL('**/insights/sales?period=last_month')
    const rafael = (await api(server.url, token, `/api/collections/staff/records?filter=${encodeURIComponent('name~"Rafael"')}`)).items[0]
    await page.locator('#ins-owner option', { hasText: rafael.name }).waitFor({ state: 'attached' })
    await page.locator('#ins-owner').selectOption(rafael.id)
    await page.waitForURL(`**/insights/sales?period=last_month&owner=${rafael.id}`)
    await sameAsAPI(page, await api(server.url, token, `/api/crm/insights/sales?period=last_month&owner=${rafael.id}`))

    // A period without data (years before the demo business's history): zeros, and the page says so.
    const OLD = 'period=custom&from=2001-01-01&to=2001-12-31'
    const empty = await api(server.url, token, `/api/crm/insights/sales?${OLD}&owner=${rafael.id}`)
    assert.equal(empty.empty, true, 'the demo business sold nothing in 2001')
    await page.goto(`${server.url}/insights/sales?${OLD}&owner=${rafael.id}`)
    await page.getByTestId('board-empty').waitFor()
    await sameAsAPI(page, empty)
    assert.equal(await page.getByTestId('figure-empty').count(), empty.figures.length, 'every figure says there is no data')
    await shot(page, 'empty-desktop')
    await page.context().close()
  })

  test('a custom period the server refuses: its words beside the field, what was typed kept', async () => {
    const res = await request(server.url, token, '/api/crm/insights/sales?period=custom&from=2026-03-10&to=2026-03-01')
    assert.equal(res.status, 400)
    assert.ok(res.json.data.to, 'the 400 names to')
    for (const [size, options, who, words] of [
      ['desktop', DESKTOP, MARINA, 'O período termina antes de começar.'],
      ['phone', PHONE, BEATRIZ, 'The period ends before it starts.'],
    ]) {
      const page = await newPage(options)
      await signIn(page, who)
      await page.goto(`${server.url}/insights/sales`)
      await page.locator('article.figure').first().waitFor()
      await page.locator('#ins-period').selectOption('custom')
      await page.locator('#ins-from').fill('2026-03-10')
      await page.locator('#ins-to').fill('2026-03-01')
      await page.locator('.filter-bar button[type=submit]').click()
      await page.waitForURL('**/insights/sales?period=custom&from=2026-03-10&to=2026-03-01')
      await page.locator('#ins-to-error').waitFor()
      assert.equal(await page.locator('#ins-to-error').textContent(), words)
      assert.equal(await page.locator('#ins-to').getAttribute('aria-invalid'), 'true')
      assert.equal(await page.locator('#ins-from').inputValue(), '2026-03-10')
      assert.equal(await page.locator('#ins-to').inputValue(), '2026-03-01')
      assert.equal(await page.locator('article.figure').count(), 0, 'no numbers for a period that is not one')
      await noSidewaysScroll(page, `the refused period (${size})`)
      await shot(page, `custom-error-${size}`)
      // Fixed: the numbers of those days.
      await page.locator('#ins-to').fill('2026-03-31')
      await page.locator('.filter-bar button[type=submit]').click()
      await page.waitForURL('**/insights/sales?period=custom&from=2026-03-10&to=2026-03-31')
      await page.locator('#ins-to-error').waitFor({ state: 'detached' })
      await sameAsAPI(page, await api(server.url, token, '/api/crm/insights/sales?period=custom&from=2026-03-10&to=2026-03-31'), who === BEATRIZ ? 'en' : 'pt-BR')
      // Readonly staff see no objective controls.
      if (who === BEATRIZ) assert.equal(await page.locator('article.figure .objective').count(), 0)
      await page.context().close()
    }
  })
})
