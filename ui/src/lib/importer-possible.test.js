import { describe, it, expect } from 'vitest'
import { summaryOf, possibleOf, possibleOther, problemText } from './importer.svelte.js'
import { translate } from './i18n.js'

const pt = (key, params) => translate('pt-BR', key, params)
const en = (key, params) => translate('en', key, params)

// A dry run's job as the server reports it: two people of the same name and
// company as someone else, imported as other people and listed for review.
const job = {
  status: 'done', total_rows: 10, rows_created: 8, rows_duplicate: 2,
  report: {
    summary: { created: 8, duplicate: 2, possible_duplicates: 2 },
    possible_duplicates: [
      { line: 4, value: 'Maria Silva', code: 'possible_duplicate', params: { row: 4, of_row: 2 }, reason: 'possible duplicate (same name and company): row 4 ↔ row 2' },
      { line: 7, value: 'José Santos', code: 'possible_duplicate', params: { row: 7, record: 'abc123def456ghi' }, reason: 'possible duplicate (same name and company): row 7 ↔ record abc123def456ghi' },
    ],
  },
}

describe('possible duplicates of an import', () => {
  it('counts and lists them from the report', () => {
    expect(summaryOf(job)).toMatchObject({ created: 8, duplicates: 2, possible: 2 })
    expect(summaryOf({ status: 'running' }).possible).toBe(0)
    expect(possibleOf(job).map((p) => p.line)).toEqual([4, 7])
    expect(possibleOf({ report: {} })).toEqual([])
    expect(possibleOf(null)).toEqual([])
  })

  it('says what each is beside, in both languages, with a link to a stored contact', () => {
    const [row, record] = possibleOf(job)
    expect(possibleOther(row, en)).toEqual({ text: 'row 2 of this file', record: '' })
    expect(possibleOther(row, pt)).toEqual({ text: 'linha 2 deste arquivo', record: '' })
    expect(possibleOther(record, en)).toEqual({ text: 'a contact already saved', record: 'abc123def456ghi' })
    expect(possibleOther(record, pt).text).toBe('um contato já cadastrado')
    expect(problemText(row, pt)).toBe('possível duplicado (mesmo nome e empresa)')
  })
})
