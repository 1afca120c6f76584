// The reader's language as both apps pick it: the signed-in person's, else
// the last one chosen in this browser (kept under the app's own key), else
// the browser's.

/**
 * The browser's languages, most wanted first.
 * @returns {readonly string[]}
 */
export function browserLanguages() {
  return typeof navigator !== 'undefined' ? navigator.languages ?? [navigator.language] : []
}

/**
 * The language last chosen in this browser under `key`, or ''.
 * @param {string} key
 * @returns {string}
 */
export function storedLanguage(key) {
  try {
    return localStorage.getItem(key) ?? ''
  } catch {
    return '' // private mode
  }
}

/**
 * Keeps a chosen language in this browser under `key`.
 * @param {string} key
 * @param {string} lang
 */
export function rememberLanguage(key, lang) {
  try {
    localStorage.setItem(key, lang)
  } catch {
    // private mode
  }
}
