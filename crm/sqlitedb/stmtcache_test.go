package sqlitedb_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"modernc.org/sqlite"

	"vinculo/crm"
	"vinculo/crm/sqlitedb"
	"vinculo/plugins/search"
	"vinculo/testkit"
)

// writerPool opens a database the way PocketBase opens its writer: a pool
// of one connection.
func writerPool(t *testing.T) *sql.DB {
	return pool(t, 1)
}

// pool opens a database as PocketBase opens its pools: at most max
// connections, one for the writer and more (120) for the readers.
func pool(t *testing.T, max int) *sql.DB {
	t.Helper()
	x, err := sqlitedb.Connect(filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	db := x.DB()
	db.SetMaxOpenConns(max)
	db.SetMaxIdleConns(max)
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return db
}

func exec(t *testing.T, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, q string, args ...any) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// A statement is kept prepared from its second run on; the third runs
// from the cache.
func TestWriterKeepsStatements(t *testing.T) {
	db := writerPool(t)
	exec(t, db, "CREATE TABLE t (a INTEGER)")
	before := sqlitedb.StmtCache()
	for i := 0; i < 5; i++ {
		exec(t, db, "INSERT INTO t (a) VALUES (?)", i)
	}
	d := delta(before)
	if d.Prepared != 1 || d.Hits != 3 {
		t.Errorf("five runs of one insert: %d prepared, %d from the cache; want 1 and 3", d.Prepared, d.Hits)
	}
	var n, sum int
	if err := db.QueryRow("SELECT count(*), sum(a) FROM t").Scan(&n, &sum); err != nil || n != 5 || sum != 10 {
		t.Errorf("rows %d, sum %d (%v); want 5 and 10: each run bound its own value", n, sum, err)
	}
}

func delta(before sqlitedb.StmtCacheStats) sqlitedb.StmtCacheStats {
	now := sqlitedb.StmtCache()
	return sqlitedb.StmtCacheStats{Hits: now.Hits - before.Hits, Prepared: now.Prepared - before.Prepared, Evicted: now.Evicted - before.Evicted}
}

// A kept statement follows the schema: a trigger created after it was
// prepared fires, a column added shows in its rows, and a dropped table
// gives the ordinary error.
func TestKeptStatementsFollowTheSchema(t *testing.T) {
	db := writerPool(t)
	exec(t, db, "CREATE TABLE t (a INTEGER)")
	exec(t, db, "CREATE TABLE log (a INTEGER)")
	for i := 0; i < 2; i++ {
		exec(t, db, "INSERT INTO t (a) VALUES (?)", i)
		rows, err := db.Query("SELECT * FROM t")
		if err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	before := sqlitedb.StmtCache()

	exec(t, db, "CREATE TRIGGER t_log AFTER INSERT ON t BEGIN INSERT INTO log (a) VALUES (new.a * 10); END")
	exec(t, db, "INSERT INTO t (a) VALUES (?)", 7)
	var logged int
	if err := db.QueryRow("SELECT a FROM log").Scan(&logged); err != nil || logged != 70 {
		t.Errorf("the trigger made after the insert was kept: log %d (%v), want 70", logged, err)
	}

	exec(t, db, "ALTER TABLE t ADD COLUMN b TEXT DEFAULT 'x'")
	rows, err := db.Query("SELECT * FROM t")
	if err != nil {
		t.Fatal(err)
	}
	cols, _ := rows.Columns()
	count := 0
	for rows.Next() {
		var a int
		var b string
		if err := rows.Scan(&a, &b); err != nil {
			t.Fatal(err)
		}
		count++
	}
	rows.Close()
	if len(cols) != 2 || count != 3 {
		t.Errorf("kept SELECT * after a column was added: columns %v, %d rows; want [a b] and 3", cols, count)
	}
	if d := delta(before); d.Hits < 2 {
		t.Errorf("%d runs from the cache, want the insert and the select to be kept ones", d.Hits)
	}

	exec(t, db, "DROP TABLE t")
	if _, err := db.Exec("INSERT INTO t (a) VALUES (?)", 1); err == nil {
		t.Error("a kept insert into a dropped table succeeded")
	}
	exec(t, db, "CREATE TABLE t (z TEXT, a INTEGER)")
	exec(t, db, "INSERT INTO t (a) VALUES (?)", 3)
	var z sql.NullString
	var a int
	if err := db.QueryRow("SELECT * FROM t").Scan(&z, &a); err != nil || a != 3 || z.Valid {
		t.Errorf("the table made again: (%v, %d, %v), want (NULL, 3)", z, a, err)
	}
}

// The same query again while its rows are still being read (a nested
// query in a transaction) runs apart from the kept one, and both read
// every row.
func TestKeptStatementInUse(t *testing.T) {
	db := writerPool(t)
	exec(t, db, "CREATE TABLE t (a INTEGER)")
	for i := 1; i <= 3; i++ {
		exec(t, db, "INSERT INTO t (a) VALUES (?)", i)
	}
	const q = "SELECT a FROM t ORDER BY a"
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	sumOf := func() int {
		rows, err := tx.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		s := 0
		for rows.Next() {
			var a int
			rows.Scan(&a)
			s += a
		}
		return s
	}
	sumOf()
	sumOf() // kept from here
	outer, err := tx.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	got := []int{}
	for outer.Next() {
		var a int
		outer.Scan(&a)
		got = append(got, a*10+sumOf())
	}
	outer.Close()
	if fmt.Sprint(got) != "[16 26 36]" {
		t.Errorf("nested runs of one query: %v, want [16 26 36]", got)
	}
	if sumOf() != 6 {
		t.Error("the kept query after its nested use")
	}
}

// At most StmtCacheSize statements are kept on a writer; the least
// recently used go. Readers keep none.
func TestStatementCacheIsBounded(t *testing.T) {
	db := writerPool(t)
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	exec(t, conn, "CREATE TABLE t (a INTEGER)")
	before := sqlitedb.StmtCache()
	max := sqlitedb.StmtCacheSize
	n := max + 20
	for round := 0; round < 3; round++ {
		for i := 0; i < n; i++ {
			exec(t, conn, fmt.Sprintf("SELECT a FROM t WHERE a = %d", i))
		}
	}
	// The first round notes each statement, the second prepares each (the
	// first 20 are given back to make room for the last 20), the third
	// runs the last max of them from the cache and notes the first 20 anew.
	if d := delta(before); d.Prepared != int64(n) || d.Evicted != 20 || d.Hits != int64(max) {
		t.Errorf("%d statements run three times in turn: %d prepared, %d given back, %d from the cache; want %d, 20, %d", n, d.Prepared, d.Evicted, d.Hits, n, max)
	}
	before = sqlitedb.StmtCache()
	for i := 20; i < n; i++ {
		exec(t, conn, fmt.Sprintf("SELECT a FROM t WHERE a = %d", i))
	}
	if d := delta(before); d.Hits != int64(max) || d.Prepared != 0 {
		t.Errorf("the %d kept statements run again: %d from the cache, %d prepared; want all from the cache", max, d.Hits, d.Prepared)
	}
	var stmtBytes int
	conn.Raw(func(dc any) error {
		stmtBytes, _, err = dc.(sqlite.DBStatus).Status(sqlite.DBStatusStmtUsed, false)
		return err
	})
	if stmtBytes == 0 {
		t.Error("the writer says it keeps no statements")
	}

	readers := pool(t, 120)
	before = sqlitedb.StmtCache()
	for i := 0; i < 3; i++ {
		var one int
		if err := readers.QueryRow("SELECT 1").Scan(&one); err != nil {
			t.Fatal(err)
		}
	}
	if d := delta(before); d.Prepared != 0 || d.Hits != 0 {
		t.Errorf("a reader kept statements: %+v", d)
	}
}

// The server's own writes run from the cache: a contact create's insert,
// with its search triggers, is kept from the second create on (the first
// is only noted), so the third and fourth run it from the cache, and every
// contact is found by the search the triggers keep.
func TestContactCreatesRunKeptStatements(t *testing.T) {
	app := testkit.NewApp(t)
	before := sqlitedb.StmtCache()
	for i := 0; i < 4; i++ {
		testkit.Save(t, app, crm.Contacts, map[string]any{"name": fmt.Sprintf("Kept Statement %d", i)})
	}
	if d := delta(before); d.Hits < 2 || d.Prepared < 1 {
		t.Errorf("four contact creates: %d statements prepared into the cache, %d run from it; want the insert kept at the second and run from it at the third and fourth", d.Prepared, d.Hits)
	}
	var found int
	if err := app.DB().NewQuery("SELECT count(*) FROM `" + search.Table + "` WHERE `" + search.Table + "` MATCH 'name:kept'").Row(&found); err != nil {
		t.Fatal(err)
	}
	if found != 4 {
		t.Errorf("%d contacts found by search, want 4", found)
	}
}

// With every kept statement's rows still open, a statement kept anew is
// not given back to make room (it would run closed): the cache stays over
// its bound until some rows close, and every result is whole.
func TestCacheFullOfOpenRows(t *testing.T) {
	db := writerPool(t)
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	exec(t, conn, "CREATE TABLE t (a INTEGER)")
	exec(t, conn, "INSERT INTO t (a) VALUES (1), (2)")
	q := func(i int) string { return fmt.Sprintf("SELECT a + %d FROM t ORDER BY a", i) }
	n := sqlitedb.StmtCacheSize
	for round := 0; round < 2; round++ {
		for i := 0; i <= n; i++ {
			exec(t, conn, q(i))
		}
	}
	var open []*sql.Rows
	for i := 1; i <= n; i++ { // the n kept ones, each holding its first row
		rows, err := conn.QueryContext(ctx, q(i))
		if err != nil || !rows.Next() {
			t.Fatalf("%s: %v", q(i), err)
		}
		open = append(open, rows)
	}
	before := sqlitedb.StmtCache()
	for round := 0; round < 3; round++ { // noted before, kept now, then from the cache
		rows, err := conn.QueryContext(ctx, q(1000))
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		for rows.Next() {
			var v int
			rows.Scan(&v)
			got = append(got, v)
		}
		rows.Close()
		if fmt.Sprint(got) != "[1001 1002]" {
			t.Fatalf("round %d: %v, want [1001 1002]", round, got)
		}
	}
	if d := delta(before); d.Evicted != 0 {
		t.Errorf("%d statements given back while all were in use", d.Evicted)
	}
	for i, rows := range open {
		var v int
		if rows.Scan(&v); v != i+2 || !rows.Next() {
			t.Errorf("%s: first row %d, want %d, and a second row", q(i+1), v, i+2)
		}
		rows.Close()
	}
}
