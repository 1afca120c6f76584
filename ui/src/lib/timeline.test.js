import { describe, it, expect } from 'vitest'
import { describeEntry } from './timeline.svelte.js'
import { translate, messages } from './i18n.js'
import { formatMoney, formatDate, formatDateTime, preferenceSentence } from './format.js'

const reader = (lang) => ({
  t: (key, params) => translate(lang, key, params),
  fmt: {
    money: (n, c) => formatMoney(n, c, lang),
    date: (v) => formatDate(v, lang, 'UTC'),
    dateTime: (v) => formatDateTime(v, lang, 'UTC'),
    preferences: (prefs) => preferenceSentence(prefs, lang, { timeZone: 'UTC' }),
  },
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

  it('words the way of a consent as each language says it, for every channel', () => {
    const consent = (channel, before) => ({ id: '5b', contact: 'c', type: 'system', event: 'consent.changed', subject: 'marketing',
      data: { state: 'granted', purpose: 'marketing', channel, ...(before ? { before } : {}) } })
    const pt = {
      email: 'por e-mail', phone: 'por telefone', sms: 'por SMS', whatsapp: 'por WhatsApp', letter: 'por carta', chat: 'pelo chat',
      social: 'pelas redes sociais', in_person: 'pessoalmente', portal: 'pelo portal', web: 'pelo site',
    }
    const en = {
      email: 'by email', phone: 'by phone', sms: 'by SMS', whatsapp: 'on WhatsApp', letter: 'by letter', chat: 'through chat',
      social: 'on social media', in_person: 'in person', portal: 'through the portal', web: 'on the website',
    }
    // Every channel a consent can be for (crm.Channels).
    for (const channel of ['email', 'phone', 'sms', 'whatsapp', 'letter', 'chat', 'social', 'in_person', 'portal', 'web']) {
      expect(say('pt-BR', consent(channel)).title).toBe(`Consentimento concedido: Marketing ${pt[channel]}`)
      expect(say('en', consent(channel)).title).toBe(`Consent granted: Marketing ${en[channel]}`)
    }
    const withdrawn = say('pt-BR', consent('portal', { state: 'withdrawn', purpose: 'marketing', channel: 'web' }))
    expect(withdrawn.lines).toEqual(['Antes: retirado, Marketing pelo site'])
    for (const lang of ['pt-BR', 'en']) {
      const { title, lines } = say(lang, consent('portal', { state: 'granted', purpose: 'service', channel: 'in_person' }))
      expect([title, ...lines].join(' ')).not.toMatch(/\bpor (o|a|os|as)\b|\bby (the|in|on)\b/)
    }
    // A channel the reader's words do not know yet still reads.
    expect(say('pt-BR', consent('pigeon')).title).toBe('Consentimento concedido: Marketing via pigeon')
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
    // plugins/timeline's events, the merge's and the import's.
    const events = Object.keys(messages.en).filter((k) => k.startsWith('event.')).map((k) => k.slice('event.'.length))
    expect(events.length).toBeGreaterThan(20)
    for (const ev of events) {
      for (const lang of ['en', 'pt-BR']) expect(messages[lang][`tl.${ev}`], `${lang} tl.${ev}`).toBeTruthy()
    }
  })

  it('words why the outbox held a message, and names a message by its template', () => {
    const e = { id: '9', contact: 'c', type: 'system', event: 'message.held', subject: 'case_opened',
      data: { subject: '', template: 'case_opened', reason_code: 'waiting',
        reason: { until: '2026-11-25T12:00:00Z', for: [{ code: 'hours', preferred_days: ['mon', 'tue', 'wed', 'thu', 'fri'],
          preferred_hours_start: '09:00', preferred_hours_end: '12:00', timezone: 'America/Sao_Paulo' }, { code: 'weekly_limit', count: 3, limit: 3 }] } } }
    const pt = say('pt-BR', e)
    expect(pt.title).toBe('Mensagem em espera: Aviso de solicitação recebida')
    expect(pt.lines).toHaveLength(1)
    expect(pt.lines[0]).toMatch(/^Aguardando até 25 de nov\. de 2026, 12:00: o horário do cliente \(dias úteis 9–12, horário de São Paulo\), depois o limite semanal \(3 mensagens nos últimos 7 dias, 3 permitidas\)\.$/)
    expect(pt.lines[0]).not.toMatch(/waiting|weekdays|customer/)
    const en = say('en', e)
    expect(en.title).toBe('Message held: Request received notice')
    expect(en.lines[0]).toMatch(/^Waiting until .* for the customer's hours \(weekdays .*\), then the weekly limit/)
  })

  it('words refusals with the words of their channel, purpose and what is missing', () => {
    const refused = (reason_code, reason) => ({ id: 'r', contact: 'c', type: 'system', event: 'message.refused', subject: 'Oferta',
      data: { subject: 'Oferta', template: '', reason_code, reason } })
    expect(say('pt-BR', refused('no_consent', { purpose: 'marketing', channel: 'email' }))).toEqual(
      { title: 'Mensagem recusada: Oferta', lines: ['Sem consentimento: Marketing (canal: e-mail).'] })
    expect(say('en', refused('no_consent', { purpose: 'marketing', channel: 'email' })).lines).toEqual(['No consent: Marketing by email.'])
    expect(say('pt-BR', refused('no_contact_point', { channel: 'email', missing: 'email' })).lines).toEqual(['Sem endereço de e-mail para enviar (canal: e-mail).'])
    expect(say('pt-BR', refused('do_not_contact')).lines).toEqual(['O cliente pediu para não ser contatado; só mensagens de serviço são enviadas.'])
  })

  it('words a hold by its name, and a hold the business wrote with its own words', () => {
    const held = (reason) => ({ id: 'h', contact: 'c', type: 'system', event: 'message.held', subject: 'Oferta',
      data: { subject: 'Oferta', reason_code: 'held', reason } })
    const shipped = say('pt-BR', held({ hold: 'open_request', text: 'while request SUP-1 is open', until: '2026-11-25T10:00:00Z' }))
    expect(shipped.lines[0]).toMatch(/^Em espera até 25 de nov\. de 2026, 10:00: o cliente tem uma solicitação aberta/)
    expect(shipped.lines[0]).not.toContain('while')
    const own = say('pt-BR', held({ hold: 'vip_quiet', text: 'clientes VIP só às sextas', until: '2026-11-27T10:00:00Z' }))
    expect(own.lines[0]).toMatch(/^Em espera até 27 de nov\. de 2026, 10:00: clientes VIP só às sextas$/)
  })

  it('keeps the English reason of a message held before reasons had codes, and translates its template name', () => {
    const old = { id: 'o', contact: 'c', type: 'system', event: 'message.held', subject: 'case_opened', body: "waiting for the customer's hours",
      data: { subject: 'case_opened' } }
    expect(say('pt-BR', old)).toEqual({ title: 'Mensagem em espera: Aviso de solicitação recebida', lines: ["waiting for the customer's hours"] })
  })

  it('words the merge of companies and its undoing', () => {
    const merged = { id: 'm', company: 'co', type: 'system', event: 'company.merged', subject: 'ACME Ltda', data: { merged: 'ACME Ltda', kept: 'Acme' } }
    expect(say('pt-BR', merged).title).toBe('ACME Ltda foi mesclada em Acme')
    expect(say('en', merged).title).toBe('ACME Ltda was merged into Acme')
    const undone = { id: 'u', contact: 'c', type: 'system', event: 'contact.merge_undone', subject: 'Ana S.', data: { name: 'Ana S.' } }
    expect(say('pt-BR', undone).title).toBe('Mesclagem desfeita: Ana S. voltou a ser um contato separado')
  })

  it('words an import with its counts, and a stopped one', () => {
    const e = { id: 'i', type: 'system', event: 'import.finished', subject: 'clientes.csv',
      data: { kind: 'contacts', file: 'clientes.csv', stopped: false, read: 10, created: 7, updated: 2, duplicate: 1, skipped: 0, errors: 0, companies: 3 } }
    expect(say('pt-BR', e)).toEqual({ title: 'Importação de contatos de clientes.csv: 7 criados, 2 atualizados',
      lines: ['10 linhas lidas: 7 criadas, 2 atualizadas, 1 duplicadas, 0 ignoradas, 0 com erros', '3 empresas criadas'] })
    expect(say('en', { ...e, data: { ...e.data, stopped: true } }).title).toBe('Stopped import of contacts from clientes.csv: 7 created, 2 updated')
  })
})
