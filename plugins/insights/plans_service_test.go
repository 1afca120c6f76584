package insights_test

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"vinculo/plugins/insights"
	"vinculo/testkit"
)

// Every query of the Service and Customers figures is served by an index:
// EXPLAIN QUERY PLAN shows no SCAN of a table that grows with the business
// (a SCAN of a small catalogue such as case_types would pass).
func TestServiceAndCustomersQueriesUseIndexes(t *testing.T) {
	w := insightsWorld(t)
	serviceStory(t, w)
	customerStory(t, w)
	var mu sync.Mutex
	var logged []string
	for _, b := range []dbx.Builder{w.App.ConcurrentDB(), w.App.NonconcurrentDB()} {
		db, ok := b.(*dbx.DB)
		if !ok {
			t.Fatalf("the app's db is a %T", b)
		}
		db.QueryLogFunc = func(_ context.Context, _ time.Duration, s string, _ *sql.Rows, _ error) {
			mu.Lock()
			logged = append(logged, s)
			mu.Unlock()
		}
		defer func() { db.QueryLogFunc = nil }()
	}
	big := []string{"cases", "orders", "subscriptions", "activities", "survey_answers", "contacts", "a", "c"}
	for _, period := range []url.Values{{"period": {"last_month"}}, {"period": {"this_year"}}} {
		cur, _, err := insights.ParsePeriod(period, w.Clock.Now(), w.Cfg.BusinessNow().Location())
		if err != nil {
			t.Fatal(err)
		}
		for _, filters := range []insights.Filters{{}, {Type: w.ID("tpSup"), Owner: w.ID("agent")}} {
			cur.Filters = filters
			for _, board := range []string{insights.BoardService, insights.BoardCustomers} {
				for _, d := range insights.Figures(board) {
					mu.Lock()
					logged = logged[:0]
					mu.Unlock()
					q := insights.ForBusiness(w.Cfg, cur)
					if _, err := d.Compute(w.App, q); err != nil {
						t.Fatalf("%s/%s: %v", board, d.Key, err)
					}
					if _, err := d.Records(w.App, q, 50); err != nil {
						t.Fatalf("%s/%s records: %v", board, d.Key, err)
					}
					mu.Lock()
					queries := append([]string(nil), logged...)
					mu.Unlock()
					if len(queries) == 0 && slices.Equal(d.Filters, []string{insights.FilterSegment}) {
						continue // a figure of one segment (plugins/segments): nothing to ask without one
					}
					if len(queries) == 0 {
						t.Fatalf("%s/%s sent no query", board, d.Key)
					}
					for _, s := range queries {
						var rows []struct {
							Detail string `db:"detail"`
						}
						if err := w.App.DB().NewQuery("EXPLAIN QUERY PLAN " + s).All(&rows); err != nil {
							t.Fatalf("plan of %s: %v", s, err)
						}
						for _, r := range rows {
							t.Logf("%s/%s: %s", board, d.Key, r.Detail)
							f := strings.Fields(r.Detail)
							if len(f) > 1 && f[0] == "SCAN" && slices.Contains(big, f[1]) {
								t.Errorf("%s/%s scans %s:\n%s\n%s", board, d.Key, f[1], s, r.Detail)
							}
						}
					}
				}
			}
		}
	}
}

// The summaries' own queries are led by an index too: the boards read the
// monthly counts by their key and the facts and spans by a date index,
// never a whole summary table (the queue of requests and customers written
// behind the app's back is read a bounded page at a time, and is empty
// between writes).
func TestSummaryQueriesUseIndexes(t *testing.T) {
	w := insightsWorld(t)
	serviceStory(t, w)
	customerStory(t, w)
	someRequests(t, w, rand.New(rand.NewPCG(1, 2)), 50)
	big := []string{"cases", "orders", "subscriptions", "contacts", "insights_case_facts", "insights_case_months",
		"insights_customer_spans", "insights_customer_months"}
	for _, b := range []string{insights.BoardService, insights.BoardCustomers} {
		if _, err := insights.ServiceReady(w.App, w.Cfg.BusinessNow()); err != nil {
			t.Fatal(err)
		}
		if _, err := insights.CustomersReady(w.App, w.Cfg.BusinessNow()); err != nil {
			t.Fatal(err)
		}
		log := testkit.LogSQL(t, w.App)
		summaries := 0
		for _, period := range []url.Values{{"period": {"this_month"}}, {"period": {"this_year"}}, {"period": {"custom"}, "from": {"2025-11-17"}, "to": {"2026-02-03"}}} {
			cur, prev, err := insights.ParsePeriod(period, w.Clock.Now(), w.Cfg.BusinessNow().Location())
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range []insights.Filters{{}, {Type: w.ID("tpSup")}} {
				for _, q := range []insights.Query{cur, prev} {
					q.Filters = f
					for _, d := range insights.Figures(b) {
						if _, err := d.Compute(w.App, insights.ForBusiness(w.Cfg, q)); err != nil {
							t.Fatalf("%s/%s: %v", b, d.Key, err)
						}
						for _, s := range log.Take() {
							if strings.Contains(s, "insights_case_months") || strings.Contains(s, "insights_customer_months") {
								summaries++
							}
							plan := testkit.QueryPlan(t, w.App, s, nil)
							for _, line := range strings.Split(plan, "\n") {
								f := strings.Fields(line)
								if len(f) > 1 && f[0] == "SCAN" && slices.Contains(big, f[1]) {
									t.Errorf("%s/%s scans %s:\n%s\n%s", b, d.Key, f[1], s, plan)
								}
							}
						}
					}
				}
			}
		}
		if summaries == 0 {
			t.Errorf("no %s figure read its summary", b)
		}
	}
}
