// Latest wins: a store that loads again before its last load answered (a new
// search term, the next page, another pipeline) shows only the newest answer.
// An older answer, or an older failure, is dropped when it arrives.

/**
 * What a loader writes its state to: the store's own reactive fields.
 * @typedef {{loading: boolean, error: any}} LoadState
 */

/**
 * @typedef {object} Loader
 * @property {<T>(load: () => Promise<T>, apply?: (value: T) => void | Promise<void>) => Promise<boolean>} run
 *   starts a load; `apply` gets its value only if no newer load started meanwhile.
 *   Resolves true when the value was applied; never rejects (the error goes to state.error).
 * @property {() => void} cancel drops the answer of the load under way, if any, and stops showing it as loading
 */

/**
 * A latest-wins loader that keeps `state.loading` and `state.error`.
 * @param {LoadState} state usually the store itself
 * @returns {Loader}
 */
export function latestWins(state) {
  let seq = 0

  /** @type {Loader['run']} */
  async function run(load, apply) {
    const mine = ++seq
    state.loading = true
    state.error = null
    try {
      const value = await load()
      if (mine !== seq) return false // a newer load answered or will
      await apply?.(value)
      return true
    } catch (err) {
      if (mine === seq) state.error = err
      return false
    } finally {
      if (mine === seq) state.loading = false
    }
  }

  return {
    run,
    cancel() {
      seq++
      state.loading = false
    },
  }
}
