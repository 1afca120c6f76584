// What the user typed into the forms, kept outside the components: leaving
// the page or a failed request never loses it.
/** @type {import('./contacts.svelte.js').ContactDraft} */
export const EMPTY_CONTACT = {
  name: '', email: '', phone: '', mobile: '', job_title: '', responsibilities: '', address: '',
  company: '', owner: '', stage: '', source: '', tags: [], socials: {},
  preferred_channel: '', language: '', timezone: '', preferred_days: [], preferred_hours_start: '', preferred_hours_end: '',
}

/** A copy of a field's value a form may change without touching the original (lists and socials). */
const fresh = (/** @type {any} */ v) => (Array.isArray(v) ? [...v] : v && typeof v === 'object' ? { ...v } : v)

/** @returns {import('./contacts.svelte.js').ContactDraft} */
const emptyContact = () => /** @type {any} */ (Object.fromEntries(Object.entries(EMPTY_CONTACT).map(([k, v]) => [k, fresh(v)])))

export const contactDraft = $state(emptyContact())

export function clearContactDraft() {
  Object.assign(contactDraft, emptyContact())
}

// Replies and internal notes being written on cases, by case id: a failed
// send or a visit to another page keeps them.
export const caseDrafts = $state({})

/**
 * The reply being written on a case (made empty the first time).
 * @param {string} id
 * @returns {{body: string, internal: boolean}}
 */
export function caseDraft(id) {
  caseDrafts[id] ??= { body: '', internal: false }
  return caseDrafts[id]
}

/** @param {string} id */
export function clearCaseDraft(id) {
  delete caseDrafts[id]
}

// Edits of existing contacts, by id, started from the saved record.
export const contactEdits = $state({})

/**
 * The edit of a contact under way, started from the saved record.
 * @param {{id: string, [field: string]: any}} record
 * @returns {import('./contacts.svelte.js').ContactDraft}
 */
export function contactEdit(record) {
  if (!contactEdits[record.id]) {
    const d = {}
    for (const [k, empty] of Object.entries(EMPTY_CONTACT)) d[k] = fresh(record[k] ?? empty)
    contactEdits[record.id] = d
  }
  return contactEdits[record.id]
}

/** @param {string} id */
export function clearContactEdit(id) {
  delete contactEdits[id]
}
