// The team, for managers (Settings → Team): the members as the staff record
// API lists them, and the team's routes (plugins/team) for what writes more
// than one record or keeps a rule a filter cannot: inviting, changing a
// role, deactivating with a hand-over, reactivating.
import { fieldErrors } from '../errors.js'

export const ROLES = ['manager', 'agent', 'readonly', 'partner']
const STAFF = 'staff'
const FIELDS = 'id,name,email,role,language,deactivated,invited_at,verified,created'

/**
 * A member of the team as the settings page shows them.
 * @typedef {{id: string, name: string, email: string, role: string, language?: string, deactivated?: boolean, invited_at?: string, verified?: boolean}} Member
 */

/**
 * The messages to show beside each field of a refusal: the team's own codes
 * (validation_handover_required, ...) in the reader's language, else the
 * workspace's usual ones.
 * @param {any} err
 * @param {(key: string, params?: object) => string} t
 * @returns {Record<string, string>}
 */
export function teamErrors(err, t) {
  const out = fieldErrors(err, t)
  const data = err?.response?.data ?? {}
  for (const [field, problem] of Object.entries(data)) {
    const key = `team.err.${problem?.code}`
    const text = t(key)
    if (text !== key) out[field] = text
  }
  return out
}

/**
 * Who may take over a leaving member's open records: someone else, active,
 * who may work them (a manager or an agent).
 * @param {Member[]} members
 * @param {string} leavingId
 * @returns {Member[]}
 */
export function handoverCandidates(members, leavingId) {
  return members.filter((m) => m.id !== leavingId && !m.deactivated && m.role !== 'readonly')
}

/**
 * Where a member stands: active, invited (no password set yet) or deactivated.
 * @param {Member} m
 * @returns {'active' | 'invited' | 'deactivated'}
 */
export function memberState(m) {
  if (m.deactivated) return 'deactivated'
  if (m.invited_at && !m.verified) return 'invited'
  return 'active'
}

export class TeamSettings {
  /** @type {Member[]} */
  members = $state.raw([])
  loading = $state(false)
  /** @type {any} */
  error = $state(null)

  /** @param {import('pocketbase').default} pb */
  constructor(pb) {
    this.pb = pb
  }

  async load() {
    this.loading = true
    this.error = null
    try {
      const list = await this.pb.collection(STAFF).getFullList({ sort: 'name', fields: FIELDS })
      this.members = /** @type {Member[]} */ (/** @type {unknown} */ (list))
    } catch (err) {
      this.error = err
    } finally {
      this.loading = false
    }
  }

  /** @param {Member} m */
  #put(m) {
    const i = this.members.findIndex((x) => x.id === m.id)
    const next = [...this.members]
    if (i < 0) next.push(m)
    else next[i] = { ...next[i], ...m }
    next.sort((a, b) => a.name.localeCompare(b.name))
    this.members = next
  }

  /**
   * Invites a colleague; the answer says whether the mail went.
   * @param {{name: string, email: string, role: string, language: string}} form
   * @returns {Promise<Member & {mailed: boolean}>}
   */
  async invite(form) {
    const m = await this.pb.send('/api/crm/team/invite', {
      method: 'POST',
      body: { name: form.name.trim(), email: form.email.trim(), role: form.role, language: form.language },
    })
    this.#put(m)
    return m
  }

  /** @param {string} id */
  async reinvite(id) {
    const m = await this.pb.send(`/api/crm/team/${encodeURIComponent(id)}/invite`, { method: 'POST' })
    this.#put(m)
    return m
  }

  /**
   * @param {string} id
   * @param {string} role
   */
  async changeRole(id, role) {
    const m = await this.pb.send(`/api/crm/team/${encodeURIComponent(id)}/role`, { method: 'POST', body: { role } })
    this.#put(m)
    return m
  }

  /**
   * What the member holds: open records by kind.
   * @param {string} id
   * @returns {Promise<Record<string, number>>}
   */
  holdings(id) {
    return this.pb.send(`/api/crm/team/${encodeURIComponent(id)}/holdings`, {})
  }

  /**
   * Deactivates a member, handing their open records to `handover`: one
   * colleague for every kind, or an object naming who takes each kind
   * ({contacts, companies, deals, cases, tasks}).
   * @param {string} id
   * @param {string | Record<string, string>} handover
   * @returns {Promise<Record<string, number>>} what moved, by kind
   */
  async deactivate(id, handover) {
    const body = typeof handover === 'string' ? { handover } : { handovers: Object.fromEntries(Object.entries(handover).filter(([, v]) => v)) }
    const res = await this.pb.send(`/api/crm/team/${encodeURIComponent(id)}/deactivate`, { method: 'POST', body })
    this.#put(res.member)
    return res.moved
  }

  /** @param {string} id */
  async reactivate(id) {
    const m = await this.pb.send(`/api/crm/team/${encodeURIComponent(id)}/reactivate`, { method: 'POST' })
    this.#put(m)
    return m
  }
}

/**
 * The email an invitation's token was made for (its payload, unsigned
 * reading: only to fill the sign-in after the password is set).
 * @param {string} token
 * @returns {string}
 */
export function tokenEmail(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')
    const json = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0))))
    return typeof json.email === 'string' ? json.email : ''
  } catch {
    return ''
  }
}

/**
 * Sets the invited member's password through PocketBase's own
 * confirm-password-reset, then signs them in.
 * @param {import('pocketbase').default} pb
 * @param {{token: string, password: string, passwordConfirm: string}} form
 */
export async function setInvitedPassword(pb, { token, password, passwordConfirm }) {
  await pb.collection(STAFF).confirmPasswordReset(token, password, passwordConfirm)
}
