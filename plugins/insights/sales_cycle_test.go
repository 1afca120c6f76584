package insights_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"vinculo/crm"
	"vinculo/plugins/insights"
	"vinculo/plugins/insights/dealsum"
	"vinculo/testkit"
)

// checkCycles: the won deals' copy the triggers keep equals one made again
// from the deals, and the sales cycle read from it equals the one read from
// the deals (a manager as reader makes the figure read the deals), for
// whole months, odd days and the previous periods, with filters.
func checkCycles(t *testing.T, f *hFixture, step string) {
	t.Helper()
	live := sumsRows(t, f, dealsum.WonCycles, "id")
	if err := dealsum.RebuildCycles(f.App.DB()); err != nil {
		t.Fatal(err)
	}
	if recount := sumsRows(t, f, dealsum.WonCycles, "id"); strings.Join(live, "\n") != strings.Join(recount, "\n") {
		t.Errorf("%s: %s kept by the triggers:\n%s\nmade again from the deals:\n%s", step, dealsum.WonCycles,
			strings.Join(live, "\n"), strings.Join(recount, "\n"))
	}
	var cycle insights.Def
	for _, d := range insights.Figures(insights.BoardSales) {
		if d.Key == "sales_cycle" {
			cycle = d
		}
	}
	manager := f.Find(t, crm.Staff, f.ID("manager"))
	log := testkit.LogSQL(t, f.App)
	compared := 0
	for _, v := range []url.Values{
		{"period": {"this_month"}}, {"period": {"last_month"}}, {"period": {"this_quarter"}}, {"period": {"this_year"}},
		{"period": {"custom"}, "from": {"2026-11-03"}, "to": {"2026-11-03"}},
		{"period": {"custom"}, "from": {"2026-09-17"}, "to": {"2026-11-12"}},
	} {
		cur, prev, err := insights.ParsePeriod(v, f.Clock.Now(), f.Cfg.BusinessNow().Location())
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []insights.Query{cur, prev} {
			for _, filters := range []insights.Filters{{}, {Pipeline: f.ID("pipeline")}, {Owner: f.ID("agent")}, {People: []string{f.ID("agent2")}}} {
				q.Filters = filters
				sums, err := cycle.Compute(f.App, insights.ForBusiness(f.Cfg, q))
				if err != nil {
					t.Fatal(err)
				}
				q.Filters.Reader = manager
				rows, err := cycle.Compute(f.App, insights.ForBusiness(f.Cfg, q))
				if err != nil {
					t.Fatal(err)
				}
				a, _ := json.Marshal(sums)
				b, _ := json.Marshal(rows)
				if string(a) != string(b) {
					t.Errorf("%s: sales_cycle %s..%s %+v: from the copy %s, from the deals %s", step, q.From, q.To, filters, a, b)
				}
				compared += rows.Count
			}
		}
	}
	if compared == 0 {
		t.Errorf("%s: no won deal compared", step)
	}
	if !slices.ContainsFunc(log.Take(), func(s string) bool { return strings.Contains(s, "OFFSET") && strings.Contains(s, dealsum.WonCycles) }) {
		t.Errorf("%s: no median was read from %s", step, dealsum.WonCycles)
	}
}

// The won deals' copy follows every kind of write: the app's wins, a won
// deal reopened and won again, its owner changed, a deal deleted; plain SQL
// inserts of many won deals (several per day of cycle, ties included), their
// dates, pipeline and status changed, deletes; and a date that does not read
// as one (the figure then reads the deals).
func TestWonCyclesKeepUp(t *testing.T) {
	f := newHandFixture(t)
	checkCycles(t, f, "the fixture's deals")

	f.Clock.Set(hAt(f.sp, 11, 20, 10))
	f.Update(t, f.Find(t, crm.Deals, f.ID("D2")), map[string]any{"stage": f.ID("stQual")})
	checkCycles(t, f, "a won deal reopened")
	f.Update(t, f.Find(t, crm.Deals, f.ID("D2")), map[string]any{"stage": f.ID("stWon")})
	f.Update(t, f.Find(t, crm.Deals, f.ID("D1")), map[string]any{"owner": f.ID("agent2")})
	checkCycles(t, f, "won again, an owner changed")
	if err := f.App.Delete(f.Find(t, crm.Deals, f.ID("D4"))); err != nil {
		t.Fatal(err)
	}
	checkCycles(t, f, "a deal deleted")

	r := rand.New(rand.NewPCG(17, 6901))
	now := f.Clock.Now()
	var ids []string
	for i := 0; i < 300; i++ {
		closed := now.Add(-time.Duration(r.IntN(400*24)) * time.Hour).Truncate(time.Minute)
		created := closed.Add(-time.Duration(r.IntN(40*24)) * time.Hour / 3) // ties: whole 20-minute steps
		if i%25 == 0 {
			created = closed.Add(time.Hour) // won before it was made: counts as 0 days
		}
		status := []string{"won", "won", "won", "lost", "open"}[r.IntN(5)]
		closedAt := insights.DBTime(closed)
		if status == "open" {
			closedAt = ""
		}
		id := fmt.Sprintf("bulkdeal%07d", i)
		ids = append(ids, id)
		if _, err := f.App.DB().NewQuery(`INSERT INTO deals (id, title, contact, pipeline, stage, amount, currency, owner, status, closed_at, created, updated)
			VALUES ({:id}, 'Bulk', {:c}, {:p}, {:st}, 10, '', {:o}, {:status}, {:closed}, {:created}, {:created})`).
			Bind(dbx.Params{"id": id, "c": f.ID("ctA"), "p": f.ID("pipeline"), "st": f.ID("stWon"), "status": status,
				"o": []string{"", f.ID("agent"), f.ID("agent2")}[r.IntN(3)], "closed": closedAt, "created": insights.DBTime(created)}).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	checkCycles(t, f, "won deals written by plain SQL")

	for i, id := range ids[:100] {
		p := dbx.Params{"id": id, "at": insights.DBTime(now.Add(-time.Duration(i*31) * time.Hour))}
		var s string
		switch i % 5 {
		case 0:
			s = "UPDATE deals SET closed_at = {:at} WHERE id = {:id}"
		case 1:
			s = "UPDATE deals SET created = {:at} WHERE id = {:id}"
		case 2:
			s = "UPDATE deals SET status = 'won', closed_at = {:at} WHERE id = {:id}"
		case 3:
			s = "UPDATE deals SET status = 'open', closed_at = '' WHERE id = {:id}"
		case 4:
			s = "DELETE FROM deals WHERE id = {:id}"
		}
		if _, err := f.App.DB().NewQuery(s).Bind(p).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	checkCycles(t, f, "plain SQL updates and deletes")

	// a creation date that does not read as a date: the periods that hold
	// it read the deals, the others the copy
	if _, err := f.App.DB().NewQuery("UPDATE deals SET status = 'won', closed_at = {:at}, created = 'yesterday' WHERE id = {:id}").
		Bind(dbx.Params{"id": ids[102], "at": insights.DBTime(now.Add(-time.Hour))}).Execute(); err != nil {
		t.Fatal(err)
	}
	checkCycles(t, f, "a date that is not one")
}

// The sales cycle's queries on the won deals' copy are led by an index: the
// counts by the close's index (without the table), a rank by its day's
// index in order of time (no sort); never a whole table.
func TestWonCyclesQueriesUseIndexes(t *testing.T) {
	f := newHandFixture(t)
	log := testkit.LogSQL(t, f.App)
	read := 0
	for _, period := range []url.Values{{"period": {"this_month"}}, {"period": {"this_year"}}, {"period": {"custom"}, "from": {"2026-09-17"}, "to": {"2026-11-12"}}} {
		cur, prev, err := insights.ParsePeriod(period, f.Clock.Now(), f.Cfg.BusinessNow().Location())
		if err != nil {
			t.Fatal(err)
		}
		for _, filters := range []insights.Filters{{}, {Owner: f.ID("agent"), Pipeline: f.ID("pipeline")}} {
			for _, q := range []insights.Query{cur, prev} {
				q.Filters = filters
				for _, d := range insights.Figures(insights.BoardSales) {
					if d.Key != "sales_cycle" {
						continue
					}
					if _, err := d.Compute(f.App, insights.ForBusiness(f.Cfg, q)); err != nil {
						t.Fatal(err)
					}
				}
				for _, s := range log.Take() {
					if !strings.Contains(s, dealsum.WonCycles) {
						continue
					}
					read++
					plan := testkit.QueryPlan(t, f.App, s, nil)
					if strings.Contains(plan, "SCAN") || strings.Contains(plan, "FOR ORDER BY") || !strings.Contains(plan, "COVERING INDEX") {
						t.Errorf("the sales cycle reads its copy without its index, or sorts it:\n%s\n%s", s, plan)
					}
				}
			}
		}
	}
	if read == 0 {
		t.Error("the sales cycle did not read the won deals' copy")
	}
}
