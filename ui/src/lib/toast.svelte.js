// Short confirmations ("Call logged."), read out by screen readers.
export const toasts = $state([])
let next = 1

export function toast(text, { kind = 'ok', ms = 4000 } = {}) {
  const id = next++
  toasts.push({ id, text, kind })
  setTimeout(() => {
    const i = toasts.findIndex((x) => x.id === id)
    if (i >= 0) toasts.splice(i, 1)
  }, ms)
}
