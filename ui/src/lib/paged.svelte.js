// What the workspace's paged lists (contacts, companies, the case queue)
// share: the page, whether there is a next one, and one load at a time that
// counts (latest wins, ../shared/loader.js).
import { latestWins } from '../shared/loader.js'

/**
 * @template T
 */
export class PagedList {
  page = $state(1)
  /** @type {T[]} */
  items = $state.raw([])
  hasNext = $state(false)
  loading = $state(false)
  error = $state(null)
  latest = latestWins(this)

  /**
   * Reads the current page; each list says how.
   * @returns {Promise<void>}
   */
  async load() {}

  /**
   * The first page again, after a change of filters, query or sort.
   * @returns {Promise<void>}
   */
  restart() {
    this.page = 1
    return this.load()
  }

  /** @returns {Promise<void> | undefined} */
  next() {
    if (!this.hasNext) return
    this.page += 1
    return this.load()
  }

  /** @returns {Promise<void> | undefined} */
  prev() {
    if (this.page <= 1) return
    this.page -= 1
    return this.load()
  }
}
