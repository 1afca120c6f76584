package insights_test

import (
	"encoding/json"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"vinculo/crm"
	"vinculo/plugins/insights"
	"vinculo/plugins/insights/summarydb"
	"vinculo/testkit"
)

// wantTeamTimesAsRecords: the Team board's response times read from the
// Service summary (counts per person and quarter hour, the ranks read from
// the facts) equal those worked out from the requests, for whole months,
// odd days and filters on people; and the summary was read.
func wantTeamTimesAsRecords(t *testing.T, w *testkit.World, when string) {
	t.Helper()
	wantNoDrift(t, w, when) // the counts per person equal a recount from the requests
	var d insights.Def
	for _, f := range insights.Figures(insights.BoardTeam) {
		if f.Key == "response_time" {
			d = f
		}
	}
	periods := []url.Values{
		{"period": {"this_month"}}, {"period": {"last_month"}}, {"period": {"this_quarter"}}, {"period": {"this_year"}},
		{"period": {"custom"}, "from": {"2025-11-17"}, "to": {"2026-02-03"}},
		{"period": {"custom"}, "from": {"2026-10-01"}, "to": {"2026-10-01"}},
		{"period": {"custom"}, "from": {"2026-09-28"}, "to": {"2026-11-03"}},
	}
	filters := []insights.Filters{{}, {Owner: w.ID("agent")}, {Team: "one", People: []string{w.ID("agent2")}},
		{Team: "none", People: []string{}}}
	log := testkit.LogSQL(t, w.App)
	counted := 0
	for _, p := range periods {
		cur, prev, err := insights.ParsePeriod(p, w.Clock.Now(), w.Cfg.BusinessNow().Location())
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range filters {
			for _, q := range []insights.Query{cur, prev} {
				q.Filters = f
				q = insights.ForBusiness(w.Cfg, q)
				insights.SetSummaryOff(true)
				want, err := d.Compute(w.App, q)
				insights.SetSummaryOff(false)
				if err != nil {
					t.Fatal(err)
				}
				got, err := d.Compute(w.App, q)
				if err != nil {
					t.Fatalf("%s: %v", when, err)
				}
				a, _ := json.Marshal(got)
				b, _ := json.Marshal(want)
				if string(a) != string(b) {
					t.Errorf("%s: response_time for %s %s..%s %+v:\nsummary %s\nrecords %s", when, q.Period,
						q.From.Format(time.DateOnly), q.To.Format(time.DateOnly), f, a, b)
				}
				counted += want.Count
			}
		}
	}
	if counted == 0 {
		t.Errorf("%s: no response time was compared", when)
	}
	if !slices.ContainsFunc(log.Take(), func(s string) bool {
		return strings.Contains(s, "insights_case_months") && strings.Contains(s, "assignee")
	}) {
		t.Errorf("%s: the response times did not read the summary", when)
	}
}

// The Team board's response times stay the requests' own through every way
// a request changes: the story through the app (a reopened request), a
// bulk insert by plain SQL, plain-SQL answers moved, reassigned, unassigned
// and deleted, reassignment and deletion through the app, and a change of
// the business's calendar.
func TestTeamResponseTimesFromTheSummary(t *testing.T) {
	w := insightsWorld(t)
	serviceStory(t, w)
	wantTeamTimesAsRecords(t, w, "after the story")

	r := rand.New(rand.NewPCG(17, 6900))
	ids := someRequests(t, w, r, 400)
	wantTeamTimesAsRecords(t, w, "after a bulk insert")

	for i, id := range ids[:150] {
		p := dbx.Params{"id": id, "at": insights.DBTime(w.Clock.Now().Add(-time.Duration(i*7) * time.Hour))}
		switch i % 5 {
		case 0: // answered again at another time
			exec(t, w, "UPDATE cases SET first_response_at = {:at} WHERE id = {:id}", p)
		case 1: // the answer taken back
			exec(t, w, "UPDATE cases SET first_response_at = '' WHERE id = {:id}", p)
		case 2:
			exec(t, w, "UPDATE cases SET assignee = {:a} WHERE id = {:id}", dbx.Params{"id": id, "a": w.ID("agent2")})
		case 3:
			exec(t, w, "UPDATE cases SET assignee = '' WHERE id = {:id}", p)
		case 4:
			exec(t, w, "DELETE FROM cases WHERE id = {:id}", p)
		}
	}
	wantTeamTimesAsRecords(t, w, "after plain SQL updates and deletes")

	// Through the app: R6 reassigned, R2 reopened, then deleted.
	w.Update(t, w.R("R6"), map[string]any{"assignee": w.ID("agent")})
	w.Update(t, w.R("R2"), map[string]any{"status": "triage"})
	wantTeamTimesAsRecords(t, w, "after reassigning and reopening through the app")
	if err := w.App.Delete(w.Reload(t, w.R("R2"))); err != nil {
		t.Fatal(err)
	}
	wantTeamTimesAsRecords(t, w, "after deleting through the app")

	b := w.Cfg.BusinessNow()
	b.Hours[time.Saturday] = []crm.Span{{Start: 9 * 60, End: 13 * 60}}
	w.Cfg.SetBusiness(b)
	wantTeamTimesAsRecords(t, w, "after a change of calendar")
}

// A summary made before the counts per person were kept gets them from its
// own facts (the migration 1764006900): the same as a summary made again.
func TestFirstByPersonFilledFromTheFacts(t *testing.T) {
	w := insightsWorld(t)
	serviceStory(t, w)
	someRequests(t, w, rand.New(rand.NewPCG(5, 6900)), 200)
	wantNoDrift(t, w, "before")
	var before int
	if err := w.App.DB().NewQuery("SELECT COUNT(*) FROM insights_case_months WHERE measure = 'frp'").Row(&before); err != nil || before == 0 {
		t.Fatalf("%d counts per person (%v)", before, err)
	}
	exec(t, w, "DELETE FROM insights_case_months WHERE measure = 'frp'", nil)
	if drift, err := insights.ServiceDrift(w.App, w.Cfg.BusinessNow()); err != nil || len(drift) == 0 {
		t.Fatalf("the recount misses no count per person once they are gone (%v)", err)
	}
	if err := summarydb.FillFirstByPerson(w.App.DB()); err != nil {
		t.Fatal(err)
	}
	wantTeamTimesAsRecords(t, w, "after filling from the facts")
}

// The response times' queries are led by an index: the counts by their key,
// a stretch of days by the facts' date, a rank by the person's (or
// everyone's) bucket in order of time; never a whole table.
func TestTeamTimesQueriesUseIndexes(t *testing.T) {
	w := insightsWorld(t)
	serviceStory(t, w)
	someRequests(t, w, rand.New(rand.NewPCG(1, 6900)), 80)
	if _, err := insights.ServiceReady(w.App, w.Cfg.BusinessNow()); err != nil {
		t.Fatal(err)
	}
	big := []string{"cases", "insights_case_facts", "insights_case_months"}
	log := testkit.LogSQL(t, w.App)
	ranks := 0
	for _, period := range []url.Values{{"period": {"this_month"}}, {"period": {"this_year"}}, {"period": {"custom"}, "from": {"2025-11-17"}, "to": {"2026-02-03"}}} {
		cur, prev, err := insights.ParsePeriod(period, w.Clock.Now(), w.Cfg.BusinessNow().Location())
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []insights.Filters{{}, {Owner: w.ID("agent")}} {
			for _, q := range []insights.Query{cur, prev} {
				q.Filters = f
				for _, d := range insights.Figures(insights.BoardTeam) {
					if d.Key != "response_time" {
						continue
					}
					if _, err := d.Compute(w.App, insights.ForBusiness(w.Cfg, q)); err != nil {
						t.Fatal(err)
					}
				}
				for _, s := range log.Take() {
					plan := testkit.QueryPlan(t, w.App, s, nil)
					if testing.Verbose() {
						t.Logf("%s\n%s", s, plan)
					}
					if strings.Contains(s, "OFFSET") {
						ranks++
						if strings.Contains(plan, "TEMP B-TREE") {
							t.Errorf("a rank sorts its bucket instead of reading it in order:\n%s\n%s", s, plan)
						}
					}
					for _, line := range strings.Split(plan, "\n") {
						fs := strings.Fields(line)
						if len(fs) > 1 && fs[0] == "SCAN" && slices.Contains(big, fs[1]) {
							t.Errorf("response_time scans %s:\n%s\n%s", fs[1], s, plan)
						}
					}
				}
			}
		}
	}
	if ranks == 0 {
		t.Error("no rank was read from the facts")
	}
}
