package demo

import (
	"database/sql"
	"fmt"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// bulkWriter inserts many rows with multi-row prepared statements in batched
// transactions: the path that makes a million demo contacts take seconds.
// Rows whose id already exists are left alone, so running the demo twice
// duplicates nothing.
type bulkWriter struct {
	db       *sql.DB
	table    string
	columns  []string
	perStmt  int // rows per INSERT statement
	perTx    int // rows per transaction
	tx       *sql.Tx
	stmt     *sql.Stmt
	args     []any
	inTx     int
	Inserted int64
}

// writerDB is the single-connection pool PocketBase writes through.
func writerDB(app core.App) (*sql.DB, error) {
	db, ok := app.NonconcurrentDB().(*dbx.DB)
	if !ok {
		return nil, fmt.Errorf("bulk insert needs the app's own database, not a transaction")
	}
	return db.DB(), nil
}

func newBulkWriter(db *sql.DB, table string, columns ...string) *bulkWriter {
	perStmt := max(1, 900/len(columns)) // stays far below SQLite's parameter limit
	return &bulkWriter{db: db, table: table, columns: columns, perStmt: perStmt, perTx: 20000}
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

func (w *bulkWriter) flushStmt() error {
	rows := len(w.args) / len(w.columns)
	if rows == 0 {
		return nil
	}
	if w.tx == nil {
		tx, err := w.db.Begin()
		if err != nil {
			return err
		}
		w.tx = tx
	}
	var res sql.Result
	var err error
	if rows == w.perStmt {
		if w.stmt == nil {
			if w.stmt, err = w.tx.Prepare(w.insertSQL(rows)); err != nil {
				return err
			}
		}
		res, err = w.stmt.Exec(w.args...)
	} else {
		res, err = w.tx.Exec(w.insertSQL(rows), w.args...)
	}
	if err != nil {
		return fmt.Errorf("insert into %s: %w", w.table, err)
	}
	n, _ := res.RowsAffected()
	w.Inserted += n
	w.args = w.args[:0]
	w.inTx += rows
	if w.inTx >= w.perTx {
		return w.commit()
	}
	return nil
}

func (w *bulkWriter) commit() error {
	if w.tx == nil {
		return nil
	}
	if w.stmt != nil {
		w.stmt.Close()
		w.stmt = nil
	}
	err := w.tx.Commit()
	w.tx, w.inTx = nil, 0
	return err
}

// Close writes what is queued and commits.
func (w *bulkWriter) Close() error {
	if err := w.flushStmt(); err != nil {
		w.abort()
		return err
	}
	return w.commit()
}

func (w *bulkWriter) abort() {
	if w.stmt != nil {
		w.stmt.Close()
		w.stmt = nil
	}
	if w.tx != nil {
		w.tx.Rollback()
		w.tx = nil
	}
}
