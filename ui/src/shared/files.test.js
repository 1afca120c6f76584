import { describe, it, expect, vi } from 'vitest'
import { displayName, kindOf, formatSize, fileLinks, fileToken, filesProblem, TOKEN_REFRESH_MS } from './files.js'

describe('attachments', () => {
  it('shows the name the sender gave the file', () => {
    expect(displayName('oven_photo_a1b2c3d4e5.jpg')).toBe('oven_photo.jpg')
    expect(displayName('README_a1b2c3d4e5')).toBe('README')
    expect(displayName('plain.pdf')).toBe('plain.pdf')
  })

  it('previews pictures and PDFs, downloads the rest', () => {
    expect(kindOf('a.JPG')).toBe('image')
    expect(kindOf('a.webp')).toBe('image')
    expect(kindOf('contract.pdf')).toBe('pdf')
    expect(kindOf('sheet.xlsx')).toBe('other')
    expect(kindOf('noext')).toBe('other')
  })

  it('says sizes as people do', () => {
    expect(formatSize(900, 'en')).toBe('900 B')
    expect(formatSize(12 * 1024, 'en')).toBe('12 KB')
    expect(formatSize(3.45 * 1024 * 1024, 'en')).toBe('3.5 MB')
    expect(formatSize(3.45 * 1024 * 1024, 'pt-BR')).toBe('3,5 MB')
    expect(formatSize(undefined)).toBe('')
    expect(formatSize(NaN)).toBe('')
  })

  it('puts the file token on both links and asks for a download on one', () => {
    const pb = { files: { getURL: (r, n, q) => `/api/files/${r.collectionName}/${r.id}/${n}?${new URLSearchParams(q)}` } }
    const links = fileLinks(pb, { id: 'r1', collectionName: 'cases' }, 'a.pdf', 'tok')
    expect(links.view).toBe('/api/files/cases/r1/a.pdf?token=tok')
    expect(links.download).toBe('/api/files/cases/r1/a.pdf?token=tok&download=1')
  })

  it('shares one file token until it is close to expiring, and forgets a failed one', async () => {
    let n = 0
    const pb = { files: { getToken: vi.fn(async () => `t${++n}`) } }
    expect(await fileToken(pb, 0)).toBe('t1')
    expect(await fileToken(pb, TOKEN_REFRESH_MS - 1)).toBe('t1')
    expect(await fileToken(pb, TOKEN_REFRESH_MS)).toBe('t2')
    const failing = { files: { getToken: vi.fn().mockRejectedValueOnce(new Error('offline')).mockResolvedValue('ok') } }
    await expect(fileToken(failing, 0)).rejects.toThrow('offline')
    expect(await fileToken(failing, 1)).toBe('ok')
  })

  it('checks the server limits before sending', () => {
    const f = (size) => ({ size })
    expect(filesProblem([f(10)])).toBe('')
    expect(filesProblem(Array.from({ length: 11 }, () => f(1)))).toBe('files.too_many')
    expect(filesProblem([f(11 << 20)])).toBe('files.too_big')
  })
})
