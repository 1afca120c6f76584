// The portal's messages, looked up before the workspace's shared ones
// (channels, purposes, statuses, errors and the preference sentence live
// there and are the same words for everyone).
import { translate as shared } from '../../lib/i18n.js'
import enBase from '../messages/en.js'
import ptBase from '../messages/pt-BR.js'
import surveysEn from '../messages/surveys.en.js'
import surveysPt from '../messages/surveys.pt-BR.js'
import catalogueEn from '../messages/catalogue.en.js'
import cataloguePt from '../messages/catalogue.pt-BR.js'

import paymentsEn from '../messages/payments.en.js'
import paymentsPt from '../messages/payments.pt-BR.js'

const en = { ...enBase, ...surveysEn, ...catalogueEn, ...paymentsEn }
const ptBR = { ...ptBase, ...surveysPt, ...cataloguePt, ...paymentsPt }

export const portalMessages = { en, 'pt-BR': ptBR }

/** The portal message `key` in `lang`, else the workspace's, with {name} placeholders filled. */
export function translate(lang, key, params) {
  const dict = portalMessages[lang] ?? en
  const text = dict[key] ?? en[key]
  if (text === undefined) return shared(lang, key, params)
  if (!params) return text
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole))
}
