import { describe, it, expect } from 'vitest'
import { describeEntry } from './timeline.svelte.js'
import { translate } from './i18n.js'
import { formatMoney, formatDate } from './format.js'

// The entries plugins/restriction writes: an event and its data, worded here.
const say = (lang, e) =>
  describeEntry(e, (k, p) => translate(lang, k, p), { money: (n, c) => formatMoney(n, c, lang), date: (v) => formatDate(v, lang, 'UTC') })
const entry = (event, data, body = '') => ({ id: 'r1', contact: 'c', type: 'system', event, subject: '', body, data })

describe('restriction and objection entries in the reader language', () => {
  it('words a restriction asked in the portal, with the person’s words under it', () => {
    const e = entry('restriction.on', { source: 'portal' }, 'Não quero mais ofertas')
    expect(say('pt-BR', e)).toEqual({ title: 'Tratamento dos dados restrito (pelo portal): só mensagens de serviço', lines: ['Não quero mais ofertas'] })
    expect(say('en', e).title).toBe('Processing restricted (in the portal): only service messages go')
  })

  it('words its lifting by each way of asking', () => {
    const words = {
      en: { phone: 'asked by phone', paper: 'asked by letter', staff: 'asked in person', api: 'through an integration' },
      'pt-BR': { phone: 'pedido por telefone', paper: 'pedido por carta', staff: 'pedido pessoalmente', api: 'por uma integração' },
    }
    for (const source of ['phone', 'paper', 'staff', 'api']) {
      expect(say('en', entry('restriction.lifted', { source })).title).toBe(`Restriction of processing lifted (${words.en[source]})`)
      expect(say('pt-BR', entry('restriction.lifted', { source })).title).toBe(`Restrição do tratamento suspensa (${words['pt-BR'][source]})`)
    }
  })

  it('words an objection to marketing with the channels withdrawn', () => {
    const e = entry('marketing.objected', { source: 'portal', channels: ['email', 'sms'] })
    expect(say('pt-BR', e).title).toBe('Oposição ao marketing (pelo portal); consentimentos retirados: e-mail, SMS')
    expect(say('en', e).title).toBe('Objected to marketing (in the portal); consents withdrawn: email, SMS')
    for (const lang of ['en', 'pt-BR']) {
      const { title } = say(lang, e)
      expect(title).not.toMatch(/\{|tl\.|marketing\.objected/)
    }
  })
})
