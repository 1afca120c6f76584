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
