package replication_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	_ "modernc.org/sqlite"

	"vinculo/crm"
	"vinculo/crm/sqlitedb"
	"vinculo/plugins"
	"vinculo/plugins/replication"
	"vinculo/testkit"
)

// replicated is a World running the whole app, served, that replicates to rc.
func replicated(t *testing.T, rc crm.Replication) *testkit.World {
	t.Helper()
	return testkit.NewWorld(t, testkit.Plugins(plugins.All), testkit.Served(),
		testkit.Configure(func(c *crm.Config) { c.Replication = rc }))
}

func bounded(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// The restore drill, on each kind of replica: write, replicate, lose the data
// dir, restore, and find every row of every table of both databases again;
// then a server started on an empty data dir restores it first; then a
// restore to a moment between two writes has the first and not the second.
func TestRestoreDrill(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			rc := tg.start(t)
			w := replicated(t, rc)
			w.Business(t)
			w.Make(t, "case", crm.Cases, map[string]any{"contact": w.ID("ctA"), "type": w.ID("tpSup"),
				"subject": "Sem internet", "description": "Desde ontem à noite.", "status": "new", "channel": "portal"})
			want := settle(t, w)

			lost := filepath.Join(t.TempDir(), "lost")
			restored, err := replication.Restore(bounded(t), rc, lost, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range restored {
				if r.Skipped {
					t.Errorf("%s was not restored", r.Name)
				}
			}
			for _, name := range replication.Databases {
				same(t, name, want[name], dumpFile(t, filepath.Join(lost, name)))
			}

			// A server started on an empty data dir restores it first.
			empty := filepath.Join(t.TempDir(), "empty")
			app := core.NewBaseApp(core.BaseAppConfig{DataDir: empty, DBConnect: sqlitedb.Connect})
			cfg := testkit.Config(t)
			cfg.Replication = rc
			cfg.Replication.RestoreIfEmpty = true
			if err := replication.Register(app, cfg); err != nil {
				t.Fatal(err)
			}
			if err := app.Bootstrap(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = app.ResetBootstrapState() })
			same(t, "data.db (restored at start)", want["data.db"], dump(t, sqlDB(app.ConcurrentDB())))
			if n, _ := app.CountRecords(crm.Contacts); n != 4 {
				t.Errorf("the restored server has %d contacts, want 4", n)
			}
			// Its own connections leave checkpoints to Litestream (a backstop
			// at 10000 pages instead of SQLite's 1000).
			var pages int
			if err := app.NonconcurrentDB().NewQuery("PRAGMA wal_autocheckpoint").Row(&pages); err != nil || pages != 10000 {
				t.Errorf("wal_autocheckpoint of a replicated database = %d, %v; want 10000", pages, err)
			}

			pointInTime(t, w, rc)
		})
	}
}

// pointInTime writes one contact, then another; a restore to a moment
// between the two writes has the first only, and one to the latest both.
func pointInTime(t *testing.T, w *testkit.World, rc crm.Replication) {
	r := replication.From(w.App)
	ctx := bounded(t)
	w.Make(t, "before", crm.Contacts, map[string]any{"name": "Before Moment", "email": "before@pit.test", "owner": w.ID("agent")})
	if err := r.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	// An SFTP replica keeps a change's time in whole seconds (the file's
	// modification time): the second write comes in the next second.
	time.Sleep(20 * time.Millisecond)
	moment := time.Now()
	time.Sleep(time.Until(moment.Truncate(time.Second).Add(time.Second + 20*time.Millisecond)))
	w.Make(t, "after", crm.Contacts, map[string]any{"name": "After Moment", "email": "after@pit.test", "owner": w.ID("agent")})
	if err := r.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		at          time.Time
		after, when string
	}{{moment, "", "between the writes"}, {time.Time{}, "after@pit.test", "the latest"}} {
		dir := filepath.Join(t.TempDir(), "pit")
		if _, err := replication.Restore(ctx, rc, dir, c.at); err != nil {
			t.Fatalf("restore to %s: %v", c.when, err)
		}
		db := open(t, filepath.Join(dir, "data.db"))
		got := emails(t, db, "before@pit.test", "after@pit.test")
		want := strings.TrimPrefix("before@pit.test,"+c.after, ",")
		want = strings.TrimSuffix(want, ",")
		if got != want {
			t.Errorf("restored to %s: contacts %q, want %q", c.when, got, want)
		}
	}
}

func emails(t *testing.T, db *sql.DB, which ...string) string {
	var found []string
	for _, e := range which {
		var n int
		if err := db.QueryRow("SELECT COUNT(*) FROM contacts WHERE email = ?", e).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			found = append(found, e)
		}
	}
	return strings.Join(found, ",")
}

// settle ships everything to the replica and returns both databases' rows as
// the replica holds them: read, shipped, read again, until nothing was
// written in between.
func settle(t *testing.T, w *testkit.World) map[string]map[string][]string {
	t.Helper()
	r := replication.From(w.App)
	ctx := bounded(t)
	read := func() map[string]map[string][]string {
		return map[string]map[string][]string{
			"data.db":      dump(t, sqlDB(w.App.ConcurrentDB())),
			"auxiliary.db": dump(t, sqlDB(w.App.AuxConcurrentDB())),
		}
	}
	for range 10 {
		before := read()
		if err := r.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if after := read(); fmt.Sprint(after) == fmt.Sprint(before) {
			return after
		}
	}
	t.Fatal("the databases kept changing")
	return nil
}

func sqlDB(b dbx.Builder) *sql.DB { return b.(*dbx.DB).DB() }

func open(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func dumpFile(t *testing.T, path string) map[string][]string {
	return dump(t, open(t, path))
}

// dump is every row of every table, each table's rows sorted.
func dump(t *testing.T, db *sql.DB) map[string][]string {
	t.Helper()
	rows, err := db.Query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	out := map[string][]string{}
	for _, table := range tables {
		out[table] = tableRows(t, db, table)
	}
	return out
}

func tableRows(t *testing.T, db *sql.DB, table string) []string {
	rows, err := db.Query(`SELECT * FROM "` + strings.ReplaceAll(table, `"`, `""`) + `"`)
	if err != nil {
		t.Fatalf("%s: %v", table, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%q", vals))
	}
	slices.Sort(out)
	return out
}

// same fails the test where a table or a row differs.
func same(t *testing.T, what string, want, got map[string][]string) {
	t.Helper()
	rowsSeen := 0
	for table, rows := range want {
		rowsSeen += len(rows)
		if !slices.Equal(rows, got[table]) {
			t.Errorf("%s: table %s: %d rows restored, %d written; first written %.200v", what, table, len(got[table]), len(rows), rows)
		}
	}
	for table := range got {
		if _, ok := want[table]; !ok {
			t.Errorf("%s: table %s restored but never written", what, table)
		}
	}
	if len(want) == 0 || rowsSeen == 0 {
		t.Errorf("%s: nothing to compare", what)
	}
	t.Logf("%s: %d tables, %d rows compared", what, len(want), rowsSeen)
}
