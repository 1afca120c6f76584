// Short confirmations ("Call logged."), read out by screen readers.
/** @typedef {{id: number, text: string, kind: 'ok' | 'error'}} Toast */

/** @type {Toast[]} */
export const toasts = $state([])
let next = 1

/**
 * Shows a short message for `ms` milliseconds.
 * @param {string} text
 * @param {{kind?: 'ok' | 'error', ms?: number}} [options]
 */
export function toast(text, { kind = 'ok', ms = 4000 } = {}) {
  const id = next++
  toasts.push({ id, text, kind })
  setTimeout(() => {
    const i = toasts.findIndex((x) => x.id === id)
    if (i >= 0) toasts.splice(i, 1)
  }, ms)
}
