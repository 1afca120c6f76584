// "Restrict or object" (GDPR art. 18 and 21): the signed-in customer's
// restriction of processing and their objections, each one click.
// GET /api/crm/portal/restriction is the state; POST restricts (the record
// is kept, but nothing except service messages touches it), DELETE lifts;
// POST /api/crm/portal/marketing/objection withdraws every marketing
// consent at once. Objecting to profiling is the profiling page's own
// route (profiling.js). The server dates every change and keeps its proof:
// the page sends only the words the customer read and, if they want, why.
import { pb } from './pb.js'

/**
 * @typedef {{action: 'restricted'|'lifted', at: string, source: string, note: string, recorded_by_name: string}} Change
 * @typedef {{objected: boolean, since: string}} Objection
 * @typedef {{restricted: boolean, since: string, history: Change[], marketing: Objection, profiling: Objection}} Choices
 */

/** @returns {Promise<Choices>} */
export function myChoices() {
  return pb.send('/api/crm/portal/restriction', { method: 'GET' })
}

/**
 * Restricts processing, with the words read and the customer's own reason.
 * @param {string} text
 * @param {string} note
 * @returns {Promise<Choices>}
 */
export function restrict(text, note) {
  return pb.send('/api/crm/portal/restriction', { method: 'POST', body: { text, note } })
}

/**
 * Lifts the restriction.
 * @param {string} text
 * @returns {Promise<Choices>}
 */
export function lift(text) {
  return pb.send('/api/crm/portal/restriction', { method: 'DELETE', body: { text } })
}

/**
 * Objects to marketing: every marketing consent withdrawn at once.
 * @param {string} text
 * @returns {Promise<Choices>}
 */
export function objectToMarketing(text) {
  return pb.send('/api/crm/portal/marketing/objection', { method: 'POST', body: { text } })
}
