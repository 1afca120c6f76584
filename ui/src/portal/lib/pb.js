// The portal's PocketBase client. The customer's session is kept apart from
// a staff session in the same browser (its own key in localStorage).
import PocketBase, { LocalAuthStore } from 'pocketbase'

const origin = typeof location !== 'undefined' ? location.origin : 'http://127.0.0.1:8090'

export const pb = new PocketBase(origin, new LocalAuthStore('vinculo_portal_auth'))
pb.autoCancellation(false)

export const CUSTOMERS = 'customers'

/** The customer record of a valid auth store, or null (a staff token is not a portal session). */
export function customerOf(store) {
  const r = store?.record
  return store?.isValid && r?.collectionName === CUSTOMERS ? r : null
}
