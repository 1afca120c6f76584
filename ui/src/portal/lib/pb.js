// The portal's PocketBase client (made by ../../shared/pb.js). The customer's
// session is kept apart from a staff session in the same browser (its own key
// in localStorage).
import { createClient, authRecord } from '../../shared/pb.js'

export const pb = createClient('vinculo_portal_auth')

export const CUSTOMERS = 'customers'

/**
 * The customer record of a valid auth store, or null (a staff token is not a portal session).
 * @param {import('pocketbase').BaseAuthStore | null | undefined} store
 */
export function customerOf(store) {
  return authRecord(store, CUSTOMERS)
}
