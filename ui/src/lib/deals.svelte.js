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
 * @typedef {{id: string, name: string, position?: number, currency?: string, archived?: boolean}} Pipeline
 */

/**
 * The pipelines offered to choose from, in their order: those in use. An
 * archived pipeline keeps its deals but is not offered; it is listed only
 * when it is the one already shown (`current`), so a chooser never names
 * another pipeline than the one on screen.
 * @param {Pipeline[]} pipelines
 * @param {string} [current]
 * @returns {Pipeline[]}
 */
export function offeredPipelines(pipelines, current = '') {
  return pipelines.filter((p) => !p.archived || (current !== '' && p.id === current))
}

/**
 * The pipeline to start on: `wanted` when it is one of them, else the first
 * one in use, else '' (every pipeline archived: nothing to offer).
 * @param {Pipeline[]} pipelines
 * @param {string} [wanted]
 * @returns {string}
 */
export function startPipeline(pipelines, wanted = '') {
  if (wanted && pipelines.some((p) => p.id === wanted)) return wanted
  return pipelines.find((p) => !p.archived)?.id ?? ''
}

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

/**
 * The status a deal has in a stage of this kind (the server sets it; the
 * board shows it at once).
 * @param {string | undefined} kind
 * @returns {'open' | 'won' | 'lost'}
 */
export function statusOf(kind) {
  return kind === 'won' || kind === 'lost' ? kind : 'open'
}

/**
 * What a move to `stage` sends: the stage, and the reason when it loses the
 * deal. The server sets the status, when the stage changed and when the
 * deal closed, and keeps the history.
 * @param {Stage} stage
 * @param {string} [lostReason]
 * @returns {{stage: string, lost_reason?: string}}
 */
export function movePatch(stage, lostReason = '') {
  /** @type {{stage: string, lost_reason?: string}} */
  const patch = { stage: stage.id }
  if (stage.kind === 'lost') patch.lost_reason = lostReason
  return patch
}

/**
 * The deal as it will be once the server took the move: shown at once,
 * replaced by the server's answer.
 * @param {Deal} deal
 * @param {Stage} stage
 * @param {string} [lostReason]
 * @param {Date} [now]
 * @returns {Deal}
 */
export function movedDeal(deal, stage, lostReason = '', now = new Date()) {
  const status = statusOf(stage.kind)
  const at = now.toISOString().replace('T', ' ')
  const closed = status === 'open' ? '' : status === deal.status ? deal.closed_at ?? at : at
  return { ...deal, stage: stage.id, status, stage_changed_at: at, closed_at: closed, lost_reason: status === 'lost' ? lostReason : '' }
}

// Won and lost columns show deals closed within this many days: years of
// closed deals would otherwise load with every board.
export const CLOSED_WINDOW_DAYS = 90

export const DEAL_FIELDS = 'id,title,amount,currency,stage,pipeline,status,owner,contact,company,expected_close,stage_changed_at,closed_at,lost_reason,created,updated,expand.contact.id,expand.contact.name,expand.company.id,expand.company.name'

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

  /** The pipelines the board's chooser offers: those in use (and the one shown). */
  get offered() {
    return offeredPipelines(this.pipelines, this.pipelineId)
  }

  /** True when the pipeline shown is archived: no new deals go into it. */
  get archived() {
    return Boolean(this.pipeline?.archived)
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
      await this.select(startPipeline(this.pipelines, pipelineId || this.pipelineId))
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
   * Moves a deal to another stage: on screen at once, then on the server
   * (only the stage, and the reason when it loses the deal). A refusal
   * puts the card back and throws the server's error.
   * @param {string} dealId
   * @param {string} stageId
   * @param {string} [lostReason]
   * @returns {Promise<boolean>} false when there was nothing to move
   */
  async move(dealId, stageId, lostReason = '') {
    const i = this.deals.findIndex((d) => d.id === dealId)
    const stage = this.stageOf(stageId)
    if (i < 0 || !stage) return false
    const before = this.deals[i]
    if (before.stage === stageId) return false
    const patch = movePatch(stage, lostReason)
    this.#put(i, movedDeal(before, stage, lostReason))
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
   * A deal made here (the column's New deal): on the board at once; the
   * realtime event that follows changes nothing.
   * @param {Deal} deal
   */
  add(deal) {
    if (deal.pipeline !== this.pipelineId) return
    this.apply({ action: 'create', record: deal })
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

// ——— Errors ————————————————————————————————————————————————————————————

// The server's codes for a deal's own rules (plugins/deals), with a sentence
// of ours in both languages.
const DEAL_CODES = {
  validation_deal_server_owned: 'deal.error.server_owned',
  validation_deal_stage_pipeline: 'deal.error.stage_pipeline',
  validation_deal_lost_reason_required: 'deal.error.lost_reason_required',
  validation_deal_lost_reason_unknown: 'deal.error.lost_reason_unknown',
}

/**
 * The message beside each field of a refused deal: the deal's own rules in
 * the reader's language, then what lib/errors.js says of the rest.
 * @param {any} err
 * @param {(key: string, params?: any) => string} t
 * @param {(err: any, t: any) => Record<string, string>} fieldErrors
 * @returns {Record<string, string>}
 */
export function dealFieldErrors(err, t, fieldErrors) {
  const out = fieldErrors(err, t)
  const data = err?.response?.data ?? err?.data?.data ?? {}
  for (const [field, problem] of Object.entries(data)) {
    const key = DEAL_CODES[/** @type {any} */ (problem)?.code]
    if (key) out[field] = t(key)
  }
  return out
}

// ——— Lost reasons ———————————————————————————————————————————————————————

/**
 * @typedef {{id: string, name: string, position?: number, active: boolean}} LostReason
 */

/**
 * The reasons for losing a deal that managers keep, in their order.
 * A staff member picks among the active ones; managers see all to keep them.
 */
export class LostReasons {
  /** @type {LostReason[]} */
  items = $state.raw([])
  loading = $state(false)
  error = $state(null)

  /** @param {import('pocketbase').default} pb */
  constructor(pb) {
    this.pb = pb
  }

  get active() {
    return this.items.filter((r) => r.active)
  }

  async load() {
    this.loading = true
    this.error = null
    try {
      this.items = /** @type {LostReason[]} */ (/** @type {unknown} */ (await this.pb.collection('lost_reasons').getFullList({ sort: 'position,name' })))
    } catch (err) {
      this.error = err
    } finally {
      this.loading = false
    }
  }

  /**
   * A new reason, last in the list.
   * @param {string} name
   */
  async add(name) {
    const position = Math.max(0, ...this.items.map((r) => Number(r.position) || 0)) + 1
    const saved = await this.pb.collection('lost_reasons').create({ name: name.trim(), position, active: true })
    this.items = [...this.items, /** @type {LostReason} */ (/** @type {unknown} */ (saved))]
  }

  /**
   * @param {string} id
   * @param {Partial<LostReason>} patch
   */
  async change(id, patch) {
    const saved = await this.pb.collection('lost_reasons').update(id, patch)
    this.items = this.items.map((r) => (r.id === id ? /** @type {LostReason} */ (/** @type {unknown} */ (saved)) : r))
  }

  /**
   * Moves a reason one place up (-1) or down (+1): the list is renumbered 1..n.
   * @param {string} id
   * @param {-1 | 1} step
   */
  async move(id, step) {
    const list = [...this.items]
    const i = list.findIndex((r) => r.id === id)
    const j = i + step
    if (i < 0 || j < 0 || j >= list.length) return
    ;[list[i], list[j]] = [list[j], list[i]]
    const before = this.items
    this.items = list.map((r, k) => ({ ...r, position: k + 1 }))
    try {
      await Promise.all(this.items.filter((r, k) => before.find((b) => b.id === r.id)?.position !== k + 1)
        .map((r) => this.pb.collection('lost_reasons').update(r.id, { position: r.position })))
    } catch (err) {
      this.items = before
      throw err
    }
  }
}

// ——— A new deal ————————————————————————————————————————————————————————

/**
 * @typedef {{title: string, amount: string, currency: string, pipeline: string, stage: string, expected_close: string, owner: string, contact: string, company: string}} DealDraft
 */

/**
 * An empty deal form, with what the place it is opened from knows.
 * @param {Partial<DealDraft>} preset
 * @returns {DealDraft}
 */
export function dealDraft(preset = {}) {
  return { title: '', amount: '', currency: '', pipeline: '', stage: '', expected_close: '', owner: '', contact: '', company: '', ...preset }
}

/**
 * What the form sends: never the fields the server owns.
 * @param {DealDraft} d
 * @returns {Record<string, unknown>}
 */
export function draftBody(d) {
  /** @type {Record<string, unknown>} */
  const body = { title: d.title.trim(), pipeline: d.pipeline, stage: d.stage, currency: d.currency, owner: d.owner, contact: d.contact, company: d.company }
  body.amount = d.amount === '' ? 0 : Number(String(d.amount).replace(',', '.'))
  body.expected_close = d.expected_close ? `${d.expected_close} 12:00:00.000Z` : ''
  return body
}

// ——— A deal's page ——————————————————————————————————————————————————————

export const DEAL_PAGE_EXPAND = 'contact,company,stage,pipeline'

/**
 * One deal with what its page shows: its pipeline's stages, its stage
 * history, its timeline entries, and its contact's open requests.
 */
export class DealView {
  /** @type {Deal | null} */
  deal = $state.raw(null)
  /** @type {Stage[]} */
  stages = $state.raw([])
  /** @type {any[]} */
  history = $state.raw([])
  /** @type {any[]} */
  entries = $state.raw([])
  /** @type {any[]} */
  requests = $state.raw([])
  loading = $state(false)
  error = $state(null)
  /** @type {null | (() => Promise<void>)} */
  #off = null

  /**
   * @param {import('pocketbase').default} pb
   * @param {string} id
   */
  constructor(pb, id) {
    this.pb = pb
    this.id = id
  }

  get stage() {
    return this.stages.find((s) => s.id === this.deal?.stage) ?? null
  }

  async load() {
    this.loading = true
    this.error = null
    try {
      const deal = /** @type {Deal} */ (/** @type {unknown} */ (await this.pb.collection('deals').getOne(this.id, { expand: DEAL_PAGE_EXPAND })))
      this.deal = deal
      await Promise.all([this.#stages(), this.#history(), this.#entries(), this.#requests()])
      this.#listen()
    } catch (err) {
      this.error = err
    } finally {
      this.loading = false
    }
  }

  async #stages() {
    this.stages = /** @type {Stage[]} */ (/** @type {unknown} */ (await this.pb.collection('pipeline_stages').getFullList({
      filter: this.pb.filter('pipeline = {:p}', { p: this.deal?.pipeline ?? '' }), sort: 'position' })))
  }

  async #history() {
    this.history = await this.pb.collection('deal_stage_history').getFullList({
      filter: this.pb.filter('deal = {:d}', { d: this.id }), sort: '-at,-created', expand: 'from_stage,to_stage' })
  }

  async #entries() {
    const res = await this.pb.collection('activities').getList(1, 50, {
      filter: this.pb.filter('deal = {:d}', { d: this.id }), sort: '-occurred_at,-created,-id', skipTotal: true })
    this.entries = res.items
  }

  async #requests() {
    const contact = this.deal?.contact
    if (!contact) {
      this.requests = []
      return
    }
    const res = await this.pb.collection('cases').getList(1, 20, {
      filter: this.pb.filter('contact = {:c} && closed = false', { c: contact }), sort: '-created', skipTotal: true,
      fields: 'id,reference,subject,status_label,priority,created' })
    this.requests = res.items
  }

  // Someone else moving or editing the deal shows here too.
  async #listen() {
    if (this.#off) return
    try {
      this.#off = await this.pb.collection('deals').subscribe(this.id, (e) => {
        if (e.action === 'delete') this.deal = null
        else this.refresh()
      })
    } catch {
      // the page still works without live changes
    }
  }

  /** Reads the deal and what follows from it again (after a change). */
  async refresh() {
    const deal = /** @type {Deal} */ (/** @type {unknown} */ (await this.pb.collection('deals').getOne(this.id, { expand: DEAL_PAGE_EXPAND })))
    const pipelineChanged = deal.pipeline !== this.deal?.pipeline
    this.deal = deal
    await Promise.all([pipelineChanged ? this.#stages() : null, this.#history(), this.#entries(), this.#requests()])
  }

  /**
   * Saves a change of the deal's own fields (never those the server owns).
   * @param {Record<string, unknown>} patch
   */
  async save(patch) {
    for (const f of ['status', 'stage_changed_at', 'closed_at']) delete patch[f]
    await this.pb.collection('deals').update(this.id, patch)
    await this.refresh()
  }

  /**
   * Moves the deal to a stage (won, lost with its reason, reopened).
   * @param {string} stageId
   * @param {string} [lostReason]
   */
  async move(stageId, lostReason = '') {
    const stage = this.stages.find((s) => s.id === stageId)
    if (!stage) return
    await this.save(movePatch(stage, lostReason))
  }

  async remove() {
    await this.pb.collection('deals').delete(this.id)
  }

  close() {
    const off = this.#off
    this.#off = null
    if (off) Promise.resolve(off()).catch(() => {})
  }
}

/**
 * The first stage of each kind a deal page offers as a button: win, lose,
 * reopen (the first open stage).
 * @param {Stage[]} stages
 * @returns {{won: Stage | null, lost: Stage | null, open: Stage | null}}
 */
export function closingStages(stages) {
  const first = (kind) => stages.find((s) => s.kind === kind) ?? null
  return { won: first('won'), lost: first('lost'), open: first('open') }
}
