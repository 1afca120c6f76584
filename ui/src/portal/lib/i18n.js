// The portal's messages, looked up before the workspace's shared ones
// (channels, purposes, statuses, errors and the preference sentence live
// there and are the same words for everyone).
import { translate as shared } from '../../lib/i18n.js'
import enBase from '../messages/en.js'
import ptBase from '../messages/pt-BR.js'
// Each capability keeps its own messages beside these, in
// messages/<capability>.en.js and messages/<capability>.pt-BR.js.
const extra = import.meta.glob('../messages/*.*.js', { eager: true, import: 'default' })
function withExtra(base, lang) {
  const out = { ...base }
  for (const [path, dict] of Object.entries(extra)) {
    if (path.endsWith(`.${lang}.js`)) Object.assign(out, dict)
  }
  return out
}
const en = withExtra(enBase, 'en')
const ptBR = withExtra(ptBase, 'pt-BR')

export const portalMessages = { en, 'pt-BR': ptBR }

/** The portal message `key` in `lang`, else the workspace's, with {name} placeholders filled. */
export function translate(lang, key, params) {
  const dict = portalMessages[lang] ?? en
  const text = dict[key] ?? en[key]
  if (text === undefined) return shared(lang, key, params)
  if (!params) return text
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole))
}
