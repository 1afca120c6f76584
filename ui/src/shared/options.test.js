import { describe, it, expect } from 'vitest'
import { offered, startingChoices, answersToSend, labelIn, chosenWords } from './options.js'

const options = [
  { key: 'speed', kind: 'choice', label: 'Speed', labels: { 'pt-BR': 'Velocidade' }, default: 's300', choices: [{ key: 's300', label: '300', price: 0 }, { key: 's600', label: '600', price: 50 }] },
  { key: 'router', kind: 'addon', label: 'Router', price: 20, only_with: { option: 'speed', choice: 's600' } },
  { key: 'tv', kind: 'quantity', label: 'TV', price: 10, min: 0, max: 3 },
  { key: 'note', kind: 'text', label: 'Note' },
]

describe('a line’s options', () => {
  it('starts from the business’s defaults', () => {
    expect(startingChoices(options)).toEqual({ speed: 's300', tv: 0 })
  })
  it('offers an option only with its answer', () => {
    expect(offered(options[1], { speed: 's300' })).toBe(false)
    expect(offered(options[1], { speed: 's600' })).toBe(true)
  })
  it('sends only what is offered and answered, quantities as numbers', () => {
    expect(answersToSend(options, { speed: 's300', router: true, tv: '2', note: '' })).toEqual({ speed: 's300', tv: 2 })
    expect(answersToSend(options, { speed: 's600', router: true })).toEqual({ speed: 's600', router: true })
  })
  it('words names and answers', () => {
    expect(labelIn(options[0], 'pt-BR')).toBe('Velocidade')
    expect(labelIn(options[0], 'en')).toBe('Speed')
    expect(chosenWords({ label: 'Speed', value: '600' })).toBe('Speed: 600')
    expect(chosenWords({ label: 'Router' })).toBe('Router')
  })
})
