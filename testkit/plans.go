package testkit

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// QueryPlan is SQLite's EXPLAIN QUERY PLAN of stmt (with its params, if
// any), one line per step: what the tests that say "every query is led by
// an index" read.
func QueryPlan(t testing.TB, app core.App, stmt string, params dbx.Params) string {
	t.Helper()
	var rows []struct {
		Detail string `db:"detail"`
	}
	q := app.DB().NewQuery("EXPLAIN QUERY PLAN " + stmt)
	if params != nil {
		q = q.Bind(params)
	}
	if err := q.All(&rows); err != nil {
		t.Fatalf("explaining %s: %v", stmt, err)
	}
	lines := make([]string, len(rows))
	for i, r := range rows {
		lines[i] = r.Detail
	}
	return strings.Join(lines, "\n")
}

// SQLLog records the SQL the app's readers run, as they run it, from
// LogSQL until the test ends.
type SQLLog struct {
	mu    sync.Mutex
	stmts []string
}

// LogSQL starts recording the statements of app's read pool (where record
// lists, views and searches run).
func LogSQL(t testing.TB, app core.App) *SQLLog {
	t.Helper()
	db, ok := app.ConcurrentDB().(*dbx.DB)
	if !ok {
		t.Fatal("testkit: the app's readers are not a *dbx.DB")
	}
	l := &SQLLog{}
	before := db.QueryLogFunc
	db.QueryLogFunc = func(_ context.Context, _ time.Duration, q string, _ *sql.Rows, _ error) {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.stmts = append(l.stmts, q)
	}
	t.Cleanup(func() { db.QueryLogFunc = before })
	return l
}

// Take returns what was recorded since the last Take.
func (l *SQLLog) Take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.stmts
	l.stmts = nil
	return out
}
