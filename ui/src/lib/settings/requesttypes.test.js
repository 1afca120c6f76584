import { describe, test, expect } from 'vitest'
import { toDraft, toBody, changes, keyOf, placedErrors, BASE_KEY } from './requesttypes.svelte.js'

const stored = {
  id: 'tp1', name: 'Suporte', code: 'SUP', category: 'support', description: '', active: true, public: false, hold_marketing: false,
  sla_first_response_hours: 4, sla_resolution_hours: 0,
  fields: [{ name: 'plano', label: 'Plano', type: 'select', required: true, options: ['basic', 'pro'] }],
  statuses: [{ key: 'new', label: 'Novo', public_label: 'Recebido', closed: false }, { key: 'done', label: 'Feito', public_label: 'Resolvido', closed: true }],
  transitions: null,
}

describe('request type drafts', () => {
  test('a stored type reads back to the same body', () => {
    const body = toBody(toDraft(stored))
    expect(body.fields).toEqual(stored.fields)
    expect(body.statuses).toEqual(stored.statuses)
    expect(body.transitions).toEqual({})
    expect(changes(stored, toDraft(stored))).toBeNull()
  })

  test('old fields without required or options stay readable', () => {
    const d = toDraft({ ...stored, fields: JSON.stringify([{ name: 'endereco', label: 'Endereço', type: 'text' }]) })
    expect(d.fields).toEqual([{ name: 'endereco', label: 'Endereço', type: 'text', required: false, options: [] }])
    expect(toBody(d).fields[0]).not.toHaveProperty('options')
  })

  test('a save sends only what changed, with the value it started from', () => {
    const d = toDraft(stored)
    d.name = 'Suporte técnico'
    d.restricted = true
    d.transitions = { new: ['done', 'new'] }
    const body = changes(stored, d)
    expect(Object.keys(body).sort()).toEqual([BASE_KEY, 'name', 'transitions'].sort())
    expect(body.transitions).toEqual({ new: ['done'], done: [] }) // no move to itself; done is final
    expect(body[BASE_KEY]).toEqual({ name: 'Suporte', transitions: null })
  })

  test('keys follow labels', () => {
    expect(keyOf('Em análise')).toBe('em_analise')
    expect(keyOf('  2º Nível de suporte! ')).toBe('nivel_de_suporte')
  })

  test('the server’s nested errors land at their place, translated', () => {
    const err = { status: 400, response: { data: {
      fields: { 1: { options: { code: 'validation_type_field_options', message: 'A choice list needs its options.' } } },
      statuses: { 0: { key: { code: 'validation_type_status_twice', message: 'x', params: { key: 'new' } } } },
      name: { code: 'validation_something_new', message: 'Server words.' },
    } } }
    const t = (k, p) => `${k}${p?.key ? ':' + p.key : ''}`
    expect(placedErrors(err, t)).toEqual({
      'fields.1.options': 'rt.err.options',
      'statuses.0.key': 'rt.err.status_twice:new',
      name: 'Server words.',
    })
  })
})
