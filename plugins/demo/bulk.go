package demo

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/plugins/search"
)

// bulkWriter writes one table's share of the demo the way an import writes
// a file: multi-row prepared INSERTs in one transaction, with the search
// insert trigger set aside and the new rows indexed in bulk every so many
// rows and before the commit (search.Bulk, the import's own path). When it
// adds at least as many rows as the table holds, it also drops the table's
// plain (not unique) indexes when the transaction begins and makes them
// again before it commits: one sort per index instead of millions of
// inserts at random places (the timeline's indexes by date), which made a
// million contacts take half an hour. It all commits together or not at
// all: a fill that stops leaves the table, its indexes, its search index
// and its triggers as they were. Rows whose id already exists are left
// alone, so running the demo twice duplicates nothing.
type bulkWriter struct {
	ctx      context.Context
	db       *sql.DB
	conn     *sql.Conn // the pool's one connection, held while the transaction is open
	index    *search.Bulk
	table    string
	columns  []string
	adding   int      // how many rows the caller means to add
	indexes  []string // the CREATE INDEX statements dropped for the load
	perStmt  int      // rows per INSERT statement
	stmt     *sql.Stmt
	args     []any
	pending  int // rows written since the search index last caught up
	Inserted int64
	// Indexed counts the search index entries the bulk path wrote itself
	// (0 when the insert trigger indexed each row).
	Indexed int64
}

// catchUpRows is how many rows are written between two bulk catch-ups of
// the search index: each catch-up is one statement, which SQLite keeps
// whole until it ends.
var catchUpRows = 50000

// writerDB is the single-connection pool PocketBase writes through.
func writerDB(app core.App) (*sql.DB, error) {
	db, ok := app.NonconcurrentDB().(*dbx.DB)
	if !ok {
		return nil, fmt.Errorf("bulk insert needs the app's own database, not a transaction")
	}
	return db.DB(), nil
}

// newBulkWriter prepares the load of about adding rows into table.
func newBulkWriter(app core.App, db *sql.DB, table string, adding int, columns ...string) (*bulkWriter, error) {
	index, err := search.NewBulk(app, table)
	if err != nil {
		return nil, err
	}
	perStmt := max(1, 900/len(columns)) // stays far below SQLite's parameter limit
	return &bulkWriter{ctx: context.Background(), db: db, index: index, table: table, columns: columns,
		adding: adding, perStmt: perStmt, args: make([]any, 0, perStmt*len(columns))}, nil
}

func (w *bulkWriter) insertSQL(rows int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(w.columns)), ",") + ")"
	values := strings.TrimSuffix(strings.Repeat(one+",", rows), ",")
	return fmt.Sprintf("INSERT OR IGNORE INTO `%s` (`%s`) VALUES %s", w.table, strings.Join(w.columns, "`,`"), values)
}

// Add queues one row (values in column order).
func (w *bulkWriter) Add(values ...any) error {
	if len(values) != len(w.columns) {
		return fmt.Errorf("%s: %d values for %d columns", w.table, len(values), len(w.columns))
	}
	w.args = append(w.args, values...)
	if len(w.args) == w.perStmt*len(w.columns) {
		return w.flushStmt()
	}
	return nil
}

func (w *bulkWriter) exec(query string, args ...any) error {
	_, err := w.conn.ExecContext(w.ctx, query, args...)
	return err
}

// begin takes the pool's connection, opens the write transaction, sets the
// search insert trigger aside and, for a load that at least doubles the
// table, drops its plain indexes.
func (w *bulkWriter) begin() error {
	conn, err := w.db.Conn(w.ctx)
	if err != nil {
		return err
	}
	w.conn = conn
	if err := w.exec("BEGIN IMMEDIATE"); err != nil {
		conn.Close()
		w.conn = nil
		return err
	}
	if err := w.index.Pause(w.ctx, conn); err != nil {
		return err
	}
	return w.dropIndexes()
}

// dropIndexes drops the table's indexes that are neither unique (the rows
// left alone are found by them) nor part of a constraint, keeping their
// statements to make them again, when the load adds at least as many rows
// as the table has.
func (w *bulkWriter) dropIndexes() error {
	var last int64
	if err := w.conn.QueryRowContext(w.ctx, "SELECT IFNULL(MAX(rowid), 0) FROM `"+w.table+"`").Scan(&last); err != nil {
		return err
	}
	if int64(w.adding) < last {
		return nil
	}
	rows, err := w.conn.QueryContext(w.ctx, "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL AND "+
		"name IN (SELECT name FROM pragma_index_list(?) WHERE \"unique\" = 0 AND origin = 'c')", w.table, w.table)
	if err != nil {
		return err
	}
	var names []string
	for rows.Next() {
		var name, stmt string
		if err := rows.Scan(&name, &stmt); err != nil {
			rows.Close()
			return err
		}
		names, w.indexes = append(names, name), append(w.indexes, stmt)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, name := range names {
		if err := w.exec("DROP INDEX `" + strings.ReplaceAll(name, "`", "``") + "`"); err != nil {
			return err
		}
	}
	return nil
}

func (w *bulkWriter) flushStmt() error {
	rows := len(w.args) / len(w.columns)
	if rows == 0 {
		return nil
	}
	if w.conn == nil {
		if err := w.begin(); err != nil {
			return err
		}
	}
	var res sql.Result
	var err error
	if rows == w.perStmt {
		if w.stmt == nil {
			if w.stmt, err = w.conn.PrepareContext(w.ctx, w.insertSQL(rows)); err != nil {
				return err
			}
		}
		res, err = w.stmt.ExecContext(w.ctx, w.args...)
	} else {
		res, err = w.conn.ExecContext(w.ctx, w.insertSQL(rows), w.args...)
	}
	if err != nil {
		return fmt.Errorf("insert into %s: %w", w.table, err)
	}
	n, _ := res.RowsAffected()
	w.Inserted += n
	clear(w.args)
	w.args = w.args[:0]
	if w.pending += rows; w.pending >= catchUpRows {
		w.pending = 0
		return w.indexed(func() error { return w.index.CatchUp(w.ctx, w.conn) })
	}
	return nil
}

// indexed runs a step of the bulk search indexing and counts the entries
// it wrote (entries are numbered in order).
func (w *bulkWriter) indexed(step func() error) error {
	last := func() (n int64, err error) {
		err = w.conn.QueryRowContext(w.ctx, "SELECT IFNULL(MAX(id), 0) FROM `"+search.MapTable+"`").Scan(&n)
		return n, err
	}
	before, err := last()
	if err != nil {
		return err
	}
	if err := step(); err != nil {
		return fmt.Errorf("search index of %s: %w", w.table, err)
	}
	after, err := last()
	w.Indexed += after - before
	return err
}

// Close writes what is queued, makes the dropped indexes again, indexes
// the last rows for search, puts the trigger back and commits; on an error
// the whole load is rolled back.
func (w *bulkWriter) Close() error {
	err := w.flushStmt()
	if err == nil && w.conn != nil {
		err = w.finish()
	}
	if err != nil {
		w.abort()
	}
	return err
}

func (w *bulkWriter) finish() error {
	if w.stmt != nil {
		w.stmt.Close()
		w.stmt = nil
	}
	for _, stmt := range w.indexes {
		if err := w.exec(stmt); err != nil {
			return fmt.Errorf("index of %s: %w", w.table, err)
		}
	}
	if err := w.indexed(func() error { return w.index.Resume(w.ctx, w.conn) }); err != nil {
		return err
	}
	if err := w.exec("COMMIT"); err != nil {
		return err
	}
	w.release()
	return nil
}

// abort rolls the load back: the rows, the dropped indexes and the search
// trigger are as they were.
func (w *bulkWriter) abort() {
	if w.conn == nil {
		return
	}
	w.index.Forget()
	// Not w.ctx: a cancelled fill must still end its transaction, or the
	// pool's one connection would go back with it open.
	w.conn.ExecContext(context.Background(), "ROLLBACK")
	w.release()
}

func (w *bulkWriter) release() {
	if w.stmt != nil {
		w.stmt.Close()
		w.stmt = nil
	}
	if w.conn != nil {
		w.conn.Close()
		w.conn = nil
	}
	w.indexes, w.pending = nil, 0
}
