package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	_ "vinculo/pb_migrations"
	"vinculo/plugins/demo"
	"vinculo/plugins/search"
)

const rawRowsPerTx = 20000 // as the demo's bulk writer

// insertRow is one size of the bulk-insert comparison.
type insertRow struct {
	rows      int
	demo      time.Duration // the demo's bulk path, rows made on the fly
	demoN     int64
	raw       time.Duration // plain database/sql, same rows made on the fly
	rawN      int64
	gen       time.Duration // the row function alone, no database
	rawCfg    rawConfig
	ddlStmts  int // table and indexes
	trigStmts int // the search index's tables and the triggers on the table
	// raw again, with the table and its indexes only: no search triggers.
	rawBare  time.Duration
	rawBareN int64
	variants []variant
}

// benchInserts writes the same n contact rows twice: through the demo's bulk
// path into a fresh PocketBase app (Bootstrap + all migrations), and with
// plain database/sql into a fresh SQLite file whose contacts table and
// indexes, search index tables and search triggers are created by the DDL
// read from that app's sqlite_master, opened with PocketBase's own connection
// function (so the same PRAGMAs: WAL, synchronous=NORMAL, ...). The raw side
// runs once more without the search index (table and indexes only), to show
// what the triggers cost, and its other shapes are measured that way too: the
// triggers' cost would hide the differences between shapes.
func benchInserts(opts options, root string, n int, withVariants bool) (insertRow, error) {
	res := insertRow{rows: n}
	now := time.Now().UTC()
	columns, row := demo.ContactRows(n, now)

	// The row function alone, so its share of both timings is known.
	start := time.Now()
	var sink int
	for i := 1; i <= n; i++ {
		sink += len(row(i))
	}
	res.gen = time.Since(start)
	if sink != n*len(columns) {
		return res, fmt.Errorf("the row function gave %d values for %d rows of %d columns", sink, n, len(columns))
	}

	// The demo generator's bulk path, in a fresh PocketBase app.
	fmt.Printf("[%d rows] demo bulk path into a fresh PocketBase app ...\n", n)
	appDir := filepath.Join(root, fmt.Sprintf("gen-%d", n))
	defer os.RemoveAll(appDir)
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: appDir, QueryTimeout: time.Hour})
	if err := app.Bootstrap(); err != nil {
		return res, err
	}
	if err := app.RunAllMigrations(); err != nil {
		app.ResetBootstrapState()
		return res, err
	}
	tableOnly, triggers, err := tableDDL(app.NonconcurrentDB().(*dbx.DB).DB(), demo.ContactsTable)
	if err != nil {
		app.ResetBootstrapState()
		return res, err
	}
	ddl := append(slices.Clone(tableOnly), triggers...)
	res.ddlStmts, res.trigStmts = len(tableOnly), len(triggers)
	start = time.Now()
	res.demoN, err = demo.InsertContacts(app, n, now)
	res.demo = time.Since(start)
	app.ResetBootstrapState()
	if err != nil {
		return res, err
	}
	os.RemoveAll(appDir)

	// Raw SQLite, same DDL, same PRAGMAs, same rows.
	fmt.Printf("[%d rows] raw SQLite inserts into a fresh file ...\n", n)
	res.rawCfg = opts.raw
	res.rawN, res.raw, err = rawRun(root, fmt.Sprintf("raw-%d", n), ddl, columns, n, row, opts.raw)
	if err != nil {
		return res, err
	}
	if res.demoN != int64(n) || res.rawN != int64(n) {
		return res, fmt.Errorf("rows written: demo %d, raw %d, of %d", res.demoN, res.rawN, n)
	}
	if len(triggers) > 0 {
		fmt.Printf("[%d rows] raw SQLite inserts, table and indexes only (no search triggers) ...\n", n)
		res.rawBareN, res.rawBare, err = rawRun(root, fmt.Sprintf("rawbare-%d", n), tableOnly, columns, n, row, opts.raw)
		if err != nil {
			return res, err
		}
		rawNoSearch = append(rawNoSearch, rawRate{n, float64(res.rawBareN) / res.rawBare.Seconds()})
	}

	// Other plain shapes of the raw side, at the first size only and on the
	// table and its indexes alone: why the baseline is the shape it is.
	if withVariants {
		for i, cfg := range rawVariants {
			fmt.Printf("[%d rows] raw variant: %s ...\n", n, cfg)
			got, took, err := rawRun(root, fmt.Sprintf("variant-%d-%d", n, i), tableOnly, columns, n, row, cfg)
			if err != nil {
				return res, err
			}
			res.variants = append(res.variants, variant{cfg, float64(got) / took.Seconds()})
		}
	}
	return res, nil
}

// rawRate is part 2's raw insert rate into the table and its indexes, no
// search index, at one size: the fill's goal (8) is shown beside it.
type rawRate struct {
	rows int
	rate float64
}

var rawNoSearch []rawRate

// rawNoSearchRate is the rate part 2 measured in this run at the size
// nearest to contacts, if it ran.
func rawNoSearchRate(contacts int) (rate float64, rows int, ok bool) {
	for _, r := range rawNoSearch {
		if !ok || abs(r.rows-contacts) < abs(rows-contacts) {
			rate, rows, ok = r.rate, r.rows, true
		}
	}
	return rate, rows, ok
}

func abs(n int) int { return max(n, -n) }

// rawConfig is a shape of plain multi-row INSERT.
type rawConfig struct {
	verb    string // "INSERT" or "INSERT OR IGNORE"
	perStmt int    // rows per statement
}

func (c rawConfig) String() string {
	if c.perStmt == 1 {
		return c.verb + ", 1 row per statement"
	}
	return fmt.Sprintf("%s, %d rows per statement", c.verb, c.perStmt)
}

type variant struct {
	cfg  rawConfig
	rate float64
}

// rawVariants are measured once, at the first size.
var rawVariants = []rawConfig{
	{"INSERT", 1}, {"INSERT", 20}, {"INSERT", 42}, {"INSERT OR IGNORE", 42}, {"INSERT OR IGNORE", 100},
}

// rawRun creates a fresh SQLite file with PocketBase's own connection
// function (core.DefaultDBConnect: the same PRAGMAs, WAL and
// synchronous=NORMAL among them) and one connection, as PocketBase writes;
// runs the DDL; and times the insert of rows 1..n. The file is removed after.
func rawRun(root, name string, ddl, columns []string, n int, row func(int) []any, cfg rawConfig) (int64, time.Duration, error) {
	dir := filepath.Join(root, name)
	defer os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, 0, err
	}
	conn, err := core.DefaultDBConnect(filepath.Join(dir, "data.db"))
	if err != nil {
		return 0, 0, err
	}
	db := conn.DB()
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, stmt := range ddl {
		if _, err := db.Exec(stmt); err != nil {
			return 0, 0, fmt.Errorf("%s: %w", stmt, err)
		}
	}
	cfg.perStmt = max(1, min(cfg.perStmt, 32766/len(columns))) // SQLite's parameter limit
	start := time.Now()
	got, err := rawInsert(db, demo.ContactsTable, columns, n, row, cfg)
	return got, time.Since(start), err
}

// tableDDL is the CREATE TABLE and CREATE INDEX statements of table
// and, apart, what its triggers need: the search plugin's triggers write the
// search index, so the index's tables (the FTS5 table and its map) come
// first, then the triggers on table.
func tableDDL(db *sql.DB, table string) (tableOnly, triggers []string, err error) {
	query := func(q string, args ...any) ([]string, error) {
		rows, err := db.Query(q, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, rows.Err()
	}
	if tableOnly, err = query("SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('table', 'index') AND sql IS NOT NULL ORDER BY type = 'table' DESC, name", table); err != nil {
		return nil, nil, err
	}
	if len(tableOnly) == 0 {
		return nil, nil, fmt.Errorf("no table %s", table)
	}
	trig, err := query("SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type = 'trigger' AND sql IS NOT NULL ORDER BY name", table)
	if err != nil || len(trig) == 0 {
		return tableOnly, nil, err
	}
	// The search index: the map (with its own indexes, if any) and the FTS5
	// tables (whose shadow tables they make themselves).
	if triggers, err = query("SELECT sql FROM sqlite_master WHERE tbl_name IN (?, ?, ?) AND type IN ('table', 'index') AND sql IS NOT NULL ORDER BY type = 'table' DESC, name",
		search.MapTable, search.Table, search.ShortTable); err != nil {
		return nil, nil, err
	}
	if len(triggers) < 3 {
		return nil, nil, fmt.Errorf("%s has triggers but the search index tables are not there: %q", table, trig)
	}
	return tableOnly, append(triggers, trig...), nil
}

// rawInsert is the plain fast way: multi-row INSERTs of cfg's shape, prepared
// once per transaction, a transaction per rawRowsPerTx rows, rows made on the
// fly.
func rawInsert(db *sql.DB, table string, columns []string, n int, row func(int) []any, cfg rawConfig) (int64, error) {
	verb, perStmt := cfg.verb, cfg.perStmt
	insertSQL := func(rows int) string {
		one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(columns)), ",") + ")"
		return fmt.Sprintf("%s INTO `%s` (`%s`) VALUES %s", verb, table, strings.Join(columns, "`,`"),
			strings.TrimSuffix(strings.Repeat(one+",", rows), ","))
	}
	full := insertSQL(perStmt)
	var (
		tx       *sql.Tx
		stmt     *sql.Stmt
		inTx     int
		inserted int64
		args     = make([]any, 0, perStmt*len(columns))
	)
	fail := func(err error) (int64, error) {
		if stmt != nil {
			stmt.Close()
		}
		if tx != nil {
			tx.Rollback()
		}
		return inserted, err
	}
	flush := func() error {
		rows := len(args) / len(columns)
		if rows == 0 {
			return nil
		}
		var err error
		if tx == nil {
			if tx, err = db.Begin(); err != nil {
				return err
			}
		}
		if rows == perStmt {
			if stmt == nil {
				if stmt, err = tx.Prepare(full); err != nil {
					return err
				}
			}
			_, err = stmt.Exec(args...)
		} else {
			_, err = tx.Exec(insertSQL(rows), args...)
		}
		if err != nil {
			return err
		}
		inserted += int64(rows)
		inTx += rows
		args = args[:0]
		if inTx >= rawRowsPerTx {
			if stmt != nil {
				stmt.Close()
				stmt = nil
			}
			err = tx.Commit()
			tx, inTx = nil, 0
		}
		return err
	}
	for i := 1; i <= n; i++ {
		args = append(args, row(i)...)
		if len(args) == cap(args) {
			if err := flush(); err != nil {
				return fail(err)
			}
		}
	}
	if err := flush(); err != nil {
		return fail(err)
	}
	if tx != nil {
		if stmt != nil {
			stmt.Close()
		}
		if err := tx.Commit(); err != nil {
			return inserted, err
		}
	}
	return inserted, nil
}
