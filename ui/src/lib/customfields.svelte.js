// The business's custom fields (Settings → Fields): loaded once from
// GET /api/crm/fields and shared by the forms (CustomFieldInputs), the record
// pages (CustomFieldValues), the lists' columns and filters, and the import
// mapping. Each field is a real field of its collection (cf_...), so the
// record API reads, writes, filters and sorts it like any other; a manager
// adds, renames and deletes them through /api/crm/fields.
import { pb } from './pb.js'

/**
 * A custom field's description (a row of custom_fields).
 * @typedef {{id: string, collection: string, name: string, label: string, labels?: Record<string, string> | null, kind: string, options?: string[] | null, position?: number, customer?: boolean}} CustomField
 */

/** The kinds a manager can choose, in the order they are offered. */
export const KINDS = ['text', 'long_text', 'number', 'money', 'date', 'select', 'multi_select', 'bool', 'url', 'email', 'phone']

/** The collections a custom field can be on. */
export const COLLECTIONS = ['contacts', 'companies', 'deals', 'cases']

export { withOptions, labelOf, isEmpty, toServer, toInput, guessField } from '../shared/customfields.js'
import { isEmpty } from '../shared/customfields.js'

/**
 * The value as a person reads it, or '' when empty.
 * @param {CustomField} field
 * @param {unknown} value
 * @param {{t: (key: string) => string, fmt: {date: Function, number: Function, money: Function}, currency?: string}} how
 */
export function displayValue(field, value, { t, fmt, currency = 'BRL' }) {
  if (field.kind === 'bool') return value ? t('fields.yes') : t('fields.no')
  if (isEmpty(value)) return ''
  switch (field.kind) {
    case 'number': return fmt.number(Number(value))
    case 'money': return fmt.money(Number(value), currency)
    case 'date': return fmt.date(value)
    case 'multi_select': return Array.isArray(value) ? value.join(', ') : String(value)
  }
  return String(value)
}

/**
 * A list's custom-field filter {field, value} as a record-API filter's
 * expression and its parameters (param), or null when none. Text kinds
 * match a part, a multi-select holds the option, a date its day, the rest
 * match exactly (their index serves it).
 * @param {CustomField[]} fields the collection's fields
 * @param {{field?: string, value?: unknown} | null | undefined} f
 * @param {string} [param]
 * @returns {{expr: string, params: Record<string, unknown>} | null}
 */
export function customFilterParts(fields, f, param = 'cfv') {
  const field = fields.find((x) => x.name === f?.field)
  if (!field || isEmpty(f.value)) return null
  // The name is cf_ and [a-z0-9_] (the server checks it): safe in a filter.
  const op = (o, v) => ({ expr: `${field.name} ${o} {:${param}}`, params: { [param]: v } })
  switch (field.kind) {
    case 'bool': return op('=', f.value === true || f.value === 'true')
    case 'number':
    case 'money': return op('=', Number(f.value))
    case 'multi_select': return op('~', `"${f.value}"`)
    case 'select': return op('=', f.value)
    case 'date': return op('~', String(f.value).slice(0, 10))
  }
  return op('~', String(f.value))
}

/** The same as one filter string ('' when none). @param {{filter: Function}} pb */
export function customFilter(pb, fields, f) {
  const parts = customFilterParts(fields, f)
  return parts ? pb.filter(parts.expr, parts.params) : ''
}

const COLUMNS_KEY = 'vinculo_custom_columns'

/** The custom fields of every collection, loaded once, and the list columns each reader chose. */
export class CustomFields {
  /** @type {CustomField[]} */
  all = $state.raw([])
  loaded = $state(false)
  /** @type {unknown} */
  error = $state(null)
  /** collection -> names of the fields shown as list columns */
  columns = $state(readColumns())
  #pending = null

  /** @param {{send: Function}} pb */
  constructor(pb) {
    this.pb = pb
  }

  /** Loads the fields once; again with force (after a change in Settings). */
  load(force = false) {
    if (this.#pending && !force) return this.#pending
    this.#pending = this.pb.send('/api/crm/fields', { method: 'GET' }).then(
      (res) => {
        this.all = res?.items ?? []
        this.loaded = true
        this.error = null
      },
      (err) => {
        this.error = err
        this.#pending = null
      },
    )
    return this.#pending
  }

  /** The fields of a collection, in the manager's order. @returns {CustomField[]} */
  of(collection) {
    return this.all.filter((f) => f.collection === collection).sort((a, b) => (a.position ?? 0) - (b.position ?? 0))
  }

  /** The fields of a collection shown as list columns. */
  shown(collection) {
    const names = this.columns[collection] ?? []
    return this.of(collection).filter((f) => names.includes(f.name))
  }

  /** Shows or hides a field as a column of its collection's list (kept in this browser). */
  toggleColumn(collection, name) {
    const now = this.columns[collection] ?? []
    this.columns = { ...this.columns, [collection]: now.includes(name) ? now.filter((n) => n !== name) : [...now, name] }
    try {
      globalThis.localStorage?.setItem(COLUMNS_KEY, JSON.stringify(this.columns))
    } catch {
      // private mode: the choice lasts for this page only
    }
  }

  /** The names a list asks the record API for, beyond its own (',cf_a,cf_b' or ''). */
  listFields(collection) {
    return this.of(collection).map((f) => `,${f.name}`).join('')
  }

  // Managers' changes; each reloads the list the other pages use.

  /** @param {Partial<CustomField>} body */
  async add(body) {
    const row = await this.pb.send('/api/crm/fields', { method: 'POST', body })
    await this.load(true)
    return row
  }

  /** @param {string} id @param {Partial<CustomField>} body */
  async change(id, body) {
    const row = await this.pb.send(`/api/crm/fields/${id}`, { method: 'PATCH', body })
    await this.load(true)
    return row
  }

  /**
   * Puts a collection's fields in the order of ids (every field of it, once);
   * the list shows the new order at once and goes back if the server refuses.
   * @param {string} collection
   * @param {string[]} ids
   */
  async reorder(collection, ids) {
    const before = this.all
    const place = new Map(ids.map((id, i) => [id, i + 1]))
    this.all = this.all.map((f) => (f.collection === collection && place.has(f.id) ? { ...f, position: place.get(f.id) } : f))
    try {
      const res = await this.pb.send('/api/crm/fields/order', { method: 'POST', body: { collection, ids } })
      this.all = res?.items ?? this.all
    } catch (err) {
      this.all = before
      throw err
    }
  }

  /** How many records hold a value of the field (what a delete must confirm). @returns {Promise<number>} */
  async usage(id) {
    const res = await this.pb.send(`/api/crm/fields/${id}/usage`, { method: 'GET' })
    return res?.count ?? 0
  }

  /** Deletes the field, confirming the count the manager was shown (a 409 says it changed). */
  async remove(id, count) {
    await this.pb.send(`/api/crm/fields/${id}`, { method: 'DELETE', query: { confirm: count } })
    await this.load(true)
  }
}

function readColumns() {
  try {
    const v = JSON.parse(globalThis.localStorage?.getItem(COLUMNS_KEY) ?? '{}')
    return v && typeof v === 'object' ? v : {}
  } catch {
    return {}
  }
}

/** The workspace's one copy. */
export const customFields = new CustomFields(pb)

/**
 * The server's words per field of a refused change, in the reader's
 * language where the code is one of ours (validation_cf_...).
 * @param {any} err
 * @param {(key: string, params?: object) => string} t
 * @returns {Record<string, string>}
 */
export function settingsErrors(err, t) {
  const data = err?.response?.data ?? {}
  const out = {}
  for (const [field, problem] of Object.entries(data)) {
    if (!problem || typeof problem !== 'object') continue
    const key = `fields.error.${problem.code}`
    const said = t(key)
    out[field] = said !== key ? said : problem.message || t('error.invalid')
  }
  return out
}
