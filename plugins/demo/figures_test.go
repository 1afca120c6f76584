package demo_test

import (
	"math"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"vinculo/crm"
	"vinculo/plugins/demo"
	"vinculo/plugins/insights"
)

// The demo business tells a story on every board: over its last year the
// requests were answered and closed in business hours (some late, a few
// reopened), deals moved through the stages and some were lost with a
// reason, subscriptions came and went, customers answered NPS and CSAT, and
// the objectives on Home have been measured every day.
func TestDemoFiguresTellAStory(t *testing.T) {
	app, cfg := newAppConfig(t, nil)
	if _, err := demo.Generate(app, demo.Options{Contacts: 300, ActivitiesPerContact: 1, Now: now, Config: cfg}); err != nil {
		t.Fatal(err)
	}
	loc := cfg.BusinessNow().Location()
	year := insights.ForBusiness(cfg, insights.Query{Period: insights.PeriodCustom,
		From: now.In(loc).AddDate(-1, 0, 0), To: now.In(loc).Add(time.Hour), Now: now, Loc: loc})
	compute := func(board, key string) insights.Result {
		t.Helper()
		r, err := insights.Compute(app, board, key, year)
		if err != nil {
			t.Fatalf("%s/%s: %v", board, key, err)
		}
		return r
	}
	value := func(board, key string) float64 {
		t.Helper()
		r := compute(board, key)
		if r.Value == nil {
			t.Fatalf("%s/%s: no value over the demo's year", board, key)
		}
		return *r.Value
	}
	between := func(name string, v, lo, hi float64) {
		t.Helper()
		if math.IsNaN(v) || v < lo || v > hi {
			t.Errorf("%s = %v, want between %v and %v", name, v, lo, hi)
		}
	}

	// Service: answered within hours, solved within days, most on time.
	between("first response (business hours, median)", value(insights.BoardService, insights.ServiceFirstResponse), 0.5, 16)
	between("resolution (business hours, median)", value(insights.BoardService, insights.ServiceResolution), 2, 240)
	between("within SLA (%)", value(insights.BoardService, insights.ServiceWithinSLA), 50, 95)
	between("CSAT", value(insights.BoardService, insights.ServiceCSAT), 3, 4.8)
	between("requests closed", value(insights.BoardService, insights.ServiceClosed), 100, 240)
	if r := compute(insights.BoardService, insights.ServiceFirstResponse); r.Extra["p90"] <= *r.Value {
		t.Errorf("first response p90 %v is not above its median %v: nobody was late", r.Extra["p90"], *r.Value)
	}

	// Sales: stages convert, some deals are won, others lost for a reason.
	between("win rate (%)", value(insights.BoardSales, "win_rate"), 20, 80)
	between("sales cycle (days)", value(insights.BoardSales, "sales_cycle"), 5, 200)
	conv := compute(insights.BoardSales, "stage_conversion")
	converted := 0
	for _, p := range conv.Series {
		if p.Value > 0 && p.Value < 100 {
			converted++
		}
	}
	if converted < 2 {
		t.Errorf("stage conversion: %d stage pairs between 0 and 100%%: %+v", converted, conv.Series)
	}
	if reasons := compute(insights.BoardSales, "lost_reasons"); len(reasons.Series) < 3 {
		t.Errorf("lost deals give %d reasons, want several: %+v", len(reasons.Series), reasons.Series)
	}
	var backwards int
	if err := app.DB().NewQuery(`SELECT COUNT(*) FROM deal_stage_history h
		JOIN pipeline_stages a ON a.id = h.from_stage JOIN pipeline_stages b ON b.id = h.to_stage
		WHERE b.position < a.position AND b.kind = 'open'`).Row(&backwards); err != nil {
		t.Fatal(err)
	}
	if backwards == 0 {
		t.Error("no deal was ever sent back a stage")
	}

	// Customers: MRR moves every way, some churn, NPS answered.
	mrr := compute(insights.BoardCustomers, insights.CustomersMRR)
	moves := map[string]float64{}
	for _, p := range mrr.Series {
		for k, v := range p.Parts {
			moves[k] += math.Abs(v)
		}
	}
	for _, k := range []string{"new", "expansion", "contraction", "churn"} {
		if moves[k] == 0 {
			t.Errorf("MRR: no %s movement over the year: %+v", k, mrr.Series)
		}
	}
	if mrr.Value == nil || *mrr.Value <= 0 {
		t.Errorf("MRR = %v", mrr.Value)
	}
	between("churned customers", value(insights.BoardCustomers, insights.CustomersChurned), 1, 150)
	between("NPS", value(insights.BoardCustomers, insights.CustomersNPS), 0, 80)
	if r := compute(insights.BoardCustomers, insights.CustomersRevenuePer); len(r.Apart) == 0 {
		t.Errorf("revenue per customer: the orders in another currency are not shown apart: %+v", r)
	}

	// Team: each person answers in hours.
	between("team response time", value(insights.BoardTeam, "response_time"), 0.5, 16)

	// Objectives measured every day of the last month, as the server does.
	var snaps []struct {
		Objective string `db:"objective"`
		N         int    `db:"n"`
	}
	if err := app.DB().Select("objective", "COUNT(*) AS n").From(crm.ObjectiveSnapshots).
		Where(dbx.NewExp("no_value = FALSE")).GroupBy("objective").All(&snaps); err != nil {
		t.Fatal(err)
	}
	if len(snaps) < 2 {
		t.Fatalf("measured objectives: %+v, want at least two", snaps)
	}
	for _, s := range snaps {
		if s.N < 20 {
			t.Errorf("objective %s measured on %d days, want the last month's", s.Objective, s.N)
		}
	}

	// The timeline says when things happened, not when the demo ran.
	var today int
	if err := app.DB().NewQuery("SELECT COUNT(*) FROM activities WHERE occurred_at > {:now}").
		Bind(dbx.Params{"now": now.UTC().Format("2006-01-02 15:04:05.000Z")}).Row(&today); err != nil {
		t.Fatal(err)
	}
	if today > 0 {
		var events []string
		_ = app.DB().NewQuery("SELECT event || ' ' || ref_collection || ' ' || occurred_at FROM activities WHERE occurred_at > {:now} LIMIT 5").
			Bind(dbx.Params{"now": now.UTC().Format("2006-01-02 15:04:05.000Z")}).Column(&events)
		t.Errorf("%d timeline entries are dated after the demo's today: %q", today, events)
	}
}
