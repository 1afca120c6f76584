// What a failed request means for the person in front of the page.

// PocketBase's validation codes that have a message of ours in both languages.
const CODE_KEYS = {
  validation_required: 'error.required',
  validation_is_email: 'error.email',
  validation_invalid_email: 'error.email',
  validation_max_text_constraint: 'error.too_long',
  validation_length_too_long: 'error.too_long',
  validation_length_out_of_range: 'error.too_long',
  validation_invalid_value: 'error.invalid',
  validation_in_invalid: 'error.invalid',
  validation_match_invalid: 'error.invalid',
  validation_invalid_format: 'error.invalid',
  validation_min_number_constraint: 'error.number',
  validation_max_number_constraint: 'error.number',
  validation_invalid_date: 'error.date',
  validation_followup_due: 'error.date',
}

/** True when the request was cancelled rather than failed. */
export function isAbort(err) {
  return Boolean(err?.isAbort)
}

/**
 * The messages to show next to each field of a 400 answer:
 * PocketBase answers {data: {<field>: {code, message}}}.
 */
export function fieldErrors(err, t) {
  const data = err?.response?.data ?? err?.data?.data
  const out = {}
  if (!data || typeof data !== 'object') return out
  for (const [field, problem] of Object.entries(data)) {
    if (!problem || typeof problem !== 'object') continue
    let key = CODE_KEYS[problem.code]
    if (key === 'error.too_long' && problem.params?.max) key = 'error.too_long_max'
    out[field] = key ? t(key, problem.params) : problem.message || t('error.invalid')
  }
  return out
}

/** One sentence for a failed request. */
export function errorMessage(err, t) {
  const status = err?.status ?? 0
  if (status === 0) return t('error.network')
  if (status === 403) return t('error.forbidden')
  if (status === 404) return t('error.not_found')
  if (status === 400 && Object.keys(fieldErrors(err, t)).length) return t('error.form')
  const message = err?.response?.message
  if (message && status < 500) return message
  return t('error.generic', { status })
}
