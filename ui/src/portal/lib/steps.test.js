import { describe, it, expect } from 'vitest'
import { stepLabel } from './steps.js'
import { translate } from './i18n.js'

const pt = (key, params) => translate('pt-BR', key, params)
const en = (key, params) => translate('en', key, params)

describe('a request’s steps in the portal', () => {
  it('words the mail that told the customer their request was received, never its template’s name', () => {
    const step = { kind: 'message.sent', label: 'case_opened', at: '2026-03-02 12:00:00.000Z' }
    expect(stepLabel(step, pt)).toBe('Avisamos que recebemos sua solicitação')
    expect(stepLabel(step, en)).toBe('We told you we received your request')
    expect(stepLabel({ kind: 'message.sent', label: 'case_status' }, pt)).toBe('Avisamos da mudança de situação')
  })

  it('keeps a message’s own subject, and says a message was sent when it has none', () => {
    expect(stepLabel({ kind: 'message.sent', label: 'Recebemos sua solicitação ENC-0001' }, pt)).toBe('Enviamos uma mensagem: Recebemos sua solicitação ENC-0001')
    expect(stepLabel({ kind: 'message.sent', label: 'generic' }, en)).toBe('We sent you a message')
    expect(stepLabel({ kind: 'message.sent', label: '' }, pt)).toBe('Enviamos uma mensagem para você')
  })

  it('shows a status’s public label, and words a status step that has none', () => {
    expect(stepLabel({ kind: 'case.opened', label: 'Recebemos sua encomenda' }, pt)).toBe('Recebemos sua encomenda')
    expect(stepLabel({ kind: 'case.opened', label: '' }, pt)).toBe('Solicitação recebida')
    expect(stepLabel({ kind: 'case.status_changed', label: ' ' }, en)).toBe('Status updated')
    expect(stepLabel({ kind: 'case.closed', label: '' }, pt)).toBe('Encerrada')
  })

  it('words the answer, the rating and the reopening in the reader’s language', () => {
    expect(stepLabel({ kind: 'case.answered', label: 'ENC-0001 Bolo' }, pt)).toBe('Respondemos')
    expect(stepLabel({ kind: 'case.rated', label: 'ENC-0001 Bolo' }, en)).toBe('You rated it')
    expect(stepLabel({ kind: 'case.reopened', label: 'x' }, pt)).toBe('Reaberto')
  })

  it('keeps the words a colleague wrote in a public note, and words an empty one', () => {
    expect(stepLabel({ kind: 'note', label: 'Entrega confirmada para sábado' }, pt)).toBe('Entrega confirmada para sábado')
    expect(stepLabel({ kind: 'call', label: '' }, en)).toBe('An update on your request')
    expect(stepLabel({}, pt)).toBe('Uma novidade na sua solicitação')
  })

  it('never shows a raw key in either language: a step without words, a message named by its template', () => {
    const kinds = ['case.opened', 'case.status_changed', 'case.closed', 'case.answered', 'case.rated', 'case.reopened', 'message.sent', 'note', '']
    for (const t of [pt, en]) {
      for (const kind of kinds) expect(stepLabel({ kind, label: '' }, t)).not.toMatch(/^step\.|^$/)
      for (const label of ['case_opened', 'case_status', 'generic']) {
        expect(stepLabel({ kind: 'message.sent', label }, t)).not.toMatch(/^step\.|case_|generic/)
      }
    }
  })
})
