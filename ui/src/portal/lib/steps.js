// The words of one step of a request, as the portal and the tracking page
// show it (GET /api/crm/portal/cases/{id} and the public tracking answer
// give each step its timeline event as `kind` and a `label`): every step is
// worded in the reader's language; the business's own words (a status's
// public label, a message's subject, a note made public) are kept.

/**
 * @typedef {{kind?: string, label?: string, at?: string}} Step
 */

/**
 * The words of a message the business sent, named by its template when it
 * has no subject of its own (the label is then the template's name).
 * @param {string} label
 * @param {(key: string, params?: Record<string, unknown>) => string} t
 * @returns {string}
 */
function messageSent(label, t) {
  if (label === 'case_opened') return t('step.message.case_opened')
  if (label === 'case_status') return t('step.message.case_status')
  if (!label || label === 'generic') return t('step.message.sent')
  return t('step.message.sent_subject', { subject: label })
}

/**
 * A step's words in the reader's language.
 * @param {Step} step
 * @param {(key: string, params?: Record<string, unknown>) => string} t
 * @returns {string}
 */
export function stepLabel(step, t) {
  const label = String(step?.label ?? '').trim()
  switch (step?.kind) {
    case 'case.answered':
      return t('step.case.answered')
    case 'case.rated':
      return t('step.case.rated')
    case 'case.reopened':
      return t('step.case.reopened')
    // The status's public label, when the business gave one.
    case 'case.opened':
      return label || t('step.case.opened')
    case 'case.status_changed':
      return label || t('step.case.status_changed')
    case 'case.closed':
      return label || t('step.case.closed')
    case 'message.sent':
    case 'email.written': // an email staff wrote, public once sent (one entry per email)
      return messageSent(label, t)
  }
  return label || t('step.other')
}
