package search_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/demo"
	"vinculo/plugins/search"
	"vinculo/testkit"
)

// Every query a search sends is led by an index: the FTS5 index's MATCH
// (which reads the documents of the words asked for, and in rowid order
// when the newest are wanted, without sorting every match), the map's
// primary key, the records' ids. None scans a table that grows with the
// business, and none sorts the matches of a word outside the index but the
// bm25 ranking, which runs only on a bounded number of them. The queries
// are captured as the database runs them, for each kind of query the
// benchmark asks, as an agent (whose list rules are the staff's) and as a
// readonly member in the teams mode (whose rules join the teams).
func TestEveryQueryIsLedByAnIndex(t *testing.T) {
	w := newWorld(t)
	if _, err := demo.Generate(w.App, demo.Options{Contacts: 300, ActivitiesPerContact: 5, Now: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	var row struct {
		Email  string `db:"email"`
		Mobile string `db:"mobile"`
	}
	if err := w.App.DB().NewQuery("SELECT email, mobile FROM contacts WHERE mobile LIKE '+55%' AND length(mobile) = 14 AND email != '' LIMIT 1").One(&row); err != nil {
		t.Fatal(err)
	}
	local, _, _ := strings.Cut(row.Email, "@")
	phone := "(" + row.Mobile[3:5] + ") " + row.Mobile[5:10] + "-" + row.Mobile[10:]
	queries := []string{"joao conceicao", "mar", "guimaraes", phone, local, "proposta", "conceica", "jo"}

	log := testkit.LogSQL(t, w.App)

	ask := func(who *core.Record) {
		for _, q := range queries {
			for _, limit := range []int{search.DefaultLimit, search.MaxLimit} {
				if _, err := search.Search(w.App, &core.RequestInfo{Auth: who, Method: "GET", Context: core.RequestInfoContextDefault}, search.Params{Q: q, Limit: limit}); err != nil {
					t.Fatalf("%q: %v", q, err)
				}
			}
			if _, err := search.Search(w.App, &core.RequestInfo{Auth: who}, search.Params{Q: q, Collections: []string{crm.Activities}}); err != nil {
				t.Fatalf("%q in activities: %v", q, err)
			}
		}
	}
	ask(w.R(crm.RoleAgent))
	if _, err := w.App.NonconcurrentDB().NewQuery("UPDATE " + crm.BusinessSettings + " SET " + crm.BusinessTeamVisibility + " = '" + crm.VisibilityTeams + "'").Execute(); err != nil {
		t.Fatal(err)
	}
	ask(w.R(crm.RoleReadonly))
	sent := log.Take()

	seen := map[string]bool{}
	fts, records := 0, 0
	for _, q := range sent {
		if seen[q] {
			continue
		}
		seen[q] = true
		plan := testkit.QueryPlan(t, w.App, q, nil)
		if strings.Contains(q, search.Table) {
			fts++
		} else {
			records++
		}
		for _, line := range strings.Split(plan, "\n") {
			if bigScan(line) {
				t.Errorf("a search query scans a table:\n%s\n%s", q, plan)
				break
			}
		}
		if strings.Contains(plan, "TEMP B-TREE FOR ORDER BY") && !strings.Contains(q, "ORDER BY relevance") {
			t.Errorf("a search query sorts outside its index:\n%s\n%s", q, plan)
		}
	}
	if fts == 0 || records == 0 {
		t.Fatalf("captured %d index and %d record queries; the capture missed them", fts, records)
	}
}

// bigScan: a line of a plan that reads a whole table that grows with the
// business. The FTS5 tables are read by MATCH or by rowid (their plan names
// what they were given after the colon: M for the match, = for a rowid;
// "named" is the search's own alias of the index when it reads a name by
// rowid); the schema (whether the index is installed) is the app's few
// tables; the team rules read the business's one settings row, its few
// teams and their members (json_each), and subqueries (the search's
// "ranked": at most a page's worth of matches) are read as they come out.
func bigScan(line string) bool {
	line = strings.TrimSpace(line)
	switch {
	case !strings.HasPrefix(line, "SCAN "):
		return false
	case strings.HasPrefix(line, "SCAN "+search.Table+" VIRTUAL TABLE"), strings.HasPrefix(line, "SCAN "+search.ShortTable+" VIRTUAL TABLE"),
		strings.HasPrefix(line, "SCAN named VIRTUAL TABLE"):
		_, index, _ := strings.Cut(line, ":")
		return !strings.Contains(index, "M") && !strings.Contains(index, "=")
	case strings.Contains(line, "VIRTUAL TABLE"): // json_each of a team's members
		return false
	case strings.HasPrefix(line, "SCAN (subquery"), line == "SCAN ranked", line == "SCAN sqlite_schema",
		strings.Contains(line, crm.BusinessSettings), strings.Contains(line, "COVERING INDEX idx_teams_members"):
		return false
	}
	return true
}
