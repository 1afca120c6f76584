// Erasure requests (pages/Privacy.svelte, managers): the open and past
// requests with their legal deadline, a request's preview (what an approval
// erases and what it keeps, and why), the decision, the signed receipt and
// its check against the business's key (plugins/erasure). Writers record a
// request made by phone or letter from the contact's page.
import { pb } from './pb.js'
import { fieldErrors } from './errors.js'

/**
 * @typedef {{id: string, ref: string, state: 'asked'|'approved'|'refused'|'done', channel: string, asked_at: string,
 *   due_at: string, overdue: boolean, decided_at: string, reason: string, done_at: string, contact?: string,
 *   name?: string, email?: string, note?: string}} Request
 * @typedef {{id: string, basis: string, label?: string, until?: string}} Kept
 * @typedef {{erased: Record<string, number>, kept: Record<string, Kept[]>}} Preview
 * @typedef {{request: Request, receipt: string, preview?: Preview, outcome?: Preview & {ref: string}}} Detail
 */

/** How a request may reach the business when staff record it. */
export const CHANNELS = ['phone', 'letter', 'email', 'in_person']

/**
 * The requests, newest first: the open ones, or all.
 * @param {boolean} all
 * @returns {Promise<Request[]>}
 */
export async function listRequests(all) {
  const res = await pb.send(`/api/crm/erasure${all ? '?state=all' : ''}`, { method: 'GET', requestKey: 'erasure-list' })
  return res.items ?? []
}

/** @param {string} id @returns {Promise<Detail>} */
export const requestDetail = (id) => pb.send(`/api/crm/erasure/${id}`, { method: 'GET', requestKey: `erasure-${id}` })

/**
 * Approves (erasing at once) or refuses, with the reason the customer reads.
 * @param {string} id
 * @param {'approve'|'refuse'} decision
 * @param {string} reason
 */
export const decide = (id, decision, reason) => pb.send(`/api/crm/erasure/${id}/decide`, { method: 'POST', body: { decision, reason } })

/**
 * Records a request made by phone, letter, email or in person.
 * @param {{contact: string, channel: string, note: string}} body
 * @returns {Promise<Request>}
 */
export const recordRequest = (body) => pb.send('/api/crm/erasure', { method: 'POST', body })

/**
 * Checks a receipt's signature against the business's key.
 * @param {string} receipt
 * @returns {Promise<{valid: boolean, ref?: string, request?: string}>}
 */
export const verifyReceipt = (receipt) => pb.send('/api/crm/erasure/verify', { method: 'POST', body: { receipt } })

/** The receipt's download address. @param {string} id */
export const receiptURL = (id) => `/api/crm/erasure/${id}/receipt`

/**
 * The messages beside each field of a refused request, in the reader's
 * language (the server's codes are erasure_...).
 * @param {any} err
 * @param {(k: string, p?: any) => string} t
 */
export function erasureErrors(err, t) {
  const out = fieldErrors(err, t)
  const data = err?.response?.data ?? {}
  for (const [field, problem] of Object.entries(data)) {
    const code = /** @type {any} */ (problem)?.code
    if (typeof code === 'string' && code.startsWith('erasure_')) {
      const key = `erasure.error.${code.slice(8)}`
      const text = t(key)
      if (text !== key) out[field] = text
    }
  }
  return out
}

/**
 * The rows of a preview or outcome, collections sorted by their words.
 * @param {Preview | undefined} p
 */
export function rows(p) {
  const erased = Object.entries(p?.erased ?? {}).sort(([a], [b]) => a.localeCompare(b))
  const kept = Object.entries(p?.kept ?? {}).flatMap(([c, ks]) => ks.map((k) => ({ collection: c, ...k })))
  return { erased, kept }
}
