// Writing an email from the workspace (components/ComposeEmail.svelte): the
// draft the server starts it from (a reply-all on a request's thread, a
// template filled in the contact's language), the send (multipart, with the
// attachments) and what the outbox decided, in the reader's words.
// Server: plugins/channels/email/compose.go.

import { fieldErrors } from './errors.js'
import { describeReason } from './timeline.svelte.js'

/** Limits the server keeps (crm/names_templates.go). */
export const MAX_FILES = 10
export const MAX_FILE_BYTES = 10 << 20
export const MAX_BYTES = 20 << 20

/** Purposes a writer picks for an email that is not on a request. */
export const PURPOSES = ['service', 'marketing', 'profiling', 'research']

/**
 * @typedef {{to: string, cc: string[], subject: string, body: string, purpose: string,
 *   language: string, missing: string[], template?: string}} Draft
 * @typedef {{id: string, state: string, reason: string, reason_code: string,
 *   reason_data: Record<string, any> | null, not_before: string}} Decision
 */

/**
 * The draft to start from.
 * @param {import('pocketbase').default} pb
 * @param {{contact?: string, caseId?: string, template?: string}} o
 * @returns {Promise<Draft>}
 */
export async function loadDraft(pb, { contact = '', caseId = '', template = '' }) {
  const query = {}
  if (caseId) query.case = caseId
  else if (contact) query.contact = contact
  if (template) query.template = template
  return pb.send('/api/crm/email/draft', { query })
}

/**
 * The templates staff may start from, by name.
 * @param {import('pocketbase').default} pb
 */
export async function loadTemplates(pb) {
  return pb.collection('email_templates').getFullList({ sort: 'name', fields: 'id,name,purpose' })
}

/**
 * Checks the attachments before they are sent: a reason, or ''.
 * @param {{name: string, size: number}[]} files
 * @param {(key: string, params?: Record<string, unknown>) => string} t
 */
export function filesProblem(files, t) {
  if (files.length > MAX_FILES) return t('email.files_too_many', { n: MAX_FILES })
  const big = files.find((f) => f.size > MAX_FILE_BYTES)
  if (big) return t('email.file_too_large', { name: big.name, mb: MAX_FILE_BYTES >> 20 })
  if (files.reduce((n, f) => n + f.size, 0) > MAX_BYTES) return t('email.files_too_large', { mb: MAX_BYTES >> 20 })
  return ''
}

/**
 * Sends the email: the outbox's decision.
 * @param {import('pocketbase').default} pb
 * @param {{contact?: string, caseId?: string, subject: string, body: string, purpose: string, cc: string, template?: string}} d
 * @param {File[]} files
 * @returns {Promise<{outbox: Decision, activity: string}>}
 */
export async function sendEmail(pb, d, files) {
  const form = new FormData()
  if (d.caseId) form.append('case', d.caseId)
  else if (d.contact) form.append('contact', d.contact)
  for (const k of ['subject', 'body', 'purpose', 'cc', 'template']) if (d[k]) form.append(k, d[k])
  for (const f of files) form.append('attachments', f)
  return pb.send('/api/crm/email', { method: 'POST', body: form })
}

/**
 * The server's words beside each field, in the reader's language where we
 * have them (codes of plugins/channels/email/compose.go).
 * @param {any} err
 * @param {(key: string, params?: Record<string, unknown>) => string} t
 */
export function composeErrors(err, t) {
  const out = fieldErrors(err, t)
  const data = err?.response?.data ?? {}
  for (const [field, problem] of Object.entries(data)) {
    const key = `email.error.${problem?.code}`
    if (problem?.code && t(key) !== key) out[field] = t(key, { field: problem.message })
  }
  return out
}

/**
 * What the outbox made of the email, for the writer: queued, waiting until …,
 * refused because ….
 * @param {Decision} d
 * @param {(key: string, params?: Record<string, unknown>) => string} t
 * @param {{money: (n: number, c: string) => string, date: (v: string) => string, dateTime?: (v: string) => string}} fmt
 * @returns {{tone: 'ok' | 'warn' | 'error', text: string}}
 */
export function decisionText(d, t, fmt) {
  const why = d.reason_code ? describeReason(d.reason_code, d.reason_data ?? {}, t, fmt) : d.reason
  const when = (v) => (fmt.dateTime ?? fmt.date)(v)
  switch (d.state) {
    case 'queued':
    case 'sent':
      return { tone: 'ok', text: t('email.decided.queued') }
    case 'waiting':
      return { tone: 'warn', text: why || t('email.decided.waiting', { when: d.not_before ? when(d.not_before) : '' }) }
    case 'refused':
      return { tone: 'error', text: t('email.decided.refused', { why }) }
    default:
      return { tone: 'error', text: t('email.decided.failed', { why }) }
  }
}

/**
 * The names of a template's variables, for the editor's help.
 */
export const VARIABLES = [
  'contact.name', 'contact.first_name', 'contact.email', 'contact.company',
  'request.reference', 'request.subject', 'request.status', 'request.type',
  'portal_link', 'business.name', 'staff.name',
]
