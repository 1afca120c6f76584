// The customer's own records through the portal's client: email and
// password, consents, services and orders, and the download of all their
// data (their contact record is saved by the session, ./session.svelte.js).
// Pages call these; none of them reaches the SDK itself.
import { pb, CUSTOMERS } from './pb.js'
import { download } from '../../shared/download.js'

/**
 * A consent: one purpose on one channel, granted or withdrawn, with its history.
 * @typedef {{id: string, contact: string, purpose: string, channel: string, state: 'granted' | 'withdrawn', source?: string, text?: string, history?: Array<Record<string, any>>}} Consent
 */

/**
 * A subscription to a service, with its product.
 * @typedef {{id: string, status: string, plan?: string, product?: string, expand?: {product?: Record<string, any>}, [key: string]: unknown}} Subscription
 */

/**
 * @typedef {{id: string, [key: string]: unknown}} Order
 */

/**
 * A product a subscription may move to.
 * @typedef {{id: string, name: string, [key: string]: unknown}} Plan
 */

/**
 * Asks for a change of sign-in email; the link to confirm it goes to the new address.
 * @param {{newEmail: string, password?: string}} body
 */
export function requestEmailChange(body) {
  return pb.send(`/api/collections/${CUSTOMERS}/request-email-change`, { method: 'POST', body })
}

/**
 * Confirms a new email from the link sent to it; the answer carries this session's new token.
 * @param {string} token
 * @returns {Promise<{token?: string}>}
 */
export function confirmEmailChange(token) {
  return pb.send('/api/crm/portal/confirm-email-change', { method: 'POST', body: { token } })
}

/**
 * Sets, changes or removes the customer's password (each a route of the portal).
 * @param {string} path
 * @param {string} method
 * @param {Record<string, unknown> | undefined} body
 * @returns {Promise<{token?: string}>}
 */
export function passwordCall(path, method, body) {
  return pb.send(path, { method, body })
}

/**
 * The consents recorded for the contact.
 * @param {string} contactId
 * @returns {Promise<Consent[]>}
 */
export async function myConsents(contactId) {
  return /** @type {Consent[]} */ (/** @type {unknown} */ (await pb.collection('consents').getFullList({ filter: pb.filter('contact = {:c}', { c: contactId }) })))
}

/**
 * Gives or withdraws one consent: a new record when there was none, else a change of its state.
 * @param {Consent | undefined} rec the consent as recorded, if any
 * @param {{contact: string, purpose: string, channel: string, text: string}} what
 * @returns {Promise<Consent>}
 */
export async function toggleConsent(rec, { contact, purpose, channel, text }) {
  const col = pb.collection('consents')
  let saved
  if (!rec) saved = await col.create({ contact, purpose, channel, state: 'granted', source: 'portal', text })
  else if (rec.state === 'granted') saved = await col.update(rec.id, { state: 'withdrawn', source: 'portal' })
  else saved = await col.update(rec.id, { state: 'granted', source: 'portal', text })
  return /** @type {Consent} */ (/** @type {unknown} */ (saved))
}

/**
 * The customer's subscriptions, orders and the plans a subscription may move to.
 * @returns {Promise<{subs: Subscription[], orders: Order[], plans: Plan[]}>}
 */
export async function myServices() {
  const [subs, orders, plans] = await Promise.all([
    pb.collection('subscriptions').getFullList({ sort: '-created', expand: 'product' }),
    pb.collection('orders').getFullList({ sort: '-placed_at' }),
    pb.collection('products').getFullList({ filter: "kind = 'subscription'", sort: 'name' }).catch(() => []),
  ])
  return /** @type {any} */ ({ subs, orders, plans })
}

/**
 * Calls `onChange` on any change of the customer's subscriptions.
 * @param {() => void} onChange
 * @returns {Promise<() => Promise<void>>}
 */
export function watchServices(onChange) {
  return pb.collection('subscriptions').subscribe('*', onChange)
}

/**
 * Pauses, resumes, changes the plan of or cancels a subscription.
 * @param {string} id
 * @param {{action: string, product?: string, until?: string}} body
 */
export function subscriptionAction(id, body) {
  return pb.send(`/api/crm/portal/subscriptions/${encodeURIComponent(id)}/action`, { method: 'POST', body })
}

/**
 * Downloads all the customer's data (JSON) or their card (vCard) as `name`.
 * @param {'json' | 'vcf'} format
 * @param {string} name
 */
export function downloadMyData(format, name) {
  return download(pb, `/api/crm/portal/my-data?format=${format}`, name, { name })
}

/**
 * Downloads the full copy of everything held about the customer (one ZIP:
 * JSON and CSV files and a README; plugins/fullcopy) as `name`.
 * @param {string} name
 */
export function downloadFullCopy(name, lang) {
  // The README in the page's language: a switch made a moment ago may not be saved yet.
  const path = '/api/crm/portal/full-copy' + (lang ? `?lang=${encodeURIComponent(lang)}` : '')
  return download(pb, path, name, { name })
}
