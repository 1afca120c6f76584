import { describe, it, expect } from 'vitest'
import { match, href, PUBLIC_ROUTES } from './router.svelte.js'

describe('portal routes', () => {
  it('maps every page under /portal to its name', () => {
    expect(match('/portal')).toEqual({ name: 'requests', params: {} })
    expect(match('/portal/')).toEqual({ name: 'requests', params: {} })
    expect(match('/portal/requests/abc123')).toEqual({ name: 'request', params: { id: 'abc123' } })
    for (const name of ['new', 'profile', 'preferences', 'consents', 'services', 'data', 'track']) {
      expect(match(`/portal/${name}`).name).toBe(name)
    }
    expect(match('/portal/new-request').name).toBe('public-request')
    expect(match('/portal/confirm-request').name).toBe('confirm-request')
  })

  it('keeps what is not the portal out', () => {
    expect(match('/').name).toBe('notfound')
    expect(match('/portalx').name).toBe('notfound')
    expect(match('/contacts/abc').name).toBe('notfound')
    expect(match('/portal/requests/a/b').name).toBe('notfound')
  })

  it('opens only tracking, the public form, its confirmation and the survey page without an account', () => {
    expect(PUBLIC_ROUTES.sort()).toEqual(['confirm-request', 'public-request', 'survey', 'track'])
    expect(href('/requests/x')).toBe('/portal/requests/x')
  })
})
