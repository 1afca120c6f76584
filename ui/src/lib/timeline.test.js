import { describe, it, expect } from 'vitest'
import { describeEntry } from './timeline.svelte.js'
import { translate, messages } from './i18n.js'
import { formatMoney, formatDate } from './format.js'

const reader = (lang) => ({
  t: (key, params) => translate(lang, key, params),
  fmt: { money: (n, c) => formatMoney(n, c, lang), date: (v) => formatDate(v, lang, 'UTC') },
})
const say = (lang, e) => {
  const { t, fmt } = reader(lang)
  return describeEntry(e, t, fmt)
}

describe('system timeline entries in the reader language', () => {
  it('words an order from its event and data', () => {
    const e = { id: '1', contact: 'c', type: 'system', event: 'order.placed', subject: 'PED-00100', data: { number: 'PED-00100', total: 300, currency: 'BRL' } }
    const pt = say('pt-BR', e)
    expect(pt.title).toBe('Pedido feito: PED-00100')
    expect(pt.lines.join(' ')).toMatch(/Total: R\$\s?300,00/)
    expect(say('en', e).title).toBe('Order placed: PED-00100')
  })

  it('words a deal move with its stages, and a win', () => {
    const moved = { id: '2', contact: 'c', type: 'system', event: 'deal.moved', subject: 'Plano', data: { title: 'Plano', from: 'Qualificação', to: 'Proposta' } }
    expect(say('pt-BR', moved)).toEqual({ title: 'Negócio movido: Qualificação → Proposta', lines: ['Plano'] })
    expect(say('en', { ...moved, event: 'deal.won', data: { title: 'Plano' } }).title).toBe('Deal won: Plano')
  })

  it('words a request opened, without repeating its status label', () => {
    const e = { id: '3', contact: 'c', type: 'system', event: 'case.opened', subject: 'SUP-1 Sem sinal', body: 'Recebida',
      data: { reference: 'SUP-1', subject: 'Sem sinal', status: 'Recebida' } }
    expect(say('pt-BR', e)).toEqual({ title: 'Solicitação SUP-1 aberta: Sem sinal', lines: [] })
    expect(say('en', e).title).toBe('Request SUP-1 opened: Sem sinal')
  })

  it('words the changes of preferences and plans field by field, empty as none', () => {
    const e = { id: '4', contact: 'c', type: 'system', event: 'contact.preferences_changed', subject: 'Ana',
      data: { fields: ['preferred_channel', 'paused_until'], changes: [{ field: 'preferred_channel', from: '', to: 'whatsapp' }] } }
    const pt = say('pt-BR', e)
    expect(pt.title).toBe('Preferências de contato alteradas: canal preferido, pausado até')
    expect(pt.lines).toEqual(['canal preferido: nenhuma → whatsapp'])
  })

  it('words consent with the words of its state, purpose and channel', () => {
    const e = { id: '5', contact: 'c', type: 'system', event: 'consent.changed', subject: 'marketing', body: 'Aceito ofertas.',
      data: { state: 'granted', purpose: 'marketing', channel: 'email' } }
    expect(say('pt-BR', e)).toEqual({ title: 'Consentimento concedido: Marketing por e-mail', lines: ['Aceito ofertas.'] })
  })

  it('keeps people words and the entries stored before data as they are', () => {
    const note = { id: '6', contact: 'c', type: 'note', subject: 'Ligou cedo', body: 'Quer o plano maior.' }
    expect(say('pt-BR', note)).toEqual({ title: 'Ligou cedo', lines: ['Quer o plano maior.'] })
    const old = { id: '7', contact: 'c', type: 'system', event: 'order.placed', subject: 'Order placed: PED-00001', body: '300.00 BRL', data: null }
    expect(say('pt-BR', old)).toEqual({ title: 'Order placed: PED-00001', lines: ['300.00 BRL'] })
    const unknown = { id: '8', contact: 'c', type: 'system', event: 'custom.thing', subject: 'Algo', data: { x: 1 } }
    expect(say('pt-BR', unknown).title).toBe('Algo')
  })

  it('has a wording in both languages for every event the server writes', () => {
    // plugins/timeline's events (the merge plugin's own entries keep their stored subject).
    const events = Object.keys(messages.en).filter((k) => k.startsWith('event.') && !/merge_undone|^event\.company\./.test(k))
      .map((k) => k.slice('event.'.length))
    expect(events.length).toBeGreaterThan(20)
    for (const ev of events) {
      for (const lang of ['en', 'pt-BR']) expect(messages[lang][`tl.${ev}`], `${lang} tl.${ev}`).toBeTruthy()
    }
  })
})
