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
//   - cases (closed, created): the requests still open that were opened
//     before a period's end (the backlog; closed_at and first_response_at
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
	crm.Cases:         {{"closed", "created"}, {"rated_at"}},
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
		if err := app.Save(c); err != nil {
			return err
		}
	}
	return nil
}

func customerIndexesDown(app core.App) error {
	for name, list := range customerIndexes {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			continue
		}
		for _, cols := range list {
			c.RemoveIndex("idx_" + c.Name + "_" + strings.Join(cols, "_"))
		}
		if err := app.Save(c); err != nil {
			return err
		}
	}
	return nil
}
