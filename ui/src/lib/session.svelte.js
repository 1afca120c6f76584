// The signed-in staff member, kept in the SDK's auth store (localStorage),
// and the staff directory (names of the team, for "by Rafael" and owners).
// The session basics (whose token it is, refresh, sign out) are shared with
// the portal: ../shared/pb.js.
import { LANGUAGES } from './i18n.js'
import { authRecord, refreshAuth, clearAuth } from '../shared/pb.js'

export const STAFF = 'staff'

/**
 * A member of the team.
 * @typedef {{id: string, name: string, email: string, role: string, language?: string, timezone?: string, collectionName?: string}} Staff
 */

/**
 * The staff record of a valid auth store, or null (a customer's or a superuser's token is not a staff session).
 * @param {import('pocketbase').BaseAuthStore | null | undefined} store
 * @returns {Staff | null}
 */
export function staffOf(store) {
  return authRecord(store, STAFF)
}

export class Session {
  /** @type {Staff | null} */
  user = $state(null)
  /** @type {Record<string, Staff>} staff id -> {id, name, email, role} */
  team = $state.raw({})

  /** Whether the signed-in member may create and change records (managers and agents). */
  get canWrite() {
    return Boolean(this.user) && this.user?.role !== 'readonly'
  }

  /** Whether the signed-in member keeps the business's settings (managers). */
  get isManager() {
    return this.user?.role === 'manager'
  }

  /** Whether the signed-in member is a partner: they work only on the requests assigned to them. */
  get isPartner() {
    return this.user?.role === 'partner'
  }

  /** @param {import('pocketbase').default} pb */
  constructor(pb) {
    this.pb = pb
    this.user = staffOf(pb.authStore)
    pb.authStore.onChange(() => {
      this.user = staffOf(pb.authStore)
    })
  }

  /**
   * Signs in with email and password; throws the SDK's error (status 400 for a wrong pair).
   * @param {string} email
   * @param {string} password
   * @returns {Promise<Staff>}
   */
  async signIn(email, password) {
    const res = await this.pb.collection(STAFF).authWithPassword(email.trim(), password)
    this.user = staffOf(this.pb.authStore)
    return /** @type {Staff} */ (/** @type {unknown} */ (res.record))
  }

  /**
   * Whether the team may sign in with a one-time code by email.
   * @returns {Promise<boolean>}
   */
  async codeSignIn() {
    try {
      const m = await this.pb.collection(STAFF).listAuthMethods()
      return Boolean(m?.otp?.enabled)
    } catch {
      return false
    }
  }

  /**
   * Sends a one-time code to the email; returns the id the code is checked against.
   * @param {string} email
   * @returns {Promise<string>}
   */
  async requestCode(email) {
    const res = await this.pb.collection(STAFF).requestOTP(email.trim())
    return res.otpId
  }

  /**
   * Signs in with the code sent; throws the SDK's error (400 or 401 for a wrong code).
   * @param {string} otpId
   * @param {string} code
   */
  async signInWithCode(otpId, code) {
    await this.pb.collection(STAFF).authWithOTP(otpId, code.trim())
    this.user = staffOf(this.pb.authStore)
  }

  /** Checks a kept session with the server; a refused one is dropped. */
  async refresh() {
    await refreshAuth(this.pb, STAFF)
  }

  signOut() {
    clearAuth(this.pb)
    this.team = {}
  }

  /**
   * Saves the staff member's language; their own profile allows it.
   * @param {string} lang
   */
  async saveLanguage(lang) {
    if (!this.user || !LANGUAGES.includes(lang) || this.user.language === lang) return
    await this.pb.collection(STAFF).update(this.user.id, { language: lang })
    this.user = staffOf(this.pb.authStore) ?? this.user
  }

  /**
   * Saves the staff member's name and time zone.
   * @param {{name: string, timezone: string}} profile
   */
  async saveProfile({ name, timezone }) {
    if (!this.user) return
    await this.pb.collection(STAFF).update(this.user.id, { name: name.trim(), timezone })
  }

  async loadTeam() {
    const list = await this.pb.collection(STAFF).getFullList({ fields: 'id,name,email,role', sort: 'name' })
    /** @type {Record<string, Staff>} */
    const team = {}
    for (const s of list) team[s.id] = /** @type {Staff} */ (/** @type {unknown} */ (s))
    this.team = team
  }

  /**
   * @param {string} id
   * @returns {string}
   */
  nameOf(id) {
    return this.team[id]?.name ?? ''
  }
}
