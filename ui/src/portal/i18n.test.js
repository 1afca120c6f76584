import { describe, it, expect } from 'vitest'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { portalMessages, translate } from './lib/i18n.js'
import { messages as shared } from '../lib/i18n.js'

import { expectSameMessages } from '../shared/messages-check.js'

const here = fileURLToPath(new URL('.', import.meta.url))

function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) return name === 'messages' ? [] : sources(p)
    return /\.(svelte|js)$/.test(name) && !name.endsWith('.test.js') ? [p] : []
  })
}

describe('portal messages', () => {
  it('has every key in both languages, none empty, with the same placeholders', () => {
    expect(Object.keys(portalMessages.en).length).toBeGreaterThan(150)
    expectSameMessages(portalMessages.en, portalMessages['pt-BR'])
  })

  it('has a word, in both languages, for every key the portal asks for', () => {
    const used = new Set()
    for (const file of sources(here)) {
      const text = readFileSync(file, 'utf8')
      for (const m of text.matchAll(/\bt\('([a-z_][a-z0-9_.]*)'/g)) used.add(m[1])
      for (const m of text.matchAll(/'(form\.[a-z_]+)'/g)) used.add(m[1])
    }
    // keys built from values: every value the portal shows
    const purposes = ['service', 'marketing', 'profiling', 'research']
    const actions = ['pause', 'resume', 'change_plan', 'cancel']
    for (const p of purposes) used.add(`consents.about.${p}`).add(`consents.text.${p}`).add(`purpose.${p}`)
    for (const s of ['portal', 'public_form', 'staff', 'phone', 'paper', 'import', 'api']) used.add(`consents.source.${s}`)
    for (const a of actions) {
      used.add(`services.action.${a}`).add(`services.done.${a}`)
      for (const x of ['title', 'body', 'yes']) used.add(`services.confirm.${a}.${x}`)
    }
    for (const k of ['case.answered', 'case.rated', 'case.reopened']) used.add(`step.${k}`)
    for (const i of ['month', 'quarter', 'year']) used.add(`services.per.${i}`)
    for (const s of ['pending', 'active', 'paused', 'cancelled', 'placed', 'paid', 'shipped', 'delivered']) used.add(`status.${s}`)
    for (const c of ['email', 'whatsapp', 'sms', 'phone', 'letter', 'portal']) used.add(`channel.${c}`)
    for (const d of ['profile.password_saved', 'profile.password_removed', 'profile.mfa_on', 'profile.mfa_off']) used.add(d)

    const missing = []
    for (const lang of ['en', 'pt-BR']) {
      for (const k of used) {
        if (!(k in portalMessages[lang]) && !(k in shared[lang])) missing.push(`${lang} ${k}`)
      }
    }
    expect(missing).toEqual([])
    expect(used.size).toBeGreaterThan(150)
  })

  it('looks in the portal’s words first, then the shared ones, and fills placeholders', () => {
    expect(translate('pt-BR', 'nav.requests')).toBe('Meus pedidos')
    expect(translate('en', 'requests.hello', { name: 'João' })).toBe('Hello, João!')
    expect(translate('pt-BR', 'channel.whatsapp')).toBe(shared['pt-BR']['channel.whatsapp'])
    expect(translate('fr', 'nav.requests')).toBe('My requests')
    expect(translate('pt-BR', 'no.such.key')).toBe('no.such.key')
  })
})
