package segments_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/testkit"
)

// daysAgo is a stored date n days before now.
func daysAgo(n int) string {
	return time.Now().UTC().AddDate(0, 0, -n).Format(types.DefaultDateLayout)
}

// order makes an order of contact label: the product's code, total, days ago.
func order(t *testing.T, w *testkit.World, contact, code string, total float64, days int, status string) {
	t.Helper()
	n := w.Unique()
	w.Make(t, "", crm.Orders, map[string]any{
		"number": fmt.Sprintf("T-%05d", n), "contact": w.ID(contact), "currency": "BRL", "status": status,
		"items": []map[string]any{{"product": code, "name": code, "quantity": 1, "unit_price": total}},
		"total": total, "placed_at": daysAgo(days),
	})
}

// handMade is the business's cast with purchases, a request, tags, a
// custom field and value-model scores:
//
//	ctA Ana     tags vip; F300 100 (30 days ago) + F300 200 (10 days ago); an open request; cf_visits 7; champions, p_active 0.9
//	ctB Bruno   F300 50 (400 days ago); a closed request; cf_visits 2; at_risk, p_active 0.2
//	ctC Carla   stage lead; a cancelled order of 999 yesterday; champions, p_active 0.8 (objected to profiling)
//	ctX Xavier  tags vip, wholesale; OTHER 1000 today
func handMade(t *testing.T, opts ...testkit.Option) *testkit.World {
	t.Helper()
	w := testkit.NewWorld(t, append([]testkit.Option{testkit.Plugins(plugins.All)}, opts...)...)
	w.Business(t)
	contacts, err := w.App.FindCollectionByNameOrId(crm.Contacts)
	if err != nil {
		t.Fatal(err)
	}
	contacts.Fields.Add(&core.NumberField{Name: crm.CustomFieldPrefix + "visits"})
	if err := w.App.Save(contacts); err != nil {
		t.Fatal(err)
	}
	w.Make(t, "prOther", crm.Products, map[string]any{"name": "Other", "code": "OTHER", "price": 1000, "currency": "BRL", "kind": "one_off", "active": true})
	w.Update(t, w.R("ctA"), map[string]any{"tags": []string{"VIP"}, "cf_visits": 7})
	w.Update(t, w.R("ctB"), map[string]any{"cf_visits": 2})
	w.Update(t, w.R("ctC"), map[string]any{"stage": "lead"})
	w.Update(t, w.R("ctX"), map[string]any{"tags": []string{"vip", "wholesale"}})
	order(t, w, "ctA", "F300", 100, 30, "delivered")
	order(t, w, "ctA", "F300", 200, 10, "paid")
	order(t, w, "ctB", "F300", 50, 400, "delivered")
	order(t, w, "ctC", "F300", 999, 1, "cancelled")
	order(t, w, "ctX", "OTHER", 1000, 0, "placed")
	w.Make(t, "csOpen", crm.Cases, map[string]any{"type": w.ID("tpSup"), "contact": w.ID("ctA"), "subject": "Open"})
	w.Make(t, "csClosed", crm.Cases, map[string]any{"type": w.ID("tpSup"), "contact": w.ID("ctB"), "subject": "Closed", "closed": true, "status": "done"})
	// Carla objected after the last fit scored her: her row is gone, but
	// a stale one (a fit that ran as she objected) must not bring her in.
	w.Make(t, "", crm.Consents, map[string]any{"contact": w.ID("ctC"), "purpose": crm.ConsentProfiling, "channel": "email", "state": "withdrawn"})
	w.Make(t, "fit", crm.PredictionFits, map[string]any{crm.FitFittedAt: daysAgo(0), crm.FitTrigger: crm.FitOnDemand})
	score := func(contact, class string, pActive, clv float64) {
		w.Make(t, "", crm.CustomerScores, map[string]any{crm.ScoreContact: w.ID(contact), crm.ScoreFit: w.ID("fit"), crm.ScoreRFMClass: class,
			crm.ScorePActive: pActive, crm.ScoreCLV: clv, crm.ScoreExpected90: pActive * 2})
	}
	score("ctA", crm.RFMClassChampions, 0.9, 900)
	score("ctB", crm.RFMClassAtRisk, 0.2, 50)
	score("ctC", crm.RFMClassChampions, 0.8, 700)
	return w
}
