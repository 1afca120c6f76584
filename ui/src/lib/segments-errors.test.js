import { describe, it, expect } from 'vitest'
import { conditionError, problemText } from './segments.svelte.js'
import { translate } from './i18n.js'

// The server's 400 for a bad condition (plugins/segments: definitionError).
const serverError = (code, args, reason) => ({
  response: { data: { definition: { code: 'validation_segment_condition', message: `Condition 2: ${reason}`,
    params: { path: 'conditions.1', condition: '2', reason, code, args } } } },
})

describe('segment condition errors', () => {
  const pt = (key, params) => translate('pt-BR', key, params)
  const en = (key, params) => translate('en', key, params)

  it('words the server code in the reader language, not the English message', () => {
    const p = conditionError(serverError('number_min0', {}, 'the value must be a number of 0 or more'))
    expect(p).toMatchObject({ path: 'conditions.1', condition: '2', code: 'number_min0' })
    expect(problemText(p, pt)).toBe('o valor deve ser um número igual ou maior que 0')
    expect(problemText(p, en)).toBe('the value must be a number of 0 or more')
  })

  it('fills the params, a field by its label', () => {
    const p = conditionError(serverError('text', { field: 'job_title', max: 500 }, 'the value for job_title must be some text (up to 500 characters)'))
    expect(problemText(p, pt)).toBe('escreva o valor de Cargo (até 500 caracteres)')
    const tooMany = conditionError(serverError('too_many', { max: 60, count: 61 }, 'a segment has at most 60 conditions (this one has 61)'))
    expect(problemText(tooMany, pt)).toBe('um segmento tem no máximo 60 condições (este tem 61)')
    const custom = conditionError(serverError('number', { field: 'cf_visits' }, 'the value for cf_visits must be a number'))
    expect(problemText(custom, en)).toBe('the value must be a number')
  })

  it('falls back to the server message for a code it does not know, or none', () => {
    expect(problemText(conditionError(serverError('brand_new', {}, 'a new fault')), pt)).toBe('a new fault')
    expect(problemText({ path: '', condition: '', message: 'Network down' }, pt)).toBe('Network down')
    expect(problemText(null, pt)).toBe('')
  })
})
