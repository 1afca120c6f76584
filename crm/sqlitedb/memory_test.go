package sqlitedb_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/pocketbase/dbx"
	"modernc.org/sqlite"

	"vinculo/crm/sqlitedb"
	"vinculo/testkit"
)

func status(t *testing.T, c *sql.Conn, op sqlite.DBStatusOp) int {
	t.Helper()
	var cur int
	if err := c.Raw(func(dc any) error {
		var err error
		cur, _, err = dc.(sqlite.DBStatus).Status(op, false)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return cur
}

// A writer's transaction that changes 16 MB commits without spilling a
// page to the WAL first; once it has committed, SQLite's memory goes back
// under its heap limit (here 8 MB) instead of keeping the 16 MB of pages
// nobody reads again: a steady load of writes over a growing file no longer
// grows the process.
func TestWriterBigTransactionAndTheHeapLimit(t *testing.T) {
	const limit = 8 << 20
	old := sqlitedb.HeapLimit(limit)
	t.Cleanup(func() { sqlitedb.HeapLimit(old) })
	if old != sqlitedb.HeapLimitDefault {
		t.Errorf("heap limit at start: %d, want HeapLimitDefault (%d)", old, sqlitedb.HeapLimitDefault)
	}
	app := testkit.NewApp(t)
	ctx := context.Background()
	writer := app.NonconcurrentDB().(*dbx.DB).DB()
	c, err := writer.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	before := status(t, c, sqlite.DBStatusCacheSpill)
	for _, q := range []string{
		"CREATE TABLE big_write (b BLOB)",
		"BEGIN IMMEDIATE",
		// 4000 rows of 4000 bytes: a page each, 16 MB of new pages.
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 4000) INSERT INTO big_write SELECT randomblob(4000) FROM n",
	} {
		if _, err := c.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if dirty := status(t, c, sqlite.DBStatusCacheUsed); dirty < 16_000_000 {
		t.Fatalf("the transaction's changed pages take %d bytes of cache, want 16 MB or more (is the test still writing 16 MB?)", dirty)
	}
	if _, err := c.ExecContext(ctx, "COMMIT"); err != nil {
		t.Fatal(err)
	}
	if spilled := status(t, c, sqlite.DBStatusCacheSpill) - before; spilled != 0 {
		t.Errorf("%d pages spilled to the WAL before the commit, want 0 (a writer may change %s KiB first)", spilled, sqlitedb.WriterSpillKB)
	}

	// A reader going through the 16 MB asks SQLite for 4000 pages of its
	// own: over the limit, SQLite reuses the least recently used ones (the
	// writer's, clean since the commit) instead of asking for more memory.
	var n int
	readers := app.ConcurrentDB().(*dbx.DB).DB()
	if err := readers.QueryRowContext(ctx, "SELECT count(*) FROM big_write WHERE length(b) = 4000").Scan(&n); err != nil || n != 4000 {
		t.Fatalf("read back %d rows (%v), want 4000", n, err)
	}
	// Over the limit: schemas and statements, never given up (a few MB).
	if used, _ := sqlitedb.HeapUsed(); used > limit+4<<20 {
		t.Errorf("after a 16 MB transaction and a reader going through it SQLite holds %d bytes, want at most its limit %d and 4 MB", used, limit)
	}
}

// The debug listener's figures: SQLite's own count of its memory, and what
// a pool's idle connections hold.
func TestMemoryFigures(t *testing.T) {
	if sqlitedb.CountMemory() {
		t.Error("CountMemory after connections opened: true, want false (SQLite refuses it then)")
	}
	app := testkit.NewApp(t)
	readers := app.ConcurrentDB().(*dbx.DB).DB()
	var n int
	if err := readers.QueryRow("SELECT count(*) FROM sqlite_master").Scan(&n); err != nil {
		t.Fatal(err)
	}
	used, highest := sqlitedb.HeapUsed()
	if used <= 0 || highest < used {
		t.Errorf("HeapUsed: %d in use, %d highest; want in use > 0 and highest >= in use", used, highest)
	}
	pm := sqlitedb.MeasurePool(readers)
	if pm.Conns < 1 || pm.Schema <= 0 {
		t.Errorf("MeasurePool of the readers: %+v, want at least one idle connection holding its schema", pm)
	}
	if open := readers.Stats().OpenConnections; pm.Conns > open {
		t.Errorf("MeasurePool counted %d connections, the pool has %d open", pm.Conns, open)
	}
}

// SQLite's cached pages live in the arena set aside when the process
// starts, and it bounds them: readers going through a table bigger than
// the arena reuse its slots (the least recently used pages) instead of
// allocating pages outside it, so the page cache cannot grow the process.
func TestPageArena(t *testing.T) {
	st := sqlitedb.PageArenaUsed()
	if size := st.Slots * st.SlotSize; st.SlotSize < 4096 || size > sqlitedb.PageArenaDefault || size < sqlitedb.PageArenaDefault*9/10 {
		t.Fatalf("page arena: %d slots of %d bytes, want about %d bytes of slots that hold a 4 KB page each", st.Slots, st.SlotSize, sqlitedb.PageArenaDefault)
	}
	if sqlitedb.PageArena(1 << 20) {
		t.Error("PageArena a second time: true, want false (SQLite takes it only before it starts)")
	}
	app := testkit.NewApp(t)
	ctx := context.Background()
	writer := app.NonconcurrentDB().(*dbx.DB).DB()
	if _, err := writer.ExecContext(ctx, "CREATE TABLE arena_read (b BLOB)"); err != nil {
		t.Fatal(err)
	}
	// 5 transactions of 1000 rows of 4000 bytes: 5000 pages, more than the
	// arena's slots.
	rows := int(st.Slots) + 1000
	for done := 0; done < rows; done += 1000 {
		if _, err := writer.ExecContext(ctx, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 1000) INSERT INTO arena_read SELECT randomblob(4000) FROM n"); err != nil {
			t.Fatal(err)
		}
	}
	readers := app.ConcurrentDB().(*dbx.DB).DB()
	for i := 0; i < 2; i++ {
		var n int
		if err := readers.QueryRowContext(ctx, "SELECT count(*) FROM arena_read WHERE length(b) = 4000").Scan(&n); err != nil || n < rows {
			t.Fatalf("read back %d rows (%v), want %d", n, err, rows)
		}
	}
	after := sqlitedb.PageArenaUsed()
	if after.Used < after.Slots/2 || after.Used > after.Slots {
		t.Errorf("after reading %d pages: %d of the arena's %d slots hold a page, want most of them", rows, after.Used, after.Slots)
	}
	if after.Overflow > 1<<20 {
		t.Errorf("after reading %d pages: %d bytes of pages outside the arena, want under 1 MB", rows, after.Overflow)
	}
}
