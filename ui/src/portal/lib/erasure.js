// Erasure (GDPR art. 17, LGPD art. 18): the signed-in customer asks for
// their data to be erased (POST /api/crm/portal/erasure, confirmed) and
// follows the request: its reference, state, legal deadline and, once a
// manager decided, the reason (GET /api/crm/portal/erasure).
import { pb } from './pb.js'

/**
 * @typedef {{id: string, ref: string, state: 'asked'|'approved'|'refused'|'done', channel: string,
 *   asked_at: string, due_at: string, overdue: boolean, decided_at: string, reason: string, done_at: string}} Request
 */

/** @returns {Promise<Request[]>} newest first */
export async function myRequests() {
  const res = await pb.send('/api/crm/portal/erasure', { method: 'GET' })
  return res.items ?? []
}

/**
 * Asks for erasure.
 * @param {boolean} confirm the customer ticked that they understand
 * @returns {Promise<Request>}
 */
export function askErasure(confirm) {
  return pb.send('/api/crm/portal/erasure', { method: 'POST', body: { confirm } })
}

/**
 * Whether a request is still open (so no new one can be asked).
 * @param {Request} r
 */
export function isOpen(r) {
  return r.state === 'asked' || r.state === 'approved'
}
