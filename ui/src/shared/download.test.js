import { describe, it, expect, vi } from 'vitest'
import { download } from './download.js'

// The SDK's part in a download: the URL and the token.
const pb = { buildURL: (path) => 'http://127.0.0.1:1' + path, authStore: { token: 'TOKEN' } }

describe('download', () => {
  it('downloads with the token in a header and names the file as the server says', async () => {
    const fetchImpl = vi.fn(async () => new Response('a,b\n', { headers: { 'Content-Disposition': 'attachment; filename="contacts-2026-11-24.csv"' } }))
    const { name, blob } = await download(pb, '/api/crm/export/contacts', 'export.csv', { fetchImpl, doc: null })
    expect(fetchImpl).toHaveBeenCalledWith('http://127.0.0.1:1/api/crm/export/contacts', { headers: { Authorization: 'TOKEN' } })
    expect(name).toBe('contacts-2026-11-24.csv')
    expect(await blob.text()).toBe('a,b\n')
    const refused = vi.fn(async () => new Response(JSON.stringify({ message: 'Invalid export.', data: { filter: { code: 'x' } } }), { status: 400 }))
    await expect(download(pb, '/x', 'x', { fetchImpl: refused, doc: null })).rejects.toMatchObject({ status: 400, response: { data: { filter: { code: 'x' } } } })
  })

  it('keeps a name of its own when asked to', async () => {
    const fetchImpl = vi.fn(async () => new Response('{}', { headers: { 'Content-Disposition': 'attachment; filename="my-data.json"' } }))
    const { name } = await download(pb, '/api/crm/portal/my-data?format=json', 'x.json', { fetchImpl, doc: null, name: 'carla.json' })
    expect(name).toBe('carla.json')
  })
})
