package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
	"vinculo/plugins/insights/dealsum"
)

// The Sales board's running sums (plugins/insights/dealsum): deals by day
// (created, won, lost, expected to close) and entries into each stage by
// day, kept by SQLite triggers in the same transaction as every write to
// deals, their stage history and the stages, and filled here from the rows
// already there. Plain SQL tables, not collections: only the board reads
// them, they need composite keys, and only the triggers write them.
//
// And the indexes the medians read alone (they need each record's dates):
// deals (status, closed_at, created, pipeline, owner) for the sales cycle,
// cases (first_response_at, assignee, created) for the Team board's
// response times.
func init() {
	m.Register(func(app core.App) error {
		deals, err := app.FindCollectionByNameOrId(crm.Deals)
		if err != nil {
			return err
		}
		index(deals, false, crm.FieldDealStatus, crm.FieldClosedAt, "created", "pipeline", "owner")
		if err := app.Save(deals); err != nil {
			return err
		}
		cases, err := app.FindCollectionByNameOrId(crm.Cases)
		if err != nil {
			return err
		}
		index(cases, false, "first_response_at", "assignee", "created")
		if err := app.Save(cases); err != nil {
			return err
		}
		return dealsum.Create(app.DB())
	}, func(app core.App) error {
		if deals, err := app.FindCollectionByNameOrId(crm.Deals); err == nil {
			deals.RemoveIndex("idx_deals_status_closed_at_created_pipeline_owner")
			if err := app.Save(deals); err != nil {
				return err
			}
		}
		if cases, err := app.FindCollectionByNameOrId(crm.Cases); err == nil {
			cases.RemoveIndex("idx_cases_first_response_at_assignee_created")
			if err := app.Save(cases); err != nil {
				return err
			}
		}
		return dealsum.Drop(app.DB())
	})
}
