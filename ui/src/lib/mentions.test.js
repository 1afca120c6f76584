import { describe, it, expect } from 'vitest'
import { token, segments, plain, toDisplay, toValue, mentionQuery, insertMention, matchColleagues } from './mentions.js'

const MARINA = 'm0000000000000a'
const ANA = 'a0000000000000b'
const ANAS = 'a0000000000000c'

describe('mentions', () => {
  it('keeps a colleague as a token and shows it as a name', () => {
    const text = `Ask ${token('Marina Duarte', MARINA)} today`
    expect(text).toBe(`Ask @[Marina Duarte](${MARINA}) today`)
    expect(segments(text)).toEqual([{ text: 'Ask ' }, { mention: { id: MARINA, name: 'Marina Duarte' } }, { text: ' today' }])
    expect(plain(text)).toBe('Ask @Marina Duarte today')
    expect(token('Ana [Sul]\nNorte', ANA)).toBe(`@[Ana (Sul) Norte](${ANA})`)
    expect(segments('no @[x](short) tokens')).toEqual([{ text: 'no @[x](short) tokens' }])
  })

  it('turns what the box shows into the saved text and back, longer names first', () => {
    const mentions = [{ id: ANA, name: 'Ana' }, { id: ANAS, name: 'Ana Souza' }]
    const value = toValue('@Ana Souza and @Ana, not ana@Ana or @Anabel', mentions)
    expect(value).toBe(`@[Ana Souza](${ANAS}) and @[Ana](${ANA}), not ana@Ana or @Anabel`)
    expect(toDisplay(value)).toEqual({ text: '@Ana Souza and @Ana, not ana@Ana or @Anabel', mentions: [{ name: 'Ana Souza', id: ANAS }, { name: 'Ana', id: ANA }] })
    // A name typed by hand, never picked, stays plain.
    expect(toValue('@Marina Duarte', [])).toBe('@Marina Duarte')
  })

  it('finds the mention being typed and puts the picked name in its place', () => {
    expect(mentionQuery('Hello @Mar', 10)).toEqual({ start: 6, query: 'Mar' })
    expect(mentionQuery('@', 1)).toEqual({ start: 0, query: '' })
    expect(mentionQuery('mail ana@example', 16)).toBe(null)
    expect(mentionQuery('@Marina Duarte and more words', 29)).toBe(null)
    const q = mentionQuery('Hi @mar, see', 7)
    expect(insertMention('Hi @mar, see', q, 7, 'Marina Duarte')).toEqual({ text: 'Hi @Marina Duarte , see', caret: 18 })
    expect(insertMention('Hi @mar see', mentionQuery('Hi @mar see', 7), 7, 'Marina')).toEqual({ text: 'Hi @Marina see', caret: 11 })
  })

  it('matches colleagues by any word, accents ignored, best first', () => {
    const team = [{ id: '1', name: 'Otávio Reis' }, { id: '2', name: 'Marina Duarte' }, { id: '3', name: 'Rafael Lima' }, { id: '4', name: 'Mario Ota' }]
    expect(matchColleagues(team, 'ota').map((m) => m.id)).toEqual(['1', '4'])
    expect(matchColleagues(team, 'mar').map((m) => m.id)).toEqual(['2', '4'])
    expect(matchColleagues(team, 'lim').map((m) => m.id)).toEqual(['3'])
    expect(matchColleagues(team, '', 2).map((m) => m.id)).toEqual(['2', '4'])
    expect(matchColleagues(team, 'zzz')).toEqual([])
  })
})
