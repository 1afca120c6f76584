// Settings → Web forms: the forms a business puts on its own site (a script
// tag or an iframe served by Vinculo). Managers pick the fields (built-in
// ones and custom fields of contacts), write the consent and thank-you
// words in both languages, say what a sent form creates and which sites may
// show it; the server checks every save (plugins/channels/webforms) and
// answers 400 naming the field at fault.

/** The built-in fields a form may ask, in the order a form shows them. */
export const BUILT_IN = ['name', 'email', 'phone', 'company', 'message']

/** The consent purposes a form may ask (service needs no consent to ask). */
export const PURPOSES = ['marketing', 'profiling', 'research']

/**
 * @typedef {{key: string, required?: boolean}} FormField
 * @typedef {{id: string, name: string, fields: FormField[] | null, consent_text: Record<string, string> | null,
 *   purposes: string[], creates: 'lead'|'request', case_type: string, allowed_origins: string[] | null,
 *   thanks: Record<string, string> | null, active: boolean}} WebForm
 * @typedef {{key: string, on: boolean, required: boolean}} DraftField
 */

/**
 * The fields a form may ask (built-in, then the custom fields of contacts),
 * each on or off and required or not, in the form's order first.
 * @param {FormField[] | null | undefined} asked
 * @param {{name: string}[]} custom
 * @returns {DraftField[]}
 */
export function draftFields(asked, custom = []) {
  const list = Array.isArray(asked) ? asked : [{ key: 'name', required: true }, { key: 'email', required: true }, { key: 'message' }]
  /** @type {DraftField[]} */
  const out = list.map((f) => ({ key: f.key, on: true, required: f.key === 'email' || !!f.required }))
  for (const key of [...BUILT_IN, ...custom.map((c) => c.name)]) {
    if (!out.some((f) => f.key === key)) out.push({ key, on: key === 'email', required: key === 'email' })
  }
  return out
}

/**
 * A form's values for the dialog (a new form when none is given).
 * @param {Partial<WebForm>} [f]
 * @param {{name: string}[]} [custom]
 */
export function formDraft(f = {}, custom = []) {
  return {
    name: f.name ?? '',
    fields: draftFields(f.fields, custom),
    consent_en: f.consent_text?.en ?? '',
    consent_pt: f.consent_text?.['pt-BR'] ?? '',
    purposes: [...(f.purposes ?? (f.id ? [] : ['marketing']))],
    creates: f.creates ?? 'lead',
    case_type: f.case_type ?? '',
    origins: (f.allowed_origins ?? []).join('\n'),
    thanks_en: f.thanks?.en ?? '',
    thanks_pt: f.thanks?.['pt-BR'] ?? '',
    active: f.active ?? true,
  }
}

/**
 * A site as a browser names it (https://www.example.com): what was typed
 * when it is not a web address, for the server to name.
 * @param {string} s
 */
export function origin(s) {
  const typed = String(s ?? '').trim()
  try {
    const u = new URL(/^[a-z][a-z0-9+.-]*:(?!\d)/i.test(typed) ? typed : `https://${typed}`)
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return typed
    return u.origin
  } catch {
    return typed
  }
}

/**
 * What a save sends.
 * @param {ReturnType<typeof formDraft>} d
 */
export function formBody(d) {
  const texts = (en, pt) => {
    /** @type {Record<string, string>} */
    const m = {}
    if (en.trim()) m.en = en.trim()
    if (pt.trim()) m['pt-BR'] = pt.trim()
    return m
  }
  return {
    name: d.name.trim(),
    fields: d.fields.filter((f) => f.on).map((f) => ({ key: f.key, required: f.required })),
    consent_text: texts(d.consent_en, d.consent_pt),
    purposes: d.purposes,
    creates: d.creates,
    case_type: d.creates === 'request' ? d.case_type : '',
    allowed_origins: d.origins.split(/[\s,]+/).filter(Boolean).map(origin),
    thanks: texts(d.thanks_en, d.thanks_pt),
    active: !!d.active,
  }
}

/**
 * The faults the dialog shows before asking the server (keys: field
 * names, values: message keys).
 * @param {ReturnType<typeof formDraft>} d
 */
export function draftProblems(d) {
  /** @type {Record<string, string>} */
  const out = {}
  if (!d.name.trim()) out.name = 'error.required'
  if (d.purposes.length && (!d.consent_en.trim() || !d.consent_pt.trim())) out.consent_text = 'webforms.consent_both'
  if (d.creates === 'request' && !d.case_type) out.case_type = 'webforms.type_required'
  if (d.active && !d.origins.trim()) out.allowed_origins = 'webforms.origins_required'
  return out
}

/**
 * The two ways to put a form on a site.
 * @param {string} server this server as people reach it
 * @param {Pick<WebForm, 'id'|'name'>} form
 */
export function snippets(server, form) {
  const base = String(server).replace(/\/+$/, '')
  const title = String(form.name ?? '').replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')
  return {
    script: `<script src="${base}/forms/${form.id}.js"></script>`,
    iframe: `<iframe src="${base}/forms/${form.id}" title="${title}" style="width:100%;max-width:100%;border:0;height:640px"></iframe>`,
  }
}

export class WebFormsSettings {
  /** @type {WebForm[]} */
  items = $state.raw([])
  /** @type {{id: string, name: string}[]} */
  types = $state.raw([])
  /** @type {{name: string, label: string, labels?: Record<string, string> | null}[]} */
  custom = $state.raw([])
  loading = $state(false)
  /** @type {unknown} */
  error = $state(null)

  /** @param {import('pocketbase').default} pb */
  constructor(pb) {
    this.pb = pb
  }

  async load() {
    this.loading = true
    this.error = null
    try {
      const [items, types, fields] = await Promise.all([
        this.pb.collection('web_forms').getFullList({ sort: 'name' }),
        this.pb.collection('case_types').getFullList({ sort: 'name', filter: 'active = true', fields: 'id,name' }),
        this.pb.send('/api/crm/fields', { method: 'GET' }),
      ])
      this.items = /** @type {any} */ (items)
      this.types = types
      this.custom = (Array.isArray(fields) ? fields : fields?.items ?? []).filter((f) => f.collection === 'contacts')
    } catch (err) {
      this.error = err
    } finally {
      this.loading = false
    }
  }

  /** @param {Record<string, any>} body */
  async add(body) {
    const f = /** @type {any} */ (await this.pb.collection('web_forms').create(body))
    this.items = [...this.items.filter((x) => x.id !== f.id), f].sort((a, b) => a.name.localeCompare(b.name))
    return f
  }

  /**
   * @param {string} id
   * @param {Record<string, any>} body
   */
  async change(id, body) {
    const f = /** @type {any} */ (await this.pb.collection('web_forms').update(id, body))
    this.items = this.items.map((x) => (x.id === id ? f : x))
    return f
  }

  /** @param {string} id */
  async remove(id) {
    await this.pb.collection('web_forms').delete(id)
    this.items = this.items.filter((x) => x.id !== id)
  }
}
