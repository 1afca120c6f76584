// Retention rules (Settings → Retention, plugins/retention): each kind of
// record's rule with its months and switch, the preview of what the next
// run changes (GET /api/crm/retention/preview) and the record of each run
// (retention_runs). Managers only: others get 403.
import { latestWins } from '../shared/loader.js'

/** The kinds, in the order the page shows them. */
export const KINDS = ['leads', 'outbox', 'access_log', 'notifications']

/** The most months a rule may count (fifty years). */
export const MAX_MONTHS = 600

/**
 * One rule as the preview tells it.
 * @typedef {{id: string, kind: string, action: string, months: number, enabled: boolean, cutoff: string, count: number, examples: {id: string, label: string, at: string}[]}} RulePreview
 */

/**
 * One run of the rules.
 * @typedef {{id: string, trigger: 'nightly' | 'manual', by: string, started: string, finished: string, changed: number, errors: number, results: RunResult[], expand?: {by?: {name: string}}}} Run
 * @typedef {{kind: string, action: string, months: number, changed: number, errors: number, stopped?: boolean, failures?: {id: string, code: string, detail?: string}[]}} RunResult
 */

/**
 * A message key with its count: `<key>.one` for one, `<key>.other` otherwise.
 * @param {string} key
 * @param {number} count
 */
export function countKey(key, count) {
  return `${key}.${count === 1 ? 'one' : 'other'}`
}

/**
 * The parts of the next run's sentence: the rules that are on, with what
 * each would change (none when nothing is due).
 * @param {RulePreview[]} rules
 * @returns {{kind: string, count: number}[]}
 */
export function nextRun(rules) {
  return (rules ?? []).filter((r) => r.enabled && r.count > 0).map((r) => ({ kind: r.kind, count: r.count }))
}

/**
 * A months value as typed, checked as the server checks it: a whole number
 * from 1 to MAX_MONTHS. Returns the number, or null when it is not one.
 * @param {unknown} value
 */
export function parseMonths(value) {
  const n = typeof value === 'number' ? value : Number(String(value ?? '').trim())
  if (String(value ?? '').trim() === '' || !Number.isInteger(n) || n < 1 || n > MAX_MONTHS) return null
  return n
}

export class Retention {
  /** @type {RulePreview[]} */
  rules = $state.raw([])
  /** @type {Run[]} */
  runs = $state.raw([])
  running = $state(false)
  loading = $state(false)
  error = $state(null)
  #latest = latestWins(this)

  /** @param {import('pocketbase').default} pb */
  constructor(pb) {
    this.pb = pb
  }

  /** Reads the rules with their preview, and the latest runs. */
  async load() {
    await this.#latest.run(
      () => Promise.all([
        this.pb.send('/api/crm/retention/preview', { method: 'GET' }),
        this.pb.collection('retention_runs').getList(1, 20, { sort: '-started', expand: 'by', skipTotal: true }),
      ]),
      ([preview, runs]) => {
        this.rules = preview.rules ?? []
        this.running = Boolean(preview.running)
        this.runs = runs.items ?? []
      },
    )
  }

  /**
   * Saves a rule's switch and months; the preview follows.
   * @param {string} id
   * @param {{enabled: boolean, months: number | string}} change
   */
  async save(id, change) {
    await this.pb.collection('retention_rules').update(id, { enabled: change.enabled, months: change.months })
    await this.load()
  }

  /**
   * Runs the rules that are on, now; resolves to the run's record.
   * @returns {Promise<Run>}
   */
  async runNow() {
    this.running = true
    try {
      const run = await this.pb.send('/api/crm/retention/run', { method: 'POST' })
      await this.load()
      return run
    } finally {
      this.running = false
    }
  }
}
