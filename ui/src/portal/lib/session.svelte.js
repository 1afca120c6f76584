// The signed-in customer, what the header shows about them (/api/crm/portal/me)
// and the business's branding; the reader's language and zone follow them.
// The session basics (whose token it is, refresh, sign out) and the reader's
// language are shared with the workspace: ../../shared/.
import { pb, customerOf, CUSTOMERS } from './pb.js'
import { pickLanguage } from '../../lib/i18n.js'
import { setLanguage, setTimeZone } from '../../lib/locale.svelte.js'
import { refreshAuth, clearAuth, isRefused } from '../../shared/pb.js'
import { browserLanguages, storedLanguage, rememberLanguage } from '../../shared/language.js'

const LANG_KEY = 'vinculo_portal_lang'

export const branding = $state({ name: '', logo: '', color: '', language: '', timezone: '', loaded: false })

class PortalSession {
  customer = $state(null)
  me = $state(null) // {customer, contact, company, open_requests}
  passwordSignIn = $state(false) // the business lets customers choose a password

  constructor() {
    this.customer = customerOf(pb.authStore)
    pb.authStore.onChange(() => {
      this.customer = customerOf(pb.authStore)
      if (!this.customer) this.me = null
    })
  }

  get contact() {
    return this.me?.contact ?? null
  }

  /** Checks a kept session with the server (a refused one is dropped), then reads what the header shows. */
  async refresh() {
    if (!(await refreshAuth(pb, CUSTOMERS))) return
    try {
      await this.loadMe()
    } catch (err) {
      if (isRefused(err)) pb.authStore.clear()
    }
  }

  async loadMe() {
    if (!this.customer) return
    this.me = await pb.send('/api/crm/portal/me', { method: 'GET' })
    applyReader()
  }

  /**
   * Saves fields of the customer's own contact record, then reads back what the header shows.
   * @param {Record<string, unknown>} body
   */
  async saveContact(body) {
    await pb.collection('contacts').update(this.me.contact.id, body)
    await this.loadMe()
  }

  /** Step one of signing in: the same answer whether the email is known or not. */
  async requestCode(email) {
    try {
      const res = await pb.collection(CUSTOMERS).requestOTP(email.trim().toLowerCase())
      return res?.otpId ?? ''
    } catch (err) {
      // An unknown email must not look different from a known one.
      if (err?.status === 400 || err?.status === 404) return ''
      throw err
    }
  }

  /** The code step; returns an mfaId when the customer also asked for their password. */
  async signInWithCode(otpId, code) {
    try {
      await pb.collection(CUSTOMERS).authWithOTP(otpId, code.trim())
    } catch (err) {
      const mfaId = err?.response?.mfaId
      if (err?.status === 401 && mfaId) return mfaId
      throw err
    }
    this.customer = customerOf(pb.authStore)
    await this.loadMe()
    return ''
  }

  async signInWithPassword(email, password, mfaId = '') {
    await pb.collection(CUSTOMERS).authWithPassword(email.trim().toLowerCase(), password, mfaId ? { mfaId } : undefined)
    this.customer = customerOf(pb.authStore)
    await this.loadMe()
  }

  /** Saving a password ends every session: keep this one with the token the server gives back. */
  async keepSession(answer) {
    if (answer?.token) {
      pb.authStore.save(answer.token, pb.authStore.record)
      await pb.collection(CUSTOMERS).authRefresh()
    }
    await this.loadMe()
  }

  async loadAuthMethods() {
    try {
      const methods = await pb.collection(CUSTOMERS).listAuthMethods()
      this.passwordSignIn = Boolean(methods?.password?.enabled)
    } catch {
      this.passwordSignIn = false
    }
  }

  signOut() {
    clearAuth(pb)
    this.me = null
  }

  /** Ends every session of this customer, on every device, then this one. */
  async signOutEverywhere() {
    await pb.send('/api/crm/portal/sign-out-everywhere', { method: 'POST' })
    this.signOut()
  }
}

export const session = new PortalSession()

/** The customer's language and zone, else the last chosen, the browser's, the business's. */
export function applyReader() {
  const contact = session.me?.contact
  setLanguage(pickLanguage(contact?.language, session.customer?.language, storedLanguage(LANG_KEY), browserLanguages(), branding.language))
  setTimeZone(contact?.timezone || branding.timezone)
}

/** The language switch: at once on screen, and kept in the customer's own contact record. */
export async function chooseLanguage(lang) {
  setLanguage(lang)
  rememberLanguage(LANG_KEY, lang)
  const contact = session.me?.contact
  if (contact?.id && contact.language !== lang) {
    contact.language = lang
    try {
      await pb.collection('contacts').update(contact.id, { language: lang })
    } catch {
      // the screen already speaks it; the next visit asks again
    }
  }
}

export async function loadBranding() {
  try {
    const b = await pb.send('/api/crm/portal/branding', { method: 'GET' })
    Object.assign(branding, { name: b?.name ?? '', logo: b?.logo ?? '', color: b?.color ?? '', language: b?.language ?? '', timezone: b?.timezone ?? '' })
  } catch {
    // the portal still works unbranded
  }
  branding.loaded = true
  if (typeof document !== 'undefined') {
    if (/^#[0-9a-fA-F]{3,8}$/.test(branding.color)) {
      document.documentElement.style.setProperty('--primary', branding.color)
      document.documentElement.style.setProperty('--focus', branding.color)
      document.documentElement.style.setProperty('--primary-hover', `color-mix(in srgb, ${branding.color} 80%, black)`)
      document.querySelector('meta[name="theme-color"]')?.setAttribute('content', branding.color)
    }
  }
  applyReader()
}
