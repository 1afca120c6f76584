// Pipelines and their stages, for managers (Settings → Pipelines). Each
// pipeline and each stage is a record of its own, written through the
// record API (the collections' rules let managers write them), so two
// managers editing different stages never meet and, on one stage, the last
// write wins per field (only the changed fields are sent). The order spans
// stages: it is written by POST /api/crm/pipelines/{id}/order with the full
// list the manager saw, in one transaction; a list that no longer matches
// (a colleague added or removed a stage) is refused with 409, and the page
// reloads the stages and says so. Deleting a stage that holds deals moves
// them first, in the same transaction (POST /api/crm/pipelines/stages/{id}/delete).

export const KINDS = ['open', 'won', 'lost']

/**
 * @typedef {{id: string, name: string, position?: number, currency?: string, archived?: boolean}} Pipeline
 * @typedef {{id: string, pipeline: string, name: string, position?: number, probability?: number, kind: string, stale_after_days?: number}} Stage
 */

/**
 * The list with the item at `from` moved to `to` (a new array).
 * @template T
 * @param {T[]} list
 * @param {number} from
 * @param {number} to
 * @returns {T[]}
 */
export function reorder(list, from, to) {
  if (from === to || from < 0 || from >= list.length || to < 0 || to >= list.length) return list
  const next = [...list]
  const [item] = next.splice(from, 1)
  next.splice(to, 0, item)
  return next
}

/**
 * Only the fields of `changed` that differ from `stored`: what a save sends,
 * so that a colleague's change to another field is kept.
 * @param {Record<string, any>} stored
 * @param {Record<string, any>} changed
 * @returns {Record<string, any>}
 */
export function changedFields(stored, changed) {
  /** @type {Record<string, any>} */
  const out = {}
  for (const [k, v] of Object.entries(changed)) {
    if ((stored[k] ?? '') !== (v ?? '')) out[k] = v
  }
  return out
}

export class PipelineSettings {
  /** @type {Pipeline[]} */
  pipelines = $state.raw([])
  /** @type {Stage[]} the selected pipeline's stages, in order */
  stages = $state.raw([])
  selected = $state('')
  showArchived = $state(false)
  loading = $state(false)
  /** @type {any} */
  error = $state(null)

  /** @param {import('pocketbase').default} pb */
  constructor(pb) {
    this.pb = pb
  }

  /** The pipelines shown: archived ones only when asked for. */
  get shown() {
    return this.pipelines.filter((p) => this.showArchived || !p.archived || p.id === this.selected)
  }

  get current() {
    return this.pipelines.find((p) => p.id === this.selected) ?? null
  }

  async load() {
    this.loading = true
    this.error = null
    try {
      const list = await this.pb.collection('pipelines').getFullList({ sort: 'position,name' })
      this.pipelines = /** @type {Pipeline[]} */ (/** @type {unknown} */ (list))
      if (!this.pipelines.some((p) => p.id === this.selected)) {
        this.selected = (this.pipelines.find((p) => !p.archived) ?? this.pipelines[0])?.id ?? ''
      }
      await this.loadStages()
    } catch (err) {
      this.error = err
    } finally {
      this.loading = false
    }
  }

  async loadStages() {
    if (!this.selected) {
      this.stages = []
      return
    }
    const list = await this.pb.collection('pipeline_stages').getFullList({
      filter: this.pb.filter('pipeline = {:p}', { p: this.selected }),
      sort: 'position,created,id',
    })
    this.stages = /** @type {Stage[]} */ (/** @type {unknown} */ (list))
  }

  /** @param {string} id */
  async select(id) {
    this.selected = id
    await this.loadStages()
  }

  /**
   * @param {{name: string, currency?: string}} form
   */
  async addPipeline({ name, currency = '' }) {
    const position = Math.min(1000, Math.max(0, ...this.pipelines.map((p) => p.position ?? 0)) + 1)
    const p = await this.pb.collection('pipelines').create({ name: name.trim(), currency: currency.trim().toUpperCase(), position })
    this.pipelines = [...this.pipelines, /** @type {Pipeline} */ (/** @type {unknown} */ (p))]
    await this.select(p.id)
    return p
  }

  /**
   * @param {string} id
   * @param {Partial<Pipeline>} patch
   */
  async updatePipeline(id, patch) {
    const p = await this.pb.collection('pipelines').update(id, patch)
    this.pipelines = this.pipelines.map((x) => (x.id === id ? /** @type {Pipeline} */ (/** @type {unknown} */ (p)) : x))
    return p
  }

  /**
   * Adds a stage at the end of the selected pipeline.
   * @param {{name: string, kind: string, probability?: number | null, stale_after_days?: number | null}} form
   */
  async addStage(form) {
    const position = Math.min(1000, Math.max(0, ...this.stages.map((s) => s.position ?? 0)) + 1)
    const s = await this.pb.collection('pipeline_stages').create({ ...form, name: form.name.trim(), pipeline: this.selected, position })
    this.stages = [...this.stages, /** @type {Stage} */ (/** @type {unknown} */ (s))]
    return s
  }

  /**
   * Saves what changed on a stage.
   * @param {Stage} stage
   * @param {Partial<Stage>} form
   */
  async updateStage(stage, form) {
    const patch = changedFields(stage, form)
    if (!Object.keys(patch).length) return stage
    const s = await this.pb.collection('pipeline_stages').update(stage.id, patch)
    this.stages = this.stages.map((x) => (x.id === stage.id ? /** @type {Stage} */ (/** @type {unknown} */ (s)) : x))
    return s
  }

  /**
   * Moves the stage at `from` to `to` and saves the whole order. On a
   * conflict (the stages changed meanwhile) the stages are reloaded and the
   * error is thrown for the page to say so.
   * @param {number} from
   * @param {number} to
   */
  async move(from, to) {
    const before = this.stages
    const next = reorder(before, from, to)
    if (next === before) return
    this.stages = next // at once: the server's answer confirms it
    try {
      const res = await this.pb.send(`/api/crm/pipelines/${encodeURIComponent(this.selected)}/order`, {
        method: 'POST',
        body: { stages: next.map((s) => s.id) },
      })
      this.stages = res.stages
    } catch (err) {
      this.stages = before
      if (/** @type {any} */ (err)?.status === 409) await this.loadStages()
      throw err
    }
  }

  /**
   * How many deals sit in a stage.
   * @param {string} stageId
   * @returns {Promise<number>}
   */
  async dealsIn(stageId) {
    const res = await this.pb.collection('deals').getList(1, 1, { filter: this.pb.filter('stage = {:s}', { s: stageId }), fields: 'id' })
    return res.totalItems
  }

  /**
   * Deletes a stage, moving its deals to `moveTo` first.
   * @param {string} stageId
   * @param {string} moveTo
   * @returns {Promise<number>} how many deals moved
   */
  async deleteStage(stageId, moveTo = '') {
    const res = await this.pb.send(`/api/crm/pipelines/stages/${encodeURIComponent(stageId)}/delete`, {
      method: 'POST',
      body: moveTo ? { move_to: moveTo } : {},
    })
    await this.loadStages()
    return res.moved
  }
}
