// Request types as a manager edits them in Settings: the fields the customer
// fills in, the ordered statuses with the labels customers see, the allowed
// next steps, SLA targets and switches. The JSON is the one plugins/requests
// and the portal read ([{name, label, help, type, required, options}],
// [{key, label, public_label, closed}], {"from": ["to", ...]}).
//
// A field's label and help and a status's public label may be written in
// each language the UI speaks: the draft holds {en, 'pt-BR'}, the manager
// fills their own language and, optionally, the other. Only one filled is
// stored as plain text, used for every language (the shape of types saved
// before labels had languages); both filled, as {en, 'pt-BR'}.
//
// Two managers may edit one type at once: a save sends only the fields that
// changed, each with the value it had when the editor opened it (under
// `_base`); the server refuses with 409, naming the field, a change to a
// field the other manager changed meanwhile.

/** The kinds of value a field holds (plugins/requests FieldTypes). */
export const FIELD_KINDS = ['text', 'long_text', 'number', 'date', 'select', 'email', 'bool']
/** The languages a label may be written in (lib/i18n.js LANGUAGES). */
export const TEXT_LANGUAGES = ['en', 'pt-BR']
export const CATEGORIES = ['support', 'complaint', 'information', 'service_order', 'application']
export const BASE_KEY = '_base'

/**
 * @typedef {Record<string, string>} Texts the words per language: {en, 'pt-BR'}
 * @typedef {{name: string, label: Texts, help: Texts, type: string, required: boolean, options: string[]}} TypeField
 * @typedef {{key: string, label: string, public_label: Texts, closed: boolean}} TypeStatus
 * @typedef {{name: string, code: string, description: string, category: string, fields: TypeField[], statuses: TypeStatus[],
 *   restricted: boolean, transitions: Record<string, string[]>, sla_first_response_hours: number|null, sla_resolution_hours: number|null,
 *   hold_marketing: boolean, active: boolean, public: boolean}} TypeDraft
 */

const asList = (v) => {
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v)
    } catch {
      return []
    }
  }
  return Array.isArray(v) ? v : []
}
const asMap = (v) => (v && typeof v === 'object' && !Array.isArray(v) ? v : {})

/**
 * A stored label as the draft's words per language: plain text goes in the
 * manager's language (lang), where they will look for it.
 * @param {unknown} v
 * @param {string} lang
 * @returns {Texts}
 */
export function textDraft(v, lang) {
  const out = Object.fromEntries(TEXT_LANGUAGES.map((l) => [l, '']))
  if (typeof v === 'string') out[TEXT_LANGUAGES.includes(lang) ? lang : 'en'] = v
  else for (const l of TEXT_LANGUAGES) out[l] = typeof asMap(v)[l] === 'string' ? v[l] : ''
  return out
}

/**
 * The draft's words as stored: '' for none, plain text when one language is
 * filled (it serves every language), {en, 'pt-BR'} when both are.
 * @param {Texts} d
 * @returns {string | Texts}
 */
export function textBody(d) {
  const filled = TEXT_LANGUAGES.map((l) => [l, (d?.[l] ?? '').trim()]).filter(([, v]) => v)
  if (filled.length === 0) return ''
  if (filled.length === 1) return filled[0][1]
  return Object.fromEntries(filled)
}

/**
 * A type record as the editor's draft (a new type when record is null).
 * @param {Record<string, any>|null} record
 * @param {string} [lang] the manager's language, where plain labels go
 * @returns {TypeDraft}
 */
export function toDraft(record, lang = 'en') {
  const r = record ?? {}
  const transitions = asMap(r.transitions)
  return {
    name: r.name ?? '',
    code: r.code ?? '',
    description: r.description ?? '',
    category: r.category || 'support',
    fields: asList(r.fields).map((f) => ({ name: f.name ?? '', label: textDraft(f.label, lang), help: textDraft(f.help, lang), type: f.type || 'text', required: !!f.required, options: [...(f.options ?? [])] })),
    statuses: asList(r.statuses).map((s) => ({ key: s.key ?? '', label: s.label ?? '', public_label: textDraft(s.public_label, lang), closed: !!s.closed })),
    restricted: Object.keys(transitions).length > 0,
    transitions: Object.fromEntries(Object.entries(transitions).map(([k, v]) => [k, [...v]])),
    sla_first_response_hours: r.sla_first_response_hours || null,
    sla_resolution_hours: r.sla_resolution_hours || null,
    hold_marketing: !!r.hold_marketing,
    active: record ? !!r.active : true,
    public: !!r.public,
    route_team: r.route_team ?? '', // new requests go to this team (Settings → Teams)
    route_mode: r.route_mode || 'round_robin',
  }
}

/**
 * The record body of a draft: what the server stores.
 * @param {TypeDraft} d
 */
export function toBody(d) {
  const keys = new Set(d.statuses.map((s) => s.key))
  const transitions = {}
  if (d.restricted) {
    for (const s of d.statuses) transitions[s.key] = (d.transitions[s.key] ?? []).filter((k) => keys.has(k) && k !== s.key)
  }
  return {
    name: d.name.trim(),
    code: d.code.trim().toUpperCase(),
    description: d.description,
    category: d.category,
    fields: d.fields.map((f) => {
      const out = { name: f.name.trim(), label: textBody(f.label), type: f.type, required: f.required }
      const help = textBody(f.help)
      if (help) out.help = help
      if (f.type === 'select') out.options = f.options.map((o) => o.trim())
      return out
    }),
    statuses: d.statuses.map((s) => ({ key: s.key.trim(), label: s.label.trim(), public_label: textBody(s.public_label), closed: s.closed })),
    transitions,
    sla_first_response_hours: Number(d.sla_first_response_hours) || 0,
    sla_resolution_hours: Number(d.sla_resolution_hours) || 0,
    hold_marketing: d.hold_marketing,
    active: d.active,
    public: d.public,
    route_team: d.route_team || '',
    route_mode: d.route_team ? d.route_mode || 'round_robin' : '',
  }
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b)

/**
 * What to send to change `record` into `draft`: only the fields that differ,
 * and under `_base` each one's value as it was loaded. null when nothing changed.
 * @param {Record<string, any>} record the type as loaded
 * @param {TypeDraft} draft
 */
export function changes(record, draft) {
  const before = toBody(toDraft(record))
  const after = toBody(draft)
  const body = {}
  const base = {}
  for (const k of Object.keys(after)) {
    if (same(before[k], after[k])) continue
    body[k] = after[k]
    base[k] = k in record ? record[k] : null
  }
  if (!Object.keys(body).length) return null
  body[BASE_KEY] = base
  return body
}

/**
 * A status or field key from its label: "Em análise" -> "em_analise".
 * @param {string} label
 */
export function keyOf(label) {
  const k = String(label).normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').replace(/^[0-9_]+/, '')
  return k.slice(0, 40)
}

// The server's codes for a bad definition, and our message for each.
const CODES = {
  validation_type_no_statuses: 'rt.err.no_statuses',
  validation_type_status_key: 'rt.err.status_key',
  validation_type_status_twice: 'rt.err.status_twice',
  validation_type_status_public_label: 'rt.err.public_label',
  validation_type_transition_unknown: 'rt.err.transition_unknown',
  validation_type_transition_self: 'rt.err.transition_self',
  validation_type_field_no_name: 'rt.err.field_no_name',
  validation_type_field_name: 'rt.err.field_name',
  validation_type_field_twice: 'rt.err.field_twice',
  validation_type_field_kind: 'rt.err.field_kind',
  validation_type_field_options: 'rt.err.options',
  validation_type_option_blank: 'rt.err.option_blank',
  validation_type_option_twice: 'rt.err.option_twice',
  validation_type_label_language: 'rt.err.label_language',
  validation_type_sla_order: 'rt.err.sla_order',
  validation_type_conflict: 'rt.err.conflict',
  validation_required: 'error.required',
  validation_not_unique: 'rt.err.code_taken',
  validation_match_invalid: 'rt.err.code',
}

/**
 * The messages of a refused save by place: {"fields.0.options": "...", "name": "..."}.
 * @param {any} err the SDK's error
 * @param {(key: string, params?: object) => string} t
 */
export function placedErrors(err, t) {
  const data = err?.response?.data ?? err?.data?.data
  const out = {}
  const walk = (node, path) => {
    if (!node || typeof node !== 'object') return
    if (typeof node.code === 'string' && typeof node.message === 'string') {
      const key = CODES[node.code]
      out[path] = key ? t(key, node.params ?? {}) : node.message
      return
    }
    for (const [k, v] of Object.entries(node)) walk(v, path ? `${path}.${k}` : k)
  }
  walk(data, '')
  return out
}

/** The list of request types and the saving of one. */
export class RequestTypes {
  /** @type {Record<string, any>[]} */
  items = $state.raw([])
  loading = $state(false)
  error = $state(null)

  /** @param {import('pocketbase').default} pb */
  constructor(pb) {
    this.pb = pb
  }

  async load() {
    this.loading = true
    this.error = null
    try {
      this.items = await this.pb.collection('case_types').getFullList({ sort: 'position,name' })
    } catch (err) {
      this.error = err
    } finally {
      this.loading = false
    }
  }

  /**
   * Creates a type, or saves the changes of `record`; returns the saved record
   * (record itself when nothing changed).
   * @param {Record<string, any>|null} record
   * @param {TypeDraft} draft
   */
  async save(record, draft) {
    let saved
    if (!record) {
      saved = await this.pb.collection('case_types').create({ ...toBody(draft), position: this.items.length + 1 })
    } else {
      const body = changes(record, draft)
      if (!body) return record
      saved = await this.pb.collection('case_types').update(record.id, body)
    }
    const rest = this.items.filter((r) => r.id !== saved.id)
    this.items = [...rest, saved].sort((a, b) => (a.position ?? 0) - (b.position ?? 0) || a.name.localeCompare(b.name))
    return saved
  }
}
