package storage_test

import (
	"slices"
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/storage"
	"vinculo/testkit"
)

// After a refresh every empty table has statistics that say so (SQLite
// would otherwise take it for a million rows), no table with rows is noted
// as empty (the search index's own tables included: FTS5's statements on a
// table noted far smaller than it is were planned as scans, and creates at a
// million contacts stalled for seconds), and a table that grew many times
// over is analysed again.
func TestStatisticsFollowTheData(t *testing.T) {
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All))
	for _, name := range []string{"Ana Souza", "Bruno Lima", "Carla Dias"} {
		w.Make(t, "", crm.Contacts, map[string]any{"name": name})
	}
	// Rows written behind the app's back, in a table without statistics.
	if _, err := w.App.DB().NewQuery(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000)
		INSERT INTO {{tasks}} ([[title]]) SELECT 'Task ' || i FROM n`).Execute(); err != nil {
		t.Fatal(err)
	}
	before := statRows(t, w)
	if err := storage.RefreshStatistics(w.App); err != nil {
		t.Fatal(err)
	}
	if missing := emptyTablesWithoutStatistics(t, w); len(missing) > 0 {
		t.Errorf("empty tables without statistics after a refresh: %v", missing)
	}
	if wrong := tablesWithRowsNotedEmpty(t, w, before); len(wrong) > 0 {
		t.Errorf("tables with rows noted as holding one: %v", wrong)
	}
	if got := rowsNoted(t, w, crm.Teams); got != 1 {
		t.Errorf("the empty teams table is noted as %d rows, want 1", got)
	}

	if _, err := w.App.DB().NewQuery(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000)
		INSERT INTO {{teams}} ([[name]], [[members]]) SELECT 'Team ' || i, '[]' FROM n`).Execute(); err != nil {
		t.Fatal(err)
	}
	if got := rowsNoted(t, w, crm.Teams); got != 1 {
		t.Fatalf("before the refresh the statistics say %d teams, want the old 1", got)
	}
	if err := storage.RefreshStatistics(w.App); err != nil {
		t.Fatal(err)
	}
	if got := rowsNoted(t, w, crm.Teams); got != 4000 {
		t.Errorf("after 4,000 teams were written the statistics say %d", got)
	}
	// Nothing changed since: a refresh again leaves them as they are.
	if err := storage.RefreshStatistics(w.App); err != nil {
		t.Fatal(err)
	}
	if got := rowsNoted(t, w, crm.Teams); got != 4000 {
		t.Errorf("a second refresh changed the teams' statistics to %d", got)
	}
}

func emptyTablesWithoutStatistics(t *testing.T, w *testkit.World) []string {
	t.Helper()
	var names, empty []string
	err := w.App.DB().NewQuery(`SELECT t.name FROM pragma_table_list t WHERE t.schema = 'main' AND t.type = 'table'
		AND t.name NOT LIKE 'sqlite%' AND EXISTS (SELECT 1 FROM pragma_index_list(t.name))
		AND t.name NOT IN (SELECT tbl FROM sqlite_stat1) ORDER BY t.name`).Column(&names)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if countRows(t, w, name) == 0 {
			empty = append(empty, name)
		}
	}
	return empty
}

// tablesWithRowsNotedEmpty: a statistics row the refresh wrote saying "1"
// (one row) of a table that holds more than one.
func tablesWithRowsNotedEmpty(t *testing.T, w *testkit.World, before map[string]bool) []string {
	t.Helper()
	var wrong []string
	written := 0
	for row := range statRows(t, w) {
		table, stat, _ := strings.Cut(row, "|")
		_, stat, _ = strings.Cut(stat, "|")
		if before[row] || (stat != "1" && !strings.HasPrefix(stat, "1 ")) {
			continue
		}
		written++
		if countRows(t, w, table) > 1 && !slices.Contains(wrong, table) {
			wrong = append(wrong, table)
		}
	}
	if written == 0 {
		t.Fatal("the refresh noted no table as holding one row: the check proves nothing")
	}
	return wrong
}

// statRows is every statistics row as "table|index|stat".
func statRows(t *testing.T, w *testkit.World) map[string]bool {
	t.Helper()
	var rows []string
	if err := w.App.DB().NewQuery(`SELECT tbl || '|' || coalesce(idx, '') || '|' || stat FROM sqlite_stat1`).Column(&rows); err != nil {
		t.Fatal(err)
	}
	set := map[string]bool{}
	for _, r := range rows {
		set[r] = true
	}
	return set
}

func countRows(t *testing.T, w *testkit.World, table string) int {
	t.Helper()
	var n int
	if err := w.App.DB().NewQuery("SELECT count(*) FROM {{" + table + "}}").Row(&n); err != nil {
		t.Fatalf("%s: %v", table, err)
	}
	return n
}

// rowsNoted is the table's size as its primary key's statistics say.
func rowsNoted(t *testing.T, w *testkit.World, table string) int {
	t.Helper()
	var n int
	err := w.App.DB().NewQuery(`SELECT CAST(stat AS INTEGER) FROM sqlite_stat1 WHERE tbl = {:t}
		AND idx = (SELECT name FROM pragma_index_list({:t}) WHERE origin = 'pk')`).Bind(map[string]any{"t": table}).Row(&n)
	if err != nil {
		t.Fatalf("%s: %v", table, err)
	}
	return n
}
