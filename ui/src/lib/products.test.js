import { describe, it, expect } from 'vitest'
import { productBody, productDraft, codeFrom } from './products.svelte.js'

describe('product form', () => {
  it('sends a one-off product without interval or subscriber switches', () => {
    const d = { ...productDraft(null), name: ' Router ', code: 'rt-1', price: '299,90', kind: 'one_off', interval: 'month', customer_can_pause: true }
    expect(productBody(d)).toMatchObject({ name: 'Router', code: 'RT-1', price: 299.9, currency: 'BRL', interval: '', customer_can_pause: false, active: true })
  })

  it('keeps a plan\'s interval and switches, and a price that is not a number as typed', () => {
    const d = { ...productDraft(null), name: 'Fibre', code: 'F', price: 'abc', kind: 'subscription', interval: 'year', customer_can_cancel: true }
    expect(productBody(d)).toMatchObject({ price: 'abc', interval: 'year', customer_can_cancel: true, kind: 'subscription' })
  })

  it('makes a code from a name', () => {
    expect(codeFrom('Fibra Óptica 300 Mb/s')).toBe('FIBRA-OPTICA-300-MB-S')
  })

  it('edits a product as it is', () => {
    expect(productDraft({ id: 'p', name: 'X', code: 'X', price: 5, currency: 'USD', kind: 'subscription', interval: 'month', active: false })).toMatchObject({ price: '5', currency: 'USD', active: false, interval: 'month' })
  })
})
