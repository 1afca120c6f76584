// The business's tags, for managers (Settings → Tags): every tag in use with
// how many records hold it, and renaming, merging and deleting one
// everywhere (plugins/team/tags.go, each in one transaction).

/**
 * @typedef {{tag: string, counts: Record<string, number>, total: number}} TagCount
 */

/**
 * Tag names for a contact or company form's suggestions, most used first.
 * @param {import('pocketbase').default} pb
 * @returns {Promise<string[]>}
 */
export async function tagSuggestions(pb) {
  const res = await pb.send('/api/crm/tags', {})
  return (res?.items ?? []).map((/** @type {TagCount} */ i) => i.tag)
}

/**
 * The tags whose name contains the query (any case), for the filter box.
 * @param {TagCount[]} items
 * @param {string} query
 * @returns {TagCount[]}
 */
export function filterTags(items, query) {
  const q = query.trim().toLocaleLowerCase()
  if (!q) return items
  return items.filter((i) => i.tag.toLocaleLowerCase().includes(q))
}

export class TagsSettings {
  /** @type {TagCount[]} */
  items = $state.raw([])
  loading = $state(false)
  /** @type {any} */
  error = $state(null)

  /** @param {import('pocketbase').default} pb */
  constructor(pb) {
    this.pb = pb
  }

  async load() {
    this.loading = true
    this.error = null
    try {
      const res = await this.pb.send('/api/crm/tags', {})
      this.items = res?.items ?? []
    } catch (err) {
      this.error = err
    } finally {
      this.loading = false
    }
  }

  /**
   * @param {string} action rename | merge | delete
   * @param {object} body
   * @returns {Promise<Record<string, number>>} how many records changed, by collection
   */
  async #run(action, body) {
    const res = await this.pb.send(`/api/crm/tags/${action}`, { method: 'POST', body })
    await this.load()
    return res?.changed ?? {}
  }

  /**
   * @param {string} tag
   * @param {string} to
   */
  rename(tag, to) {
    return this.#run('rename', { tag, to: to.trim() })
  }

  /**
   * Merges `tag` into `into`: `tag` goes, `into` stays.
   * @param {string} tag
   * @param {string} into
   */
  merge(tag, into) {
    return this.#run('merge', { tag, into })
  }

  /** @param {string} tag */
  remove(tag) {
    return this.#run('delete', { tag })
  }
}
