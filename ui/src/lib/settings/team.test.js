import { describe, it, expect } from 'vitest'
import { TeamSettings, teamErrors, handoverCandidates, memberState, tokenEmail } from './team.svelte.js'
import { translate } from '../i18n.js'
import { fakePb, refusal } from './fakepb.js'

const en = (key, params) => translate('en', key, params)
const pt = (key, params) => translate('pt-BR', key, params)
const marina = { id: 'm', name: 'Marina', email: 'm@x', role: 'manager' }
const rafael = { id: 'r', name: 'Rafael', email: 'r@x', role: 'agent' }
const beatriz = { id: 'b', name: 'Beatriz', email: 'b@x', role: 'readonly' }
const otavio = { id: 'o', name: 'Otávio', email: 'o@x', role: 'agent', deactivated: true }

describe('team settings', () => {
  it('hands over only to someone else, active, who may work the records', () => {
    expect(handoverCandidates([marina, rafael, beatriz, otavio], 'r').map((m) => m.id)).toEqual(['m'])
    expect(handoverCandidates([marina, rafael, beatriz, otavio], 'm').map((m) => m.id)).toEqual(['r'])
  })

  it('tells invited, active and deactivated members apart', () => {
    expect(memberState({ ...rafael, invited_at: '2026-11-24', verified: false })).toBe('invited')
    expect(memberState({ ...rafael, invited_at: '2026-11-24', verified: true })).toBe('active')
    expect(memberState(rafael)).toBe('active')
    expect(memberState(otavio)).toBe('deactivated')
  })

  it('puts the server’s codes in the reader’s language beside their field', () => {
    const err = refusal(400, { handover: { code: 'validation_handover_required', message: 'Name the colleague…' }, name: { code: 'validation_required', message: 'x' } })
    expect(teamErrors(err, pt).handover).toBe('Escolha quem assume os registros em aberto.')
    expect(teamErrors(err, en).handover).toBe('Choose who takes over the open records.')
    expect(teamErrors(err, en).name).toBe(en('error.required'))
  })

  it('invites, deactivates and reactivates through the team’s routes, keeping the list in order', async () => {
    const pb = fakePb({
      staff: { getFullList: () => [marina, rafael] },
      send: (path, opts) => {
        if (path === '/api/crm/team/invite') return { id: 'l', name: opts.body.name, email: opts.body.email, role: 'agent', mailed: true }
        if (path === '/api/crm/team/r/deactivate') return { member: { ...rafael, deactivated: true }, moved: { contacts: 3 } }
        if (path === '/api/crm/team/r/reactivate') return { ...rafael, deactivated: false }
      },
    })
    const team = new TeamSettings(pb)
    await team.load()
    const m = await team.invite({ name: ' Luísa ', email: ' l@x ', role: 'agent', language: 'pt-BR' })
    expect(m.mailed).toBe(true)
    expect(pb.calls.find((c) => c[1] === '/api/crm/team/invite')[2].body).toEqual({ name: 'Luísa', email: 'l@x', role: 'agent', language: 'pt-BR' })
    expect(team.members.map((x) => x.name)).toEqual(['Luísa', 'Marina', 'Rafael'])
    expect(await team.deactivate('r', 'm')).toEqual({ contacts: 3 })
    expect(pb.calls.at(-1)).toEqual(['send', '/api/crm/team/r/deactivate', { method: 'POST', body: { handover: 'm' } }])
    expect(team.members.find((x) => x.id === 'r').deactivated).toBe(true)
    await team.reactivate('r')
    expect(team.members.find((x) => x.id === 'r').deactivated).toBe(false)
  })

  it('leaves the list as it was when a route refuses', async () => {
    const pb = fakePb({ staff: { getFullList: () => [marina, rafael] }, send: () => refusal(400, { role: { code: 'validation_last_manager' } }) })
    const team = new TeamSettings(pb)
    await team.load()
    await expect(team.changeRole('m', 'agent')).rejects.toThrow()
    expect(team.members.find((x) => x.id === 'm').role).toBe('manager')
  })

  it('reads the email an invitation was made for', () => {
    const payload = btoa(JSON.stringify({ email: 'luísa@x.test'.normalize() }).replace(/[^\x00-\x7f]/g, (c) => String.fromCharCode(...new TextEncoder().encode(c)))).replace(/=+$/, '')
    expect(tokenEmail(`h.${payload}.s`)).toBe('luísa@x.test')
    expect(tokenEmail('nonsense')).toBe('')
  })
})
