// The business's email templates, for Settings → Templates: managers add,
// change and delete them (email_templates; staff read). Each has a name, a
// purpose and a subject and body in English and Portuguese with variables
// ({{contact.name}}...), which the server checks (plugins/channels/email).

/**
 * @typedef {{id?: string, name: string, purpose: string, subject_en: string, body_en: string,
 *   subject_pt_br: string, body_pt_br: string}} Template
 */

/** An empty template to start from. @returns {Template} */
export function blankTemplate() {
  return { name: '', purpose: '', subject_en: '', body_en: '', subject_pt_br: '', body_pt_br: '' }
}

/**
 * The fields a form edits, from a stored template.
 * @param {Partial<Template> | null} t
 * @returns {Template}
 */
export function templateDraft(t) {
  const out = blankTemplate()
  if (t) for (const k of Object.keys(out)) out[k] = t[k] ?? ''
  if (t?.id) out.id = t.id
  return out
}

export class TemplatesSettings {
  /** @type {Template[]} */
  items = $state.raw([])
  loading = $state(false)
  /** @type {any} */
  error = $state(null)

  /** @param {import('pocketbase').default} pb */
  constructor(pb) {
    this.pb = pb
  }

  async load() {
    this.loading = true
    this.error = null
    try {
      this.items = await this.pb.collection('email_templates').getFullList({ sort: 'name' })
    } catch (err) {
      this.error = err
    } finally {
      this.loading = false
    }
  }

  /**
   * Saves a new or changed template; the list follows.
   * @param {Template} d
   */
  async save(d) {
    const { id, ...fields } = d
    const saved = id
      ? await this.pb.collection('email_templates').update(id, fields)
      : await this.pb.collection('email_templates').create(fields)
    this.items = [...this.items.filter((x) => x.id !== saved.id), saved].sort((a, b) => a.name.localeCompare(b.name))
    return saved
  }

  /** @param {string} id */
  async remove(id) {
    await this.pb.collection('email_templates').delete(id)
    this.items = this.items.filter((x) => x.id !== id)
  }
}
