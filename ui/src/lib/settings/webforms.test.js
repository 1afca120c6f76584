import { describe, it, expect } from 'vitest'
import { draftFields, formDraft, formBody, draftProblems, origin, snippets } from './webforms.svelte.js'

describe('web forms in Settings', () => {
  it('offers every built-in and custom field, the form’s own first, the email always asked', () => {
    const fields = draftFields([{ key: 'company' }, { key: 'email', required: false }], [{ name: 'cf_region' }])
    expect(fields.map((f) => [f.key, f.on, f.required])).toEqual([
      ['company', true, false], ['email', true, true], ['name', false, false], ['phone', false, false], ['message', false, false], ['cf_region', false, false],
    ])
  })

  it('sends the ticked fields in order, texts per language, sites as origins', () => {
    const d = formDraft({}, [])
    d.name = '  Contact us '
    d.consent_en = 'Yes'
    d.consent_pt = ' Sim '
    d.origins = 'https://www.Example.com/\nshop.example.com:8443, javascript:alert(1)'
    d.creates = 'lead'
    d.case_type = 'x'
    const body = formBody(d)
    expect(body.name).toBe('Contact us')
    expect(body.fields).toEqual([{ key: 'name', required: true }, { key: 'email', required: true }, { key: 'message', required: false }])
    expect(body.consent_text).toEqual({ en: 'Yes', 'pt-BR': 'Sim' })
    expect(body.thanks).toEqual({})
    expect(body.allowed_origins).toEqual(['https://www.example.com', 'https://shop.example.com:8443', 'javascript:alert(1)'])
    expect(body.case_type).toBe('')
    expect(body.purposes).toEqual(['marketing'])
  })

  it('names what is missing before asking the server', () => {
    const d = formDraft({}, [])
    d.creates = 'request'
    expect(draftProblems(d)).toEqual({ name: 'error.required', consent_text: 'webforms.consent_both', case_type: 'webforms.type_required', allowed_origins: 'webforms.origins_required' })
    d.purposes = []
    d.active = false
    d.name = 'x'
    d.case_type = 't'
    expect(draftProblems(d)).toEqual({})
  })

  it('keeps what is not a web address for the server to name', () => {
    expect(origin('ftp://x.example')).toBe('ftp://x.example')
    expect(origin('')).toBe('')
  })

  it('gives the script tag and the iframe, the title escaped', () => {
    const s = snippets('https://crm.example/', { id: 'abc123', name: 'Say "hi" <now>' })
    expect(s.script).toBe('<script src="https://crm.example/forms/abc123.js"></script>')
    expect(s.iframe).toContain('src="https://crm.example/forms/abc123" title="Say &quot;hi&quot; &lt;now>"')
  })
})
