import { describe, it, expect } from 'vitest'
import { problemText, problemField } from './importer.svelte.js'
import { translate, messages } from './i18n.js'

const pt = (key, params) => translate('pt-BR', key, params)
const en = (key, params) => translate('en', key, params)

describe('import errors in the reader language', () => {
  it('words a coded problem from its code and values', () => {
    const p = { line: 3, field: 'email', value: 'ana@', code: 'email_invalid', params: { value: 'ana@' }, reason: '"ana@" is not an email address' }
    expect(problemText(p, pt)).toBe('“ana@” não é um endereço de e-mail')
    expect(problemText(p, en)).toBe('“ana@” is not an email address')
    expect(problemField(p, pt)).toBe('E-mail')
  })

  it('falls back to the server reason for a code it does not know, and keeps a column name', () => {
    const p = { line: 4, field: 'Cor favorita', code: 'some_new_code', reason: 'a reason in English' }
    expect(problemText(p, pt)).toBe('a reason in English')
    expect(problemText({ line: 1, reason: 'old report' }, pt)).toBe('old report')
    expect(problemField(p, pt)).toBe('Cor favorita')
  })

  it('has every code in both languages', () => {
    const codes = Object.keys(messages.en).filter((k) => k.startsWith('import.error.'))
    expect(codes.length).toBeGreaterThan(25)
    for (const k of codes) expect(messages['pt-BR'][k], k).toBeTruthy()
  })
})
