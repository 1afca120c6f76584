// The PocketBase client of each app: REST, auth and realtime all go through
// the official SDK, to the server that served the page. Each app keeps its
// session under its own localStorage key, so a staff session and a customer's
// live apart in the same browser.
import PocketBase, { LocalAuthStore } from 'pocketbase'

const origin = typeof location !== 'undefined' ? location.origin : 'http://127.0.0.1:8090'

/**
 * A client whose auth is kept in localStorage under `authKey`.
 * @param {string} authKey
 * @returns {PocketBase}
 */
export function createClient(authKey) {
  const pb = new PocketBase(origin, new LocalAuthStore(authKey))
  // Requests are never cancelled behind the page's back; the stores drop
  // answers that came too late themselves (see loader.svelte.js).
  pb.autoCancellation(false)
  return pb
}

/**
 * The record of a valid auth store when it belongs to `collection`, else null
 * (a customer's token is not a staff session, nor the other way round).
 * @param {{isValid?: boolean, record?: {collectionName?: string} | null} | null | undefined} store
 * @param {string} collection
 * @returns {any}
 */
export function authRecord(store, collection) {
  const r = store?.record
  return store?.isValid && r?.collectionName === collection ? r : null
}

/**
 * An answer that means the kept session is no longer good.
 * @param {any} err
 * @returns {boolean}
 */
export function isRefused(err) {
  return err?.status === 401 || err?.status === 403 || err?.status === 404
}

/**
 * Checks a kept session of `collection` with the server; a refused one is
 * dropped, a network failure keeps it. Returns true when the server renewed it.
 * @param {PocketBase} pb
 * @param {string} collection
 * @returns {Promise<boolean>}
 */
export async function refreshAuth(pb, collection) {
  if (!authRecord(pb.authStore, collection)) {
    if (pb.authStore.token) pb.authStore.clear()
    return false
  }
  try {
    await pb.collection(collection).authRefresh()
    return true
  } catch (err) {
    if (isRefused(err)) pb.authStore.clear()
    return false
  }
}

/**
 * Ends the session in this browser: the realtime connection, then the token.
 * @param {PocketBase} pb
 */
export function clearAuth(pb) {
  try {
    pb.realtime?.unsubscribe?.()
  } catch {
    // the connection is going anyway
  }
  pb.authStore.clear()
}
