import { describe, it, expect, vi } from 'vitest'
import PocketBase from 'pocketbase'
import { ImportWizard, detectColumns, guessMapping, progressOf, summaryOf, errorsOf, isFinished, isVCard, importForm } from './importer.svelte.js'
import { messages } from './i18n.js'

// A stand-in for the SDK: send() starts jobs; subscribe() hands the test a
// function that pushes realtime events; getOne() answers the job as stored.
function fakePb({ stored = {} } = {}) {
  const real = new PocketBase('http://127.0.0.1:1')
  const listeners = {}
  const sent = []
  let next = 1
  const pb = {
    sent,
    stored,
    listeners,
    unsubscribed: 0,
    filter: real.filter.bind(real),
    buildURL: (p) => 'http://127.0.0.1:1' + p,
    authStore: { token: 'TOKEN' },
    send: vi.fn(async (path, opts) => {
      sent.push([path, opts])
      const id = `job${next++}`
      stored[id] = { id, status: 'queued', total_rows: 0, processed_rows: 0 }
      return { job: id }
    }),
    collection: (name) => ({
      subscribe: async (id, cb) => {
        listeners[id] = cb
        return async () => {
          pb.unsubscribed++
          delete listeners[id]
        }
      },
      getOne: async (id) => stored[id],
      getFullList: async () => (name === 'import_presets' ? [{ id: 'p1', name: 'HubSpot', kind: 'contacts', mapping: { 'E-mail Address': 'email', 'First': 'name' } }] : []),
      create: async (body) => ({ id: 'p2', ...body }),
    }),
    push(id, job) {
      stored[id] = job
      listeners[id]?.({ action: 'update', record: job })
    },
  }
  return pb
}

const file = (text, name = 'people.csv') => new File([text], name, { type: 'text/csv' })
const tick = () => new Promise((r) => setTimeout(r, 0))

describe('import helpers', () => {
  it('reads the columns of a CSV header whatever the delimiter, BOM and quotes', () => {
    expect(detectColumns('\uFEFFName,Email,Phone\r\nAna,a@x,1')).toEqual(['Name', 'Email', 'Phone'])
    expect(detectColumns('Nome;E-mail;Empresa\nJoão;j@x;"ACME, Ltda"')).toEqual(['Nome', 'E-mail', 'Empresa'])
    expect(detectColumns('"Full name","Job, title",x\n')).toEqual(['Full name', 'Job, title', 'x'])
    expect(detectColumns('a\tb\tc')).toEqual(['a', 'b', 'c'])
    expect(detectColumns('"say ""hi""",b')).toEqual(['say "hi"', 'b'])
    expect(detectColumns('')).toEqual([])
  })

  it('guesses a mapping by column name in English and Portuguese, each field once', () => {
    expect(guessMapping(['Nome', 'E-mail', 'Celular', 'Empresa', 'Notes'])).toEqual({ Nome: 'name', 'E-mail': 'email', Celular: 'mobile', Empresa: 'company', Notes: '' })
    expect(guessMapping(['Name', 'Full name'])).toEqual({ Name: 'name', 'Full name': '' })
    expect(guessMapping(['Company name', 'Website'], 'companies')).toEqual({ 'Company name': 'name', Website: 'domain' })
  })

  it('measures progress and reads a report', () => {
    expect(progressOf(null)).toBe(0)
    expect(progressOf({ status: 'running', total_rows: 0, processed_rows: 0 })).toBe(0)
    expect(progressOf({ status: 'running', total_rows: 3, processed_rows: 1 })).toBe(33)
    expect(progressOf({ status: 'running', total_rows: 3, processed_rows: 9 })).toBe(100)
    expect(progressOf({ status: 'done', total_rows: 0 })).toBe(100)
    expect(isFinished({ status: 'failed' })).toBe(true)
    expect(isFinished({ status: 'running' })).toBe(false)
    const job = { total_rows: 5, rows_created: 2, rows_updated: 1, rows_duplicate: 1, rows_error: 1, report: { errors: [{ line: 4, field: 'email', reason: 'not an email' }] } }
    expect(summaryOf(job)).toMatchObject({ total: 5, created: 2, updated: 1, duplicates: 1, errors: 1, skipped: 0 })
    expect(errorsOf(job)).toEqual([{ line: 4, field: 'email', reason: 'not an email' }])
    expect(errorsOf({ report: null })).toEqual([])
    expect(isVCard('a.VCF')).toBe(true)
    expect(isVCard('a.txt', 'BEGIN:VCARD\r\n')).toBe(true)
    expect(isVCard('a.csv', 'name')).toBe(false)
  })

  it('sends only the mapped columns', () => {
    const form = importForm({ file: file('x'), kind: 'contacts', mode: 'dry_run', onDuplicate: 'fill', mapping: { A: 'name', B: '' }, preset: '' })
    expect(form.get('kind')).toBe('contacts')
    expect(form.get('mode')).toBe('dry_run')
    expect(form.get('on_duplicate')).toBe('fill')
    expect(JSON.parse(form.get('mapping'))).toEqual({ A: 'name' })
    expect(form.has('preset')).toBe(false)
    expect(form.get('file')).toBeInstanceOf(Blob)
  })

  it('has every message of the wizard in both languages', () => {
    const keys = Object.keys(messages.en).filter((k) => /^(import|merge|export)\./.test(k))
    expect(keys.length).toBeGreaterThan(30)
    for (const k of keys) expect(messages['pt-BR'][k], k).toBeTruthy()
  })
})

describe('import wizard', () => {
  it('maps the file, runs a dry run, then the import, following each job live', async () => {
    const pb = fakePb()
    const w = new ImportWizard(pb)
    await w.loadPresets()
    expect(w.presets.map((p) => p.id)).toEqual(['p1'])
    await w.setFile(file('Name,E-mail Address,Notes\nAna,a@x.test,hi\n'))
    expect(w.columns).toEqual(['Name', 'E-mail Address', 'Notes'])
    expect(w.mapping).toEqual({ Name: 'name', 'E-mail Address': 'email', Notes: '' })
    expect(w.canDryRun).toBe(true)
    w.setField('Notes', 'responsibilities')
    w.onDuplicate = 'fill'

    const dry = w.dryRun()
    await tick()
    await tick()
    expect(w.step).toBe('review')
    const [path, opts] = pb.sent[0]
    expect(path).toBe('/api/crm/import')
    expect(opts.method).toBe('POST')
    expect(opts.body.get('mode')).toBe('dry_run')
    expect(JSON.parse(opts.body.get('mapping'))).toEqual({ Name: 'name', 'E-mail Address': 'email', Notes: 'responsibilities' })
    pb.push('job1', { id: 'job1', status: 'running', total_rows: 1, processed_rows: 0 })
    expect(w.dryJob.status).toBe('running')
    pb.push('job1', { id: 'job1', status: 'done', total_rows: 1, processed_rows: 1, rows_created: 1, report: { errors: [] } })
    const dryJob = await dry
    expect(dryJob.rows_created).toBe(1)
    expect(w.busy).toBe(false)
    expect(pb.unsubscribed).toBe(1)

    w.mode = 'valid_only'
    const run = w.run()
    await tick()
    await tick()
    expect(w.step).toBe('running')
    expect(pb.sent[1][1].body.get('mode')).toBe('valid_only')
    expect(w.progress).toBe(0)
    pb.push('job2', { id: 'job2', status: 'running', total_rows: 4, processed_rows: 2 })
    expect(w.progress).toBe(50)
    pb.push('job2', { id: 'job2', status: 'done', total_rows: 4, processed_rows: 4, rows_created: 4 })
    await run
    expect(w.step).toBe('done')
    expect(w.progress).toBe(100)
    expect(w.errorsPath(w.job)).toBe('/api/crm/import/job2/errors.csv')
  })

  it('sees a job that finished before the subscription began', async () => {
    const pb = fakePb()
    const w = new ImportWizard(pb)
    pb.send.mockImplementationOnce(async () => {
      pb.stored.fast = { id: 'fast', status: 'done', total_rows: 2, processed_rows: 2, rows_created: 2 }
      return { job: 'fast' }
    })
    await w.setFile(file('name\nA\nB\n'))
    const job = await w.dryRun()
    expect(job.status).toBe('done')
    expect(w.dryJob.rows_created).toBe(2)
  })

  it('applies a saved preset to the columns of the file', async () => {
    const pb = fakePb()
    const w = new ImportWizard(pb)
    await w.loadPresets()
    await w.setFile(file('First,E-mail Address,Other\n'))
    w.applyPreset('p1')
    expect(w.mapping).toEqual({ First: 'name', 'E-mail Address': 'email', Other: '' })
    const saved = await w.savePreset('Mine', 'st1')
    expect(saved).toMatchObject({ name: 'Mine', kind: 'contacts', mapping: { First: 'name', 'E-mail Address': 'email' }, staff: 'st1' })
    expect(w.preset).toBe('p2')
  })

  it("guesses the business's own fields again when they arrive after the file, leaving the reader's choices", async () => {
    let custom = []
    const w = new ImportWizard(fakePb(), () => custom)
    await w.setFile(file('Nome,Tamanho do calçado,Bairro\n'))
    expect(w.mapping).toEqual({ Nome: 'name', 'Tamanho do calçado': '', Bairro: '' })
    w.setField('Bairro', '')
    custom = [
      { name: 'cf_shoe_size', label: 'Shoe size', labels: { 'pt-BR': 'Tamanho do calçado' } },
      { name: 'cf_district', label: 'District', labels: { 'pt-BR': 'Bairro' } },
    ]
    w.customFieldsArrived()
    expect(w.mapping).toEqual({ Nome: 'name', 'Tamanho do calçado': 'cf_shoe_size', Bairro: '' })
  })

  it('keeps the person on step 1 with the reason when the server refuses', async () => {
    const pb = fakePb()
    pb.send.mockImplementationOnce(async () => {
      throw Object.assign(new Error('bad'), { status: 400, response: { data: { file: { code: 'validation_required', message: 'Choose a file.' } } } })
    })
    const w = new ImportWizard(pb)
    await w.setFile(file('name\nA\n'))
    expect(await w.dryRun()).toBe(null)
    expect(w.step).toBe('choose')
    expect(w.error.status).toBe(400)
    expect(w.busy).toBe(false)
  })

  it('does not offer a dry run without a name or email column, except for vCards', async () => {
    const w = new ImportWizard(fakePb())
    await w.setFile(file('foo,bar\n1,2\n'))
    expect(w.canDryRun).toBe(false)
    await w.setFile(file('BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ana\r\nEND:VCARD\r\n', 'ana.vcf'))
    expect(w.vcard).toBe(true)
    expect(w.columns).toEqual([])
    expect(w.canDryRun).toBe(true)
  })
})
