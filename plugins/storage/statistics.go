package storage

import (
	"github.com/pocketbase/dbx"
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

// tablesWithoutStatistics are the ordinary tables with an index that
// ANALYZE left without a row (the shadow tables of the search index are
// FTS5's own, and left to it).
const tablesWithoutStatistics = `SELECT t.name FROM pragma_table_list t
	WHERE t.schema = 'main' AND t.type = 'table' AND t.name NOT LIKE 'sqlite%'
	AND EXISTS (SELECT 1 FROM pragma_index_list(t.name))
	AND t.name NOT IN (SELECT tbl FROM sqlite_stat1)`

// oneRowStatistics writes "1 1 …" (one row; one row per value of each
// column's prefix) for every index of the table {:t}.
const oneRowStatistics = `INSERT INTO sqlite_stat1 (tbl, idx, stat)
	SELECT {:t}, i.name, '1' || substr(' 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1', 1,
		2 * (SELECT count(*) FROM pragma_index_info(i.name)))
	FROM pragma_index_list({:t}) i`

// RefreshStatistics takes again the statistics of every table of the main
// database that has none or has grown or shrunk many times since, and notes
// the empty tables as holding one row.
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
		// What ANALYZE leaves without a row: the empty tables, noted as
		// holding one row. A table with rows is never noted so: left without
		// statistics SQLite assumes it big, which is the safe mistake (a
		// table noted far smaller than it is gets planned as a scan).
		var names []string
		if err := tx.NewQuery(tablesWithoutStatistics).Column(&names); err != nil {
			return err
		}
		noted := 0
		for _, name := range names {
			var rows bool
			if err := tx.NewQuery("SELECT EXISTS (SELECT 1 FROM {{" + name + "}})").Row(&rows); err != nil {
				return err
			}
			if rows {
				continue
			}
			if _, err := tx.NewQuery(oneRowStatistics).Bind(dbx.Params{"t": name}).Execute(); err != nil {
				return err
			}
			noted++
		}
		if noted > 0 {
			// Every connection reads the statistics again.
			_, err := tx.NewQuery("ANALYZE sqlite_schema").Execute()
			return err
		}
		return nil
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
