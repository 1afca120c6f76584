import { describe, it, expect } from 'vitest'
import { LANGUAGES, messages, translate, pickLanguage } from './i18n.js'
import { expectSameMessages } from '../shared/messages-check.js'

describe('i18n', () => {
  it('has English and Portuguese (pt-BR)', () => {
    expect(LANGUAGES).toEqual(['en', 'pt-BR'])
    for (const l of LANGUAGES) expect(Object.keys(messages[l]).length).toBeGreaterThan(100)
  })

  it('has every key in both languages, none empty, with the same placeholders', () => {
    expectSameMessages(messages.en, messages['pt-BR'])
  })

  it('has a word for every value the schema can hold', () => {
    const keys = [
      ...['email', 'call', 'meeting', 'note', 'chat', 'social', 'letter', 'visit', 'portal', 'system'].map((x) => `type.${x}`),
      ...['email', 'phone', 'sms', 'whatsapp', 'letter', 'chat', 'social', 'in_person', 'portal', 'web', 'api', 'system'].map((x) => `channel.${x}`),
      ...['lead', 'prospect', 'customer', 'former'].map((x) => `stage.${x}`),
      ...['service', 'marketing', 'profiling', 'research'].map((x) => `purpose.${x}`),
      ...['granted', 'withdrawn'].map((x) => `consent.${x}`),
      ...['open', 'won', 'lost', 'placed', 'paid', 'shipped', 'delivered', 'cancelled', 'pending', 'active', 'paused'].map((x) => `status.${x}`),
      ...['low', 'normal', 'high', 'urgent'].map((x) => `priority.${x}`),
      ...['manager', 'agent', 'readonly'].map((x) => `role.${x}`),
      ...['contacts', 'companies', 'deals', 'cases', 'activities'].map((x) => `search.kind.${x}`),
      // the timeline's events (plugins/timeline)
      ...['contact.created', 'contact.merged', 'contact.company_changed', 'contact.preferences_changed',
        'deal.created', 'deal.moved', 'deal.won', 'deal.lost', 'deal.reopened',
        'case.opened', 'case.status_changed', 'case.answered', 'case.closed', 'case.rated',
        'order.placed', 'order.cancelled', 'subscription.paused', 'subscription.resumed', 'subscription.changed', 'subscription.cancelled',
        'consent.changed', 'message.queued', 'message.held', 'message.sent', 'message.refused', 'message.failed'].map((x) => `event.${x}`),
    ]
    for (const l of LANGUAGES) for (const k of keys) expect(messages[l][k], `${l} ${k}`).toBeTruthy()
  })

  it('fills placeholders and falls back to English, then to the key', () => {
    expect(translate('pt-BR', 'home.hello', { name: 'Rafael' })).toBe('Olá, Rafael')
    expect(translate('en', 'home.hello', { name: 'Rafael' })).toBe('Hello, Rafael')
    expect(translate('fr', 'nav.contacts')).toBe('Contacts')
    expect(translate('pt-BR', 'no.such.key')).toBe('no.such.key')
    expect(translate('en', 'home.hello')).toBe('Hello, {name}')
  })

  it('picks the staff member’s language, else the browser’s, else English', () => {
    expect(pickLanguage('pt-BR')).toBe('pt-BR')
    expect(pickLanguage('', undefined, ['pt-PT', 'en'])).toBe('pt-BR')
    expect(pickLanguage(null, ['en-GB'])).toBe('en')
    expect(pickLanguage('en', 'pt-BR')).toBe('en')
    expect(pickLanguage('de', ['fr'])).toBe('en')
  })
})
