package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// A deal's life (plugins/deals): the stage history the server appends to on
// every stage a deal enters, and the list of reasons for losing a deal that
// managers keep. The history is written by the server alone (no API rule
// lets anyone create, change or delete a row; plugins/deals refuses even
// superusers); staff read it. Reasons: staff read, managers write.
//
// The reasons are the business's own words, one name each (like stage
// names): the first ones are written by plugins/deals at the first start,
// in the business's language, and a manager renames them.
func init() {
	m.Register(dealsUp, dealsDown)
}

func dealsUp(app core.App) error {
	reasons := core.NewBaseCollection(crm.LostReasons)
	reasons.Fields.Add(
		text("name", true, 120),
		number("position", false, 0, 10000, true),
		boolean("active"),
	)
	reasons.Fields.Add(timestamps()...)
	setRules(reasons, managersWrite())
	index(reasons, true, "name")
	index(reasons, false, "position")
	if err := app.Save(reasons); err != nil {
		return err
	}

	history := core.NewBaseCollection(crm.DealStageHistory)
	history.Fields.Add(
		relation(app, crm.HistoryDeal, crm.Deals, true, true),
		relation(app, crm.HistoryPipeline, crm.Pipelines, false, false),
		relation(app, crm.HistoryFromStage, crm.PipelineStages, false, false),
		relation(app, crm.HistoryToStage, crm.PipelineStages, false, false),
		choice(crm.HistoryStatus, false, crm.DealOpen, crm.DealWon, crm.DealLost),
		relation(app, crm.HistoryBy, crm.Staff, false, false),
		date(crm.HistoryAt, true),
		number(crm.HistoryDaysIn, false, 0, 1e6, false),
	)
	history.Fields.Add(timestamps()...)
	setRules(history, rules{read: rule(isStaff)})
	index(history, false, crm.HistoryDeal, crm.HistoryAt)
	index(history, false, crm.HistoryPipeline, crm.HistoryAt)
	index(history, false, crm.HistoryFromStage)
	index(history, false, crm.HistoryToStage, crm.HistoryAt)
	index(history, false, crm.HistoryBy)
	index(history, false, crm.HistoryAt)
	return app.Save(history)
}

func dealsDown(app core.App) error {
	for _, name := range []string{crm.DealStageHistory, crm.LostReasons} {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			continue
		}
		if err := app.Delete(c); err != nil {
			return err
		}
	}
	return nil
}
