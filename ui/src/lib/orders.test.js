import { describe, it, expect, vi } from 'vitest'
import PocketBase from 'pocketbase'
import { linesTotal, orderBody, lineFor, linesOf, ordersFieldErrors, OrderList, CustomerOrders, subscriptionActions, MOVES, STATUSES } from './orders.svelte.js'
import { translate } from './i18n.js'

const en = (key, params) => translate('en', key, params)
const pt = (key, params) => translate('pt-BR', key, params)

describe('order lines', () => {
  it('totals quantity times price, in cents, skipping what is not a number', () => {
    expect(linesTotal([{ product: '', name: 'a', quantity: '2', unit_price: '10,5' }, { product: '', name: 'b', quantity: '3', unit_price: '0.1' }])).toBe(21.3)
    expect(linesTotal([{ product: '', name: 'a', quantity: 'x', unit_price: '10' }])).toBe(0)
  })

  it('starts a line from a product and reads one back from the stored items', () => {
    const line = lineFor({ code: 'F300', name: 'Fibre 300', price: 99.9 })
    expect(line).toEqual({ product: 'F300', name: 'Fibre 300', quantity: '1', unit_price: '99.9' })
    expect(linesOf([{ name: 'Old line' }])).toEqual([{ product: '', name: 'Old line', quantity: '1', unit_price: '' }])
  })

  it('sends numbers as numbers, and text that is not a number as typed for the server to name', () => {
    const body = orderBody({ contact: 'c1', currency: 'brl', lines: [{ product: 'F300', name: ' Fibre ', quantity: '2', unit_price: '1,5' }, { product: '', name: 'x', quantity: 'two', unit_price: '' }] })
    expect(body).toEqual({ contact: 'c1', company: '', currency: 'BRL', internal_notes: '',
      items: [{ product: 'F300', name: 'Fibre', quantity: 2, unit_price: 1.5 }, { name: 'x', quantity: 'two' }] })
  })
})

describe('server refusals in the reader language', () => {
  const refusal = (data) => ({ status: 400, response: { message: 'Failed.', data } })

  it('names the statuses of a refused move in Portuguese', () => {
    const err = refusal({ status: { code: 'validation_order_move', message: "An order that is shipped can't become cancelled.", params: { from: 'shipped', to: 'cancelled' } } })
    expect(ordersFieldErrors(err, pt).status).toBe('Um pedido enviado não pode passar a cancelado.')
    expect(ordersFieldErrors(err, en).status).toBe('An order that is shipped can’t become cancelled.')
  })

  it('keeps PocketBase codes and the server words for codes it does not know', () => {
    const err = refusal({ code: { code: 'validation_not_unique', message: 'Value must be unique.' }, items: { code: 'validation_order_line', message: 'Line 2: x', params: { line: 2 } } })
    const out = ordersFieldErrors(err, en)
    expect(out.code).toBe('This is already in use: choose another.')
    expect(ordersFieldErrors(refusal({ name: { code: 'validation_something_new', message: 'Server words.' } }), en).name).toBe('Server words.')
    expect(out.items).toMatch(/^Line 2:/)
  })
})

describe('order list', () => {
  it('filters by status and by number or customer name, escaped, newest placed first', async () => {
    const real = new PocketBase('http://127.0.0.1:1')
    const getList = vi.fn(async () => ({ items: [] }))
    const pb = { filter: real.filter.bind(real), collection: () => ({ getList }) }
    const list = new OrderList(/** @type {any} */ (pb))
    list.status = 'paid'
    list.query = "O'Brien"
    await list.load()
    const [, per, opts] = getList.mock.calls[0]
    expect(per).toBe(25)
    expect(opts.sort).toBe('-placed_at')
    expect(opts.skipTotal).toBe(true)
    expect(opts.filter).toBe(`status = "paid" && (number ~ "O'Brien" || contact.name ~ "O'Brien")`)
  })
})

describe('subscriptions', () => {
  it('offers the actions of each state', () => {
    expect(subscriptionActions({ status: 'active' })).toEqual(['pause', 'change_plan', 'cancel'])
    expect(subscriptionActions({ status: 'paused' })).toContain('resume')
    expect(subscriptionActions({ status: 'cancelled' })).toEqual([])
  })

  it('acts through the staff route and shows the subscription as the server saved it', async () => {
    const real = new PocketBase('http://127.0.0.1:1')
    const send = vi.fn(async () => ({}))
    const getOne = vi.fn(async (id) => ({ id, status: 'paused' }))
    const pb = { filter: real.filter.bind(real), send, collection: () => ({ getOne }) }
    const store = new CustomerOrders(/** @type {any} */ (pb), 'ct1')
    store.subscriptions = [{ id: 'sb1', status: 'active' }]
    await store.act('sb1', { action: 'pause', until: '2030-01-01' })
    expect(send).toHaveBeenCalledWith('/api/crm/subscriptions/sb1/action', { method: 'POST', body: { action: 'pause', until: '2030-01-01' } })
    expect(store.subscriptions[0].status).toBe('paused')
  })

  it('moves only between known statuses', () => {
    for (const [from, tos] of Object.entries(MOVES)) {
      expect(STATUSES).toContain(from)
      for (const to of tos) expect(STATUSES).toContain(to)
    }
  })
})
