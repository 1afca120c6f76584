// The signed-in staff member, kept in the SDK's auth store (localStorage),
// and the staff directory (names of the team, for "by Rafael" and owners).
import { LANGUAGES } from './i18n.js'

export const STAFF = 'staff'

/** The staff record of a valid auth store, or null (a customer's or a superuser's token is not a staff session). */
export function staffOf(store) {
  const r = store?.record
  return store?.isValid && r?.collectionName === STAFF ? r : null
}

export class Session {
  user = $state(null)
  team = $state({}) // staff id -> {id, name, email, role}

  constructor(pb) {
    this.pb = pb
    this.user = staffOf(pb.authStore)
    pb.authStore.onChange(() => {
      this.user = staffOf(pb.authStore)
    })
  }

  /** Signs in with email and password; throws the SDK's error (status 400 for a wrong pair). */
  async signIn(email, password) {
    const res = await this.pb.collection(STAFF).authWithPassword(email.trim(), password)
    this.user = staffOf(this.pb.authStore)
    return res.record
  }

  /** Checks a kept session with the server; a refused one is dropped. */
  async refresh() {
    if (!staffOf(this.pb.authStore)) {
      if (this.pb.authStore.token) this.pb.authStore.clear()
      return
    }
    try {
      await this.pb.collection(STAFF).authRefresh()
    } catch (err) {
      if (err?.status === 401 || err?.status === 403 || err?.status === 404) this.pb.authStore.clear()
    }
  }

  signOut() {
    try {
      this.pb.realtime?.unsubscribe?.()
    } catch {
      // the connection is going anyway
    }
    this.pb.authStore.clear()
    this.team = {}
  }

  /** Saves the staff member's language; their own profile allows it. */
  async saveLanguage(lang) {
    if (!this.user || !LANGUAGES.includes(lang) || this.user.language === lang) return
    await this.pb.collection(STAFF).update(this.user.id, { language: lang })
    this.user = staffOf(this.pb.authStore) ?? this.user
  }

  async loadTeam() {
    const list = await this.pb.collection(STAFF).getFullList({ fields: 'id,name,email,role', sort: 'name' })
    const team = {}
    for (const s of list) team[s.id] = s
    this.team = team
  }

  nameOf(id) {
    return this.team[id]?.name ?? ''
  }
}
