package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/plugins/insights/summarydb"
)

// The Service summary's requests still open, by their opening (a partial
// index of insights_case_facts): the backlog of the period under way sorts
// them by age without reading every request of the last 30 days. Made again
// with the rest of the summary's tables; nothing to undo on its own.
func init() {
	m.Register(func(app core.App) error {
		return summarydb.CreateService(app.DB())
	}, nil)
}
