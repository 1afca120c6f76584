// A request type's fields ([{name, label, help, type, required, options}]) and
// what someone typed into them (the customer in the portal, staff opening a
// request for a customer): checked as they type, with the same rules as the
// server (plugins/requests/fields.go). Problems are message keys under form.*.
//
// A label or help is plain text (for every language) or per language
// ({en: 'Address', 'pt-BR': 'Endereço'}); textIn picks the reader's.
export const FIELD_TYPES = ['text', 'long_text', 'number', 'date', 'select', 'email', 'bool']
export const LANGUAGES = ['en', 'pt-BR']
/** The longest text a field holds, in characters (plugins/requests MaxText, MaxLongText). */
export const MAX_TEXT = 2000
export const MAX_LONG_TEXT = 10000

/**
 * The words of a label for a reader of lang: their language's, else English,
 * else any language given; a plain string is the same for everyone.
 * @param {string|Record<string, string>|undefined|null} text
 * @param {string} lang
 * @returns {string}
 */
export function textIn(text, lang) {
  if (typeof text === 'string') return text.trim()
  if (!text || typeof text !== 'object') return ''
  for (const l of [lang, ...LANGUAGES, ...Object.keys(text)]) {
    const v = typeof text[l] === 'string' ? text[l].trim() : ''
    if (v) return v
  }
  return ''
}

/** A field's label for a reader of lang (its name when it has none). */
export const fieldLabel = (f, lang) => textIn(f?.label, lang) || f?.name || ''

/** A field's help for a reader of lang ('' when none). */
export const fieldHelp = (f, lang) => textIn(f?.help, lang)

/** The type's fields as a list, whatever shape the JSON field arrived in. */
export function fieldsOf(caseType) {
  let raw = caseType?.fields
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw)
    } catch {
      raw = []
    }
  }
  return Array.isArray(raw) ? raw.filter((f) => f && f.name && FIELD_TYPES.includes(f.type)) : []
}

/** The message key of what is wrong with value for field f, or '' when it is fine. */
export function fieldProblem(f, value) {
  if (f.type === 'bool') {
    if (value !== undefined && value !== null && typeof value !== 'boolean') return 'form.yes_no'
    return f.required && value !== true ? 'form.must_tick' : ''
  }
  const v = typeof value === 'string' ? value.trim() : value
  if (v === undefined || v === null || v === '') return f.required ? 'form.required' : ''
  switch (f.type) {
    case 'number':
      return Number.isFinite(Number(v)) ? '' : 'form.number'
    case 'date':
      return /^\d{4}-\d{2}-\d{2}$/.test(v) && !isNaN(Date.parse(v)) ? '' : 'form.date'
    case 'email':
      return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v) ? '' : 'form.email'
    case 'select':
      return (f.options ?? []).includes(v) ? '' : 'form.choose'
    case 'long_text':
      return [...String(v)].length > MAX_LONG_TEXT ? 'form.too_long' : ''
    default:
      return [...String(v)].length > MAX_TEXT ? 'form.too_long' : ''
  }
}

/** The data object to send: typed values, empty optional fields left out, a yes/no always true or false. */
export function dataOf(fields, values) {
  const out = {}
  for (const f of fields) {
    if (f.type === 'bool') {
      out[f.name] = values[f.name] === true
      continue
    }
    const v = typeof values[f.name] === 'string' ? values[f.name].trim() : values[f.name]
    if (v === undefined || v === null || v === '') continue
    out[f.name] = f.type === 'number' ? Number(v) : v
  }
  return out
}

/**
 * A case's data as a reader of lang sees it: [{name, label, value, long}] in
 * the type's order, then any value the type no longer asks for under its name.
 * A yes/no reads form.yes / form.no in t's language.
 * @param {Record<string, any>|null|undefined} data
 * @param {Array<Record<string, any>>} fields the type's fields (fieldsOf)
 * @param {string} lang
 * @param {(key: string) => string} t
 */
export function shownData(data, fields, lang, t) {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return []
  const show = (f, v) => {
    if (typeof v === 'boolean') return t(v ? 'form.yes' : 'form.no')
    if (v !== null && typeof v === 'object') return JSON.stringify(v)
    return String(v)
  }
  const known = fields.filter((f) => f.name in data).map((f) => ({ name: f.name, label: fieldLabel(f, lang), value: show(f, data[f.name]), long: f.type === 'long_text' }))
  const rest = Object.keys(data).filter((k) => !fields.some((f) => f.name === k)).map((k) => ({ name: k, label: k, value: show(null, data[k]), long: false }))
  return [...known, ...rest]
}
