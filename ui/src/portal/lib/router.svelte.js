// The portal's pages by path under /portal/ (the router itself is shared with
// the workspace: ../../shared/router.svelte.js).
import { createRouter } from '../../shared/router.svelte.js'

export const BASE = '/portal'

/** @type {import('../../shared/router.svelte.js').RouteDef[]} */
export const ROUTES = [
  ['requests', /^\/?$/],
  ['request', /^\/requests\/([^/]+)\/?$/, ['id']],
  ['new', /^\/new\/?$/],
  ['profile', /^\/profile\/?$/],
  ['preferences', /^\/preferences\/?$/],
  ['consents', /^\/consents\/?$/],
  ['profiling', /^\/profiling\/?$/], // your profile and offers, and the objection to profiling (issue 18)
  ['services', /^\/services\/?$/],
  ['catalogue', /^\/catalogue\/?$/],
  ['product', /^\/catalogue\/([^/]+)\/?$/, ['id']],
  ['cart', /^\/cart\/?$/],
  ['order-pay', /^\/orders\/([^/]+)\/pay\/?$/, ['id']],
  ['quotes', /^\/quotes\/?$/], // quotes the business sent the customer (issue 19)
  ['quote', /^\/quotes\/([^/]+)\/?$/, ['id']],
  ['invoices', /^\/invoices\/?$/],
  ['invoice', /^\/invoices\/([^/]+)\/?$/, ['id']],
  ['data', /^\/data\/?$/],
  ['access', /^\/access\/?$/], // who looked at my data (issue 20)
  ['erasure', /^\/erasure\/?$/], // ask for erasure and follow it (issue 20)
  ['restriction', /^\/restriction\/?$/], // restrict processing, object to marketing or profiling (issue 20)
  ['confirm-email', /^\/confirm-email-change\/?$/],
  // open to people without an account
  ['track', /^\/track\/?$/],
  ['public-request', /^\/new-request\/?$/],
  ['confirm-request', /^\/confirm-request\/?$/],
  ['survey', /^\/survey\/?$/], // a survey link (?t=), or the signed-in customer's surveys
]

export const PUBLIC_ROUTES = ['track', 'public-request', 'confirm-request', 'survey']

export const router = createRouter(BASE, ROUTES)
export const { route, match, href, navigate } = router
export const startRouter = router.start
