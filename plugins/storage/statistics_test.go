package storage_test

import (
	"testing"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/storage"
	"vinculo/testkit"
)

// After a refresh every table has statistics: an empty one is noted as
// holding a row (SQLite would otherwise take it for a million), and a table
// that grew many times over is analysed again.
func TestStatisticsFollowTheData(t *testing.T) {
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All))
	if err := storage.RefreshStatistics(w.App); err != nil {
		t.Fatal(err)
	}
	if missing := tablesWithoutStatistics(t, w); len(missing) > 0 {
		t.Errorf("tables without statistics after a refresh: %v", missing)
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

func tablesWithoutStatistics(t *testing.T, w *testkit.World) []string {
	t.Helper()
	var names []string
	err := w.App.DB().NewQuery(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%'
		AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' AND name NOT IN (SELECT tbl FROM sqlite_stat1) ORDER BY name`).Column(&names)
	if err != nil {
		t.Fatal(err)
	}
	return names
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
