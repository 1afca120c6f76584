import { describe, it, expect } from 'vitest'
import { latestWins } from './loader.js'

/** A promise the test settles by hand. */
function deferred() {
  let resolve, reject
  const promise = new Promise((ok, fail) => {
    resolve = ok
    reject = fail
  })
  return { promise, resolve, reject }
}

/** A loader on a fresh state, and two loads started one after the other. */
function twoLoads() {
  const state = { loading: false, error: null }
  const load = latestWins(state)
  const first = deferred()
  const second = deferred()
  const applied = []
  const a = load.run(() => first.promise, (v) => applied.push(v))
  const b = load.run(() => second.promise, (v) => applied.push(v))
  return { state, first, second, a, b, applied }
}

describe('latestWins', () => {
  it('applies the value of a load and keeps loading and error', async () => {
    const state = { loading: false, error: 'old' }
    const load = latestWins(state)
    const d = deferred()
    let got = null
    const done = load.run(() => d.promise, (v) => (got = v))
    expect(state).toEqual({ loading: true, error: null })
    d.resolve(42)
    expect(await done).toBe(true)
    expect(got).toBe(42)
    expect(state.loading).toBe(false)
  })

  it('drops the answer of an older load that comes after a newer one', async () => {
    const { state, first, second, a, b, applied } = twoLoads()
    second.resolve('new')
    expect(await b).toBe(true)
    first.resolve('old')
    expect(await a).toBe(false)
    expect(applied).toEqual(['new'])
    expect(state.loading).toBe(false)
  })

  it('keeps loading until the newest load answers', async () => {
    const { state, first, second, a, b } = twoLoads()
    first.resolve('old')
    await a
    expect(state.loading).toBe(true)
    second.resolve('new')
    await b
    expect(state.loading).toBe(false)
  })

  it('shows the failure of the newest load only', async () => {
    const { state, first, second, a, b, applied } = twoLoads()
    first.reject(new Error('old failure'))
    expect(await a).toBe(false)
    expect(state.error).toBe(null)
    second.reject(new Error('new failure'))
    expect(await b).toBe(false)
    expect(state.error?.message).toBe('new failure')
    expect(state.loading).toBe(false)
    expect(applied).toEqual([])
  })

  it('a failure in apply is the load’s failure', async () => {
    const state = { loading: false, error: null }
    const load = latestWins(state)
    expect(await load.run(async () => 1, () => { throw new Error('bad') })).toBe(false)
    expect(state.error?.message).toBe('bad')
  })

  it('cancel drops the load under way', async () => {
    const state = { loading: false, error: null }
    const load = latestWins(state)
    const d = deferred()
    let got = null
    const done = load.run(() => d.promise, (v) => (got = v))
    load.cancel()
    expect(state.loading).toBe(false)
    d.resolve('late')
    expect(await done).toBe(false)
    expect(got).toBe(null)
  })
})
