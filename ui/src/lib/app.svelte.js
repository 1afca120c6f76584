// The workspace's singletons: the session and the UI language, wired to the
// SDK's client.
import { pb } from './pb.js'
import { Session } from './session.svelte.js'
import { pickLanguage } from './i18n.js'
import { setLanguage, setTimeZone } from './locale.svelte.js'

export const session = new Session(pb)

const LANG_KEY = 'vinculo_lang'

function browserLanguages() {
  return typeof navigator !== 'undefined' ? navigator.languages ?? [navigator.language] : []
}

/** The language and time zone of the signed-in staff member, else the last chosen or the browser's. */
export function applyReaderSettings() {
  let stored = ''
  try {
    stored = localStorage.getItem(LANG_KEY) ?? ''
  } catch {
    // private mode
  }
  const user = session.user
  setLanguage(pickLanguage(user?.language, stored, browserLanguages()))
  setTimeZone(user?.timezone)
}

/** The language switch: at once on screen, then kept in the staff member's profile. */
export async function chooseLanguage(lang) {
  setLanguage(lang)
  try {
    localStorage.setItem(LANG_KEY, lang)
  } catch {
    // private mode
  }
  await session.saveLanguage(lang)
}
