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
	"vinculo/testkit"
)

// wantNoDrift: the Service summary, brought up to date as a board answer
// does, equals a recount from the requests as they are.
func wantNoDrift(t *testing.T, w *testkit.World, when string) {
	t.Helper()
	ok, err := insights.ServiceReady(w.App, w.Cfg.BusinessNow())
	if err != nil || !ok {
		t.Fatalf("%s: the summary cannot be read (%v)", when, err)
	}
	drift, err := insights.ServiceDrift(w.App, w.Cfg.BusinessNow())
	if err != nil {
		t.Fatal(err)
	}
	if len(drift) > 0 {
		t.Fatalf("%s: the summary drifted from the requests:\n%s", when, strings.Join(drift[:min(len(drift), 20)], "\n"))
	}
}

// wantSameAsRecords: every Service figure read from the summary equals the
// one read from the requests themselves, for periods of whole months and of
// odd days, with and without filters.
func wantSameAsRecords(t *testing.T, w *testkit.World, when string) {
	t.Helper()
	periods := []url.Values{
		{"period": {"this_month"}}, {"period": {"last_month"}}, {"period": {"this_quarter"}},
		{"period": {"this_year"}}, {"period": {"last_year"}},
		{"period": {"custom"}, "from": {"2025-11-17"}, "to": {"2026-02-03"}},
		{"period": {"custom"}, "from": {"2026-10-05"}, "to": {"2026-10-20"}},
	}
	filters := []insights.Filters{{}, {Type: w.ID("tpSup")}, {Channel: "email"}, {Owner: w.ID("agent")}, {Type: w.ID("tpBill"), Channel: "phone"},
		{Team: "one", People: []string{w.ID("agent2")}}, {Team: "none", People: []string{}}} // a team of one; a team without members
	log := testkit.LogSQL(t, w.App)
	for _, p := range periods {
		cur, prev, err := insights.ParsePeriod(p, w.Clock.Now(), w.Cfg.BusinessNow().Location())
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range filters {
			for _, q := range []insights.Query{cur, prev} {
				q.Filters = f
				q = insights.ForBusiness(w.Cfg, q)
				for _, d := range insights.Figures(insights.BoardService) {
					insights.SetSummaryOff(true)
					want, err := d.Compute(w.App, q)
					insights.SetSummaryOff(false)
					if err != nil {
						t.Fatal(err)
					}
					got, err := d.Compute(w.App, q)
					if err != nil {
						t.Fatalf("%s %s: %v", when, d.Key, err)
					}
					a, _ := json.Marshal(got)
					b, _ := json.Marshal(want)
					if string(a) != string(b) {
						t.Errorf("%s: %s for %s %s..%s %+v:\nsummary %s\nrecords %s", when, d.Key, q.Period, q.From.Format(time.DateOnly), q.To.Format(time.DateOnly), f, a, b)
					}
				}
			}
		}
	}
	if !slices.ContainsFunc(log.Take(), func(s string) bool { return strings.Contains(s, "insights_case_months") }) {
		t.Errorf("%s: no figure read the summary", when)
	}
}

// someRequests writes n requests by plain SQL, as the bench's fill and an
// import do (no hook runs): over the last two years, most answered and
// closed, some with due times.
func someRequests(t *testing.T, w *testkit.World, r *rand.Rand, n int) []string {
	t.Helper()
	now := w.Clock.Now()
	var ids []string
	for i := 0; i < n; i++ {
		created := now.Add(-time.Duration(r.Float64() * r.Float64() * 730 * 24 * float64(time.Hour))).Truncate(time.Minute)
		at := func(h int) string { return insights.DBTime(created.Add(time.Duration(h) * time.Hour)) }
		answered, closedAt, closed, firstDue, resDue := "", "", false, "", ""
		if r.IntN(5) > 0 {
			answered = at(1 + r.IntN(60))
		}
		if r.IntN(4) > 0 {
			closedAt, closed = at(2+r.IntN(400)), true
		}
		if r.IntN(3) > 0 {
			firstDue, resDue = at(1+r.IntN(30)), at(10+r.IntN(200))
		}
		if r.IntN(15) == 0 {
			closedAt = "" // closed without a date
		}
		id := fmt.Sprintf("bulk%011d", i)
		ids = append(ids, id)
		exec(t, w, "INSERT INTO cases (id, reference, type, contact, subject, status, closed, priority, assignee, channel, "+
			"first_response_at, closed_at, first_response_due, resolution_due, created, updated) VALUES "+
			"({:id}, {:ref}, {:type}, {:contact}, 'Bulk', 'new', {:closed}, 'normal', {:assignee}, {:channel}, {:answered}, {:closedAt}, {:firstDue}, {:resDue}, {:created}, {:created})",
			dbx.Params{"id": id, "ref": fmt.Sprintf("BLK-%06d", i), "type": w.ID([]string{"tpSup", "tpBill"}[r.IntN(2)]), "contact": w.ID("ctA"),
				"closed": closed, "assignee": []string{"", w.ID("agent"), w.ID("agent2")}[r.IntN(3)], "channel": []string{"email", "phone", "portal"}[r.IntN(3)],
				"answered": answered, "closedAt": closedAt, "firstDue": firstDue, "resDue": resDue, "created": insights.DBTime(created)})
	}
	return ids
}

// The summary stays the requests' own through every way a request changes:
// created and updated through the app (the story: a reopened request closed
// again), written, changed and deleted by plain SQL, deleted through the
// app, and a change of the business's calendar (made again). After each
// step every figure reads the same from it as from the requests.
func TestServiceSummaryKeepsUp(t *testing.T) {
	w := insightsWorld(t)
	serviceStory(t, w)
	wantNoDrift(t, w, "after the story")
	wantSameAsRecords(t, w, "after the story")

	r := rand.New(rand.NewPCG(17, 6850))
	ids := someRequests(t, w, r, 400)
	var waiting int
	if err := w.App.DB().NewQuery("SELECT COUNT(*) FROM insights_case_dirty").Row(&waiting); err != nil || waiting != 400 {
		t.Fatalf("%d requests noted as written behind the app's back, want 400 (%v)", waiting, err)
	}
	wantNoDrift(t, w, "after a bulk insert")
	wantSameAsRecords(t, w, "after a bulk insert")

	// Plain SQL changes: reopen some, close others, move some to another
	// type and person, delete a few.
	for i, id := range ids[:120] {
		p := dbx.Params{"id": id, "at": insights.DBTime(w.Clock.Now().Add(-time.Duration(i) * time.Hour))}
		switch i % 4 {
		case 0:
			exec(t, w, "UPDATE cases SET closed = FALSE, closed_at = '' WHERE id = {:id}", p)
		case 1:
			exec(t, w, "UPDATE cases SET closed = TRUE, closed_at = {:at} WHERE id = {:id}", p)
		case 2:
			exec(t, w, "UPDATE cases SET type = {:t}, assignee = {:a} WHERE id = {:id}", dbx.Params{"id": id, "t": w.ID("tpBill"), "a": w.ID("agent2")})
		case 3:
			exec(t, w, "DELETE FROM cases WHERE id = {:id}", p)
		}
	}
	wantNoDrift(t, w, "after plain SQL updates and deletes")
	wantSameAsRecords(t, w, "after plain SQL updates and deletes")

	// Through the app: R2 reopened, then deleted; R6 moved to Billing.
	w.Update(t, w.R("R2"), map[string]any{"status": "triage"})
	wantNoDrift(t, w, "after reopening through the app")
	w.Update(t, w.R("R6"), map[string]any{"type": w.ID("tpBill")})
	if err := w.App.Delete(w.Reload(t, w.R("R2"))); err != nil {
		t.Fatal(err)
	}
	wantNoDrift(t, w, "after deleting through the app")
	wantSameAsRecords(t, w, "after the app's changes")

	// Another calendar: the summary made for the old one is made again.
	b := w.Cfg.BusinessNow()
	b.Hours[time.Saturday] = []crm.Span{{Start: 9 * 60, End: 13 * 60}}
	b.Holidays = append(b.Holidays, "2026-09-07")
	w.Cfg.SetBusiness(b)
	wantNoDrift(t, w, "after a change of calendar")
	wantSameAsRecords(t, w, "after a change of calendar")
}

// A board whose summary cannot be brought up to date (here the database
// refuses writes; a full disk does the same) answers from the requests
// themselves, as before the summaries, instead of failing.
func TestServiceSummaryUnsettledReadsTheRecords(t *testing.T) {
	w := insightsWorld(t)
	serviceStory(t, w)
	someRequests(t, w, rand.New(rand.NewPCG(3, 6850)), 40)
	writer := w.App.NonconcurrentDB() // one connection: every write's
	if _, err := writer.NewQuery("PRAGMA query_only = ON").Execute(); err != nil {
		t.Fatal(err)
	}
	defer writer.NewQuery("PRAGMA query_only = OFF").Execute()
	ready, err := insights.ServiceReady(w.App, w.Cfg.Business)
	if err != nil || ready {
		t.Fatalf("summary with 40 rows to settle and a database refusing writes: ready %v, error %v; want not ready, no error", ready, err)
	}
	cur, _, err := insights.ParsePeriod(url.Values{"period": {"this_year"}}, w.Clock.Now(), w.Cfg.BusinessNow().Location())
	if err != nil {
		t.Fatal(err)
	}
	q := insights.ForBusiness(w.Cfg, cur)
	for _, d := range insights.Figures(insights.BoardService) {
		got, err := d.Compute(w.App, q)
		if err != nil {
			t.Fatalf("%s: %v", d.Key, err)
		}
		insights.SetSummaryOff(true)
		want, err := d.Compute(w.App, q)
		insights.SetSummaryOff(false)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(got)
		b, _ := json.Marshal(want)
		if string(a) != string(b) {
			t.Errorf("%s: %s, the records say %s", d.Key, a, b)
		}
	}
}
