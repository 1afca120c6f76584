// The fields of their own the business keeps on a customer's contact and
// marked as the customer's (Settings → Fields): their descriptions
// (GET /api/crm/fields/customer, which lists no internal field) and the
// customer's values of them, read through the record API, whose rules and
// the custom fields' guard keep internal values out.
import { pb } from './pb.js'

/**
 * The customer's fields of their contact, in the manager's order.
 * @returns {Promise<import('../../shared/customfields.js').CustomField[]>}
 */
export async function myContactFields() {
  const res = await pb.send('/api/crm/fields/customer', { method: 'GET', query: { collection: 'contacts' } })
  return (res?.items ?? []).slice().sort((a, b) => (a.position ?? 0) - (b.position ?? 0))
}

/**
 * The contact's values of those fields.
 * @param {string} contactId
 * @param {import('../../shared/customfields.js').CustomField[]} fields
 * @returns {Promise<Record<string, unknown>>}
 */
export async function myFieldValues(contactId, fields) {
  if (!fields.length) return {}
  const rec = await pb.collection('contacts').getOne(contactId, { fields: ['id', ...fields.map((f) => f.name)].join(',') })
  return Object.fromEntries(fields.map((f) => [f.name, rec[f.name]]))
}
