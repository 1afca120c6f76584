package timeline

import (
	"strings"
	"testing"

	"vinculo/testkit"
)

// The timeline page is read from one index, on the first page and after a
// cursor alike: SQLite seeks into (contact, occurred_at, created, id) and
// walks it in order, with no scan of the table and no sort.
func TestPageQueryUsesTheTimelineIndex(t *testing.T) {
	app := testkit.NewApp(t)
	after := cursor{OccurredAt: "2026-11-20 10:00:00.000Z", Created: "2026-11-20 10:00:00.000Z", ID: "abc"}.encode()
	for _, c := range []string{"", after} {
		q, err := PageQuery(app.RecordQuery("activities"), "ct1", c)
		if err != nil {
			t.Fatal(err)
		}
		built := q.Build()
		plan := testkit.QueryPlan(t, app, built.SQL(), built.Params())
		if !strings.Contains(plan, "SEARCH activities USING INDEX idx_activities_contact_occurred_at_created_id (contact=?") ||
			strings.Contains(plan, "TEMP B-TREE") || strings.Contains(plan, "SCAN activities") {
			t.Errorf("cursor %q: plan\n%s", c, plan)
		}
		if c != "" && !strings.Contains(plan, "(occurred_at,created,id)<(?,?,?)") {
			t.Errorf("the cursor does not seek into the index:\n%s", plan)
		}
	}
}
