// Settings → Channels: the provider channels a business turns on (WhatsApp
// Business through Meta's Cloud API, SMS through Twilio). Managers read the
// accounts with the record API — the server tells which secrets are set
// (has_<secret>), never what they are — and save one with
// PUT /api/crm/channel-accounts/{channel}: a secret left empty keeps the one
// saved. The shipped hooks hooks/60_whatsapp.pb.js and hooks/61_sms.pb.js
// answer the providers' webhooks and send staff answers back.

/** @typedef {'whatsapp'|'sms'} Channel */
/**
 * @typedef {{channel: Channel, active: boolean, phone_number_id?: string, number?: string, account_sid?: string, webhook_url?: string,
 *   has_app_secret?: boolean, has_access_token?: boolean, has_verify_token?: boolean, has_auth_token?: boolean}} Account
 */

/** What each channel asks: its plain fields and its secrets, in the form's order. */
export const CHANNEL_FIELDS = {
  whatsapp: { plain: ['phone_number_id', 'number'], secrets: ['app_secret', 'access_token', 'verify_token'] },
  sms: { plain: ['account_sid', 'number', 'webhook_url'], secrets: ['auth_token'] },
}

export const CHANNELS = /** @type {Channel[]} */ (['whatsapp', 'sms'])

/**
 * The webhook URL a manager gives the provider.
 * @param {string} origin this server as people reach it
 * @param {Channel} channel
 */
export function webhookURL(origin, channel) {
  return `${String(origin).replace(/\/+$/, '')}/api/crm/channels/${channel}`
}

/**
 * The body a save sends: the plain fields as typed, the secrets only when
 * typed (an empty one keeps the saved secret).
 * @param {Channel} channel
 * @param {Record<string, any>} draft
 */
export function accountBody(channel, draft) {
  const { plain, secrets } = CHANNEL_FIELDS[channel]
  /** @type {Record<string, any>} */
  const body = { active: !!draft.active }
  for (const f of plain) body[f] = String(draft[f] ?? '').trim()
  for (const f of secrets) if (String(draft[f] ?? '').trim()) body[f] = String(draft[f]).trim()
  return body
}

export class ChannelAccounts {
  /** @type {Record<string, Account>} */
  accounts = $state({})
  loading = $state(false)
  /** Whether the accounts were read once: until then nothing is said of their secrets. */
  loaded = $state(false)
  /** @type {unknown} */
  error = $state(null)

  /** @param {import('pocketbase').default} pb */
  constructor(pb) {
    this.pb = pb
  }

  async load() {
    this.loading = true
    this.error = null
    try {
      const list = await this.pb.collection('channel_accounts').getFullList({ sort: 'channel' })
      /** @type {Record<string, Account>} */
      const out = {}
      for (const a of list) out[a.channel] = /** @type {any} */ (a)
      this.accounts = out
      this.loaded = true
    } catch (err) {
      this.error = err
    } finally {
      this.loading = false
    }
  }

  /**
   * Saves a channel's account; throws the server's refusal (400 naming the fields).
   * @param {Channel} channel
   * @param {Record<string, any>} draft
   */
  async save(channel, draft) {
    const saved = await this.pb.send(`/api/crm/channel-accounts/${channel}`, { method: 'PUT', body: accountBody(channel, draft) })
    this.accounts = { ...this.accounts, [channel]: saved }
    return saved
  }
}
