import { describe, it, expect } from 'vitest'
import { TemplatesSettings, templateDraft, blankTemplate } from './templates.svelte.js'
import { filesProblem, decisionText, composeErrors } from '../compose.svelte.js'
import { t as tr } from '../locale.svelte.js'

function fakePb(rows) {
  const calls = []
  return {
    calls,
    collection: () => ({
      getFullList: async () => rows,
      create: async (f) => { calls.push(['create', f]); return { id: 'n1', ...f } },
      update: async (id, f) => { calls.push(['update', id, f]); return { id, ...f } },
      delete: async (id) => { calls.push(['delete', id]) },
    }),
  }
}

describe('templates settings', () => {
  it('loads, saves in name order and removes', async () => {
    const pb = fakePb([{ id: 'b', name: 'Bravo' }])
    const s = new TemplatesSettings(pb)
    await s.load()
    await s.save({ ...blankTemplate(), name: 'Alpha', subject_en: 'Hi', body_en: 'Hello' })
    expect(s.items.map((x) => x.name)).toEqual(['Alpha', 'Bravo'])
    await s.save({ ...templateDraft(s.items[1]), name: 'Charlie' })
    expect(pb.calls[1]).toEqual(['update', 'b', expect.objectContaining({ name: 'Charlie' })])
    await s.remove('n1')
    expect(s.items.map((x) => x.name)).toEqual(['Charlie'])
  })
  it('keeps a load error', async () => {
    const s = new TemplatesSettings({ collection: () => ({ getFullList: async () => { throw new Error('down') } }) })
    await s.load()
    expect(s.error?.message).toBe('down')
  })
})

describe('compose', () => {
  it('checks attachments before sending', () => {
    expect(filesProblem([{ name: 'a', size: 1 }], tr)).toBe('')
    expect(filesProblem([{ name: 'big.pdf', size: (10 << 20) + 1 }], tr)).toContain('big.pdf')
    expect(filesProblem(Array.from({ length: 11 }, (_, i) => ({ name: `${i}`, size: 1 })), tr)).not.toBe('')
    expect(filesProblem([{ name: 'a', size: 8 << 20 }, { name: 'b', size: 8 << 20 }, { name: 'c', size: 8 << 20 }], tr)).not.toBe('')
  })
  it('says what the outbox decided', () => {
    const fmt = { date: (v) => v, dateTime: (v) => `at ${v}`, money: String }
    expect(decisionText({ state: 'queued', reason_code: 'due', reason_data: { channel: 'email' } }, tr, fmt).tone).toBe('ok')
    const refused = decisionText({ state: 'refused', reason_code: 'no_consent', reason_data: { purpose: 'marketing', channel: 'email' } }, tr, fmt)
    expect(refused.tone).toBe('error')
    expect(refused.text).not.toContain('{why}')
    const waiting = decisionText({ state: 'waiting', reason_code: 'waiting', reason_data: { until: 'X', for: [] } }, tr, fmt)
    expect(waiting.text).toContain('at X')
  })
  it('words the server codes it knows', () => {
    const err = { response: { data: { body: { code: 'validation_unfilled_variable', message: 'Fill in {{x}}' }, cc: { code: 'validation_other', message: 'As said' } } } }
    const out = composeErrors(err, tr)
    expect(out.body).toContain('{{…}}')
    expect(out.cc).toBe('As said')
  })
})
