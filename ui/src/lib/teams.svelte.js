// Teams, for managers (Settings → Teams): the teams staff belong to, each
// with a manager and members, and who sees what — everyone everything, or
// agents only their teams' records (business_settings.team_visibility; the
// API rules enforce it, pb_migrations/1764005400_teams_visibility.go).

/**
 * @typedef {{id: string, name: string, description: string, manager: string, members: string[]}} Team
 * @typedef {{id: string, name: string, role: string, deactivated?: boolean}} Member
 */

export const VISIBILITY_MODES = ['everyone', 'teams']

/**
 * Who may be in a team: active staff, partners left out (they work outside
 * the company, on the requests assigned to them).
 * @param {Member[]} staff
 * @returns {Member[]}
 */
export function teamCandidates(staff) {
  return staff.filter((m) => !m.deactivated && m.role !== 'partner')
}

/**
 * A team's members' names, in the order given, for a card's summary.
 * @param {Team} team
 * @param {Member[]} staff
 * @returns {string[]}
 */
export function memberNames(team, staff) {
  const byId = new Map(staff.map((m) => [m.id, m.name]))
  return (team.members ?? []).map((id) => byId.get(id) ?? '—')
}

export class TeamsSettings {
  /** @type {Team[]} */
  items = $state.raw([])
  /** @type {Member[]} */
  staff = $state.raw([])
  visibility = $state('everyone')
  businessId = ''
  loading = $state(false)
  /** @type {any} */
  error = $state(null)

  /** @param {import('pocketbase').default} pb */
  constructor(pb) {
    this.pb = pb
  }

  async load() {
    this.loading = true
    this.error = null
    try {
      const [teams, staff, business] = await Promise.all([
        this.pb.collection('teams').getFullList({ sort: 'name', fields: 'id,name,description,manager,members' }),
        this.pb.collection('staff').getFullList({ sort: 'name', fields: 'id,name,role,deactivated' }),
        this.pb.collection('business_settings').getList(1, 1, { fields: 'id,team_visibility', skipTotal: true }),
      ])
      this.items = /** @type {Team[]} */ (/** @type {unknown} */ (teams))
      this.staff = /** @type {Member[]} */ (/** @type {unknown} */ (staff))
      const row = business.items[0]
      this.businessId = row?.id ?? ''
      this.visibility = row?.team_visibility || 'everyone'
    } catch (err) {
      this.error = err
    } finally {
      this.loading = false
    }
  }

  /**
   * Creates the team, or saves it when it has an id.
   * @param {Partial<Team>} team
   */
  async save(team) {
    const body = {
      name: (team.name ?? '').trim(),
      description: (team.description ?? '').trim(),
      manager: team.manager ?? '',
      members: team.members ?? [],
    }
    const saved = team.id
      ? await this.pb.collection('teams').update(team.id, body)
      : await this.pb.collection('teams').create(body)
    const rest = this.items.filter((x) => x.id !== saved.id)
    this.items = [...rest, /** @type {Team} */ (/** @type {unknown} */ (saved))].sort((a, b) => a.name.localeCompare(b.name))
    return saved
  }

  /** @param {string} id */
  async remove(id) {
    await this.pb.collection('teams').delete(id)
    this.items = this.items.filter((x) => x.id !== id)
  }

  /** @param {string} mode everyone | teams */
  async setVisibility(mode) {
    const saved = await this.pb.collection('business_settings').update(this.businessId, { team_visibility: mode })
    this.visibility = saved.team_visibility || 'everyone'
  }
}
