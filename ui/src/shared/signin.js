// What a failed sign-in step means, the same way in both apps: too many tries
// first, then the app's own words for the statuses it knows, else the
// server's message.
import { errorMessage } from '../lib/errors.js'

/**
 * The message of a failed sign-in step.
 * @param {any} err the SDK's error
 * @param {(key: string, params?: Record<string, unknown>) => string} t the app's t()
 * @param {Record<number, string>} [keys] status -> message key, e.g. {400: 'signin.failed'}
 * @returns {string}
 */
export function signInProblem(err, t, keys = {}) {
  if (err?.status === 429) return t('signin.too_many')
  const key = keys[err?.status]
  return key ? t(key) : errorMessage(err, t)
}
