// The reader's language and time zone, and t(): a template that calls t()
// renders again when the language changes.
import { translate, pickLanguage } from './i18n.js'
import * as f from './format.js'

export const locale = $state({
  lang: 'en',
  timeZone: undefined, // undefined: the browser's
})

export function setLanguage(lang) {
  locale.lang = pickLanguage(lang)
  if (typeof document !== 'undefined') document.documentElement.lang = locale.lang
}

export function setTimeZone(zone) {
  locale.timeZone = f.validTimeZone(zone) ? zone : undefined
}

export function t(key, params) {
  return translate(locale.lang, key, params)
}

// Formatters for the reader: their language, their time zone.
export const fmt = {
  date: (v) => f.formatDate(v, locale.lang, locale.timeZone),
  dateTime: (v) => f.formatDateTime(v, locale.lang, locale.timeZone),
  time: (v) => f.formatTime(v, locale.lang, locale.timeZone),
  relativeDay: (v, now) => f.formatRelativeDay(v, locale.lang, locale.timeZone, now),
  money: (amount, currency) => f.formatMoney(amount, currency, locale.lang),
  number: (n) => f.formatNumber(n, locale.lang),
  preferences: (prefs, now) => f.preferenceSentence(prefs, locale.lang, { timeZone: locale.timeZone, now }),
}
