// Objectives: the reader's (home page) with their status and trend, and
// setting one on a figure of the Insights boards (managers).

/**
 * One objective as GET /api/crm/objectives gives it.
 * @typedef {{id: string, name: string, figure: string, board: string, key: string, unit: string, target: number,
 *   direction: 'at_least' | 'at_most', period: string, start_date: string, due_date: string, cost: number, owner: string,
 *   series: {day: string, value: number | null, target: number}[],
 *   status: {state: string, value: number | null, projected: number | null, judged_on: string}}} Objective
 */

export const PERIODS = ['month_to_date', 'quarter_to_date', 'year_to_date', 'rolling_30', 'since_start']
export const DIRECTIONS = ['at_least', 'at_most']

export class Objectives {
  /** @type {Objective[] | null} */
  items = $state.raw(null)
  error = $state(null)

  /** @param {import('pocketbase').default} pb */
  constructor(pb) {
    this.pb = pb
  }

  /** The reader's objectives (all of them for a manager). */
  async load() {
    this.error = null
    try {
      const res = await this.pb.send('/api/crm/objectives', { query: { scope: 'mine' }, requestKey: 'objectives-home' })
      this.items = res.items ?? []
    } catch (err) {
      if (!err?.isAbort) this.error = err
    }
  }
}

/**
 * The form of a new objective on a figure, with its first values: the
 * figure's name, from today to the end of the quarter, measured month to
 * date.
 * @param {string} label
 * @param {Date} [now]
 */
export function objectiveDraft(label, now = new Date()) {
  const day = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
  const quarterEnd = new Date(now.getFullYear(), Math.floor(now.getMonth() / 3) * 3 + 3, 0)
  return { name: label, target: '', direction: 'at_least', period: 'month_to_date', start_date: day(now), due_date: day(quarterEnd), cost: '', owner: '' }
}

/**
 * Saves a new objective on board/figure. Days are sent as noon UTC so that
 * they stay the same day in any time zone of the Americas and Europe.
 * @param {import('pocketbase').default} pb
 * @param {string} board
 * @param {string} figure
 * @param {ReturnType<typeof objectiveDraft>} d
 */
export function createObjective(pb, board, figure, d) {
  const at = (day) => (day ? `${day} 12:00:00.000Z` : '')
  return pb.collection('objectives').create({
    name: d.name.trim(), figure: `${board}/${figure}`, target: d.target === '' ? null : Number(d.target),
    direction: d.direction, period: d.period, start_date: at(d.start_date), due_date: at(d.due_date),
    cost: d.cost === '' ? 0 : Number(d.cost), owner: d.owner,
  })
}

/**
 * The points of a small trend line (an SVG polyline) of the measured values
 * and the target's height, in a width × height box.
 * @param {{value: number | null}[]} series
 * @param {number} target
 * @param {number} width
 * @param {number} height
 */
export function sparkline(series, target, width, height) {
  const vals = series.map((s) => s.value).filter((v) => v !== null && Number.isFinite(v))
  if (vals.length === 0) return { points: '', targetY: null }
  const lo = Math.min(target, ...vals)
  const hi = Math.max(target, ...vals)
  const span = hi - lo || 1
  const y = (v) => Math.round((height - 2 - ((v - lo) / span) * (height - 4)) * 10) / 10
  const step = vals.length > 1 ? width / (vals.length - 1) : 0
  const points = vals.map((v, i) => `${Math.round(i * step * 10) / 10},${y(v)}`).join(' ')
  return { points, targetY: y(target) }
}

/**
 * Whether an objective has been measured on a past day: from then on its
 * figure, filters and how it is measured stay (the server refuses a change
 * with 400); name, target, direction, dates, cost and owner may change.
 * @param {Objective} o
 * @param {Date} [now]
 */
export function isMeasured(o, now = new Date()) {
  const today = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`
  return (o.series ?? []).some((d) => d.day < today)
}

/**
 * The form of an objective being edited, from the API's answer.
 * @param {Objective} o
 */
export function objectiveEditDraft(o) {
  return { name: o.name, target: o.target, direction: o.direction, period: o.period, start_date: o.start_date, due_date: o.due_date, cost: o.cost || '', owner: o.owner || '' }
}

/**
 * Saves the changes to an objective; a measured one keeps how it is measured
 * (the period is not sent).
 * @param {import('pocketbase').default} pb
 * @param {string} id
 * @param {ReturnType<typeof objectiveEditDraft>} d
 * @param {boolean} measured
 */
export function updateObjective(pb, id, d, measured) {
  const at = (day) => (day ? `${day} 12:00:00.000Z` : '')
  const body = {
    name: d.name.trim(), target: d.target === '' ? null : Number(d.target), direction: d.direction,
    start_date: at(d.start_date), due_date: at(d.due_date), cost: d.cost === '' ? 0 : Number(d.cost), owner: d.owner,
  }
  if (!measured) body.period = d.period
  return pb.collection('objectives').update(id, body)
}

/**
 * Deletes an objective with its measured history.
 * @param {import('pocketbase').default} pb
 * @param {string} id
 */
export function deleteObjective(pb, id) {
  return pb.collection('objectives').delete(id)
}
