import { describe, it, expect } from 'vitest'
import { fieldsOf, fieldProblem, dataOf } from './fields.js'

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
})
