import { describe, it, expect } from 'vitest'
import { fieldsOf, fieldProblem, dataOf, textIn, fieldLabel, fieldHelp, shownData, MAX_TEXT, MAX_LONG_TEXT } from './fields.js'

describe('request type fields', () => {
  const fields = [
    { name: 'cnpj', label: 'CNPJ', type: 'text', required: true },
    { name: 'people', label: 'People', type: 'number' },
    { name: 'when', label: 'When', type: 'date' },
    { name: 'size', label: 'Size', type: 'select', options: ['S', 'M'] },
    { name: 'mail', label: 'Mail', type: 'email' },
  ]

  it('reads the JSON field as a list, dropping what it cannot show', () => {
    expect(fieldsOf({ fields: JSON.stringify(fields) })).toHaveLength(5)
    expect(fieldsOf({ fields: [...fields, { name: 'x', type: 'colour' }] })).toHaveLength(5)
    expect(fieldsOf({ fields: 'not json' })).toEqual([])
    expect(fieldsOf({})).toEqual([])
  })

  it('checks each value as the customer types', () => {
    expect(fieldProblem(fields[0], '  ')).toBe('form.required')
    expect(fieldProblem(fields[0], '12.345')).toBe('')
    expect(fieldProblem(fields[1], '')).toBe('')
    expect(fieldProblem(fields[1], 'abc')).toBe('form.number')
    expect(fieldProblem(fields[2], '2026-13-45')).toBe('form.date')
    expect(fieldProblem(fields[2], '2026-12-01')).toBe('')
    expect(fieldProblem(fields[3], 'L')).toBe('form.choose')
    expect(fieldProblem(fields[4], 'a@b')).toBe('form.email')
    expect(fieldProblem(fields[4], 'a@b.example')).toBe('')
  })

  it('sends typed values and leaves empty optional ones out', () => {
    expect(dataOf(fields, { cnpj: ' 12 ', people: '3', when: '', size: 'S' })).toEqual({ cnpj: '12', people: 3, size: 'S' })
  })

  const story = { name: 'story', label: { en: 'What happened', 'pt-BR': 'O que aconteceu' }, help: { 'pt-BR': 'Conte com detalhes' }, type: 'long_text', required: true }
  const consent = { name: 'consent', label: 'Aceito os termos', type: 'bool', required: true }
  const urgent = { name: 'urgent', label: { en: 'Urgent', 'pt-BR': 'Urgente' }, type: 'bool' }

  it('knows long text and yes/no', () => {
    expect(fieldsOf({ fields: [story, consent, urgent] })).toHaveLength(3)
  })

  it('checks long text against its longer limit, text against its own', () => {
    expect(fieldProblem(fields[0], 'x'.repeat(MAX_TEXT))).toBe('')
    expect(fieldProblem(fields[0], 'x'.repeat(MAX_TEXT + 1))).toBe('form.too_long')
    expect(fieldProblem(story, 'x'.repeat(MAX_TEXT + 1))).toBe('')
    expect(fieldProblem(story, 'x'.repeat(MAX_LONG_TEXT + 1))).toBe('form.too_long')
    expect(fieldProblem(story, '   ')).toBe('form.required')
  })

  it('a required yes/no must be ticked; an optional one may stay empty', () => {
    expect(fieldProblem(consent, undefined)).toBe('form.must_tick')
    expect(fieldProblem(consent, false)).toBe('form.must_tick')
    expect(fieldProblem(consent, true)).toBe('')
    expect(fieldProblem(urgent, undefined)).toBe('')
    expect(fieldProblem(urgent, false)).toBe('')
    expect(fieldProblem(urgent, 'yes')).toBe('form.yes_no')
  })

  it('sends a yes/no as true or false, ticked or not', () => {
    expect(dataOf([story, consent, urgent], { story: ' Caiu ', consent: true })).toEqual({ story: 'Caiu', consent: true, urgent: false })
  })

  it('labels and help in the reader’s language; plain text for everyone', () => {
    expect(fieldLabel(story, 'pt-BR')).toBe('O que aconteceu')
    expect(fieldLabel(story, 'en')).toBe('What happened')
    expect(fieldLabel(consent, 'en')).toBe('Aceito os termos')
    expect(fieldHelp(story, 'en')).toBe('Conte com detalhes') // only Portuguese given: it serves both
    expect(fieldHelp(consent, 'en')).toBe('')
    expect(fieldLabel({ name: 'x', label: { en: ' ', 'pt-BR': '' } }, 'en')).toBe('x')
    expect(textIn({ 'pt-BR': 'Só português' }, 'en')).toBe('Só português')
    expect(textIn(null, 'en')).toBe('')
  })

  it('shows a case’s data in the reader’s words, yes/no as Yes/No', () => {
    const t = (k) => ({ 'form.yes': 'Sim', 'form.no': 'Não' })[k]
    const shown = shownData({ urgent: false, story: 'Caiu a\nluz', consent: true, gone: 3 }, [story, consent, urgent], 'pt-BR', t)
    expect(shown).toEqual([
      { name: 'story', label: 'O que aconteceu', value: 'Caiu a\nluz', long: true },
      { name: 'consent', label: 'Aceito os termos', value: 'Sim', long: false },
      { name: 'urgent', label: 'Urgente', value: 'Não', long: false },
      { name: 'gone', label: 'gone', value: '3', long: false },
    ])
    expect(shownData(null, [story], 'en', t)).toEqual([])
    expect(shownData(['x'], [story], 'en', t)).toEqual([])
  })
})
