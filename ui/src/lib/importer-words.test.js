import { describe, it, expect } from 'vitest'
import { detectedText } from './importer.svelte.js'
import { translate } from './i18n.js'

const t = (lang) => (key, params) => translate(lang, key, params)

describe('how the server read a file, in the reader language', () => {
  it('words the layout and format, never the server code', () => {
    const job = { layout: 'mapped', format: 'csv', report: { encoding: 'UTF-8' } }
    expect(detectedText(job, t('pt-BR'))).toBe('Lido como as colunas que você mapeou (CSV, UTF-8).')
    expect(detectedText(job, t('en'))).toBe('Read as the columns you mapped (CSV, UTF-8).')
    expect(detectedText({ layout: 'google', report: { encoding: 'windows-1252' } }, t('pt-BR'))).toBe('Lido como exportação do Google Contatos (CSV, windows-1252).')
    expect(detectedText({ layout: 'vcard', format: 'vcard' }, t('pt-BR'))).toBe('Lido como cartões vCard (vCard, UTF-8).')
  })

  it('shows a layout it does not know as the server named it', () => {
    expect(detectedText({ layout: 'salesforce', format: 'csv' }, t('en'))).toBe('Read as salesforce (CSV, UTF-8).')
  })
})
