// The customer value model as managers see it (GET /api/crm/insights/model):
// the latest fit with its data, parameters, quality and holdout evaluation,
// and fitting again on demand (POST /api/crm/insights/model/fit). Also the
// model's two business settings (business_settings: discount_rate,
// profiling_needs_consent), which managers change here.
import { latestWins } from '../shared/loader.js'

/**
 * @typedef {{params: number[], std_err: number[], log_likelihood: number, evaluations: number, converged: boolean}} Estimate
 * @typedef {{repeat: string, customers: number, actual: number, model: number, naive: number}} Bucket
 * @typedef {{calibration_end: string, holdout_end: string, holdout_weeks: number, customers: number, actual: number,
 *   model: number, naive: number, model_mae: number, naive_mae: number, by_frequency: Bucket[], error?: string}} Evaluation
 * @typedef {{if: string, then: string, support: number, confidence: number, lift: number, count: number}} Rule
 * @typedef {{id: string, fitted_at: string, trigger: string, as_of: string, data: any,
 *   bgnbd: {params: {r: number, alpha: number, a: number, b: number}, fit: Estimate} | null,
 *   spend: {params: {p: number, q: number, gamma: number}, fit: Estimate, correlation: number} | null,
 *   refusal: {code: string, reason: string, value: number, limit: number} | null,
 *   evaluation: Evaluation | null, rules: Rule[] | null, error: string, scored: number, excluded: number,
 *   settings: {discount_rate: number, profiling_needs_consent: boolean}}} Fit
 */

/**
 * What a BG/NBD fit means in plain figures: purchases a week of an active
 * customer (r/α), days between them, the chance of stopping after a purchase
 * (a/(a+b)).
 * @param {{r: number, alpha: number, a: number, b: number}} p
 */
export function bgMeaning(p) {
  const perWeek = p.r / p.alpha
  return { perWeek, everyDays: perWeek > 0 ? 7 / perWeek : Infinity, dropout: p.a / (p.a + p.b) }
}

/**
 * The mean spend per purchase across customers, pγ/(q-1).
 * @param {{p: number, q: number, gamma: number}} g
 */
export function meanSpend(g) {
  return g.q > 1 ? (g.p * g.gamma) / (g.q - 1) : NaN
}

/**
 * How much lower the model's error is than the naive forecast's, in percent
 * (negative when it is higher).
 * @param {Evaluation} ev
 */
export function gain(ev) {
  if (!ev || !(ev.naive_mae > 0)) return NaN
  return (1 - ev.model_mae / ev.naive_mae) * 100
}

export class ModelFit {
  /** @type {Fit | null} */
  fit = $state.raw(null)
  /** @type {Record<string, string>} product code -> name */
  products = $state.raw({})
  running = $state(false)
  loading = $state(false)
  fitting = $state(false)
  error = $state(null)
  fitError = $state(null)
  #latest = latestWins(this)

  /** @param {import('pocketbase').default} pb */
  constructor(pb) {
    this.pb = pb
  }

  async load() {
    await this.#latest.run(
      () => this.pb.send('/api/crm/insights/model', { method: 'GET' }),
      (a) => this.#take(a),
    )
  }

  /**
   * Fits now; calibrationEnd (YYYY-MM-DD) is the evaluation's split, or ''
   * for the default. Resolves true when fitted; the error stays in fitError.
   * @param {string} calibrationEnd
   */
  async fitNow(calibrationEnd) {
    this.fitting = true
    this.fitError = null
    try {
      const body = calibrationEnd ? { calibration_end: calibrationEnd } : {}
      this.#take(await this.pb.send('/api/crm/insights/model/fit', { method: 'POST', body }))
      return true
    } catch (err) {
      this.fitError = err
      return false
    } finally {
      this.fitting = false
    }
  }

  #take(a) {
    this.fit = a?.fit ?? null
    this.products = a?.products ?? {}
    this.running = Boolean(a?.running)
  }
}

export class ModelSettings {
  id = $state('')
  discountPercent = $state(10)
  needsConsent = $state(false)
  saving = $state(false)
  error = $state(null)
  saved = $state(false)

  /** @param {import('pocketbase').default} pb */
  constructor(pb) {
    this.pb = pb
  }

  async load() {
    try {
      const row = await this.pb.collection('business_settings').getFirstListItem('', { sort: 'created', requestKey: null })
      this.id = row.id
      this.discountPercent = Math.round((row.discount_rate || 0.1) * 1000) / 10
      this.needsConsent = Boolean(row.profiling_needs_consent)
    } catch (err) {
      this.error = err
    }
  }

  async save() {
    this.saving = true
    this.error = null
    this.saved = false
    try {
      await this.pb.collection('business_settings').update(this.id, {
        discount_rate: Number(this.discountPercent) / 100,
        profiling_needs_consent: this.needsConsent,
      })
      this.saved = true
    } catch (err) {
      this.error = err
    } finally {
      this.saving = false
    }
  }
}
