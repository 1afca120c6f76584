package insights_test

import (
	"context"
	"database/sql"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"vinculo/plugins/insights"
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
