import { describe, it, expect } from 'vitest'
import { likelyRequest, filingErrors } from './unfiled.svelte.js'
import { describeEntry } from './timeline.svelte.js'
import { translate } from './i18n.js'
import { fieldErrors } from './errors.js'
import { formatMoney, formatDate, formatDateTime } from './format.js'
import { stepLabel } from '../portal/lib/steps.js'

const reader = (lang) => ({
  t: (key, params) => translate(lang, key, params),
  fmt: { money: (n, c) => formatMoney(n, c, lang), date: (v) => formatDate(v, lang, 'UTC'), dateTime: (v) => formatDateTime(v, lang, 'UTC') },
})
const say = (lang, e) => {
  const { t, fmt } = reader(lang)
  return describeEntry(e, t, fmt)
}

describe('filing a mail kept under nobody', () => {
  const requests = [
    { id: 'c3', reference: 'SUP-0003', closed: true },
    { id: 'c2', reference: 'SUP-0002', closed: false },
    { id: 'c1', reference: 'SUP-0001', closed: false },
  ]
  it('proposes the request the subject names, else the newest open one', () => {
    expect(likelyRequest('Re: [sup-0001] still down', requests)).toBe('c1')
    expect(likelyRequest('Our bill', requests)).toBe('c2')
    expect(likelyRequest('Our bill', [{ id: 'x', reference: 'SUP-9', closed: true }])).toBe('x')
    expect(likelyRequest('Our bill', [])).toBe('')
  })

  it("words the server's field problems in the reader's language, beside their field", () => {
    const err = { status: 400, response: { data: {
      case: { code: 'validation_not_the_contacts', message: "That request is not this contact's." },
      type: { code: 'validation_type_refuses_mail', message: 'x' },
      other: { code: 'validation_something_new', message: 'Server words' },
    } } }
    const pt = filingErrors(err, reader('pt-BR').t, fieldErrors)
    expect(pt.case).toBe('Essa solicitação não é deste contato.')
    expect(pt.type).toMatch(/^Esse tipo pede mais/)
    expect(pt.other).toBe('Server words')
    expect(filingErrors(err, reader('en').t, fieldErrors).case).toBe('That request is not this contact’s.')
  })
})

describe('one email, one entry', () => {
  const written = (data) => ({ id: 'e', contact: 'c', type: 'email', event: 'email.written', subject: 'Your quote',
    data: { to: 'x@x.test', subject: 'Your quote', purpose: 'service', outbox: 'o1', ...data } })

  it('says where the email stands in the outbox, in both languages', () => {
    expect(say('en', written({ state: 'queued' })).lines).toContain('Queued to send.')
    expect(say('pt-BR', written({ state: 'queued' })).lines).toContain('Na fila para envio.')
    const sent = say('pt-BR', written({ state: 'sent', state_at: '2026-11-25T12:00:00Z' }))
    expect(sent.title).toBe('E-mail escrito: Your quote')
    expect(sent.lines.at(-1)).toMatch(/^Enviado em 25 de nov\. de 2026, 12:00\.$/)
    expect(say('en', written({ state: 'sent', state_at: '2026-11-25T12:00:00Z' })).lines.at(-1)).toMatch(/^Sent .*2026.*\.$/)
  })

  it('says why it waits or was refused, with the outbox reason words', () => {
    const refused = say('pt-BR', written({ state: 'refused', reason_code: 'no_consent', reason: { purpose: 'marketing', channel: 'email' } }))
    expect(refused.lines.at(-1)).toBe('Não enviado. Sem consentimento: Marketing (canal: e-mail).')
    const waiting = say('en', written({ state: 'waiting', reason_code: 'waiting', reason: { until: '2026-11-25T12:00:00Z', for: [{ code: 'weekly_limit', count: 3, limit: 3 }] } }))
    expect(waiting.lines.at(-1)).toMatch(/^Not sent yet\. Waiting until .*2026.*weekly limit/)
    const failed = say('en', written({ state: 'failed', why: 'smtp: 550 mailbox unavailable' }))
    expect(failed.lines.at(-1)).toBe('Sending failed. smtp: 550 mailbox unavailable')
  })

  it('keeps an email written before states were kept as it was', () => {
    const old = say('en', written({}))
    expect(old.lines).toEqual(['To x@x.test (Service)'])
    expect(say('en', written({ state: 'pigeon' })).lines).toEqual(['To x@x.test (Service)'])
  })

  it('shows the customer an email sent to them as a message sent, in the portal', () => {
    const t = (key, params) => translate('pt-BR', key, params)
    expect(stepLabel({ kind: 'email.written', label: 'Your quote' }, t)).toBe(stepLabel({ kind: 'message.sent', label: 'Your quote' }, t))
  })
})
