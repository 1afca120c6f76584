// Campaigns (pages/Campaigns.svelte): a message in both languages to a
// segment, through the outbox under the marketing purpose. The server
// checks every campaign (plugins/campaigns), previews it with the outbox's
// own decision, sends it once and measures it.
import { pb } from './pb.js'
import { fieldErrors } from './errors.js'

/** The channels a campaign may name; '' is each customer's preferred one. */
export const CHANNELS = ['', 'email', 'whatsapp', 'sms']

/** The variables a subject or body may use (plugins/campaigns Variables). */
export const VARIABLES = ['contact.name', 'contact.first_name', 'contact.email', 'contact.company', 'business.name', 'portal_link']

/** The outbox's states, in the order a preview and the results show them. */
export const STATES = ['sent', 'queued', 'waiting', 'refused', 'failed']

const FIELDS = ['name', 'segment', 'channel', 'subject_en', 'body_en', 'subject_pt_br', 'body_pt_br', 'news_topic', 'window_days']

/** Our own wording of the server's checks, in the reader's language. */
const CODES = {
  validation_unknown_variable: 'campaigns.error.variable',
  validation_window: 'campaigns.error.window',
  validation_topic_inactive: 'campaigns.error.topic',
  validation_invalid_channel: 'campaigns.error.channel',
  validation_not_found: 'campaigns.error.segment',
  validation_segment: 'campaigns.error.segment_reads',
}

/**
 * The messages beside each field of a refused save, in the reader's language.
 * @param {any} err
 * @param {(k: string, p?: any) => string} t
 */
export function campaignErrors(err, t) {
  const out = fieldErrors(err, t)
  const data = err?.response?.data ?? {}
  for (const [field, problem] of Object.entries(data)) {
    const key = CODES[/** @type {any} */ (problem)?.code]
    if (key) out[field] = t(key, { variables: VARIABLES.map((v) => `{{${v}}}`).join(', '), ...(/** @type {any} */ (problem).params ?? {}) })
    else if (/** @type {any} */ (problem)?.code === 'validation_required' && field.startsWith('body_')) out[field] = t('campaigns.error.body')
  }
  return out
}

/** Campaigns, newest first, with their segment's name. */
export async function listCampaigns() {
  return pb.collection('campaigns').getFullList({ sort: '-created', expand: 'segment,owner', fields: 'id,name,state,channel,sent_at,members,queued,created,owner,expand.segment.name,expand.owner.name' })
}

/** The segments and the active news topics a campaign may name. */
export async function choices() {
  const [segments, topics] = await Promise.all([
    pb.collection('segments').getFullList({ sort: 'name', fields: 'id,name' }),
    pb.collection('news_topics').getFullList({ sort: 'position,name', filter: 'active = true', fields: 'id,name' }),
  ])
  return { segments, topics }
}

/** @param {string} id */
export const preview = (id) => pb.send(`/api/crm/campaigns/${id}/preview`, { method: 'GET', requestKey: `campaign-preview-${id}` })
/** @param {string} id */
export const results = (id) => pb.send(`/api/crm/campaigns/${id}/results`, { method: 'GET', requestKey: `campaign-results-${id}` })
/** @param {string} id */
export const send = (id) => pb.send(`/api/crm/campaigns/${id}/send`, { method: 'POST' })

/**
 * The counts of a preview or the results, as people read them: going now
 * (or already sent), later, never.
 * @param {Record<string, number>} byState
 */
export function summary(byState = {}) {
  return {
    sent: byState.sent ?? 0,
    now: byState.queued ?? 0,
    later: byState.waiting ?? 0,
    never: (byState.refused ?? 0) + (byState.failed ?? 0),
  }
}

/** One campaign being written. */
export class CampaignEditor {
  id = $state('')
  name = $state('')
  segment = $state('')
  channel = $state('')
  subject_en = $state('')
  body_en = $state('')
  subject_pt_br = $state('')
  body_pt_br = $state('')
  news_topic = $state('')
  window_days = $state(30)
  state = $state('draft')
  owner = $state('')
  sent_at = $state('')
  saving = $state(false)
  /** @type {Record<string, string>} */
  errors = $state({})

  reset() {
    Object.assign(this, { id: '', name: '', segment: '', channel: '', subject_en: '', body_en: '', subject_pt_br: '', body_pt_br: '', news_topic: '', window_days: 30, state: 'draft', owner: '', sent_at: '', errors: {} })
  }

  /** @param {string} id */
  async load(id) {
    const r = await pb.collection('campaigns').getOne(id)
    this.reset()
    for (const f of [...FIELDS, 'id', 'state', 'owner', 'sent_at']) /** @type {any} */ (this)[f] = r[f] ?? ''
    this.window_days = r.window_days || 30
  }

  /**
   * Saves the draft; on a refusal the errors are beside their fields and what was typed stays.
   * @param {(k: string, p?: any) => string} t
   */
  async save(t) {
    this.saving = true
    this.errors = {}
    /** @type {Record<string, any>} */
    const body = {}
    for (const f of FIELDS) body[f] = /** @type {any} */ (this)[f]
    body.window_days = Number(this.window_days) || 0
    try {
      const r = this.id ? await pb.collection('campaigns').update(this.id, body) : await pb.collection('campaigns').create(body)
      this.id = r.id
      this.state = r.state
      this.owner = r.owner
      return r
    } catch (err) {
      this.errors = campaignErrors(err, t)
      throw err
    } finally {
      this.saving = false
    }
  }
}

/**
 * A reason's words: the outbox's code (a hold's name after "held:").
 * @param {(k: string, p?: any) => string} t
 * @param {string} reason
 */
export function reasonLabel(t, reason) {
  const code = reason.startsWith('held:') ? 'held' : reason
  const key = `campaigns.reason.${code}`
  const text = t(key)
  return text === key ? t('campaigns.reason.other', { code }) : text
}
