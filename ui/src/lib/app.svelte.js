// The workspace's singletons: the session and the UI language, wired to the
// SDK's client.
import { pb } from './pb.js'
import { Session } from './session.svelte.js'
import { pickLanguage } from './i18n.js'
import { t, setLanguage, setTimeZone } from './locale.svelte.js'
import { browserLanguages, storedLanguage, rememberLanguage } from '../shared/language.js'
import { toast } from './toast.svelte.js'
import { errorMessage } from './errors.js'

export const session = new Session(pb)

const LANG_KEY = 'vinculo_lang'

/** The language and time zone of the signed-in staff member, else the last chosen or the browser's. */
export function applyReaderSettings() {
  const user = session.user
  setLanguage(pickLanguage(user?.language, storedLanguage(LANG_KEY), browserLanguages()))
  setTimeZone(user?.timezone)
}

/**
 * The language switch: at once on screen, then kept in the staff member's profile.
 * @param {string} lang
 * @returns {Promise<void>}
 */
export async function chooseLanguage(lang) {
  setLanguage(lang)
  rememberLanguage(LANG_KEY, lang)
  await session.saveLanguage(lang)
}

/**
 * A language chosen for this browser's reader before anyone signs in (an
 * invitation's link names the language the manager chose for the colleague):
 * on screen at once and kept as the last chosen, so that applyReaderSettings()
 * keeps it while nobody is signed in. A signed-in person's own language wins.
 * @param {string} lang
 */
export function adoptLanguage(lang) {
  if (session.user) return
  setLanguage(lang)
  rememberLanguage(LANG_KEY, pickLanguage(lang))
}

/** What the workspace's language switch does (../shared/LanguageSwitch.svelte): a failure to keep the choice is a toast. */
export const languageSwitch = {
  choose: chooseLanguage,
  onerror: (/** @type {unknown} */ err) => toast(errorMessage(err, t), { kind: 'error' }),
}
