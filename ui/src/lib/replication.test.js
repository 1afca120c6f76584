import { describe, it, expect } from 'vitest'
import { Replication, replicationHealth, LAG_WARNING_SECONDS } from './replication.svelte.js'

const db = (over = {}) => ({ name: 'data.db', last_sync: '2026-12-06T15:00:00Z', lag_seconds: 0.4, local_txid: 9, replica_txid: 9, ...over })

describe('replication health', () => {
  it('reads off, ok, lagging and failing from the status', () => {
    expect(replicationHealth(null)).toBe('unknown')
    expect(replicationHealth({ enabled: false, replica: '', running: false, databases: [] })).toBe('off')
    expect(replicationHealth({ enabled: true, replica: 'file:///r', running: true, databases: [db(), db({ name: 'auxiliary.db' })] })).toBe('ok')
    expect(replicationHealth({ enabled: true, replica: 'file:///r', running: true, databases: [db({ lag_seconds: LAG_WARNING_SECONDS + 1 })] })).toBe('lagging')
    expect(replicationHealth({ enabled: true, replica: 'file:///r', running: true, databases: [db({ last_sync: null })] })).toBe('lagging')
    expect(replicationHealth({ enabled: true, replica: 's3://b', running: false, error: 'no bucket', databases: [] })).toBe('failing')
  })
})

describe('replication store', () => {
  it('reads the managers route and keeps a failure for the page', async () => {
    const calls = []
    let answer = { enabled: true, replica: 'file:///r', running: true, databases: [db()] }
    const pb = { send: async (path, opts) => { calls.push([path, opts.method]); if (answer instanceof Error) throw answer; return answer } }
    const r = new Replication(pb)
    await r.load()
    expect(calls).toEqual([['/api/crm/replication', 'GET']])
    expect(r.status.databases[0].name).toBe('data.db')
    expect(r.error).toBe(null)
    answer = Object.assign(new Error('Only managers can do this.'), { status: 403 })
    await r.load()
    expect(r.error?.status).toBe(403)
    expect(r.loading).toBe(false)
  })
})
