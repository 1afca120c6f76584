// t() for the portal's templates: the reader's language comes from the
// workspace's locale state, so fmt (dates, money, preferences) agrees with it.
import { locale } from '../../lib/locale.svelte.js'
import { translate } from './i18n.js'

export { locale, fmt, setLanguage, setTimeZone } from '../../lib/locale.svelte.js'

export function t(key, params) {
  return translate(locale.lang, key, params)
}
