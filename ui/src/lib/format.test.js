import { describe, it, expect } from 'vitest'
import {
  parseDate, formatDate, formatDateTime, formatTime, formatRelativeDay, formatMoney, hourText,
  describeDays, zoneCity, preferenceSentence, capitalize, zonedDayToISO,
} from './format.js'

// Intl puts narrow and regular no-break spaces into money and times.
const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ')

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri']

describe('the contact’s preferences in plain words', () => {
  const joao = { preferred_channel: 'whatsapp', preferred_days: WEEKDAYS, preferred_hours_start: '09:00', preferred_hours_end: '12:00', timezone: 'America/Sao_Paulo' }

  it('says it in English', () => {
    expect(preferenceSentence(joao, 'en')).toBe('prefers WhatsApp, weekdays 9–12, São Paulo time')
  })

  it('says it in Portuguese', () => {
    expect(preferenceSentence(joao, 'pt-BR')).toBe('prefere WhatsApp, dias úteis 9–12, horário de São Paulo')
  })

  it('names other days, half hours, limits and a pause', () => {
    const now = new Date('2026-11-24T12:00:00Z')
    const p = {
      preferred_channel: 'email', preferred_days: ['sat', 'sun'], preferred_hours_start: '08:30', preferred_hours_end: '13:00',
      timezone: 'Europe/London', max_contacts_per_week: 2, paused_until: '2026-12-15 00:00:00.000Z',
    }
    expect(preferenceSentence(p, 'en', { now, timeZone: 'UTC' })).toBe('prefers email, weekends 8:30–13, London time, at most 2 messages a week, contact paused until Dec 15, 2026')
    expect(preferenceSentence(p, 'pt-BR', { now, timeZone: 'UTC' })).toBe('prefere e-mail, fins de semana 8:30–13, horário de London, no máximo 2 mensagens por semana, contato pausado até 15 de dez. de 2026')
    expect(preferenceSentence({ ...p, paused_until: '2026-01-01 00:00:00.000Z' }, 'en', { now })).not.toContain('paused')
  })

  it('reads days as people say them', () => {
    expect(describeDays(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], 'en')).toBe('every day')
    expect(describeDays(['fri', 'mon', 'wed', 'thu', 'tue'], 'pt-BR')).toBe('dias úteis')
    expect(describeDays(['tue', 'wed', 'thu'], 'en')).toBe('Tue–Thu')
    expect(describeDays(['tue', 'wed', 'thu'], 'pt-BR')).toBe('ter–qui')
    expect(describeDays(['mon', 'wed', 'fri'], 'en')).toBe('Mon, Wed, Fri')
    expect(describeDays([], 'en')).toBe('')
  })

  it('handles partial and missing preferences', () => {
    expect(preferenceSentence({ preferred_channel: 'phone' }, 'en')).toBe('prefers phone')
    expect(preferenceSentence({ preferred_channel: 'none', preferred_hours_start: '14:00', timezone: 'America/Manaus' }, 'pt-BR')).toBe('a partir das 14, horário de Manaus')
    expect(preferenceSentence({ preferred_hours_end: '18:00' }, 'en')).toBe('until 18')
    expect(preferenceSentence({}, 'en')).toBe('no contact preferences given')
    expect(preferenceSentence(null, 'pt-BR')).toBe('nenhuma preferência de contato informada')
    expect(capitalize(preferenceSentence(joao, 'en'))).toBe('Prefers WhatsApp, weekdays 9–12, São Paulo time')
  })

  it('names hours and zones', () => {
    expect(hourText('09:00')).toBe('9')
    expect(hourText('12:30')).toBe('12:30')
    expect(hourText('')).toBe('')
    expect(zoneCity('America/Sao_Paulo')).toBe('São Paulo')
    expect(zoneCity('America/Argentina/Buenos_Aires')).toBe('Buenos Aires')
    expect(zoneCity('UTC')).toBe('UTC')
  })
})

describe('money', () => {
  it('formats for the reader', () => {
    expect(plain(formatMoney(1470, 'BRL', 'pt-BR'))).toBe('R$ 1.470,00')
    expect(formatMoney(1470, 'BRL', 'en')).toBe('R$1,470.00')
    expect(formatMoney(159.9, 'USD', 'en')).toBe('$159.90')
    expect(plain(formatMoney(159.9, 'USD', 'pt-BR'))).toBe('US$ 159,90')
    expect(plain(formatMoney(0, 'EUR', 'pt-BR'))).toBe('€ 0,00')
  })

  it('leaves out what is not an amount and survives a bad currency', () => {
    expect(formatMoney('', 'BRL', 'en')).toBe('')
    expect(formatMoney(null, 'BRL', 'en')).toBe('')
    expect(formatMoney('abc', 'BRL', 'en')).toBe('')
    expect(formatMoney(10, '', 'en')).toBe('R$10.00') // the business's default
  })
})

describe('dates and times', () => {
  const at = '2026-11-24 13:05:00.000Z' // PocketBase's layout

  it('reads PocketBase dates', () => {
    expect(parseDate(at).toISOString()).toBe('2026-11-24T13:05:00.000Z')
    expect(parseDate('')).toBeNull()
    expect(parseDate('not a date')).toBeNull()
  })

  it('formats in the reader’s language and time zone', () => {
    expect(formatDate(at, 'en', 'America/Sao_Paulo')).toBe('Nov 24, 2026')
    expect(formatDate(at, 'pt-BR', 'America/Sao_Paulo')).toBe('24 de nov. de 2026')
    expect(plain(formatTime(at, 'en', 'America/Sao_Paulo'))).toBe('10:05 AM')
    expect(formatTime(at, 'pt-BR', 'America/Sao_Paulo')).toBe('10:05')
    expect(formatTime(at, 'pt-BR', 'Asia/Tokyo')).toBe('22:05')
    expect(plain(formatDateTime(at, 'pt-BR', 'America/Sao_Paulo'))).toBe('24 de nov. de 2026, 10:05')
    expect(formatDate('', 'en')).toBe('')
  })

  it('says today, tomorrow and yesterday in the reader’s zone', () => {
    const now = new Date('2026-11-24T13:00:00Z')
    expect(formatRelativeDay('2026-11-24 20:00:00.000Z', 'en', 'America/Sao_Paulo', now)).toBe('today')
    expect(formatRelativeDay('2026-11-25 12:00:00.000Z', 'pt-BR', 'America/Sao_Paulo', now)).toBe('amanhã')
    expect(formatRelativeDay('2026-11-23 12:00:00.000Z', 'en', 'America/Sao_Paulo', now)).toBe('yesterday')
    // 02:00 UTC on the 25th is still the 24th in São Paulo
    expect(formatRelativeDay('2026-11-25 02:00:00.000Z', 'en', 'America/Sao_Paulo', now)).toBe('today')
    expect(formatRelativeDay('2026-12-24 12:00:00.000Z', 'en', 'America/Sao_Paulo', now)).toBe('Dec 24, 2026')
  })

  it('turns a chosen day into 09:00 where the reader works', () => {
    expect(zonedDayToISO('2026-12-01', 9, 0, 'America/Sao_Paulo')).toBe('2026-12-01T12:00:00.000Z')
    expect(zonedDayToISO('2026-07-01', 9, 0, 'Europe/London')).toBe('2026-07-01T08:00:00.000Z') // summer time
    expect(zonedDayToISO('2026-12-01', 9, 0, 'Europe/London')).toBe('2026-12-01T09:00:00.000Z')
    expect(zonedDayToISO('2026-12-01', 9, 0, 'Asia/Kolkata')).toBe('2026-12-01T03:30:00.000Z')
    expect(zonedDayToISO('nope')).toBe('')
  })
})
