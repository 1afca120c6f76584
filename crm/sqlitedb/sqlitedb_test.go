package sqlitedb_test

import (
	"context"
	"database/sql"
	"strconv"
	"testing"

	"github.com/pocketbase/dbx"

	"vinculo/crm/sqlitedb"
	"vinculo/testkit"
)

// Readers of both databases open with the small page cache, the writers
// with PocketBase's 32 MB, and every connection keeps the other settings.
func TestCacheByRole(t *testing.T) {
	app := testkit.NewApp(t) // opened with Connect, as the server is

	pools := []struct {
		name string
		db   dbx.Builder
		want string
	}{
		{"data readers", app.ConcurrentDB(), sqlitedb.ReaderCacheKB},
		{"data writer", app.NonconcurrentDB(), sqlitedb.WriterCacheKB},
		{"auxiliary readers", app.AuxConcurrentDB(), sqlitedb.ReaderCacheKB},
		{"auxiliary writer", app.AuxNonconcurrentDB(), sqlitedb.WriterCacheKB},
	}
	for _, p := range pools {
		var cache, secure, fk int
		var journal string
		for q, v := range map[string]any{"PRAGMA cache_size": &cache, "PRAGMA secure_delete": &secure, "PRAGMA foreign_keys": &fk, "PRAGMA journal_mode": &journal} {
			if err := p.db.NewQuery(q).Row(v); err != nil {
				t.Fatalf("%s: %s: %v", p.name, q, err)
			}
		}
		if got := strconv.Itoa(cache); got != p.want {
			t.Errorf("%s: cache_size %s, want %s", p.name, got, p.want)
		}
		if secure != 1 || fk != 1 || journal != "wal" {
			t.Errorf("%s: secure_delete %d, foreign_keys %d, journal_mode %q; want 1, 1, wal", p.name, secure, fk, journal)
		}
	}

	// Two readers at once (the first held by an open result): the second
	// is a new connection, and it gets the reader cache too.
	readers := app.ConcurrentDB().(*dbx.DB).DB()
	rows, err := readers.Query("PRAGMA cache_size")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var first, second int
	if !rows.Next() || rows.Scan(&first) != nil {
		t.Fatal("no cache_size from the first reader")
	}
	if err := readers.QueryRow("PRAGMA cache_size").Scan(&second); err != nil {
		t.Fatal(err)
	}
	if n := readers.Stats().OpenConnections; n < 2 {
		t.Fatalf("%d reader connections open, want 2", n)
	}
	if strconv.Itoa(first) != sqlitedb.ReaderCacheKB || strconv.Itoa(second) != sqlitedb.ReaderCacheKB {
		t.Errorf("two readers at once: cache_size %d and %d, want %s", first, second, sqlitedb.ReaderCacheKB)
	}
}

// The readers of both databases are a bounded pool held open: at most
// ReaderConns connections, and all of them stay open once done (each one
// parses its schema once, instead of at every burst of requests); the
// writers stay one connection each.
func TestReaderPool(t *testing.T) {
	app := testkit.NewApp(t)
	ctx := context.Background()
	for _, p := range []struct {
		name string
		db   dbx.Builder
	}{{"data readers", app.ConcurrentDB()}, {"auxiliary readers", app.AuxConcurrentDB()}} {
		db := p.db.(*dbx.DB).DB()
		var conns []*sql.Conn
		for i := 0; i < sqlitedb.ReaderConns; i++ {
			c, err := db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.PingContext(ctx); err != nil {
				t.Fatal(err)
			}
			conns = append(conns, c)
		}
		for _, c := range conns {
			c.Close()
		}
		st := db.Stats()
		if st.MaxOpenConnections != sqlitedb.ReaderConns {
			t.Errorf("%s: at most %d connections, want %d", p.name, st.MaxOpenConnections, sqlitedb.ReaderConns)
		}
		if st.Idle != sqlitedb.ReaderConns || st.MaxIdleClosed != 0 {
			t.Errorf("%s: %d of %d connections kept open once done (%d closed), want all", p.name, st.Idle, sqlitedb.ReaderConns, st.MaxIdleClosed)
		}
	}
	for name, b := range map[string]dbx.Builder{"data writer": app.NonconcurrentDB(), "auxiliary writer": app.AuxNonconcurrentDB()} {
		if n := b.(*dbx.DB).DB().Stats().MaxOpenConnections; n != 1 {
			t.Errorf("%s: at most %d connections, want 1", name, n)
		}
	}
}
