package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// Indexes the Insights boards read through (plugins/insights): each figure
// takes the rows of its period from an index on the date that counts, so no
// board scans a whole table (bench part 12 shows the plans).
//
//	deals (status, closed_at)   won revenue, win rate, deal size, cycle, lost reasons, deals won
//	cases (closed_at)           requests closed; open at the end of a period
//	cases (first_response_at)   response times
//	tasks (status, done_at)     tasks done; overdue at the end of a period
//	deal_stage_history (at, deal, to_stage, from_stage)
//	                            stage conversion, read from the index alone
func init() {
	m.Register(insightsIndexesUp, insightsIndexesDown)
}

var insightsIndexes = []struct {
	collection string
	columns    []string
}{
	{crm.Deals, []string{crm.FieldDealStatus, crm.FieldClosedAt}},
	{crm.Cases, []string{"closed_at"}},
	{crm.Cases, []string{"first_response_at"}},
	{crm.Tasks, []string{"status", "done_at"}},
	{crm.DealStageHistory, []string{crm.HistoryAt, crm.HistoryDeal, crm.HistoryToStage, crm.HistoryFromStage}},
}

func insightsIndexesUp(app core.App) error {
	for _, ix := range insightsIndexes {
		c, err := app.FindCollectionByNameOrId(ix.collection)
		if err != nil {
			return err
		}
		index(c, false, ix.columns...)
		if err := app.Save(c); err != nil {
			return err
		}
	}
	return nil
}

func insightsIndexesDown(app core.App) error {
	for _, ix := range insightsIndexes {
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
}
