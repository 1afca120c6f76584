package migrations

import (
	"strings"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// Indexes behind the Service and Customers boards of Insights
// (plugins/insights/service.go, customers.go), so that no figure reads a
// whole table:
//   - cases (created) WHERE closed = FALSE: the requests still open that were
//     opened before a period's end (a partial index: a query about one
//     contact's cases keeps its contact index) (the backlog; closed_at and first_response_at
//     come with 1764004001); (rated_at): ratings given in a period (CSAT);
//   - subscriptions (status, started_at): those held and started before a
//     moment; (status, cancelled_at): those cancelled since one;
//     (contact, started_at): whether a customer held one before (new
//     customers, cohorts);
//   - activities (ref_collection, ref_id): a subscription's timeline (when it
//     was paused, resumed or changed its price), for MRR.
func init() {
	m.Register(customerIndexesUp, customerIndexesDown)
}

var customerIndexes = map[string][][]string{
	crm.Cases:         {{"rated_at"}},
	crm.Subscriptions: {{"status", "started_at"}, {"status", "cancelled_at"}, {crm.FieldContact, "started_at"}},
	crm.Activities:    {{"ref_collection", "ref_id"}},
}

func customerIndexesUp(app core.App) error {
	for name, list := range customerIndexes {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			return err
		}
		for _, cols := range list {
			index(c, false, cols...)
		}
		if name == crm.Cases {
			c.AddIndex(openCasesIndex, false, "`created`", "`closed` = FALSE")
		}
		if err := app.Save(c); err != nil {
			return err
		}
	}
	return nil
}

// openCasesIndex is the backlog's partial index.
const openCasesIndex = "idx_cases_open_created"

func customerIndexesDown(app core.App) error {
	for name, list := range customerIndexes {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			continue
		}
		for _, cols := range list {
			c.RemoveIndex("idx_" + c.Name + "_" + strings.Join(cols, "_"))
		}
		c.RemoveIndex(openCasesIndex)
		if err := app.Save(c); err != nil {
			return err
		}
	}
	return nil
}
