// Formatters: dates, times, money and the customer's contact preferences in
// plain words, for the reader's language and time zone. Pure functions of
// their arguments (the reader's settings come from locale.svelte.js).
import { translate } from './i18n.js'

const WEEK = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']

// Intl formatters are costly to build and a list formats the same way for
// every row: one per language and options.
const formatters = new Map()
function cached(Kind, lang, options) {
  const key = `${Kind.name}|${lang}|${JSON.stringify(options)}`
  let f = formatters.get(key)
  if (!f) {
    f = new Kind(lang, options)
    formatters.set(key, f)
  }
  return f
}

/** A Date from PocketBase's "2026-11-24 07:57:21.410Z", an ISO text, a number or a Date; null when empty or unreadable. */
export function parseDate(v) {
  if (v === null || v === undefined || v === '') return null
  if (v instanceof Date) return isNaN(v) ? null : v
  const d = new Date(typeof v === 'string' ? v.trim().replace(' ', 'T') : v)
  return isNaN(d) ? null : d
}

const zones = new Map()

export function validTimeZone(zone) {
  if (!zone) return false
  if (!zones.has(zone)) {
    let ok = true
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone })
    } catch {
      ok = false
    }
    zones.set(zone, ok)
  }
  return zones.get(zone)
}

function zoneOption(timeZone) {
  return validTimeZone(timeZone) ? { timeZone } : {}
}

export function formatDate(v, lang, timeZone) {
  const d = parseDate(v)
  // A bare day ("2027-01-15": a pause's end, a billing period) is that
  // calendar day wherever it is read, not UTC midnight moved to the reader's zone.
  const zone = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v.trim()) ? 'UTC' : timeZone
  return d ? cached(Intl.DateTimeFormat, lang, { dateStyle: 'medium', ...zoneOption(zone) }).format(d) : ''
}

export function formatDateTime(v, lang, timeZone) {
  const d = parseDate(v)
  return d ? cached(Intl.DateTimeFormat, lang, { dateStyle: 'medium', timeStyle: 'short', ...zoneOption(timeZone) }).format(d) : ''
}

export function formatTime(v, lang, timeZone) {
  const d = parseDate(v)
  return d ? cached(Intl.DateTimeFormat, lang, { timeStyle: 'short', ...zoneOption(timeZone) }).format(d) : ''
}

/** YYYY-MM-DD of the day d falls on in timeZone. */
export function dayKey(d, timeZone) {
  return cached(Intl.DateTimeFormat, 'en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', ...zoneOption(timeZone) }).format(d)
}

/** "today", "tomorrow", "in 3 days", "yesterday" within a week; the date otherwise. */
export function formatRelativeDay(v, lang, timeZone, now = new Date()) {
  const d = parseDate(v)
  if (!d) return ''
  const days = Math.round((Date.parse(dayKey(d, timeZone)) - Date.parse(dayKey(now, timeZone))) / 86400000)
  if (Math.abs(days) <= 6) {
    return cached(Intl.RelativeTimeFormat, lang, { numeric: 'auto' }).format(days, 'day')
  }
  return formatDate(d, lang, timeZone)
}

export function formatMoney(amount, currency, lang) {
  const n = Number(amount)
  if (amount === null || amount === undefined || amount === '' || !Number.isFinite(n)) return ''
  const code = /^[A-Z]{3}$/.test(currency ?? '') ? currency : 'BRL'
  try {
    return cached(Intl.NumberFormat, lang, { style: 'currency', currency: code }).format(n)
  } catch {
    return `${formatNumber(n, lang)} ${code}`
  }
}

export function formatNumber(n, lang) {
  return cached(Intl.NumberFormat, lang, {}).format(Number(n) || 0)
}

/** "09:00" -> "9", "12:30" -> "12:30": hours as people say them. */
export function hourText(clock) {
  const m = /^(\d{1,2}):(\d{2})$/.exec(clock ?? '')
  if (!m) return ''
  const h = String(Number(m[1]))
  return m[2] === '00' ? h : `${h}:${m[2]}`
}

function weekdayName(day, lang) {
  const i = WEEK.indexOf(day)
  // 2024-01-01 was a Monday.
  const name = new Intl.DateTimeFormat(lang, { weekday: 'short', timeZone: 'UTC' }).format(new Date(Date.UTC(2024, 0, 1 + i)))
  return name.replace(/\.$/, '')
}

/** The preferred days in words: "weekdays", "every day", "Mon–Thu", "Mon, Wed, Fri". */
export function describeDays(days, lang) {
  const set = [...new Set((days ?? []).filter((d) => WEEK.includes(d)))].sort((a, b) => WEEK.indexOf(a) - WEEK.indexOf(b))
  if (set.length === 0) return ''
  const key = set.join(',')
  if (set.length === 7) return translate(lang, 'pref.days.all')
  if (key === 'mon,tue,wed,thu,fri') return translate(lang, 'pref.days.weekdays')
  if (key === 'sat,sun') return translate(lang, 'pref.days.weekend')
  const idx = set.map((d) => WEEK.indexOf(d))
  const contiguous = idx.every((v, i) => i === 0 || v === idx[i - 1] + 1)
  if (contiguous && set.length >= 3) return `${weekdayName(set[0], lang)}–${weekdayName(set.at(-1), lang)}`
  return set.map((d) => weekdayName(d, lang)).join(', ')
}

// Cities of IANA zone names whose spelling has accents the name lacks.
const CITY_NAMES = {
  Sao_Paulo: 'São Paulo',
  Belem: 'Belém',
  Maceio: 'Maceió',
  Cuiaba: 'Cuiabá',
  Araguaina: 'Araguaína',
  Santarem: 'Santarém',
  Eirunepe: 'Eirunepé',
  Bogota: 'Bogotá',
  Asuncion: 'Asunción',
  Mexico_City: 'Mexico City',
}

/** "America/Sao_Paulo" -> "São Paulo"; "UTC" stays "UTC". */
export function zoneCity(zone) {
  if (!zone) return ''
  const last = zone.split('/').at(-1)
  return CITY_NAMES[last] ?? last.replace(/_/g, ' ')
}

/**
 * The contact's preferences in plain words, in lang:
 * "prefers WhatsApp, weekdays 9–12, São Paulo time".
 * prefs holds the contact's preferred_channel, preferred_days,
 * preferred_hours_start, preferred_hours_end, timezone,
 * max_contacts_per_week and paused_until.
 */
export function preferenceSentence(prefs, lang, { now = new Date(), timeZone } = {}) {
  const p = prefs ?? {}
  const parts = []
  if (p.preferred_channel && p.preferred_channel !== 'none') {
    parts.push(translate(lang, 'pref.prefers', { channel: translate(lang, `channel.${p.preferred_channel}`) }))
  }
  const days = describeDays(p.preferred_days, lang)
  const start = hourText(p.preferred_hours_start)
  const end = hourText(p.preferred_hours_end)
  let hours = ''
  if (start && end) hours = `${start}–${end}`
  else if (start) hours = translate(lang, 'pref.hours.from', { start })
  else if (end) hours = translate(lang, 'pref.hours.until', { end })
  const when = [days, hours].filter(Boolean).join(' ')
  if (when) parts.push(when)
  if (p.timezone && when) parts.push(translate(lang, 'pref.zone', { city: zoneCity(p.timezone) }))
  if (Number(p.max_contacts_per_week) > 0) parts.push(translate(lang, 'pref.max_week', { n: p.max_contacts_per_week }))
  const paused = parseDate(p.paused_until)
  if (paused && paused > now) parts.push(translate(lang, 'pref.paused', { date: formatDate(paused, lang, timeZone) }))
  return parts.length ? parts.join(', ') : translate(lang, 'pref.none')
}

/** The first letter in capitals, for a sentence that starts a line. */
export function capitalize(s) {
  return s ? s.charAt(0).toLocaleUpperCase() + s.slice(1) : s
}

/** Minutes east of UTC of timeZone at the instant ms. */
function zoneOffsetMinutes(ms, timeZone) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(ms))
  const get = (type) => Number(parts.find((x) => x.type === type).value)
  const asUTC = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'))
  return Math.round((asUTC - Math.floor(ms / 1000) * 1000) / 60000)
}

/**
 * The instant, as an ISO text, of the wall-clock time `hour:minute` on the
 * day "YYYY-MM-DD" in timeZone (the browser's zone when none): a follow-up
 * "on 1 Dec" is due at 09:00 where the reader works.
 */
export function zonedDayToISO(day, hour = 9, minute = 0, timeZone) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day ?? '')
  if (!m) return ''
  const [y, mo, d] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])]
  if (!validTimeZone(timeZone)) return new Date(y, mo, d, hour, minute).toISOString()
  const wall = Date.UTC(y, mo, d, hour, minute)
  let ms = wall - zoneOffsetMinutes(wall, timeZone) * 60000
  ms = wall - zoneOffsetMinutes(ms, timeZone) * 60000 // once more, across a clock change
  return new Date(ms).toISOString()
}
