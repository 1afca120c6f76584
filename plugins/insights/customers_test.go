package insights_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/pocketbase/dbx"

	"vinculo/crm"
	"vinculo/plugins/insights"
	"vinculo/testkit"
)

// customerStory: the business sells in BRL (one USD is worth 5 BRL, EUR has
// no rate) and keeps a churn window of 30 days. Its customers, June to
// October 2026 (São Paulo time):
//
//	Ana (ctA)    Fibre ×2 (100 BRL/month) from 10 Aug; ×3 from 15 Oct. Orders 5 Oct 100 BRL (paid), 12 Oct 20 USD (delivered).
//	Bruno (ctB)  Fibre ×1 from 5 Aug, paused 20 Sep, cancelled 20 Oct.
//	Carla (ctC)  Fibre Quarterly 30 USD a quarter from 3 Oct.
//	Xavier (ctX) Fibre Euro 40 EUR/month from 1 Jul. Order 15 Oct 60 EUR (paid).
//	Diana (ctD)  Fibre ×1 from 1 Jun, cancelled 25 Oct.
//	Eva (ctE)    Order 8 Oct 300 BRL (shipped); order 9 Oct 50 BRL cancelled.
//	Fábio (ctF)  Order 10 Oct 80 BRL, placed, never paid.
//	Gil (ctG)    Order 1 Sep 12:00 70 BRL (paid): active until 1 Oct 12:00.
func customerStory(t *testing.T, w *testkit.World) {
	row, err := w.App.FindFirstRecordByFilter(crm.BusinessSettings, "")
	if err != nil {
		t.Fatal(err)
	}
	w.Update(t, row, map[string]any{crm.BusinessRates: map[string]float64{"USD": 5}, crm.BusinessChurnDays: 30})
	if b := w.Cfg.BusinessNow(); b.ChurnWindow() != 30 || b.Rates["USD"] != 5 {
		t.Fatalf("business settings: churn %d, rates %v", b.ChurnWindow(), b.Rates)
	}
	for _, c := range []struct{ label, name string }{{"ctD", "Diana"}, {"ctE", "Eva"}, {"ctF", "Fábio"}, {"ctG", "Gil"}} {
		w.Make(t, c.label, crm.Contacts, map[string]any{"name": c.name, "owner": w.ID("manager")})
	}
	w.Make(t, "prQ", crm.Products, map[string]any{"name": "Fibre Quarterly", "code": "FQ", "price": 30, "currency": "USD",
		"kind": "subscription", "interval": "quarter", "active": true})
	w.Make(t, "prEur", crm.Products, map[string]any{"name": "Fibre Euro", "code": "FE", "price": 40, "currency": "EUR",
		"kind": "subscription", "interval": "month", "active": true})
	sub := func(label, contact, product string, qty, price float64, currency, started string) {
		w.Make(t, label, crm.Subscriptions, map[string]any{"contact": w.ID(contact), "product": w.ID(product), "plan": label,
			"quantity": qty, "price": price, "currency": currency, "status": "active", "started_at": testkit.Wall(t, started)})
	}
	// what the timeline stamped now happened on the story's day
	redate := func(label, event, day string) {
		exec(t, w, "UPDATE activities SET occurred_at = {:at} WHERE ref_id = {:id} AND event = {:event}",
			dbx.Params{"at": dbAt(t, day), "id": w.ID(label), "event": event})
		if n := w.Count(t, crm.Activities, "ref_id = {:id} AND event = {:event}", dbx.Params{"id": w.ID(label), "event": event}); n != 1 {
			t.Fatalf("%s: %d %s entries", label, n, event)
		}
	}
	sub("SA", "ctA", "prFibre", 2, 100, "BRL", "2026-08-10 12:00")
	w.Update(t, w.R("SA"), map[string]any{"quantity": 3})
	redate("SA", "subscription.changed", "2026-10-15 12:00")
	sub("SB", "ctB", "prFibre", 1, 100, "BRL", "2026-08-05 12:00")
	w.Update(t, w.R("SB"), map[string]any{"status": "paused"})
	redate("SB", "subscription.paused", "2026-09-20 12:00")
	w.Update(t, w.R("SB"), map[string]any{"status": "cancelled", "cancelled_at": testkit.Wall(t, "2026-10-20 12:00")})
	redate("SB", "subscription.cancelled", "2026-10-20 12:00")
	sub("SC", "ctC", "prQ", 1, 30, "USD", "2026-10-03 12:00")
	sub("SX", "ctX", "prEur", 1, 40, "EUR", "2026-07-01 12:00")
	sub("SD", "ctD", "prFibre", 1, 100, "BRL", "2026-06-01 12:00")
	w.Update(t, w.R("SD"), map[string]any{"status": "cancelled", "cancelled_at": testkit.Wall(t, "2026-10-25 12:00")})
	redate("SD", "subscription.cancelled", "2026-10-25 12:00")

	order := func(label, contact string, total float64, currency, status, placed string) {
		w.Make(t, label, crm.Orders, map[string]any{"contact": w.ID(contact), "currency": currency, "status": status,
			"placed_at": testkit.Wall(t, placed), "items": []map[string]any{{"name": "Router", "quantity": 1, "unit_price": total}}})
	}
	order("O1", "ctA", 100, "BRL", "paid", "2026-10-05 12:00")
	order("O2", "ctA", 20, "USD", "delivered", "2026-10-12 12:00")
	order("O3", "ctE", 300, "BRL", "shipped", "2026-10-08 12:00")
	order("O4", "ctE", 50, "BRL", "cancelled", "2026-10-09 12:00")
	order("O5", "ctF", 80, "BRL", "placed", "2026-10-10 12:00")
	order("O6", "ctG", 70, "BRL", "paid", "2026-09-01 12:00")
	order("O7", "ctX", 60, "EUR", "paid", "2026-10-15 12:00")

	// NPS: October A 10, B 9, E 10 (promoters), C 7 (passive), D 3
	// (detractor); September G 6 (detractor).
	for _, a := range []struct {
		contact string
		score   int
		day     string
	}{{"ctA", 10, "2026-10-05 10:00"}, {"ctB", 9, "2026-10-06 10:00"}, {"ctE", 10, "2026-10-07 10:00"},
		{"ctC", 7, "2026-10-08 10:00"}, {"ctD", 3, "2026-10-09 10:00"}, {"ctG", 6, "2026-09-15 10:00"}} {
		w.Make(t, "", crm.SurveyAnswers, map[string]any{"kind": crm.SurveyNPS, "score": a.score, "contact": w.ID(a.contact),
			"answered_at": testkit.Wall(t, a.day)})
	}
}

func TestCustomersBoardByHand(t *testing.T) {
	w := insightsWorld(t)
	customerStory(t, w)
	figs, empty := askBoard(t, w, insights.BoardCustomers, "period=last_month")
	if empty {
		t.Fatal("October has customers: not empty")
	}
	// Spans of activity (30-day window after an order; a held subscription,
	// paused or not, until it is cancelled):
	//   Ana 10 Aug →; Bruno 5 Aug → 20 Oct; Carla 3 Oct →; Xavier 1 Jul →;
	//   Diana 1 Jun → 25 Oct; Eva 8 Oct → 7 Nov; Gil 1 Sep 12:00 → 1 Oct 12:00.
	//   Fábio bought nothing that counts.
	// New (first purchase ever in October): Carla, Eva = 2; September: Gil = 1.
	wantFig(t, figs, "new_customers", svcNum(2), svcNum(1))
	// Active at 1 Nov 00:00: Ana, Carla, Xavier, Eva = 4; at 1 Oct 00:00:
	// Ana, Bruno (paused), Xavier, Diana, Gil = 5.
	wantFig(t, figs, "active_customers", svcNum(4), svcNum(5))
	// Churned in October: Gil (1 Oct 12:00, no purchase in 30 days), Bruno
	// (20 Oct), Diana (25 Oct) = 3; September: none.
	wantFig(t, figs, "churned_customers", svcNum(3), svcNum(0))
	// Churn rate: 3 ÷ 7 active at some moment of October (Ana, Bruno, Carla,
	// Xavier, Diana, Eva, Gil) = 42.86 %; September 0 ÷ 5 (Ana, Bruno,
	// Xavier, Diana, Gil) = 0.
	wantFig(t, figs, "churn_rate", svcNum(300.0/7), svcNum(0))
	if b := figs["churn_rate"].Extra["base"]; b != 7 {
		t.Errorf("churn base %v, want 7", b)
	}
	// Retention: cohorts Nov 2025 … Oct 2026; share active at each month's end.
	//   2026-06 Diana: Jun ✓ Jul ✓ Aug ✓ Sep ✓ Oct ✗      → 100 100 100 100 0
	//   2026-07 Xavier: Jul..Oct ✓                       → 100 100 100 100
	//   2026-08 Ana, Bruno: Aug 2/2, Sep 2/2, Oct 1/2     → 100 100 50
	//   2026-09 Gil: Sep ✓ (until 1 Oct 12:00), Oct ✗     → 100 0
	//   2026-10 Carla, Eva: Oct 2/2                       → 100
	// Value: still active one month on, over the cohorts that have one:
	// Diana 1 + Xavier 1 + Ana, Bruno 2 + Gil 0 = 4 of 5 = 80 %.
	// September (cohorts Oct 2025 … Sep 2026; Gil's has no month 1 yet):
	// Diana at Jul's end ✓, Xavier at Aug's ✓, Ana and Bruno at Sep's ✓ = 4 of 4.
	ret := figs["retention"]
	wantFig(t, figs, "retention", svcNum(80), svcNum(100))
	if ret.Table == nil || len(ret.Table.Rows) != 12 || len(ret.Table.Columns) != 14 {
		t.Fatalf("retention table %+v", ret.Table)
	}
	rows := map[string]string{}
	for _, r := range ret.Table.Rows {
		rows[fmt.Sprint(r[0])] = fmt.Sprint(r[1:])
	}
	nils := func(n int) string {
		s := ""
		for i := 0; i < n; i++ {
			s += " <nil>"
		}
		return s
	}
	for cohort, want := range map[string]string{
		"2025-11": "[0" + nils(12) + "]",
		"2026-06": "[1 100 100 100 100 0" + nils(7) + "]",
		"2026-07": "[1 100 100 100 100" + nils(8) + "]",
		"2026-08": "[2 100 100 50" + nils(9) + "]",
		"2026-09": "[1 100 0" + nils(10) + "]",
		"2026-10": "[2 100" + nils(11) + "]",
	} {
		if rows[cohort] != want {
			t.Errorf("cohort %s: %s, want %s", cohort, rows[cohort], want)
		}
	}
	// MRR at the end of October: Ana 3 × 100 = 300 BRL; Carla 30 USD a
	// quarter = 10 USD = 50 BRL; Xavier 40 EUR apart (no rate); Bruno and
	// Diana cancelled → 350 BRL. End of September: Ana 200, Bruno paused 0,
	// Diana 100 → 300.
	m := figs["mrr"]
	wantFig(t, figs, "mrr", svcNum(350), svcNum(300))
	if m.Apart["EUR"] != 40 || len(m.Apart) != 1 || m.Count != 3 {
		t.Errorf("mrr apart %v count %d, want EUR 40 and 3", m.Apart, m.Count)
	}
	// October's movements against September's end (300): new Carla +50,
	// expansion Ana +100, churn Diana −100; Bruno's was already 0 (paused in
	// September) → 300 + 50 + 100 − 100 = 350.
	wantSeries(t, "mrr", m.Series, []insights.Point{{Label: "2026-10", Value: 350,
		Parts: map[string]float64{"new": 50, "expansion": 100, "contraction": 0, "churn": -100}}})
	// September: end of August 400 (Ana 200, Bruno 100, Diana 100); Bruno
	// paused → contraction −100 → 300.
	figs3, _ := askBoard(t, w, insights.BoardCustomers, "period=custom&from=2026-09-01&to=2026-10-31")
	wantSeries(t, "mrr (Sep-Oct)", figs3["mrr"].Series, []insights.Point{
		{Label: "2026-09", Value: 300, Parts: map[string]float64{"new": 0, "expansion": 0, "contraction": -100, "churn": 0}},
		{Label: "2026-10", Value: 350, Parts: map[string]float64{"new": 50, "expansion": 100, "contraction": 0, "churn": -100}}})
	// Revenue per customer, October: Ana 100 BRL + 20 USD × 5 = 200, Eva 300
	// (her cancelled order and Fábio's unpaid one do not count) → 500 ÷ 2 =
	// 250; Xavier's 60 EUR apart (÷ 1 customer). September: Gil 70 ÷ 1.
	rev := figs["revenue_per_customer"]
	wantFig(t, figs, "revenue_per_customer", svcNum(250), svcNum(70))
	if rev.Apart["EUR"] != 60 || rev.Count != 2 {
		t.Errorf("revenue apart %v count %d, want EUR 60 and 2", rev.Apart, rev.Count)
	}
	// NPS October: 3 promoters, 1 passive, 1 detractor of 5 → 60 − 20 = 40;
	// September: 1 detractor of 1 → −100.
	n := figs["nps"]
	wantFig(t, figs, "nps", svcNum(40), svcNum(-100))
	wantSeries(t, "nps", n.Series, []insights.Point{{Label: "2026-10", Value: 40,
		Parts: map[string]float64{"promoters": 3, "passives": 1, "detractors": 1}}})

	// Owner filter: the agent's contacts are Ana and Bruno.
	figs, _ = askBoard(t, w, insights.BoardCustomers, "period=last_month&owner="+w.ID("agent"))
	wantFig(t, figs, "new_customers", svcNum(0), svcNum(0))
	wantFig(t, figs, "active_customers", svcNum(1), svcNum(2))  // Ana; Ana, Bruno
	wantFig(t, figs, "churned_customers", svcNum(1), svcNum(0)) // Bruno
	wantFig(t, figs, "mrr", svcNum(300), svcNum(200))           // Ana
	wantFig(t, figs, "nps", svcNum(100), nil)                   // Ana 10, Bruno 9

	// A period with no data: zeros and no values, and it says so.
	figs, empty = askBoard(t, w, insights.BoardCustomers, "period=custom&from=2020-01-01&to=2020-01-31")
	if !empty {
		t.Error("January 2020 is not empty")
	}
	for _, k := range []string{"new_customers", "active_customers", "churned_customers", "mrr"} {
		wantFig(t, figs, k, svcNum(0), svcNum(0))
	}
	for _, k := range []string{"churn_rate", "retention", "revenue_per_customer", "nps"} {
		wantFig(t, figs, k, nil, nil)
	}

	// The records behind new customers: Carla and Eva.
	var recs struct {
		Records []insights.Record `json:"records"`
	}
	testkit.Must(t, w.Do(t, http.MethodGet, "/api/crm/insights/customers/new_customers/records?period=last_month", "readonly", nil), http.StatusOK, "records").JSON(t, &recs)
	if len(recs.Records) != 2 || recs.Records[0].Title != "Carla Dias" || recs.Records[1].Title != "Eva" {
		t.Errorf("new customers' records %+v", recs.Records)
	}
}

// The churn window is the manager's, 1 to 3650 days: another number is
// refused naming the field, and nothing changes.
func TestChurnWindowBadInput(t *testing.T) {
	w := insightsWorld(t)
	row, err := w.App.FindFirstRecordByFilter(crm.BusinessSettings, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := row.GetInt(crm.BusinessChurnDays); got != crm.DefaultChurnDays {
		t.Fatalf("seeded churn window %d, want %d", got, crm.DefaultChurnDays)
	}
	for _, bad := range []any{5000, -3, 2.5} {
		res := w.Do(t, http.MethodPatch, "/api/collections/business_settings/records/"+row.Id, "manager", map[string]any{crm.BusinessChurnDays: bad})
		var body struct {
			Data map[string]any `json:"data"`
		}
		res.JSON(t, &body)
		if res.Status != http.StatusBadRequest || body.Data[crm.BusinessChurnDays] == nil {
			t.Errorf("churn_days %v: status %d %v", bad, res.Status, body.Data)
		}
	}
	testkit.Must(t, w.Do(t, http.MethodPatch, "/api/collections/business_settings/records/"+row.Id, "manager", map[string]any{crm.BusinessChurnDays: 45}), http.StatusOK, "churn 45")
	if got := w.Cfg.BusinessNow().ChurnWindow(); got != 45 {
		t.Errorf("live churn window %d, want 45", got)
	}
}
