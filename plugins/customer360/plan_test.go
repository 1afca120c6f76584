package customer360

import (
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/timeline"
	"vinculo/testkit"
)

// Every query of the page, with the staff list rules applied as they are for
// a request, searches an index led by the contact: none scans a table that
// grows with the data (the visibility rules' teams and settings are the
// business's few rows), so a contact with a thousand entries costs what one
// with ten does. The lists
// are sorted in a temporary b-tree only where they hold one contact's few
// rows (deals, cases, tasks); the timeline, the long one, is read in index
// order.
func TestEveryQueryIsLedByAnIndex(t *testing.T) {
	w := testkit.NewWorld(t)
	app := w.App
	staff := w.Make(t, "readonly", crm.Staff, map[string]any{"name": "Beatriz", "email": "b@vinculo.test", "role": crm.RoleReadonly})
	r := &reader{app: app, info: &core.RequestInfo{Auth: staff, Method: "GET", Context: core.RequestInfoContextDefault}}

	type named struct {
		name string
		q    *dbx.SelectQuery
	}
	var queries []named
	for _, s := range sections {
		q, ok, err := r.query(s.collection, false)
		if err != nil || !ok {
			t.Fatalf("%s: %v %v", s.name, ok, err)
		}
		s.build(q, "ct1")
		queries = append(queries, named{s.name, q})
	}
	q, _, _ := r.query(crm.Contacts, true)
	queries = append(queries, named{"contact", q.AndWhere(dbx.HashExp{"contacts.id": "ct1"})})
	q, _, _ = r.query(crm.Activities, false)
	q, err := timeline.PageQuery(q, "ct1", "")
	if err != nil {
		t.Fatal(err)
	}
	queries = append(queries, named{"timeline", q})
	q, _, _ = r.query(crm.Cases, false)
	openCases.build(q, "ct1")
	queries = append(queries, named{"open case count", q.Select("COUNT(*)").OrderBy().Limit(-1)})

	for _, n := range queries {
		plan := explain(t, app, n.q)
		first, _, _ := strings.Cut(plan, "\n")
		if !strings.HasPrefix(first, "SEARCH") || !(strings.Contains(first, " (contact=?") || strings.Contains(first, " (id=?)")) {
			t.Errorf("%s: not led by an index on the contact:\n%s", n.name, plan)
		}
		for _, line := range strings.Split(plan, "\n") {
			if strings.Contains(line, "SCAN") && !smallScan(line) {
				t.Errorf("%s scans a table:\n%s", n.name, plan)
				break
			}
		}
		// DISTINCT comes with the rule's join of the requester, as in the
		// record API; rows still stream in index order up to the limit.
		if long[n.name] && strings.Contains(plan, "TEMP B-TREE FOR ORDER BY") {
			t.Errorf("%s is sorted outside its index:\n%s", n.name, plan)
		}
	}
}

// smallScan: what the team visibility rules (plugins/team) read beside each
// row, whose size is the business's, not the customer's: its one settings
// row, the teams a member is in (a covering index) and a team's members
// (a JSON list).
func smallScan(line string) bool {
	return strings.Contains(line, "__collection_business_settings") ||
		strings.Contains(line, "COVERING INDEX idx_teams_members") || strings.Contains(line, "VIRTUAL TABLE")
}

// long: the lists that grow with the customer's history.
var long = map[string]bool{"timeline": true, "orders": true, "subscriptions": true, "consents": true, "tasks": true}

func explain(t *testing.T, app core.App, q *dbx.SelectQuery) string {
	t.Helper()
	built := q.Build()
	return testkit.QueryPlan(t, app, built.SQL(), built.Params())
}
