package insights_test

import (
	"testing"

	"github.com/pocketbase/dbx"

	"vinculo/crm"
	"vinculo/plugins/insights"
	"vinculo/testkit"
)

// A subscription billed on its own interval counts its price over that
// interval's months, and a change of interval at a renewal counts each
// price over its own interval on either side of the change.
//
//	S1 Fibre (monthly product) 100 BRL a month from 1 Aug; 1 200 BRL a year from 15 Oct.
//	S2 Fibre billed yearly from the start: 2 400 BRL a year from 1 Aug.
//
// MRR at the end of September: 100 + 200 = 300; at the end of October:
// 1 200 ÷ 12 + 200 = 300 (not 1 200 + 2 400, as if yearly prices were monthly).
func TestMRRFollowsTheSubscriptionsInterval(t *testing.T) {
	w := insightsWorld(t)
	mk := func(label string, fields map[string]any) {
		base := map[string]any{"contact": w.ID("ctA"), "product": w.ID("prFibre"), "plan": label, "quantity": 1,
			"currency": "BRL", "status": "active", "started_at": testkit.Wall(t, "2026-08-01 12:00")}
		for k, v := range fields {
			base[k] = v
		}
		w.Make(t, label, crm.Subscriptions, base)
	}
	mk("S1", map[string]any{"price": 100})
	mk("S2", map[string]any{"price": 2400, crm.SubInterval: "year"})
	w.Update(t, w.R("S1"), map[string]any{"price": 1200, crm.SubInterval: "year"})
	exec(t, w, "UPDATE activities SET occurred_at = {:at} WHERE ref_id = {:id} AND event = 'subscription.changed'",
		dbx.Params{"at": dbAt(t, "2026-10-15 12:00"), "id": w.ID("S1")})
	if n := w.Count(t, crm.Activities, "ref_id = {:id} AND event = 'subscription.changed' AND data LIKE '%interval%'",
		dbx.Params{"id": w.ID("S1")}); n != 1 {
		t.Fatalf("the change of interval is on the timeline %d times, want 1", n)
	}
	figs, _ := askBoard(t, w, insights.BoardCustomers, "period=custom&from=2026-09-01&to=2026-10-31")
	wantSeries(t, "mrr", figs["mrr"].Series, []insights.Point{
		{Label: "2026-09", Value: 300, Parts: map[string]float64{"new": 0, "expansion": 0, "contraction": 0, "churn": 0}},
		{Label: "2026-10", Value: 300, Parts: map[string]float64{"new": 0, "expansion": 0, "contraction": 0, "churn": 0}}})
}
