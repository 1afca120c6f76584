// The workspace's pages by path (the router itself is shared with the portal:
// ../shared/router.svelte.js). The dashboard (/_/), the API and the portal are
// not among them, so their links are left to the browser.
import { createRouter } from '../shared/router.svelte.js'

/** @type {import('../shared/router.svelte.js').RouteDef[]} */
export const ROUTES = [
  ['home', /^\/$/],
  ['contacts', /^\/contacts\/?$/],
  ['contact', /^\/contacts\/([^/]+)\/?$/, ['id']],
  ['merge', /^\/contacts\/([^/]+)\/merge\/?$/, ['id']],
  ['import', /^\/import\/?$/],
  ['merge-company', /^\/companies\/([^/]+)\/merge\/?$/, ['id']],
  ['companies', /^\/companies(?:\/([^/]+))?\/?$/, ['id']],
  ['deals', /^\/deals(?:\/([^/]+))?\/?$/, ['id']],
  ['cases', /^\/cases(?:\/([^/]+))?\/?$/, ['id']],
  ['tasks', /^\/tasks\/?$/],
  ['orders', /^\/orders(?:\/([^/]+))?\/?$/, ['id']],
  ['quotes', /^\/quotes(?:\/([^/]+))?\/?$/, ['id']], // quotes staff build for customers (issue 19)
  ['segments', /^\/segments(?:\/([^/]+))?\/?$/, ['id']], // segments with a value proposition (issue 18)
  ['campaigns', /^\/campaigns(?:\/([^/]+))?\/?$/, ['id']], // a message to a segment through the outbox (issue 18)
  ['privacy', /^\/privacy(?:\/([^/]+))?\/?$/, ['id']], // erasure requests, for managers (issue 20)
  ['predictions', /^\/predictions\/?$/], // the customer value model, for managers (issue 18)
  ['insights', /^\/insights(?:\/([^/]+)(?:\/([^/]+))?)?\/?$/, ['board', 'figure']],
  ['mail', /^\/mail(?:\/([^/]+))?\/?$/, ['id']], // received mail filed under nobody (pages/Unfiled.svelte)
  ['settings', /^\/settings(?:\/([^/]+))?\/?$/, ['section']],
  ['profile', /^\/profile\/?$/],
  ['set-password', /^\/set-password\/?$/], // an invitation's link (plugins/team); shown signed out
]

export const router = createRouter('', ROUTES)
export const { route, match, navigate } = router
export const startRouter = router.start

/**
 * A click on a table row opens `path`, unless it was on a link or a button of the row.
 * @param {MouseEvent} e
 * @param {string} path
 */
export function openRow(e, path) {
  if (/** @type {Element} */ (e.target).closest('a, button')) return
  navigate(path)
}
