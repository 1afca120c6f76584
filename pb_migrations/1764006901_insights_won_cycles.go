package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/plugins/insights/dealsum"
)

// The Sales board's cycle (a median): a copy of each won deal's close,
// pipeline, owner and time from creation to win, kept by triggers on deals
// (plugins/insights/dealsum/cycle.go), so that a median reads the counts
// per day of cycle by an index and then one deal by rank. Filled here from
// the deals already won.
func init() {
	m.Register(func(app core.App) error {
		return dealsum.CreateCycles(app.DB())
	}, func(app core.App) error {
		return dealsum.DropCycles(app.DB())
	})
}
