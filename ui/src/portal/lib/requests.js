// The customer's requests through the portal's client: the list, one
// request's page (its public steps, its conversation, the rating), a new
// request, and the pages open without an account (the public form, tracking).
// Pages call these; none of them reaches the SDK itself.
import { pb } from './pb.js'

/**
 * A request as the customer's list shows it.
 * @typedef {{id: string, reference: string, subject: string, status_label?: string, closed: boolean, created: string, updated?: string, contact?: string, shared?: boolean, expand?: {type?: {name: string}}}} RequestRow
 */

/**
 * A request's page: the case, its public steps and when the next answer is due.
 * @typedef {{case: Record<string, any>, steps?: Array<Record<string, any>>, next_answer_by?: string}} RequestDetail
 */

/**
 * One message of a request's conversation.
 * @typedef {{id: string, case: string, body: string, created: string, author_customer?: string, read_by_staff_at?: string, attachments?: string[], [key: string]: unknown}} Message
 */

/**
 * A type of request and the fields it asks for.
 * @typedef {{id?: string, code: string, name: string, description?: string, category?: string, fields?: Array<Record<string, any>>}} RequestType
 */

/** Stops a realtime subscription. */
/** @typedef {() => Promise<void>} Unsubscribe */

const byCase = (/** @type {string} */ id) => pb.filter('case = {:id}', { id })

/**
 * The customer's requests (and their company's shared ones), newest first.
 * @returns {Promise<RequestRow[]>}
 */
export async function myRequests() {
  const res = await pb.collection('cases').getList(1, 100, { sort: '-created', skipTotal: true, expand: 'type', fields: 'id,reference,subject,status_label,closed,created,updated,contact,shared,expand.type.name' })
  return /** @type {RequestRow[]} */ (/** @type {unknown} */ (res.items))
}

/**
 * Calls `onChange` on every change of one request.
 * @param {string} id
 * @param {(e: {action: string, record: any}) => void} onChange
 * @returns {Promise<Unsubscribe>}
 */
export function watchRequest(id, onChange) {
  return pb.collection('cases').subscribe(id, onChange)
}

/**
 * A request's page as the customer may see it.
 * @param {string} id
 * @returns {Promise<RequestDetail>}
 */
export function requestDetail(id) {
  return pb.send(`/api/crm/portal/cases/${encodeURIComponent(id)}`, { method: 'GET' })
}

/**
 * A request's conversation, oldest first (the rules leave out internal notes).
 * @param {string} id
 * @returns {Promise<Message[]>}
 */
export async function requestMessages(id) {
  return /** @type {Message[]} */ (/** @type {unknown} */ (await pb.collection('case_messages').getFullList({ filter: byCase(id), sort: 'created' })))
}

/**
 * Calls `onMessage` on every new, changed or deleted message of a request.
 * @param {string} id
 * @param {(e: {action: string, record: Message}) => void} onMessage
 * @returns {Promise<Unsubscribe>}
 */
export function watchMessages(id, onMessage) {
  return pb.collection('case_messages').subscribe('*', onMessage, { filter: byCase(id) })
}

/**
 * Tells the team the customer has read the conversation.
 * @param {string} id
 */
export function markRead(id) {
  return pb.send(`/api/crm/portal/cases/${encodeURIComponent(id)}/read`, { method: 'POST' })
}

/**
 * A reply from the customer, with attachments.
 * @param {string} id the request's id
 * @param {string} customer the customer's id
 * @param {string} body
 * @param {File[]} files
 * @returns {Promise<Message>}
 */
export async function sendMessage(id, customer, body, files) {
  const form = new FormData()
  form.append('case', id)
  form.append('body', body)
  form.append('author_customer', customer)
  for (const f of files) form.append('attachments', f)
  return /** @type {Message} */ (/** @type {unknown} */ (await pb.collection('case_messages').create(form)))
}

/**
 * Rates the answer of a closed request (the rules allow only this change).
 * @param {string} id
 * @param {number} stars
 * @param {string} comment
 */
export function rateRequest(id, stars, comment) {
  return pb.collection('cases').update(id, { rating: stars, rating_comment: comment })
}

/**
 * The types of request a customer may open, in their order.
 * @returns {Promise<RequestType[]>}
 */
export async function requestTypes() {
  return /** @type {RequestType[]} */ (/** @type {unknown} */ (await pb.collection('case_types').getFullList({ sort: 'position,name', fields: 'id,name,description,category,fields,code' })))
}

/**
 * Opens a request.
 * @param {FormData} form its fields and attachments
 * @returns {Promise<RequestRow>}
 */
export async function createRequest(form) {
  return /** @type {RequestRow} */ (/** @type {unknown} */ (await pb.collection('cases').create(form)))
}

/**
 * The types the business offers on its public form.
 * @returns {Promise<RequestType[]>}
 */
export async function publicRequestTypes() {
  const res = await pb.send('/api/crm/public/request-types', { method: 'GET' })
  return Array.isArray(res) ? res : (res?.items ?? [])
}

/**
 * A request from someone without an account: it waits until the link
 * mailed to its address is opened (confirmPublicRequest).
 * @param {{type: string, name: string, email: string, subject: string, description: string, fields: Record<string, unknown>}} body
 * @returns {Promise<{status: 'pending_confirmation', message: string}>}
 */
export function createPublicRequest(body) {
  return pb.send('/api/crm/public/requests', { method: 'POST', body })
}

/**
 * Confirms a request from the public form with the token of its mailed link.
 * @param {string} token
 * @returns {Promise<{reference: string, track_url: string, email: string}>}
 */
export function confirmPublicRequest(token) {
  return pb.send('/api/crm/public/requests/confirm', { method: 'POST', body: { token } })
}

/**
 * A request's public state, by its reference and the email it was made with.
 * @param {string} reference
 * @param {string} email
 * @returns {Promise<Record<string, any>>}
 */
export function trackRequest(reference, email) {
  return pb.send('/api/crm/public/track', { method: 'POST', body: { reference, email } })
}
