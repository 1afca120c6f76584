package search_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/search"
	"vinculo/testkit"
)

// entries are the index's columns of every contact, by record id.
func entries(t *testing.T, app core.App) map[string][4]string {
	t.Helper()
	rows, err := app.DB().NewQuery("SELECT m.record, s.name, s.detail, s.body, s.keys FROM `" + search.MapTable + "` m JOIN `" +
		search.Table + "` s ON s.rowid = m.id WHERE m.collection = 'contacts'").Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][4]string{}
	for rows.Next() {
		var id string
		var e [4]string
		if err := rows.Scan(&id, &e[0], &e[1], &e[2], &e[3]); err != nil {
			t.Fatal(err)
		}
		out[id] = e
	}
	return out
}

func insertTrigger(t *testing.T, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) string {
	t.Helper()
	var s string
	err := q.QueryRowContext(context.Background(), "SELECT IFNULL(MAX(sql), '') FROM sqlite_master WHERE type = 'trigger' AND name = '_crm_search_contacts_ai'").Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// writeBulk runs fn in a transaction of its own on the writer connection,
// with contacts' insert trigger paused, and commits (or rolls back).
func writeBulk(t *testing.T, w *testkit.World, commit bool, fn func(conn *sql.Conn)) {
	t.Helper()
	ctx := context.Background()
	conn, err := w.App.NonconcurrentDB().(*dbx.DB).DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	b, err := search.NewBulk(w.App, crm.Contacts)
	if err != nil {
		t.Fatal(err)
	}
	must := func(_ sql.Result, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(conn.ExecContext(ctx, "BEGIN IMMEDIATE"))
	if err := b.Pause(ctx, conn); err != nil {
		t.Fatal(err)
	}
	if insertTrigger(t, conn) != "" {
		t.Fatal("the insert trigger is still there while paused")
	}
	fn(conn)
	if !commit {
		must(conn.ExecContext(ctx, "ROLLBACK"))
		b.Forget()
		return
	}
	if err := b.Resume(ctx, conn); err != nil {
		t.Fatal(err)
	}
	must(conn.ExecContext(ctx, "COMMIT"))
}

// Rows inserted with the insert trigger paused are indexed at Resume exactly
// as the trigger (and a rebuild) would index them, updates meanwhile
// included; the trigger comes back as it was; a rollback leaves the trigger
// and the index as they were.
func TestBulkIndexesAsTheTriggers(t *testing.T) {
	w := newWorld(t)
	old := w.Make(t, "old", crm.Contacts, map[string]any{"name": "Odete Antiga", "email": "odete@old.test"})
	trigger := insertTrigger(t, w.App.ConcurrentDB().(*dbx.DB).DB())
	before := entries(t, w.App)

	writeBulk(t, w, false, func(conn *sql.Conn) {
		if _, err := conn.ExecContext(context.Background(), "INSERT INTO contacts (id, name) VALUES ('rolledback00001', 'Rolanda Desfeita')"); err != nil {
			t.Fatal(err)
		}
	})
	if insertTrigger(t, w.App.ConcurrentDB().(*dbx.DB).DB()) != trigger || len(entries(t, w.App)) != len(before) {
		t.Fatal("a rolled back bulk load changed the trigger or the index")
	}

	writeBulk(t, w, true, func(conn *sql.Conn) {
		for _, q := range []string{
			"INSERT INTO contacts (id, name, email, mobile, phone, job_title, tags) VALUES " +
				"('bulkindex000001', 'Iracema Bulk', 'iracema@bulk.test', '+5585988776655', '+558532221100', 'Compradora', '[\"vip\",\"atacado\"]'), " +
				"('bulkindex000002', 'Ubirajara Bulk', '', '', '', '', '[]'), ('bulkindex000003', 'Jandira Bulk', 'jandira@bulk.test', '', '', '', '[]')",
			"UPDATE contacts SET name = 'Ubirajara Renomeado' WHERE id = 'bulkindex000002'", // inserted since Pause: indexed by the update trigger
			"UPDATE contacts SET name = 'Odete Renomeada' WHERE id = '" + old.Id + "'",
		} {
			if _, err := conn.ExecContext(context.Background(), q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	})
	if got := insertTrigger(t, w.App.ConcurrentDB().(*dbx.DB).DB()); got != trigger {
		t.Errorf("the trigger after Resume:\n%s\nwant\n%s", got, trigger)
	}
	// FTS5's buffer of pending terms is its default again.
	var hashSize int
	if err := w.App.DB().NewQuery("SELECT IFNULL((SELECT v FROM _crm_search_config WHERE k = 'hashsize'), 1048576)").Row(&hashSize); err != nil || hashSize != 1<<20 {
		t.Errorf("hashsize %d after Resume (%v)", hashSize, err)
	}
	bulk := entries(t, w.App)
	if len(bulk) != len(before)+3 {
		t.Errorf("%d entries, want %d", len(bulk), len(before)+3)
	}
	assertIndexMatchesTables(t, w.App)
	if err := search.Reindex(w.App, crm.Contacts); err != nil {
		t.Fatal(err)
	}
	rebuilt := entries(t, w.App)
	for id, e := range rebuilt {
		if bulk[id] != e {
			t.Errorf("%s: bulk %q, rebuilt %q", id, bulk[id], e)
		}
	}
	mustFind(t, w, "(85) 98877-6655", "bulkindex000001")
	mustFind(t, w, "atacado", "bulkindex000001")
	mustFind(t, w, "renomeado", "bulkindex000002")
	mustNotFind(t, w, "ubirajara bulk", "bulkindex000002")
	mustFind(t, w, "odete renomeada", old.Id)
	// The trigger is back: a write after the load is indexed as always.
	w.Make(t, "after", crm.Contacts, map[string]any{"name": "Depois Dobulk"})
	mustFind(t, w, "dobulk", w.R("after").Id)
}

// A collection the index does not cover, or whose insert trigger is not the
// one this code makes, is left to its triggers: Pause and Resume do nothing.
func TestBulkLeavesOtherTriggersAlone(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	b, err := search.NewBulk(w.App, crm.Staff)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Pause(ctx, w.App.ConcurrentDB().(*dbx.DB).DB()); err != nil {
		t.Fatal(err)
	}
	if err := b.Resume(ctx, w.App.ConcurrentDB().(*dbx.DB).DB()); err != nil {
		t.Fatal(err)
	}
	trigger := insertTrigger(t, w.App.ConcurrentDB().(*dbx.DB).DB())
	changed := trigger[:len(trigger)-len("END")] + "SELECT 1;\nEND"
	for _, q := range []string{"DROP TRIGGER _crm_search_contacts_ai", changed} {
		if _, err := w.App.NonconcurrentDB().NewQuery(q).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	writeBulkExpectingTrigger(t, w)
}

func writeBulkExpectingTrigger(t *testing.T, w *testkit.World) {
	t.Helper()
	ctx := context.Background()
	b, err := search.NewBulk(w.App, crm.Contacts)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := w.App.NonconcurrentDB().(*dbx.DB).DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := b.Pause(ctx, conn); err != nil {
		t.Fatal(err)
	}
	if insertTrigger(t, conn) == "" {
		t.Fatal("a trigger of another shape was set aside")
	}
	if _, err := conn.ExecContext(ctx, "INSERT INTO contacts (id, name) VALUES ('othertrigger001', 'Outra Forma')"); err != nil {
		t.Fatal(err)
	}
	if err := b.Resume(ctx, conn); err != nil {
		t.Fatal(err)
	}
	mustFind(t, w, "outra forma", "othertrigger001")
}
