// Merging two contacts (or two companies): the server moves everything of the
// other record onto the one kept, and can undo it.
import { search } from './search.js'

/** @typedef {'contacts' | 'companies'} MergeKind */

/**
 * A record of either kind, with its company's name for a contact.
 * @typedef {{id: string, name: string, [field: string]: any}} MergeRecord
 */

/**
 * What a merge answers: the merge's id (to undo it) and the record kept.
 * @typedef {{merge: string, survivor: MergeRecord, [key: string]: unknown}} MergeResult
 */

/**
 * One record as the merge page compares it.
 * @param {import('pocketbase').default} pb
 * @param {MergeKind} kind
 * @param {string} id
 * @returns {Promise<MergeRecord>}
 */
export async function loadForMerge(pb, kind, id) {
  const r = await pb.collection(kind).getOne(id, kind === 'contacts' ? { expand: 'company' } : {})
  return /** @type {MergeRecord} */ (/** @type {unknown} */ (r))
}

/**
 * Records of the same kind to merge into `id`: search hits, without the record itself.
 * @param {import('pocketbase').default} pb
 * @param {MergeKind} kind
 * @param {string} id
 * @param {string} term
 */
export async function mergeCandidates(pb, kind, id, term) {
  const hits = await search(pb, term, { collection: kind, limit: 10 })
  return hits.filter((h) => h.id !== id)
}

/**
 * Merges `other` into `survivor`, each differing field taken from the side chosen.
 * @param {import('pocketbase').default} pb
 * @param {MergeKind} kind
 * @param {string} survivor
 * @param {string} other
 * @param {Record<string, 'survivor' | 'other'>} fields
 * @returns {Promise<MergeResult>}
 */
export function mergeRecords(pb, kind, survivor, other, fields) {
  return pb.send('/api/crm/merge', { method: 'POST', body: { kind, survivor, other, fields } })
}

/**
 * Undoes a merge; answers the fields edited since, which keep their new values.
 * @param {import('pocketbase').default} pb
 * @param {string} merge the merge's id
 * @returns {Promise<{kept?: string[]}>}
 */
export function undoMerge(pb, merge) {
  return pb.send(`/api/crm/merges/${encodeURIComponent(merge)}/undo`, { method: 'POST' })
}
