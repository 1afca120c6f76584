import { describe, it, expect } from 'vitest'
import { CustomFields, customFilterParts, customFilter, displayValue, toServer, toInput, labelOf, settingsErrors, guessField } from './customfields.svelte.js'
import { fakePb, refusal } from './settings/fakepb.js'

const region = { id: 'r', collection: 'contacts', name: 'cf_region', label: 'Region', labels: { 'pt-BR': 'Região' }, kind: 'select', options: ['North', 'South'], position: 2 }
const vip = { id: 'v', collection: 'contacts', name: 'cf_vip', label: 'VIP', kind: 'bool', position: 1 }
const tier = { id: 't', collection: 'companies', name: 'cf_tier', label: 'Tier', kind: 'multi_select', options: ['Gold', 'Silver'] }
const t = (k) => ({ 'fields.yes': 'Yes', 'fields.no': 'No', 'fields.error.validation_cf_label_required': 'Give it a label.' })[k] ?? k
const fmt = { number: (n) => `n${n}`, money: (n, c) => `${c} ${n}`, date: (d) => `d:${d.slice(0, 10)}` }

describe('custom fields', () => {
  it('loads the definitions once and keeps each collection in the manager’s order', async () => {
    const pb = fakePb({ send: () => ({ items: [region, vip, tier] }) })
    const cf = new CustomFields(pb)
    await Promise.all([cf.load(), cf.load()])
    expect(pb.calls.filter((c) => c[0] === 'send')).toHaveLength(1)
    expect(cf.of('contacts').map((f) => f.name)).toEqual(['cf_vip', 'cf_region'])
    expect(cf.listFields('contacts')).toBe(',cf_vip,cf_region')
    await cf.load(true)
    expect(pb.calls.filter((c) => c[0] === 'send')).toHaveLength(2)
  })

  it('shows the columns a reader chose, and only fields that still exist', async () => {
    const cf = new CustomFields(fakePb({ send: () => ({ items: [region, vip] }) }))
    await cf.load()
    cf.toggleColumn('contacts', 'cf_region')
    cf.toggleColumn('contacts', 'cf_gone')
    expect(cf.shown('contacts').map((f) => f.name)).toEqual(['cf_region'])
    cf.toggleColumn('contacts', 'cf_region')
    expect(cf.shown('contacts')).toEqual([])
  })

  it('deletes with the count the manager confirmed', async () => {
    const pb = fakePb({ send: (path) => (path.endsWith('/usage') ? { count: 3 } : { items: [] }) })
    const cf = new CustomFields(pb)
    expect(await cf.usage('r')).toBe(3)
    await cf.remove('r', 3)
    const del = pb.calls.find((c) => c[0] === 'send' && c[2]?.method === 'DELETE')
    expect(del[1]).toBe('/api/crm/fields/r')
    expect(del[2].query).toEqual({ confirm: 3 })
  })

  it('filters each kind the way its index and type serve', () => {
    const fields = [region, vip, tier, { name: 'cf_note', kind: 'text' }, { name: 'cf_n', kind: 'money' }]
    expect(customFilterParts(fields, { field: 'cf_region', value: 'North' })).toEqual({ expr: 'cf_region = {:cfv}', params: { cfv: 'North' } })
    expect(customFilterParts(fields, { field: 'cf_vip', value: 'false' }).params.cfv).toBe(false)
    expect(customFilterParts(fields, { field: 'cf_tier', value: 'Gold' }).params.cfv).toBe('"Gold"')
    expect(customFilterParts(fields, { field: 'cf_note', value: 'abc' }).expr).toBe('cf_note ~ {:cfv}')
    expect(customFilterParts(fields, { field: 'cf_n', value: '12.5' }).params.cfv).toBe(12.5)
    expect(customFilterParts(fields, { field: 'cf_region', value: '' })).toBeNull()
    expect(customFilterParts(fields, { field: 'cf_unknown', value: 'x' })).toBeNull()
    expect(customFilter(fakePb(), fields, { field: 'cf_region', value: "O'Neil" })).toBe('cf_region = "O\'Neil"')
  })

  it('reads and writes values as the record API holds them', () => {
    expect(toServer({ kind: 'money' }, '')).toBe(0)
    expect(toServer({ kind: 'number' }, '12.5')).toBe(12.5)
    expect(toServer({ kind: 'date' }, '2026-03-31')).toBe('2026-03-31 12:00:00.000Z')
    expect(toInput({ kind: 'date' }, '2026-03-31 12:00:00.000Z')).toBe('2026-03-31')
    expect(toInput({ kind: 'number' }, 0)).toBe('')
    expect(displayValue(vip, false, { t, fmt })).toBe('No')
    expect(displayValue(tier, ['Gold', 'Silver'], { t, fmt })).toBe('Gold, Silver')
    expect(displayValue({ kind: 'money' }, 10, { t, fmt })).toBe('BRL 10')
    expect(displayValue(region, '', { t, fmt })).toBe('')
    expect(labelOf(region, 'pt-BR')).toBe('Região')
    expect(labelOf(region, 'en')).toBe('Region')
  })

  it('says the server’s refusal in the reader’s words, field by field', () => {
    const err = refusal(400, { label: { code: 'validation_cf_label_required', message: 'Give the field a label.' }, name: { code: 'other', message: 'Server words' } })
    expect(settingsErrors(err, t)).toEqual({ label: 'Give it a label.', name: 'Server words' })
  })
})

describe('guessing a custom field from a column name', () => {
  const fields = [
    { id: '1', collection: 'contacts', name: 'cf_regiao', label: 'Região', labels: { en: 'Sales region' }, kind: 'select' },
    { id: '2', collection: 'contacts', name: 'cf_budget', label: 'Budget', kind: 'money' },
  ]
  it('matches the name, with or without cf_, and a label in either language, accents and case ignored', () => {
    expect(guessField('REGIAO', fields)?.name).toBe('cf_regiao')
    expect(guessField('região', fields)?.name).toBe('cf_regiao')
    expect(guessField('Sales Region', fields)?.name).toBe('cf_regiao')
    expect(guessField('cf_budget', fields)?.name).toBe('cf_budget')
    expect(guessField('budget', fields)?.name).toBe('cf_budget')
    expect(guessField('Other', fields)).toBeUndefined()
    expect(guessField('', fields)).toBeUndefined()
  })
  it('leaves built-in targets first and guesses each custom field once', async () => {
    const { guessMapping } = await import('./importer.svelte.js')
    const m = guessMapping(['Email', 'Região', 'Sales region', 'Nome'], 'contacts', fields)
    expect(m).toEqual({ Email: 'email', 'Região': 'cf_regiao', 'Sales region': '', Nome: 'name' })
  })
})

describe('reordering', () => {
  it('shows the new order at once, sends every id, and goes back when refused', async () => {
    let refuse = false
    const pb = fakePb({ send: (path, opts) => {
      if (path === '/api/crm/fields/order') return refuse ? refusal(409) : { items: [{ ...region, position: 1 }, { ...vip, position: 2 }, tier] }
      return { items: [region, vip, tier] }
    } })
    const cf = new CustomFields(pb)
    await cf.load()
    expect(cf.of('contacts').map((f) => f.id)).toEqual(['v', 'r'])
    await cf.reorder('contacts', ['r', 'v'])
    expect(pb.calls.at(-1)).toEqual(['send', '/api/crm/fields/order', { method: 'POST', body: { collection: 'contacts', ids: ['r', 'v'] } }])
    expect(cf.of('contacts').map((f) => f.id)).toEqual(['r', 'v'])
    refuse = true
    await expect(cf.reorder('contacts', ['v', 'r'])).rejects.toMatchObject({ status: 409 })
    expect(cf.of('contacts').map((f) => f.id)).toEqual(['r', 'v'])
  })
})

describe('an import problem about a custom field', () => {
  it('names the field by its label in the reader language', async () => {
    const { problemField } = await import('./importer.svelte.js')
    const p = { line: 2, field: 'cf_region', code: 'not_option', reason: 'x' }
    const labels = (name) => (name === 'cf_region' ? labelOf(region, 'pt-BR') : '')
    expect(problemField(p, (k) => k, labels)).toBe('Região')
    expect(problemField({ ...p, field: 'cf_gone' }, (k) => k, labels)).toBe('cf_gone')
    expect(problemField(p, (k) => k)).toBe('cf_region')
  })
})
