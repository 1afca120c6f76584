// What the workspace and the portal share about the business's own fields
// (custom fields): the label in the reader's language, the values as inputs
// hold them and as the record API takes them, and a column name's match to
// a field for the import. No client here: each app reads the fields its own
// way (staff all of them, a customer only theirs).

/**
 * A custom field's description (a row of custom_fields).
 * @typedef {{id: string, collection: string, name: string, label: string, labels?: Record<string, string> | null, kind: string, options?: string[] | null, position?: number, customer?: boolean}} CustomField
 */

/** Kinds with a list of options. */
export const withOptions = (kind) => kind === 'select' || kind === 'multi_select'

/**
 * The field's label in the reader's language (the one label otherwise).
 * @param {CustomField} field
 * @param {string} lang
 */
export function labelOf(field, lang) {
  return field.labels?.[lang]?.trim() || field.label
}

/** True when a record's value of the field is empty. */
export function isEmpty(value) {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)
}

/**
 * The record-API value of what an input holds (a date input's day becomes
 * a date PocketBase reads; an empty number is 0, which PocketBase stores).
 * @param {CustomField} field
 * @param {unknown} v
 */
export function toServer(field, v) {
  switch (field.kind) {
    case 'number':
    case 'money':
      return v === '' || v === null || v === undefined ? 0 : Number(v)
    case 'bool': return Boolean(v)
    case 'multi_select': return Array.isArray(v) ? v : []
    case 'date': return v ? `${String(v).slice(0, 10)} 12:00:00.000Z` : ''
  }
  return v ?? ''
}

/** What an input shows for a stored value (a date input wants YYYY-MM-DD). */
export function toInput(field, v) {
  if (field.kind === 'date') return v ? String(v).slice(0, 10) : ''
  if (field.kind === 'multi_select') return Array.isArray(v) ? v : []
  if (field.kind === 'bool') return Boolean(v)
  if ((field.kind === 'number' || field.kind === 'money') && (v === 0 || v === undefined || v === null)) return ''
  return v ?? ''
}


/** A name folded as the import compares names: accents, case and punctuation ignored. */
export function foldName(s) {
  return String(s ?? '')
    .normalize('NFD')
    .replace(/\p{Mn}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .join(' ')
}

/**
 * The custom field a file's column is named after: its name (with or
 * without cf_) or its label in either language; undefined when none.
 * @param {string} column
 * @param {CustomField[]} fields
 * @returns {CustomField | undefined}
 */
export function guessField(column, fields) {
  const key = foldName(column)
  if (!key) return undefined
  return fields.find((f) =>
    [f.name, f.name.replace(/^cf_/, ''), f.label, ...Object.values(f.labels ?? {})].some((n) => n && foldName(n) === key),
  )
}
