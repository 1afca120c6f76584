import { describe, test, expect } from 'vitest'
import { readHours, writeHours, toDraft, changes } from './business.svelte.js'

describe('opening hours', () => {
  test('day ranges and split days read as a week', () => {
    const w = readHours('mon-fri 09:00-12:00,13:00-18:00; sat 09:00-13:00')
    expect(w.mon).toEqual([{ start: '09:00', end: '12:00' }, { start: '13:00', end: '18:00' }])
    expect(w.fri).toEqual(w.mon)
    expect(w.sat).toEqual([{ start: '09:00', end: '13:00' }])
    expect(w.sun).toEqual([])
  })

  test('a range over the weekend wraps', () => {
    const w = readHours('fri-mon 10:00-14:00')
    expect(['fri', 'sat', 'sun', 'mon'].every((d) => w[d].length === 1)).toBe(true)
    expect(w.tue).toEqual([])
  })

  test('a week writes back in the server’s format, closed days left out', () => {
    expect(writeHours(readHours('mon-tue 09:00-18:00; sun 10:00-12:00'))).toBe('mon 09:00-18:00; tue 09:00-18:00; sun 10:00-12:00')
  })
})

describe('business changes', () => {
  const record = { id: 'b1', name: 'Padaria', color: '#aa3300', country: 'BR', language: 'pt-BR', timezone: 'America/Sao_Paulo',
    hours: 'mon-fri 09:00-18:00', holidays: ['2026-12-25'], logo_url: '' }

  test('nothing changed sends nothing, even when the hours are written differently', () => {
    expect(changes(record, toDraft(record))).toBeNull()
  })

  test('only the changed fields are sent', () => {
    const d = toDraft(record)
    d.name = 'Padaria Nova'
    d.week.sat.push({ start: '09:00', end: '13:00' })
    d.holidays.push('')
    expect(changes(record, d)).toEqual({ name: 'Padaria Nova', hours: 'mon 09:00-18:00; tue 09:00-18:00; wed 09:00-18:00; thu 09:00-18:00; fri 09:00-18:00; sat 09:00-13:00' })
  })

  test('withholding working notes is sent when switched, and only then', () => {
    const d = toDraft(record)
    expect(d.withhold_working_notes).toBe(false)
    d.withhold_working_notes = true
    expect(changes(record, d)).toEqual({ withhold_working_notes: true })
    const on = { ...record, withhold_working_notes: true }
    expect(changes(on, toDraft(on))).toBeNull()
  })
})
