package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// The Sales and Team boards read whole days from their running sums and
// the stretches around a period's start, end and months' starts (midnight
// in the business's zone is not a UTC midnight) from the rows: indexes
// that hold every column those reads use, so that they never visit the
// tables, and the sales cycle (a median: each won deal's dates) reads its
// index alone too.
//
//	deals (status, closed_at, created, pipeline, owner, currency, amount, lost_reason)
//	                                   won and lost by day's stretch; sales cycle
//	deals (created, pipeline, owner, currency, amount)           new pipeline
//	deals (status, expected_close, pipeline, owner, currency, amount, probability, stage)  forecast
//	cases (closed_at, assignee, type, channel, created)           requests closed and open
//	cases (created, assignee, type, channel, closed, closed_at)   requests open
var edgeIndexes = []struct {
	collection string
	columns    []string
}{
	{crm.Deals, []string{"status", "closed_at", "created", "pipeline", "owner", "currency", "amount", "lost_reason"}},
	{crm.Deals, []string{"created", "pipeline", "owner", "currency", "amount"}},
	{crm.Deals, []string{"status", "expected_close", "pipeline", "owner", "currency", "amount", "probability", "stage"}},
	{crm.Cases, []string{"closed_at", "assignee", "type", "channel", "created"}},
	{crm.Cases, []string{"created", "assignee", "type", "channel", "closed", "closed_at"}},
}

func init() {
	m.Register(func(app core.App) error {
		for i, ix := range edgeIndexes {
			c, err := app.FindCollectionByNameOrId(ix.collection)
			if err != nil {
				return err
			}
			if i == 0 { // the first one holds the sales cycle's narrower index
				c.RemoveIndex("idx_deals_status_closed_at_created_pipeline_owner")
			}
			index(c, false, ix.columns...)
			if err := app.Save(c); err != nil {
				return err
			}
		}
		return nil
	}, func(app core.App) error {
		for _, ix := range edgeIndexes {
			c, err := app.FindCollectionByNameOrId(ix.collection)
			if err != nil {
				continue
			}
			name := "idx_" + c.Name
			for _, col := range ix.columns {
				name += "_" + col
			}
			c.RemoveIndex(name)
			if err := app.Save(c); err != nil {
				return err
			}
		}
		return nil
	})
}
