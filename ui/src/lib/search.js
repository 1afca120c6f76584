// The search route (/api/crm/search, best matches first) as the stores use
// it: hits of every kind for the search dialog, or the ids of one collection
// whose records a list then reads in that order.

/**
 * One hit of the search route.
 * @typedef {{id: string, collection: string, title?: string, subtitle?: string, [key: string]: unknown}} SearchHit
 */

/**
 * The hits for `q`, best first.
 * @param {import('pocketbase').default} pb
 * @param {string} q
 * @param {{collection?: string, limit?: number}} [options]
 * @returns {Promise<SearchHit[]>}
 */
export async function search(pb, q, { collection, limit = 12 } = {}) {
  const res = await pb.send('/api/crm/search', { query: collection ? { q, collection, limit } : { q, limit } })
  return res?.items ?? []
}

/**
 * The ids of the records of `collection` that match `q`, best first.
 * @param {import('pocketbase').default} pb
 * @param {string} q
 * @param {string} collection
 * @param {number} limit
 * @returns {Promise<string[]>}
 */
export async function searchIds(pb, q, collection, limit) {
  const hits = await search(pb, q, { collection, limit })
  return hits.filter((h) => h.collection === collection).map((h) => h.id)
}

/**
 * The record-API filter of a list of ids.
 * @param {import('pocketbase').default} pb
 * @param {string[]} ids
 * @returns {string}
 */
export function idFilter(pb, ids) {
  /** @type {Record<string, string>} */
  const params = {}
  const filter = ids.map((id, i) => {
    params[`id${i}`] = id
    return `id = {:id${i}}`
  }).join(' || ')
  return pb.filter(filter, params)
}

/**
 * Records in the order of their ids (the search's order); ids without a record are left out.
 * @template {{id: string}} T
 * @param {string[]} ids
 * @param {T[]} records
 * @returns {T[]}
 */
export function inOrder(ids, records) {
  const byId = new Map(records.map((r) => [r.id, r]))
  return /** @type {T[]} */ (ids.map((id) => byId.get(id)).filter(Boolean))
}

/** The page of each kind of hit, when it has one of its own. */
const PAGES = { contacts: 'contacts', companies: 'companies', deals: 'deals', cases: 'cases' }

/**
 * Where a hit opens: a contact's, a case's or a company's own page; a deal or
 * an activity on its contact's page (the board has no deal page).
 * @param {import('pocketbase').default} pb
 * @param {SearchHit} hit
 * @returns {Promise<string>} the path
 */
export async function hitPath(pb, hit) {
  if (hit.collection === 'contacts') return `/contacts/${hit.id}`
  if (hit.collection === 'cases') return `/cases/${hit.id}`
  if (hit.collection === 'deals' || hit.collection === 'activities') {
    try {
      const r = await pb.collection(hit.collection).getOne(hit.id, { fields: 'id,contact' })
      if (r.contact) return `/contacts/${r.contact}`
    } catch {
      // fall through to its own page
    }
  }
  return `/${PAGES[/** @type {keyof typeof PAGES} */ (hit.collection)] ?? 'contacts'}/${hit.id}`
}
