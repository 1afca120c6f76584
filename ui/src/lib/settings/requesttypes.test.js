import { describe, test, expect } from 'vitest'
import { toDraft, toBody, changes, keyOf, placedErrors, textDraft, textBody, BASE_KEY, FIELD_KINDS } from './requesttypes.svelte.js'
import { FIELD_TYPES } from '../../shared/fields.js'

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
    expect(d.fields).toEqual([{ name: 'endereco', label: { en: 'Endereço', 'pt-BR': '' }, help: { en: '', 'pt-BR': '' }, type: 'text', required: false, options: [] }])
    expect(toBody(d).fields[0]).not.toHaveProperty('options')
    expect(toBody(d).fields[0]).not.toHaveProperty('help')
    expect(toBody(d).fields[0].label).toBe('Endereço')
  })

  test('the editor offers the kinds the forms show', () => {
    expect(FIELD_KINDS).toEqual(FIELD_TYPES)
    expect(FIELD_KINDS).toContain('long_text')
    expect(FIELD_KINDS).toContain('bool')
  })

  test('labels per language: plain text goes to the manager’s language and stays plain', () => {
    expect(textDraft('Endereço', 'pt-BR')).toEqual({ en: '', 'pt-BR': 'Endereço' })
    expect(textDraft('Address', 'en')).toEqual({ en: 'Address', 'pt-BR': '' })
    expect(textDraft({ en: 'Address', 'pt-BR': 'Endereço', fr: 'Adresse' }, 'en')).toEqual({ en: 'Address', 'pt-BR': 'Endereço' })
    expect(textDraft(undefined, 'en')).toEqual({ en: '', 'pt-BR': '' })
    expect(textBody({ en: ' Address ', 'pt-BR': '' })).toBe('Address')
    expect(textBody({ en: '', 'pt-BR': 'Endereço' })).toBe('Endereço')
    expect(textBody({ en: 'Address', 'pt-BR': ' Endereço ' })).toEqual({ en: 'Address', 'pt-BR': 'Endereço' })
    expect(textBody({ en: ' ', 'pt-BR': '' })).toBe('')

    // A Portuguese-speaking manager opens a type saved before labels had
    // languages: nothing changes until they add the English words.
    const d = toDraft(stored, 'pt-BR')
    expect(d.fields[0].label).toEqual({ en: '', 'pt-BR': 'Plano' })
    expect(d.statuses[0].public_label).toEqual({ en: '', 'pt-BR': 'Recebido' })
    expect(changes(stored, d)).toBeNull()
    d.fields[0].label.en = 'Plan'
    d.fields[0].help['pt-BR'] = 'Veja o contrato'
    d.statuses[0].public_label.en = 'Received'
    const body = changes(stored, d)
    expect(Object.keys(body).sort()).toEqual([BASE_KEY, 'fields', 'statuses'].sort())
    expect(body.fields[0]).toEqual({ name: 'plano', label: { en: 'Plan', 'pt-BR': 'Plano' }, help: 'Veja o contrato', type: 'select', required: true, options: ['basic', 'pro'] })
    expect(body.statuses[0].public_label).toEqual({ en: 'Received', 'pt-BR': 'Recebido' })
    // ...and the saved shape reads back to the same draft, in either language.
    const saved = { ...stored, fields: body.fields, statuses: body.statuses }
    expect(changes(saved, toDraft(saved, 'en'))).toBeNull()
    expect(toDraft(saved, 'en').fields[0].label).toEqual({ en: 'Plan', 'pt-BR': 'Plano' })
  })

  test('new kinds: long text and yes/no keep no options', () => {
    const d = toDraft({ ...stored, fields: [{ name: 'story', label: 'Story', type: 'long_text' }, { name: 'ok', label: 'I agree', type: 'bool', required: true, options: ['x'] }] })
    expect(toBody(d).fields).toEqual([{ name: 'story', label: 'Story', type: 'long_text', required: false }, { name: 'ok', label: 'I agree', type: 'bool', required: true }])
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
      code: { code: 'validation_type_label_language', message: 'x', params: { language: 'fr' } },
    } } }
    const t = (k, p) => `${k}${p?.key ? ':' + p.key : ''}`
    expect(placedErrors(err, t)).toEqual({
      'fields.1.options': 'rt.err.options',
      'statuses.0.key': 'rt.err.status_twice:new',
      name: 'Server words.',
      code: 'rt.err.label_language',
    })
  })
})
