import { describe, it, expect } from 'vitest'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { messages as workspace } from '../lib/i18n.js'
import { portalMessages } from '../portal/lib/i18n.js'

const here = fileURLToPath(new URL('.', import.meta.url))

describe('shared UI kit messages', () => {
  it('asks only for words both apps have, in both languages', () => {
    const used = new Set()
    for (const name of readdirSync(here)) {
      if (!/\.(svelte|js)$/.test(name) || name.endsWith('.test.js')) continue
      const text = readFileSync(join(here, name), 'utf8')
      for (const m of text.matchAll(/\bt\('([a-z_][a-z0-9_.]*)'/g)) used.add(m[1])
    }
    expect(used.size).toBeGreaterThan(0)
    const missing = []
    for (const lang of ['en', 'pt-BR']) {
      for (const k of used) {
        if (!(k in workspace[lang])) missing.push(`workspace ${lang} ${k}`)
        if (!(k in portalMessages[lang]) && !(k in workspace[lang])) missing.push(`portal ${lang} ${k}`)
      }
    }
    expect(missing).toEqual([])
  })
})
