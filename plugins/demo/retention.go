package demo

import (
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// staleLeads is how many of the demo's leads are a list from a trade fair
// long ago that nobody followed up: with nothing on their record for over
// two years, the retention's leads rule (Settings → Retention) previews them.
const staleLeads = 8

// oldLeads dates a few leads who never bought, and have no deal or request,
// thirty months back, with their timeline. No record is added, so the
// demo's figures stay; a second run finds the same leads.
func (g *generator) oldLeads() error {
	var ids []string
	q := "SELECT t.id FROM `" + crm.Contacts + "` t WHERE t.stage = {:lead}" +
		" AND NOT EXISTS (SELECT 1 FROM `" + crm.Orders + "` o WHERE o.contact = t.id)" +
		" AND NOT EXISTS (SELECT 1 FROM `" + crm.Subscriptions + "` s WHERE s.contact = t.id)" +
		" AND NOT EXISTS (SELECT 1 FROM `" + crm.Deals + "` d WHERE d.contact = t.id)" +
		" AND NOT EXISTS (SELECT 1 FROM `" + crm.Cases + "` c WHERE c.contact = t.id)" +
		" AND NOT EXISTS (SELECT 1 FROM `" + crm.Customers + "` u WHERE u.contact = t.id)" +
		" ORDER BY t.id LIMIT {:n}"
	if err := g.app.DB().NewQuery(q).Bind(dbx.Params{"lead": crm.LifecycleStages[0], "n": staleLeads}).Column(&ids); err != nil || len(ids) == 0 {
		return err
	}
	in := make([]any, len(ids))
	for i, id := range ids {
		in[i] = id
	}
	then := stamp(g.daysAgo(30 * 30))
	return g.app.RunInTransaction(func(tx core.App) error {
		if _, err := tx.DB().Update(crm.Contacts, dbx.Params{"created": then, "updated": then}, dbx.In("id", in...)).Execute(); err != nil {
			return err
		}
		_, err := tx.DB().Update(crm.Activities, dbx.Params{"created": then, "updated": then, "occurred_at": then},
			dbx.In(crm.FieldContact, in...)).Execute()
		return err
	})
}
