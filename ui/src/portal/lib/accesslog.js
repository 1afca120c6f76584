// Who looked at my data (/portal/access): the signed-in customer's own log,
// newest first, a page at a time. The server lists only looks by the team,
// partners and automations; the customer's own reads are never in it.
import { pb } from './pb.js'

/**
 * @typedef {{id: string, at: string, kind: 'staff'|'partner'|'automation', name: string, role: string,
 *   collection: string, record: string, screen: string, count: number}} AccessItem
 * @typedef {{items: AccessItem[], page: number, perPage: number, hasMore: boolean}} AccessPage
 */

/**
 * One page of the log.
 * @param {number} page from 1
 * @param {number} [perPage]
 * @returns {Promise<AccessPage>}
 */
export function myAccessLog(page, perPage = 20) {
  return pb.send('/api/crm/portal/access', { query: { page, perPage } })
}

/**
 * Who looked, worded for the reader: "Marina Duarte (manager)" or "An automation: API".
 * @param {AccessItem} item
 * @param {(key: string, vars?: Record<string, any>) => string} t
 */
export function who(item, t) {
  if (item.kind === 'automation') return t('access.automation', { name: item.name || t('access.unnamed') })
  const role = item.role ? t(`access.role.${item.role}`) : ''
  const name = item.name || t('access.unnamed')
  return role ? t('access.person', { name, role }) : name
}

/**
 * What was looked at, and through which screen.
 * @param {AccessItem} item
 * @param {(key: string, vars?: Record<string, any>) => string} t
 */
export function what(item, t) {
  if (item.screen === 'export') return t('access.what.export', { n: item.count })
  return t(`access.what.${item.collection}`) || item.collection
}

/**
 * @param {AccessItem} item
 * @param {(key: string, vars?: Record<string, any>) => string} t
 */
export function screen(item, t) {
  return t(`access.screen.${item.screen || 'record'}`)
}
