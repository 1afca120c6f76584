package requests

import (
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// SetClock makes the hooks see at as the current time until the test ends.
func SetClock(t testing.TB, at time.Time) {
	t.Helper()
	old := now
	now = func() time.Time { return at }
	t.Cleanup(func() { now = old })
}

// QueryPlans returns SQLite's plan for each query the overdue job and the
// open_cases counts run.
func QueryPlans(app core.App, contact, company, customer *core.Record) (map[string][]string, error) {
	queries := map[string]*dbx.Query{}
	for i, where := range overdueWhere {
		queries["overdue "+string(rune('1'+i))] = app.DB().NewQuery("SELECT * FROM cases WHERE " + where).Bind(dbx.Params{"t": "2026-03-10 12:00:00.000Z"})
	}
	for name, r := range map[string]*core.Record{"contact": contact, "company": company} {
		for who, auth := range map[string]*core.Record{"staff": nil, "customer": customer} {
			if auth == nil {
				auth = core.NewRecord(core.NewAuthCollection("staff"))
			}
			q, ok := openCasesQuery(app, r, auth)
			if !ok {
				continue
			}
			built := q.Build()
			queries["open_cases of a "+name+" for "+who] = app.DB().NewQuery(built.SQL()).Bind(built.Params())
		}
	}
	plans := map[string][]string{}
	for name, q := range queries {
		var rows []struct {
			Detail string `db:"detail"`
		}
		if err := app.DB().NewQuery("EXPLAIN QUERY PLAN " + q.SQL()).Bind(q.Params()).All(&rows); err != nil {
			return nil, err
		}
		for _, r := range rows {
			plans[name] = append(plans[name], r.Detail)
		}
	}
	return plans, nil
}
