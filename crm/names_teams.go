package crm

// Teams (plugins/team: teams.go): staff belong to teams (sales, support, a
// region...); a team's manager is told when its requests run late, and the
// business may let agents see only their teams' records (issue 16).
const (
	// Teams holds one row per team: its name, its manager and its members.
	// Managers write; staff read.
	Teams = "teams"
)

// Fields of teams.
const (
	TeamName        = "name"
	TeamDescription = "description"
	TeamManager     = "manager" // relation staff: told when the team's requests are overdue
	TeamMembers     = "members" // relation staff, many
)

func init() { AllCollections = append(AllCollections, Teams) }

// Who sees what (business_settings.team_visibility): everyone sees
// everything (the default), or agents and readonly staff see what is owned
// by their teams, the requests assigned to their teams, and what is shared
// with them; managers always see everything (plugins/team: visibility.go).
const (
	BusinessTeamVisibility = "team_visibility"
	VisibilityEveryone     = "everyone"
	VisibilityTeams        = "teams"
)

// CaseTeam (cases.team): the team a request is assigned to, set by the
// type's routing or by hand; its members see it in the teams mode.
const CaseTeam = "team"

// Routing of new requests (case_types.route_team, route_mode): a type may
// send each new request to a team, to one of its active members in turn
// (round robin) or to the one with the fewest open requests.
const (
	CaseTypeRouteTeam = "route_team"
	CaseTypeRouteMode = "route_mode"
	RouteRoundRobin   = "round_robin"
	RouteLeastLoaded  = "least_loaded"
)

// RouteModes are the values of case_types.route_mode.
var RouteModes = []string{RouteRoundRobin, RouteLeastLoaded}
