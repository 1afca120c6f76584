// The language an invitation's link names (pages/SetPassword.svelte) holds
// in an English browser while nobody is signed in: the workspace's reader
// settings, which run again after the page opens, keep it.
import { describe, it, expect, beforeEach, vi } from 'vitest'

const store = new Map()
vi.stubGlobal('localStorage', {
  getItem: (k) => (store.has(k) ? store.get(k) : null),
  setItem: (k, v) => store.set(k, String(v)),
  removeItem: (k) => store.delete(k),
  clear: () => store.clear(),
})
vi.stubGlobal('navigator', { language: 'en-US', languages: ['en-US', 'en'] })

const { session, adoptLanguage, applyReaderSettings } = await import('./app.svelte.js')
const { locale } = await import('./locale.svelte.js')

describe('the language of an invitation’s page', () => {
  beforeEach(() => {
    store.clear()
    session.user = null
  })

  it('is the browser’s without a choice', () => {
    applyReaderSettings()
    expect(locale.lang).toBe('en')
  })

  it('is the link’s, and the reader settings that run afterwards keep it', () => {
    adoptLanguage('pt-BR')
    expect(locale.lang).toBe('pt-BR')
    applyReaderSettings()
    expect(locale.lang).toBe('pt-BR')
  })

  it('gives way to the signed-in colleague’s own language', () => {
    session.user = { id: 's1', role: 'agent', language: 'en' }
    adoptLanguage('pt-BR')
    applyReaderSettings()
    expect(locale.lang).toBe('en')
    expect(store.get('vinculo_lang')).toBeUndefined()
  })
})
