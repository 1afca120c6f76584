// A stand-in for the SDK in the settings stores' tests: the real filter()
// (escaping); answers per collection method or per route; every call kept.
import PocketBase from 'pocketbase'

export function fakePb(answers = {}) {
  const real = new PocketBase('http://127.0.0.1:1')
  const calls = []
  const answer = (name, method, ...args) => {
    calls.push([name, method, ...args])
    const a = answers[name]?.[method]
    return typeof a === 'function' ? a(...args) : a
  }
  return {
    calls,
    filter: real.filter.bind(real),
    send: async (path, opts) => {
      calls.push(['send', path, opts])
      const a = answers.send?.(path, opts)
      if (a instanceof Error) throw a
      return a
    },
    collection: (name) =>
      Object.fromEntries(['getList', 'getFullList', 'create', 'update', 'confirmPasswordReset'].map((m) => [m, async (...args) => answer(name, m, ...args)])),
  }
}

/** An SDK error as PocketBase answers a refusal. */
export function refusal(status, data = {}) {
  return Object.assign(new Error('refused'), { status, response: { message: 'refused', data } })
}
