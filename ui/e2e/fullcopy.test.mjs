// Browser test of the full copy (issue 20, GDPR art. 15 and 20): João, a
// demo customer signed in to the portal, downloads a full copy of his data
// from /portal/data in Portuguese and then in English; the test opens the
// ZIP, reads its README (in his language, listing every file) and checks a
// section's JSON and CSV hold the same records, his own only. Screenshots
// of the page at desktop and phone size in both languages go to
// e2e/screenshots/fullcopy-*.png.
//
//   /work/e2e-run.sh fullcopy e2e/fullcopy.test.mjs
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { unzipSync, strFromU8 } from 'fflate'
import { browserKit, JOAO, JOAO_EMAIL, DESKTOP, PHONE } from './kit.mjs'
import { startSmtpSink, smtpEnv, signInByCode } from './portal-smtp.mjs'

const { start, stop, newPage, shot, noSidewaysScroll } = browserKit({
  prefix: 'fullcopy',
  consoleErrors: /Failed to load resource/,
  noPageErrors: true,
})
let server
let smtp

/** Signs João in to the portal with the code from his mail. */
const signInCustomer = (page) => signInByCode(page, server.url, smtp, JOAO_EMAIL)

/** Clicks the page's full copy button and returns the ZIP's files by name. */
async function downloadCopy(page, button) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()])
  assert.match(download.suggestedFilename(), /\.zip$/)
  const files = unzipSync(new Uint8Array(readFileSync(await download.path())))
  return Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, strFromU8(bytes)]))
}

/** Counts the records of a CSV file (its lines less the header; quoted line breaks stay inside their cell). */
function csvRecords(text) {
  let records = 0
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"') quoted = !quoted
    else if (text[i] === '\n' && !quoted) records++
  }
  return records - 1
}

describe('a full copy of my data', { timeout: 300000 }, () => {
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

  test('João downloads the ZIP in Portuguese, then in English; the README lists every file', async () => {
    const page = await newPage({ ...DESKTOP, storageState: state })
    await page.goto(`${server.url}/portal/data`)
    await page.getByRole('heading', { name: 'Uma cópia completa dos seus dados' }).waitFor()
    let files = await downloadCopy(page, 'Baixar uma cópia completa (ZIP)')

    const readme = files['README.txt']
    assert.ok(readme, 'the ZIP holds a README')
    assert.match(readme, /Seus dados mantidos por/)
    const listed = readme.split('\n').filter((l) => l.startsWith('- ')).map((l) => l.slice(2).split(' ')[0])
    for (const name of Object.keys(files)) assert.ok(listed.includes(name), `${name} is listed in the README`)
    for (const name of listed) assert.ok(name in files, `the README's ${name} is in the ZIP`)

    const contact = JSON.parse(files['contact.json'])
    assert.equal(contact.length, 1)
    assert.equal(contact[0].id, JOAO)
    assert.ok(contact[0].stage, 'the stage is in the copy')
    const timeline = JSON.parse(files['timeline.json'])
    assert.ok(timeline.length > 0, 'his history is in the copy')
    assert.ok(timeline.every((e) => e.contact === JOAO), 'only his own history')
    assert.equal(csvRecords(files['timeline.csv']), timeline.length, 'the CSV holds the same records as the JSON')
    const manifest = JSON.parse(files['manifest.json'])
    assert.equal(manifest.files.find((f) => f.file === 'timeline.json').rows, timeline.length)
    await shot(page, 'page-pt-desktop')
    await noSidewaysScroll(page, 'my data (pt-BR, desktop)')

    // In English: the page and the README follow his choice (the page speaks it at
    // once; the README follows his contact record once the choice is saved there).
    const kept = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes(`/api/collections/contacts/records/${JOAO}`))
    await page.locator('button[lang=en]').click()
    await page.getByRole('heading', { name: 'A full copy of your data' }).waitFor()
    await kept
    files = await downloadCopy(page, 'Download a full copy (ZIP)')
    assert.match(files['README.txt'], /Your data held by/)
    assert.match(files['README.txt'], /What is left out, and why/)
    await shot(page, 'page-en-desktop')
    await page.locator('button[lang="pt-BR"]').click()
    await page.getByRole('heading', { name: 'Uma cópia completa dos seus dados' }).waitFor()
    await page.context().close()
  })

  test('screenshots at phone size in both languages, nothing wider than the screen', async () => {
    for (const [lang, heading] of [['en', 'A full copy of your data'], ['pt-BR', 'Uma cópia completa dos seus dados']]) {
      const page = await newPage({ ...PHONE, storageState: state })
      await page.goto(`${server.url}/portal/data`)
      await page.locator('main h1').waitFor()
      await page.evaluate(async (l) => {
        const b = document.querySelector(`button[lang="${l}"]`)
        if (b && b.getAttribute('aria-pressed') !== 'true') b.click()
      }, lang)
      await page.getByRole('heading', { name: heading }).waitFor()
      await shot(page, `page-${lang === 'en' ? 'en' : 'pt'}-phone`, { fullPage: true })
      await noSidewaysScroll(page, `my data (${lang}, phone)`)
      await page.context().close()
    }
  })
})
