// The business's mailboxes (Settings → Mailboxes): the ones Vinculo reads
// over IMAP, each with what its reader last found (ok, or why not, and when
// it tries again), live; adding, changing, testing and removing one. The
// password is never sent back by the server: a blank one keeps it.

export const TLS_MODES = ['tls', 'starttls', 'none']

/**
 * @typedef {{id: string, name: string, address: string, host: string, port: number, tls: string,
 *   username: string, folder: string, new_thread: string, case_type: string, active: boolean,
 *   source: string, has_password?: boolean, status: string, status_detail: string,
 *   last_checked_at: string, next_try_at: string, failures: number, last_uid: number}} Mailbox
 */

/**
 * A form's values for a mailbox (a new one when none is given).
 * @param {Partial<Mailbox>} [m]
 */
export function mailboxDraft(m = {}) {
  return {
    name: m.name ?? '',
    address: m.address ?? '',
    host: m.host ?? '',
    port: m.port ? String(m.port) : '993',
    tls: m.tls ?? 'tls',
    username: m.username ?? '',
    password: '',
    folder: m.folder ?? 'INBOX',
    new_thread: m.new_thread ?? 'request',
    case_type: m.case_type ?? '',
    active: m.active ?? true,
  }
}

/** The usual port of a TLS mode. */
export function defaultPort(tls) {
  return tls === 'tls' ? '993' : '143'
}

/** A host the server accepts without TLS: this machine only. */
export function isLoopback(host) {
  const h = String(host ?? '').trim().replace(/^\[|\]$/g, '').toLowerCase()
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h)
}

/**
 * What a form would save: the fields as the server takes them (a blank
 * password is left out: it keeps the saved one).
 * @param {ReturnType<typeof mailboxDraft>} d
 */
export function mailboxBody(d) {
  /** @type {Record<string, any>} */
  const body = {
    name: d.name.trim(),
    address: d.address.trim(),
    host: d.host.trim(),
    port: Number(d.port),
    tls: d.tls,
    username: d.username.trim(),
    folder: d.folder.trim() || 'INBOX',
    new_thread: d.new_thread,
    case_type: d.new_thread === 'request' ? d.case_type : '',
    active: Boolean(d.active),
  }
  if (d.password) body.password = d.password
  return body
}

/**
 * The faults a form shows before asking the server (keys: field names,
 * values: message keys).
 * @param {ReturnType<typeof mailboxDraft>} d
 * @param {boolean} creating
 */
export function draftProblems(d, creating) {
  /** @type {Record<string, string>} */
  const out = {}
  if (!d.name.trim()) out.name = 'error.required'
  if (!d.host.trim()) out.host = 'error.required'
  const port = Number(d.port)
  if (!Number.isInteger(port) || port < 1 || port > 65535) out.port = 'mailboxes.port_range'
  if (d.tls === 'none' && d.host.trim() && !isLoopback(d.host)) out.tls = 'mailboxes.tls_loopback'
  if (!d.username.trim()) out.username = 'error.required'
  if (creating && !d.password) out.password = 'error.required'
  if (d.new_thread === 'request' && !d.case_type) out.case_type = 'mailboxes.type_required'
  return out
}

/**
 * The message key of a reader's status: ok, not read yet, off, or why not.
 * @param {Pick<Mailbox, 'status'|'active'>} m
 */
export function statusKey(m) {
  if (!m.active) return 'mailboxes.status.off'
  return `mailboxes.status.${m.status || 'new'}`
}

/** The badge colour of a status. */
export function statusTone(m) {
  if (!m.active) return 'muted'
  if (m.status === 'ok') return 'ok'
  if (!m.status) return 'muted'
  return 'bad'
}

const FIELDS = 'id,name,address,host,port,tls,username,folder,new_thread,case_type,active,source,status,status_detail,last_checked_at,next_try_at,failures,last_uid,has_password'

export class MailboxesSettings {
  /** @type {Mailbox[]} */
  items = $state.raw([])
  /** @type {{id: string, name: string}[]} */
  types = $state.raw([])
  loading = $state(false)
  /** @type {any} */
  error = $state(null)
  /** @type {(() => void) | null} */
  #off = null

  /** @param {import('pocketbase').default} pb */
  constructor(pb) {
    this.pb = pb
  }

  async load() {
    this.loading = true
    this.error = null
    try {
      const [items, types] = await Promise.all([
        this.pb.collection('mailboxes').getFullList({ sort: 'name', fields: FIELDS }),
        this.pb.collection('case_types').getFullList({ sort: 'name', filter: 'active = true', fields: 'id,name' }),
      ])
      this.items = items
      this.types = types
    } catch (err) {
      this.error = err
    } finally {
      this.loading = false
    }
  }

  /** Follows the readers' status as they write it. */
  async subscribe() {
    try {
      this.#off = await this.pb.collection('mailboxes').subscribe('*', (e) => {
        if (e.action === 'delete') this.items = this.items.filter((m) => m.id !== e.record.id)
        else if (this.items.some((m) => m.id === e.record.id)) this.items = this.items.map((m) => (m.id === e.record.id ? { ...m, ...e.record } : m))
        else this.items = [...this.items, e.record].sort((a, b) => a.name.localeCompare(b.name))
      })
    } catch {
      // The list still works; it shows what was read last.
    }
  }

  unsubscribe() {
    this.#off?.()
    this.#off = null
  }

  /** @param {Record<string, any>} body */
  async add(body) {
    const m = await this.pb.collection('mailboxes').create(body, { fields: FIELDS })
    // The reader starts as soon as the mailbox is saved: its first status may
    // arrive live before this answer does, and is newer than it.
    const live = this.items.find((x) => x.id === m.id)
    const kept = live && (live.last_checked_at ?? '') > (m.last_checked_at ?? '') ? { ...m, ...live } : m
    this.items = [...this.items.filter((x) => x.id !== m.id), kept].sort((a, b) => a.name.localeCompare(b.name))
    return kept
  }

  /**
   * @param {string} id
   * @param {Record<string, any>} body
   */
  async change(id, body) {
    const m = await this.pb.collection('mailboxes').update(id, body, { fields: FIELDS })
    this.items = this.items.map((x) => (x.id === id ? m : x))
    return m
  }

  /** @param {string} id */
  async remove(id) {
    await this.pb.collection('mailboxes').delete(id)
    this.items = this.items.filter((x) => x.id !== id)
  }

  /**
   * Tries the saved mailbox, with the form's unsaved values in place of the
   * saved ones when given.
   * @param {string} id
   * @param {Record<string, any>} [body]
   * @returns {Promise<{ok: boolean, status: string, detail: string, idle: boolean, messages: number}>}
   */
  test(id, body = {}) {
    return this.pb.send(`/api/crm/mailboxes/${id}/test`, { method: 'POST', body })
  }
}
