// The one PocketBase client of the workspace: REST, auth and realtime all go
// through the official SDK, to the server that served the page.
import PocketBase, { LocalAuthStore } from 'pocketbase'

const origin = typeof location !== 'undefined' ? location.origin : 'http://127.0.0.1:8090'

export const pb = new PocketBase(origin, new LocalAuthStore('vinculo_staff_auth'))

// Requests are never cancelled behind the page's back; the stores drop
// answers that came too late themselves.
pb.autoCancellation(false)
