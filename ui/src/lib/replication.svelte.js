// What a manager sees of the replica (GET /api/crm/replication): whether the
// data is copied continuously, where to, when each database last reached it,
// how far behind it is, and the last error.
import { latestWins } from '../shared/loader.js'

/**
 * One replicated database.
 * @typedef {{name: string, last_sync: string | null, lag_seconds: number, local_txid: number, replica_txid: number}} ReplicatedDB
 */

/**
 * The replica's state.
 * @typedef {{enabled: boolean, replica: string, running: boolean, error?: string, last_error?: string, last_error_at?: string, databases: ReplicatedDB[]}} ReplicationStatus
 */

/** Beyond this many seconds behind, the replica is shown as lagging. */
export const LAG_WARNING_SECONDS = 60

/**
 * How the replica stands, in one word the page turns into a sentence.
 * @param {ReplicationStatus | null} s
 * @returns {'off' | 'failing' | 'lagging' | 'ok' | 'unknown'}
 */
export function replicationHealth(s) {
  if (!s) return 'unknown'
  if (!s.enabled) return 'off'
  if (s.error || !s.running) return 'failing'
  if ((s.databases ?? []).some((d) => !d.last_sync || d.lag_seconds > LAG_WARNING_SECONDS)) return 'lagging'
  return 'ok'
}

export class Replication {
  /** @type {ReplicationStatus | null} */
  status = $state.raw(null)
  loading = $state(false)
  error = $state(null)
  #latest = latestWins(this)

  /** @param {import('pocketbase').default} pb */
  constructor(pb) {
    this.pb = pb
  }

  /**
   * Reads the replica's state (managers only: others get 403).
   * @returns {Promise<void>}
   */
  async load() {
    await this.#latest.run(
      () => this.pb.send('/api/crm/replication', { method: 'GET' }),
      (/** @type {ReplicationStatus} */ s) => { this.status = s },
    )
  }
}
