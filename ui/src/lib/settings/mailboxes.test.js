import { describe, test, expect } from 'vitest'
import { mailboxDraft, mailboxBody, draftProblems, isLoopback, statusKey, statusTone, MailboxesSettings } from './mailboxes.svelte.js'
import { fakePb } from './fakepb.js'

describe('mailbox form', () => {
  test('a new mailbox starts with TLS on 993, INBOX, opening requests', () => {
    const d = mailboxDraft()
    expect([d.tls, d.port, d.folder, d.new_thread, d.active]).toEqual(['tls', '993', 'INBOX', 'request', true])
  })

  test('a blank password is left out: the saved one stays', () => {
    const d = mailboxDraft({ name: 'Support', host: 'imap.biz.test', port: 993, tls: 'tls', username: 'a@biz.test', new_thread: 'timeline', case_type: 'x' })
    const body = mailboxBody(d)
    expect('password' in body).toBe(false)
    expect(body.case_type).toBe('') // a timeline mailbox opens no request
    d.password = ' secret '
    expect(mailboxBody(d).password).toBe(' secret ') // as typed: spaces may belong to it
  })

  test('faults name their fields', () => {
    const d = mailboxDraft({ host: 'imap.biz.test', tls: 'none' })
    d.port = '70000'
    expect(draftProblems(d, true)).toEqual({ name: 'error.required', port: 'mailboxes.port_range', tls: 'mailboxes.tls_loopback', username: 'error.required', password: 'error.required', case_type: 'mailboxes.type_required' })
    d.host = '127.0.0.1'
    expect(draftProblems(d, false).tls).toBeUndefined()
  })

  test('loopback hosts only may go without TLS', () => {
    expect(['localhost', '127.0.0.1', '127.8.9.1', '::1', '[::1]'].every(isLoopback)).toBe(true)
    expect(['imap.biz.test', '10.0.0.1', '', '127.0.0.1.evil.test'].some(isLoopback)).toBe(false)
  })

  test('a status reads as a message key and a tone', () => {
    expect(statusKey({ status: 'auth_failed', active: true })).toBe('mailboxes.status.auth_failed')
    expect(statusKey({ status: '', active: true })).toBe('mailboxes.status.new')
    expect(statusKey({ status: 'ok', active: false })).toBe('mailboxes.status.off')
    expect(statusTone({ status: 'unreachable', active: true })).toBe('bad')
    expect(statusTone({ status: 'ok', active: true })).toBe('ok')
  })
})

describe('mailboxes store', () => {
  test('a test connection posts the unsaved values to the route', async () => {
    const pb = fakePb({ send: () => ({ ok: false, status: 'auth_failed', detail: 'no' }) })
    const s = new MailboxesSettings(pb)
    const r = await s.test('mb1', { host: 'h' })
    expect(r.status).toBe('auth_failed')
    expect(pb.calls[0]).toEqual(['send', '/api/crm/mailboxes/mb1/test', { method: 'POST', body: { host: 'h' } }])
  })

  test('the list and the request types load together', async () => {
    const pb = fakePb({ mailboxes: { getFullList: [{ id: 'm1', name: 'Support' }] }, case_types: { getFullList: [{ id: 't1', name: 'Support' }] } })
    const s = new MailboxesSettings(pb)
    await s.load()
    expect(s.items.map((m) => m.id)).toEqual(['m1'])
    expect(s.types.map((x) => x.id)).toEqual(['t1'])
  })

  test("a mailbox's first status that arrived live before the answer to its creation stays", async () => {
    const pb = fakePb({ mailboxes: { create: { id: 'm2', name: 'Suporte', status: '', last_checked_at: '' } } })
    const s = new MailboxesSettings(pb)
    s.items = [{ id: 'm2', name: 'Suporte', status: 'ok', last_checked_at: '2026-12-07 07:33:00.000Z' }]
    const m = await s.add({ name: 'Suporte' })
    expect(m.status).toBe('ok')
    expect(s.items).toEqual([{ id: 'm2', name: 'Suporte', status: 'ok', last_checked_at: '2026-12-07 07:33:00.000Z' }])
  })
})
