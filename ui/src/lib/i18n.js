// The UI's two languages and the lookup of a message. Pure functions: the
// current language lives in locale.svelte.js.
import en from './messages/en.js'
import ptBR from './messages/pt-BR.js'

export const LANGUAGES = ['en', 'pt-BR']
export const LANGUAGE_NAMES = { en: 'English', 'pt-BR': 'Português' }
export const LANGUAGE_SHORT = { en: 'EN', 'pt-BR': 'PT' }
// Each capability may keep its own messages beside these, in
// messages/<capability>.en.js and messages/<capability>.pt-BR.js.
const extra = import.meta.glob('./messages/*.*.js', { eager: true, import: 'default' })
function withExtra(base, lang) {
  const out = { ...base }
  for (const [path, dict] of Object.entries(extra)) {
    if (path.endsWith(`.${lang}.js`)) Object.assign(out, dict)
  }
  return out
}
export const messages = { en: withExtra(en, 'en'), 'pt-BR': withExtra(ptBR, 'pt-BR') }

/** The language to use for a staff member's `language` field or the browser's list. */
export function pickLanguage(...candidates) {
  for (const c of candidates.flat()) {
    if (!c) continue
    if (LANGUAGES.includes(c)) return c
    const base = String(c).toLowerCase().split(/[-_]/)[0]
    if (base === 'pt') return 'pt-BR'
    if (base === 'en') return 'en'
  }
  return 'en'
}

/** The message `key` in `lang` with {name} placeholders filled from params. */
export function translate(lang, key, params) {
  const dict = messages[lang] ?? en
  let text = dict[key] ?? en[key] ?? key
  if (params) {
    text = text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole))
  }
  return text
}
