package storage

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// The query planner picks each query's index from the statistics SQLite
// keeps in sqlite_stat1. A table that was empty or small when they were last
// taken and has grown since (a business's first months, an import) is
// planned as if it were still small; and a table that is empty has none at
// all, so SQLite takes it for a table of a million rows. Both made lists
// read whole tables: a company admin's list of orders or requests (their
// own rows or their company's, one OR of two indexed columns) was read by a
// scan of the table as soon as the business had no teams, because every
// rule joins the teams and an empty teams table counted as a big one.
//
// PocketBase takes the statistics again at midnight (PRAGMA optimize);
// Vinculo also does when the server starts and after an import wrote rows,
// and notes every empty table as the empty table it is. SQLite samples a
// bounded number of rows per index, so it costs milliseconds at a million
// rows, never a table scan; a table whose size has not changed much since is
// left alone.

// optimizeAll asks SQLite to check every table, not only those the
// connection has used, and to analyse those that need it (bounded).
const optimizeAll = "PRAGMA optimize=0x10002"

// emptyTablesStatistics writes "1 1 …" (one row; one row per value of each
// column's prefix) for every index of a table without statistics, and "1"
// for such a table without an index.
const emptyTablesStatistics = `WITH missing AS (
	SELECT name FROM sqlite_schema
	WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'
	AND name NOT IN (SELECT tbl FROM sqlite_stat1))
INSERT INTO sqlite_stat1 (tbl, idx, stat)
SELECT m.name, i.name, '1' || substr(' 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1', 1,
	2 * (SELECT count(*) FROM pragma_index_info(i.name)))
FROM missing m JOIN pragma_index_list(m.name) i
UNION ALL
SELECT m.name, NULL, '1' FROM missing m WHERE NOT EXISTS (SELECT 1 FROM pragma_index_list(m.name))`

// RefreshStatistics takes again the statistics of every table of the main
// database that has none or has grown or shrunk many times since, and notes
// the tables without a row as holding one.
func RefreshStatistics(app core.App) error {
	return app.RunInTransaction(func(txApp core.App) error {
		tx := txApp.NonconcurrentDB()
		// (sqlite_stat1 exists once anything was analysed: this does.)
		if _, err := tx.NewQuery("ANALYZE sqlite_schema").Execute(); err != nil {
			return err
		}
		if _, err := tx.NewQuery(optimizeAll).Execute(); err != nil {
			return err
		}
		// What ANALYZE leaves without a row: the empty tables. They are noted
		// as holding one row, in every index (or the table's own row when it
		// has none); PRAGMA optimize replaces that once a table has grown many
		// times over.
		res, err := tx.NewQuery(emptyTablesStatistics).Execute()
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			// Every connection reads the statistics again.
			_, err = tx.NewQuery("ANALYZE sqlite_schema").Execute()
		}
		return err
	})
}

// RefreshOnServe refreshes the statistics once the server listens, beside
// it: the first answers do not wait for it. main wires it for `serve`.
func RefreshOnServe(app core.App) {
	log := stderrLogger()
	app.OnServe().Bind(&hook.Handler[*core.ServeEvent]{Id: "vinculo.storage.statistics", Func: func(se *core.ServeEvent) error {
		if err := se.Next(); err != nil {
			return err
		}
		go func() {
			if err := RefreshStatistics(app); err != nil {
				log.Warn("the query planner's statistics were not refreshed", "error", err.Error())
			}
		}()
		return nil
	}})
}
