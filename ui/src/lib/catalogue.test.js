import { describe, it, expect } from 'vitest'
import { optionBody, keyFrom, catalogueBody, catalogueDraft, catalogueErrors } from './catalogue.svelte.js'
import { answersToSend, startingChoices, offered, problemWords } from '../portal/lib/catalogue.js'

const speed = { key: 'speed', kind: 'choice', label: 'Speed', default: 's300', choices: [{ key: 's300', label: '300 Mb', price: 0 }, { key: 's600', label: '600 Mb', price: 50 }] }
const router = { key: 'router', kind: 'addon', label: 'Router', price: 20, only_with: { option: 'speed', choice: 's600' } }
const tv = { key: 'tv', kind: 'quantity', label: 'TV', price: 10, min: 0, max: 3 }

describe('the options editor', () => {
  it('keeps only the fields of each kind, with keys made from names', () => {
    expect(keyFrom('Pontos de TV extras')).toBe('pontos_de_tv_extras')
    expect(optionBody({ key: '', kind: 'addon', label: 'Roteador Wi-Fi', labels: { en: ' ' }, price: '20,5', min: 3, choices: [] }))
      .toEqual({ key: 'roteador_wi_fi', kind: 'addon', label: 'Roteador Wi-Fi', price: 20.5 })
    expect(optionBody({ kind: 'choice', label: 'Cor', required: true, choices: [{ label: 'Azul claro', price: '' }], default: 'azul_claro', price: 9 }))
      .toEqual({ key: 'cor', kind: 'choice', label: 'Cor', required: true, choices: [{ key: 'azul_claro', label: 'Azul claro', price: 0 }], default: 'azul_claro' })
    expect(optionBody({ key: 'n', kind: 'text', label: 'Nota', price: 'abc', max_length: '40' }).price).toBe('abc') // for the server to name
  })

  it('sends pictures to add and remove only when there are some', () => {
    const d = catalogueDraft({ in_catalogue: true, pictures: ['a.png'], options: [speed] })
    expect(catalogueBody(d)).not.toHaveProperty('pictures-')
    d.drop = ['a.png']
    expect(catalogueBody(d)['pictures-']).toEqual(['a.png'])
    expect(d.options[0].labels).toEqual({})
  })

  it('words the server’s refusals of an option, and leaves other fields alone', () => {
    const err = { response: { data: { 'options.1.max': { code: 'validation_option_limits', message: 'x' }, name: { code: 'validation_required' } } } }
    const t = (k) => (k === 'cat.err.option_limits' ? 'Limites' : k)
    expect(catalogueErrors(err, t)).toEqual({ 'options.1.max': 'Limites' })
  })
})

describe('the product page', () => {
  it('starts from the defaults and sends only what is offered and answered', () => {
    const opts = [speed, router, tv]
    const start = startingChoices(opts)
    expect(start).toEqual({ speed: 's300', tv: 0 })
    expect(offered(router, start)).toBe(false)
    expect(answersToSend(opts, { ...start, router: true })).toEqual({ speed: 's300', tv: 0 })
    expect(answersToSend(opts, { speed: 's600', router: true, tv: '2' })).toEqual({ speed: 's600', router: true, tv: 2 })
  })

  it('words a problem by its code, else keeps the server’s sentence', () => {
    const t = (k, p) => (k === 'catalogue.err.option_limits' ? `${p.label}: ${p.min}-${p.max}` : k)
    expect(problemWords({ code: 'validation_option_limits', params: { label: 'TV', min: 0, max: 3 } }, t)).toBe('TV: 0-3')
    expect(problemWords({ code: 'validation_other', message: 'As sent' }, t)).toBe('As sent')
  })
})
