// The deals board: one pipeline's stages as columns, its deals as cards,
// kept live by realtime. A move shows at once and is taken back, with the
// server's reason, when the server refuses it.
import { latestWins } from '../shared/loader.js'

/**
 * A deal as a card shows it (DEAL_FIELDS).
 * @typedef {{id: string, title: string, amount?: number, currency?: string, stage: string, pipeline: string, status: 'open' | 'won' | 'lost', owner?: string, contact?: string, company?: string, expected_close?: string, stage_changed_at?: string, closed_at?: string, lost_reason?: string, created?: string, updated?: string, expand?: Record<string, any>}} Deal
 */

/**
 * A stage of a pipeline: a column of the board.
 * @typedef {{id: string, name: string, pipeline?: string, position?: number, kind: 'open' | 'won' | 'lost', probability?: number, stale_after_days?: number}} Stage
 */

/**
 * @typedef {{id: string, name: string, position?: number}} Pipeline
 */

// A stage with no stale_after_days of its own: a deal left this long in it is stale.
export const DEFAULT_STALE_DAYS = 14
const DAY = 86400000

const when = (v) => {
  if (!v) return NaN
  return Date.parse(String(v).trim().replace(' ', 'T'))
}

/**
 * Stale: an open deal in an open stage whose stage has not changed for the
 * stage's stale_after_days (DEFAULT_STALE_DAYS when unset). The clock is
 * stage_changed_at, or created for a deal never moved.
 */
export function isStale(deal, stage, now = Date.now()) {
  if (!deal || deal.status !== 'open' || (stage && stage.kind !== 'open')) return false
  const since = when(deal.stage_changed_at) || when(deal.created)
  if (!Number.isFinite(since)) return false
  const days = Number(stage?.stale_after_days) > 0 ? Number(stage.stale_after_days) : DEFAULT_STALE_DAYS
  return now - since > days * DAY
}

/** Days since the deal's stage last changed (whole days). */
export function daysInStage(deal, now = Date.now()) {
  const since = when(deal.stage_changed_at) || when(deal.created)
  return Number.isFinite(since) ? Math.floor((now - since) / DAY) : 0
}

/** A column's figures: number of deals, sum of amounts, sum of amount × the stage's probability. */
export function stageTotals(deals, stage) {
  let total = 0
  for (const d of deals) total += Number(d.amount) || 0
  const p = (Number(stage?.probability) || 0) / 100
  return { count: deals.length, total, weighted: Math.round(total * p * 100) / 100 }
}

/** The fields a move to `stage` writes: the stage, when it changed, and the status its kind means. */
export function movePatch(deal, stage, now = new Date()) {
  const patch = { stage: stage.id, stage_changed_at: now.toISOString() }
  const status = stage.kind === 'won' || stage.kind === 'lost' ? stage.kind : 'open'
  if (status !== deal.status) {
    patch.status = status
    patch.closed_at = status === 'open' ? '' : now.toISOString()
    if (status !== 'lost') patch.lost_reason = ''
  }
  return patch
}

// Won and lost columns show deals closed within this many days: years of
// closed deals would otherwise load with every board.
export const CLOSED_WINDOW_DAYS = 90

export const DEAL_FIELDS = 'id,title,amount,currency,stage,pipeline,status,owner,contact,company,expected_close,stage_changed_at,created,updated,expand.contact.id,expand.contact.name,expand.company.id,expand.company.name'

export class DealBoard {
  /** @type {Pipeline[]} */
  pipelines = $state.raw([])
  pipelineId = $state('')
  /** @type {Stage[]} */
  stages = $state.raw([])
  /** @type {Deal[]} */
  deals = $state.raw([])
  loading = $state(false)
  error = $state(null)
  live = $state(false)
  /** @type {null | (() => Promise<void>)} */
  #off = null
  #latest = latestWins(this)
  #closed = false

  /** @param {import('pocketbase').default} pb */
  constructor(pb) {
    this.pb = pb
  }

  get pipeline() {
    return this.pipelines.find((p) => p.id === this.pipelineId) ?? null
  }

  stageOf(id) {
    return this.stages.find((s) => s.id === id) ?? null
  }

  column(stageId) {
    return this.deals.filter((d) => d.stage === stageId)
  }

  totals(stageId) {
    return stageTotals(this.column(stageId), this.stageOf(stageId))
  }

  async load(pipelineId) {
    this.loading = true
    this.error = null
    try {
      if (!this.pipelines.length) {
        this.pipelines = await this.pb.collection('pipelines').getFullList({ sort: 'position,name' })
      }
      const id = pipelineId || this.pipelineId || this.pipelines[0]?.id || ''
      await this.select(id)
    } catch (err) {
      this.error = err
    } finally {
      this.loading = false
    }
  }

  /**
   * Shows one pipeline: its stages in order and its deals, then listens for changes to them.
   * A pipeline chosen before the last one answered is dropped.
   * @param {string} id
   * @returns {Promise<void>}
   */
  async select(id) {
    this.pipelineId = id
    if (!id) {
      this.#latest.cancel()
      this.stages = []
      this.deals = []
      return
    }
    const filter = this.pb.filter('pipeline = {:id}', { id })
    const since = new Date(Date.now() - CLOSED_WINDOW_DAYS * DAY).toISOString().replace('T', ' ')
    await this.#latest.run(() => Promise.all([
      this.pb.collection('pipeline_stages').getFullList({ filter, sort: 'position' }),
      this.pb.collection('deals').getFullList({
        filter: this.pb.filter("pipeline = {:id} && (status = 'open' || closed_at >= {:since})", { id, since }),
        sort: '-amount', expand: 'contact,company', fields: DEAL_FIELDS, batch: 500,
      }),
    ]), async ([stages, deals]) => {
      this.stages = /** @type {Stage[]} */ (/** @type {unknown} */ (stages))
      this.deals = /** @type {Deal[]} */ (/** @type {unknown} */ (deals))
      await this.#listen(id)
    })
  }

  async #listen(id) {
    await this.#unlisten()
    if (this.#closed) return
    try {
      this.#off = await this.pb.collection('deals').subscribe('*', (e) => this.apply(e), {
        filter: this.pb.filter('pipeline = {:id}', { id }),
        expand: 'contact,company',
        fields: DEAL_FIELDS,
      })
      this.live = true
      if (this.#closed) await this.#unlisten()
    } catch {
      this.live = false // the board still works, without live moves
    }
  }

  async #unlisten() {
    const off = this.#off
    this.#off = null
    this.live = false
    if (off) await Promise.resolve(off()).catch(() => {})
  }

  /**
   * A realtime event: someone created, moved, changed or deleted a deal.
   * @param {{action: string, record: Deal}} e
   */
  apply(e) {
    const r = e.record
    if (!r) return
    if (e.action === 'delete' || r.pipeline !== this.pipelineId) {
      this.deals = this.deals.filter((d) => d.id !== r.id)
      return
    }
    const i = this.deals.findIndex((d) => d.id === r.id)
    if (i >= 0) {
      // Keep the names we already know when the event came without expand.
      this.#put(i, { ...this.deals[i], ...r, expand: r.expand ?? this.deals[i].expand })
    } else this.deals = [...this.deals, r]
  }

  /**
   * Moves a deal to another stage: on screen at once, then on the server.
   * A refusal puts the card back and throws the server's error.
   * @param {string} dealId
   * @param {string} stageId
   * @returns {Promise<boolean>} false when there was nothing to move
   */
  async move(dealId, stageId) {
    const i = this.deals.findIndex((d) => d.id === dealId)
    const stage = this.stageOf(stageId)
    if (i < 0 || !stage) return false
    const before = this.deals[i]
    if (before.stage === stageId) return false
    const patch = movePatch(before, stage)
    this.#put(i, { ...before, ...patch })
    try {
      const saved = await this.pb.collection('deals').update(dealId, patch, { expand: 'contact,company', fields: DEAL_FIELDS })
      const j = this.deals.findIndex((d) => d.id === dealId)
      if (j >= 0) this.#put(j, { ...this.deals[j], ...saved, expand: saved.expand ?? this.deals[j].expand })
      return true
    } catch (err) {
      const j = this.deals.findIndex((d) => d.id === dealId)
      if (j >= 0) this.#put(j, before)
      else this.deals = [...this.deals, before]
      throw err
    }
  }

  /**
   * Replaces the deal at `i` (the list is raw state: a new list, not a change in place).
   * @param {number} i
   * @param {Deal} deal
   */
  #put(i, deal) {
    this.deals = this.deals.with(i, deal)
  }

  close() {
    this.#closed = true
    this.#unlisten()
  }
}
