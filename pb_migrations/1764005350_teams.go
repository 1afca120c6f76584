package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// Teams: the groups staff belong to (sales, support, a region...), each with
// a manager who hears of its late requests.
func init() {
	m.Register(teamsUp, teamsDown)
}

func teamsUp(app core.App) error {
	c := core.NewBaseCollection(crm.Teams)
	members := relation(app, crm.TeamMembers, crm.Staff, false, false)
	members.MaxSelect = 500
	c.Fields.Add(
		text(crm.TeamName, true, 100),
		text(crm.TeamDescription, false, 500),
		relation(app, crm.TeamManager, crm.Staff, false, false),
		members,
	)
	c.Fields.Add(timestamps()...)
	describe(c, "A team of staff (sales, support, a region...): its name, its manager (told when the team's requests are overdue) and its members. Managers write; staff read.")
	setRules(c, managersWrite())
	index(c, true, crm.TeamName)
	index(c, false, crm.TeamManager)
	index(c, false, crm.TeamMembers)
	return app.Save(c)
}

func teamsDown(app core.App) error {
	c, err := app.FindCollectionByNameOrId(crm.Teams)
	if err != nil {
		return nil
	}
	return app.Delete(c)
}
