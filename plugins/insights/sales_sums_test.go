package insights_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	"vinculo/crm"
	"vinculo/plugins/insights"
	"vinculo/plugins/insights/dealsum"
	"vinculo/testkit"
)

// sumsRows reads a sums table whole, ordered by its key, amounts to the
// micro-unit (a sum kept by additions and subtractions may differ from a
// recount in the last bits of a float).
func sumsRows(t *testing.T, f *hFixture, table, order string) []string {
	t.Helper()
	rows, err := f.App.DB().NewQuery("SELECT * FROM " + table + " ORDER BY " + order).Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var parts []string
		for i, v := range vals {
			if x, ok := v.(float64); ok {
				v = math.Round(x*1e6) / 1e6
			}
			parts = append(parts, fmt.Sprintf("%s=%v", cols[i], v))
		}
		out = append(out, strings.Join(parts, " "))
	}
	return out
}

// checkSums compares the running sums with a recount from the deals and
// their history (dealsum.Rebuild), and says how many rows they hold.
func checkSums(t *testing.T, f *hFixture, step string) {
	t.Helper()
	tables := [][2]string{
		{dealsum.DealDays, "kind, day, pipeline, owner, currency, stage, reason"},
		{dealsum.StageDays, "day, pipeline, stage"},
		{dealsum.StageEntry, "id"},
		{dealsum.TeamDays, "kind, day, person, type, channel"},
	}
	var live [][]string
	for _, tb := range tables {
		live = append(live, sumsRows(t, f, tb[0], tb[1]))
	}
	if len(live[0]) == 0 || len(live[2]) == 0 || len(live[3]) == 0 {
		t.Fatalf("%s: the sums are empty", step)
	}
	if err := dealsum.Rebuild(f.App.DB()); err != nil {
		t.Fatal(err)
	}
	if err := dealsum.RebuildTeam(f.App.DB()); err != nil {
		t.Fatal(err)
	}
	for i, tb := range tables {
		recount := sumsRows(t, f, tb[0], tb[1])
		if strings.Join(live[i], "\n") != strings.Join(recount, "\n") {
			t.Errorf("%s: %s kept by the triggers:\n%s\nrecounted from the rows:\n%s", step, tb[0],
				strings.Join(live[i], "\n"), strings.Join(recount, "\n"))
		}
	}
}

// The sums the triggers keep equal a recount from the rows after every kind
// of write: the app's creates and stage moves (back a stage too), a deal won
// then reopened, its amount, currency and owner changed, a deal deleted,
// plain SQL inserts and updates (an import's, the bench's fill), and a stage
// moved in its pipeline (what counts as forward changes).
func TestSalesSumsEqualARecount(t *testing.T) {
	f := newHandFixture(t)
	checkSums(t, f, "the fixture's deals")

	f.Clock.Set(hAt(f.sp, 11, 20, 10))
	d2 := f.Update(t, f.Find(t, crm.Deals, f.ID("D2")), map[string]any{"stage": f.ID("stQual")})
	if d2.GetString("status") != crm.DealOpen {
		t.Fatalf("D2 reopened is %q", d2.GetString("status"))
	}
	checkSums(t, f, "a won deal reopened")
	f.Update(t, f.Find(t, crm.Deals, f.ID("D2")), map[string]any{"stage": f.ID("stProp")})
	f.Update(t, f.Find(t, crm.Deals, f.ID("D2")), map[string]any{"stage": f.ID("stWon")})
	checkSums(t, f, "won again")

	f.Update(t, f.Find(t, crm.Deals, f.ID("D3")), map[string]any{"amount": 450.5, "currency": "USD"})
	f.Update(t, f.Find(t, crm.Deals, f.ID("D7")), map[string]any{"amount": 2500})
	f.Update(t, f.Find(t, crm.Deals, f.ID("D1")), map[string]any{"owner": f.ID("agent2")})
	f.Update(t, f.Find(t, crm.Deals, f.ID("D8")), map[string]any{"probability": 0, "expected_close": hAt(f.sp, 12, 1, 1)})
	checkSums(t, f, "amount, currency, owner, probability and expected close changed")

	if err := f.App.Delete(f.Find(t, crm.Deals, f.ID("D4"))); err != nil {
		t.Fatal(err)
	}
	checkSums(t, f, "a deal deleted")

	// plain SQL, as an import or the bench's fill writes
	at := func(m, d int) string { return insights.DBTime(hAt(f.sp, m, d, 23)) }
	pipe, qual, prop, won := f.ID("pipeline"), f.ID("stQual"), f.ID("stProp"), f.ID("stWon")
	if _, err := f.App.DB().NewQuery(`INSERT INTO deals (id, title, contact, pipeline, stage, amount, currency, owner, status, closed_at, created, updated)
		VALUES ('bulkdeal0000001', 'Bulk 1', {:c}, {:p}, {:won}, 120.25, 'BRL', {:o}, 'won', {:d3}, {:d1}, {:d1}),
		       ('bulkdeal0000002', 'Bulk 2', {:c}, {:p}, {:prop}, 80, '', '', 'open', '', {:d2}, {:d2})`).
		Bind(dbx.Params{"c": f.ID("ctA"), "p": pipe, "won": won, "prop": prop, "o": f.ID("agent"),
			"d1": at(10, 31), "d2": at(11, 1), "d3": at(11, 30)}).Execute(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.App.DB().NewQuery(`INSERT INTO deal_stage_history (id, deal, pipeline, from_stage, to_stage, status, at, created, updated)
		VALUES ('bulkhist0000001', 'bulkdeal0000001', {:p}, '', {:qual}, 'open', {:d1}, {:d1}, {:d1}),
		       ('bulkhist0000002', 'bulkdeal0000001', {:p}, {:qual}, {:prop}, 'open', {:d2}, {:d2}, {:d2}),
		       ('bulkhist0000003', 'bulkdeal0000001', {:p}, {:prop}, {:qual}, 'open', {:d2}, {:d2}, {:d2}),
		       ('bulkhist0000004', 'bulkdeal0000001', {:p}, {:qual}, {:won}, 'won', {:d3}, {:d3}, {:d3}),
		       ('bulkhist0000005', 'bulkdeal0000002', {:p}, '', {:prop}, 'open', {:d2}, {:d2}, {:d2})`).
		Bind(dbx.Params{"p": pipe, "qual": qual, "prop": prop, "won": won, "d1": at(10, 31), "d2": at(11, 1), "d3": at(11, 30)}).Execute(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.App.DB().NewQuery("UPDATE deals SET closed_at = {:d} WHERE id = {:id}").
		Bind(dbx.Params{"d": at(11, 3), "id": f.ID("D6")}).Execute(); err != nil {
		t.Fatal(err)
	}
	checkSums(t, f, "plain SQL inserts and updates")

	f.Update(t, f.R("stProp"), map[string]any{"position": 0})
	checkSums(t, f, "a stage moved to the front")

	// requests and tasks: closed, reopened (the close date cleared), given
	// to another person, deleted, and written by plain SQL
	f.Clock.Set(hAt(f.sp, 11, 21, 10))
	f.setRaw(t, crm.Cases, f.ID("R2"), "closed_at", hAt(f.sp, 11, 21, 10))
	if _, err := f.App.DB().NewQuery("UPDATE cases SET closed = TRUE WHERE id = {:id}").Bind(dbx.Params{"id": f.ID("R2")}).Execute(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.App.DB().NewQuery("UPDATE cases SET closed = FALSE, closed_at = '' WHERE id = {:id}").Bind(dbx.Params{"id": f.ID("R1")}).Execute(); err != nil {
		t.Fatal(err)
	}
	f.Update(t, f.Find(t, crm.Cases, f.ID("R3")), map[string]any{"assignee": f.ID("agent")})
	if err := f.App.Delete(f.Find(t, crm.Cases, f.ID("R4"))); err != nil {
		t.Fatal(err)
	}
	checkSums(t, f, "requests closed, reopened, reassigned and deleted")
	if _, err := f.App.DB().NewQuery(`INSERT INTO cases (id, reference, type, contact, subject, status, closed, assignee, channel, first_response_at, closed_at, created, updated)
		VALUES ('bulkcase0000001', 'BULK-1', {:tp}, {:c}, 'Bulk 1', 'done', TRUE, {:a}, 'phone', {:d1}, {:d2}, {:d1}, {:d1}),
		       ('bulkcase0000002', 'BULK-2', {:tp}, {:c}, 'Bulk 2', 'new', FALSE, {:a}, 'email', '', '', {:d2}, {:d2}),
		       ('bulkcase0000003', 'BULK-3', {:tp}, {:c}, 'Bulk 3', 'done', TRUE, {:a}, 'email', '', {:d1}, {:d1}, {:d1})`).
		Bind(dbx.Params{"tp": f.ID("tpSup"), "c": f.ID("ctA"), "a": f.ID("agent2"), "d1": at(10, 31), "d2": at(11, 2)}).Execute(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.App.DB().NewQuery(`INSERT INTO tasks (id, title, due, assignee, status, done_at, contact, created, updated)
		VALUES ('bulktask0000001', 'Bulk 1', {:d1}, {:a}, 'done', {:d2}, {:c}, {:d1}, {:d1}),
		       ('bulktask0000002', 'Bulk 2', {:d1}, {:a}, 'open', '', {:c}, {:d1}, {:d1}),
		       ('bulktask0000003', 'Bulk 3', {:d2}, {:a}, 'done', {:d1}, {:c}, {:d1}, {:d1})`).
		Bind(dbx.Params{"c": f.ID("ctA"), "a": f.ID("agent"), "d1": at(10, 31), "d2": at(11, 2)}).Execute(); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"bulktask0000002"} {
		if _, err := f.App.DB().NewQuery("UPDATE tasks SET status = 'done', done_at = {:d} WHERE id = {:id}").
			Bind(dbx.Params{"d": at(11, 22), "id": id}).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.App.DB().NewQuery("DELETE FROM tasks WHERE id = 'bulktask0000003'").Execute(); err != nil {
		t.Fatal(err)
	}
	checkSums(t, f, "requests and tasks written by plain SQL")
	f.sameBothWays(t)
}

// sameBothWays: every Sales and Team figure read from the sums equals the
// same figure read from the rows alone (a reader given, a manager who sees
// every record, makes a figure read the rows), for periods that start and
// end at São Paulo's midnight (03:00 UTC), one that is one day, and years.
func (f *hFixture) sameBothWays(t *testing.T) {
	t.Helper()
	manager := f.Find(t, crm.Staff, f.ID("manager"))
	periods := []url.Values{
		{"period": {"this_month"}}, {"period": {"last_month"}}, {"period": {"this_year"}}, {"period": {"this_quarter"}},
		{"period": {"custom"}, "from": {"2026-11-03"}, "to": {"2026-11-03"}},
		{"period": {"custom"}, "from": {"2026-10-31"}, "to": {"2026-11-12"}},
	}
	figures := append(insights.Figures(insights.BoardSales), insights.Figures(insights.BoardTeam)...)
	compared := 0
	for _, v := range periods {
		cur, prev, err := insights.ParsePeriod(v, f.Clock.Now(), f.Cfg.BusinessNow().Location())
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []insights.Query{cur, prev} {
			for _, filters := range []insights.Filters{{}, {Pipeline: f.ID("pipeline")}, {Owner: f.ID("agent")},
				{Type: f.ID("tpSup"), Channel: "email"}, {People: []string{f.ID("agent2")}}} {
				for _, d := range figures {
					q.Filters = filters
					sums, err := d.Compute(f.App, insights.ForBusiness(f.Cfg, q))
					if err != nil {
						t.Fatal(err)
					}
					q.Filters.Reader = manager
					rows, err := d.Compute(f.App, insights.ForBusiness(f.Cfg, q))
					if err != nil {
						t.Fatal(err)
					}
					a, _ := json.Marshal(sums)
					b, _ := json.Marshal(rows)
					if string(a) != string(b) {
						t.Errorf("%s %s..%s %+v: from the sums %s, from the rows %s", d.Key, q.From, q.To, filters, a, b)
					}
					if sums.Count > 0 {
						compared++
					}
				}
			}
		}
	}
	if compared < 100 {
		t.Errorf("only %d figures with records compared", compared)
	}
}

// Every query the Sales and Team boards send is led by an index: no SCAN of
// a table that grows with the business, with and without filters; the
// deals' figures read the sums.
func TestSalesAndTeamQueriesUseIndexes(t *testing.T) {
	f := newHandFixture(t)
	log := testkit.LogSQL(t, f.App)
	big := []string{"deals", "deal_stage_history", "cases", "tasks", "contacts", "activities",
		dealsum.DealDays, dealsum.StageDays, dealsum.StageEntry, dealsum.TeamDays, "d", "h", "f", "x", "se", "t"}
	readSums := 0
	for _, period := range []url.Values{{"period": {"this_month"}}, {"period": {"this_year"}}} {
		cur, _, err := insights.ParsePeriod(period, f.Clock.Now(), f.Cfg.BusinessNow().Location())
		if err != nil {
			t.Fatal(err)
		}
		for _, filters := range []insights.Filters{{}, {Owner: f.ID("agent"), Pipeline: f.ID("pipeline")}} {
			cur.Filters = filters
			for _, board := range []string{insights.BoardSales, insights.BoardTeam} {
				for _, d := range insights.Figures(board) {
					log.Take()
					q := insights.ForBusiness(f.Cfg, cur)
					if _, err := d.Compute(f.App, q); err != nil {
						t.Fatalf("%s/%s: %v", board, d.Key, err)
					}
					queries := log.Take()
					if len(queries) == 0 {
						t.Fatalf("%s/%s sent no query", board, d.Key)
					}
					for _, s := range queries {
						if strings.Contains(s, dealsum.DealDays) || strings.Contains(s, dealsum.StageDays) || strings.Contains(s, dealsum.TeamDays) {
							readSums++
						}
						plan := testkit.QueryPlan(t, f.App, s, nil)
						for _, line := range strings.Split(plan, "\n") {
							fs := strings.Fields(line)
							if len(fs) > 1 && fs[0] == "SCAN" && contains(big, fs[1]) {
								t.Errorf("%s/%s scans %s:\n%s\n%s", board, d.Key, fs[1], s, plan)
							}
						}
					}
				}
			}
		}
	}
	// won revenue, new pipeline, win rate (2), deal size, stage conversion
	// (not with the owner filter: it reads the rows), lost reasons,
	// forecast (2), deals won, requests open and closed, tasks done and
	// overdue, for 2 periods
	if readSums < 2*(14+13) {
		t.Errorf("%d queries read the sums, want at least 54", readSums)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
