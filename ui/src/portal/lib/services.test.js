import { describe, it, expect } from 'vitest'
import { formatDate } from '../../lib/format.js'
import { dayFromToday, dayOf, stateLine, fieldProblems } from './services.js'

// "Pause until 15 January" reads as the 15th where the customer lives: the
// server keeps the moment the 15th starts in their zone; the page shows the
// day of that moment in the same zone, and a bare day (the timeline's
// "until", a billing period) as that very day in any zone.
describe('the day a pause ends', () => {
  const sp = '2027-01-15 03:00:00.000Z' // 15 January 00:00 in São Paulo
  const tokyo = '2027-01-14 15:00:00.000Z' // 15 January 00:00 in Tokyo

  it('is the day chosen, in the customer’s time zone', () => {
    expect(dayOf(sp, 'America/Sao_Paulo')).toBe('2027-01-15')
    expect(dayOf(tokyo, 'Asia/Tokyo')).toBe('2027-01-15')
    expect(formatDate(sp, 'en', 'America/Sao_Paulo')).toBe('Jan 15, 2027')
    expect(formatDate(tokyo, 'pt-BR', 'Asia/Tokyo')).toMatch(/^15 de jan\.? de 2027$/)
  })

  it('a bare day is that day wherever it is read', () => {
    for (const zone of ['America/Sao_Paulo', 'America/Los_Angeles', 'Asia/Tokyo', 'Pacific/Kiritimati', undefined]) {
      expect(formatDate('2027-01-15', 'en', zone)).toBe('Jan 15, 2027')
    }
  })

  it('the first day to pause until is tomorrow where the customer lives', () => {
    const now = new Date('2026-12-31T23:30:00Z') // still the 31st in São Paulo, already 1 January in Tokyo
    expect(dayFromToday(1, 'America/Sao_Paulo', now)).toBe('2027-01-01')
    expect(dayFromToday(1, 'Asia/Tokyo', now)).toBe('2027-01-02')
    expect(dayFromToday(0, 'America/Sao_Paulo', new Date('2028-02-28T12:00:00Z'))).toBe('2028-02-28')
    expect(dayFromToday(1, 'America/Sao_Paulo', new Date('2028-02-28T12:00:00Z'))).toBe('2028-02-29')
  })
})

describe('a subscription’s state line', () => {
  it('says when it ends when a cancellation is asked for the period’s end', () => {
    expect(stateLine({ status: 'active', cancel_at: '2027-02-01 00:00:00Z', renews_at: '2027-02-01 00:00:00Z' })).toEqual({ key: 'svc.state.ends', date: '2027-02-01 00:00:00Z' })
    expect(stateLine({ status: 'paused', paused_until: sp() })).toEqual({ key: 'svc.state.paused_until', date: sp() })
    expect(stateLine({ status: 'paused' })?.key).toBe('svc.state.paused')
    expect(stateLine({ status: 'active', renews_at: '2027-02-01 00:00:00Z' })?.key).toBe('svc.state.renews')
    expect(stateLine({ status: 'cancelled', cancelled_at: '2027-02-01 00:00:00Z' })?.key).toBe('svc.state.cancelled')
  })
})

function sp() {
  return '2027-01-15 03:00:00.000Z'
}

describe('field problems', () => {
  const t = (k, p) => ({ 'svc.err.reason.validation_required': 'Why?', 'svc.err.validation_preview_stale': `Now ${p?.amount}` })[k] ?? k
  it('word each field by its code, else the server’s message', () => {
    const err = { response: { data: { reason: { code: 'validation_required', message: 'x' }, expect: { code: 'validation_preview_stale', message: 'y', params: { amount: 53.33 } }, note: { code: 'nope', message: 'As the server said' } } } }
    expect(fieldProblems(err, t)).toEqual({ reason: 'Why?', expect: 'Now 53.33', note: 'As the server said' })
  })
})
