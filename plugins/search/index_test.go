package search_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/demo"
	"vinculo/plugins/search"
	"vinculo/testkit"
)

// Raw SQL writes, which run no PocketBase hook, are indexed too: the demo's
// bulk path and plain INSERT, UPDATE, INSERT OR REPLACE and DELETE.
func TestBulkSQLWritesAreIndexed(t *testing.T) {
	w := newWorld(t)
	n, err := demo.InsertContacts(w.App, 200, time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	if err != nil || n != 200 {
		t.Fatalf("demo bulk insert: %d rows, %v", n, err)
	}
	var row struct {
		ID     string `db:"id"`
		Name   string `db:"name"`
		Email  string `db:"email"`
		Mobile string `db:"mobile"`
	}
	if err := w.App.DB().NewQuery("SELECT id, name, email, mobile FROM contacts WHERE mobile != '' AND email != '' ORDER BY id LIMIT 1 OFFSET 117").One(&row); err != nil {
		t.Fatal(err)
	}
	mustFind(t, w, row.Email, row.ID)
	// +55 11 9xxxx-xxxx as people write it: (11) 9xxxx-xxxx.
	local := fmt.Sprintf("(%s) %s-%s", row.Mobile[3:5], row.Mobile[5:10], row.Mobile[10:])
	mustFind(t, w, local, row.ID)
	found := false
	for _, h := range find(t, w, row.Name, "limit", "100") {
		found = found || h.ID == row.ID
	}
	if !found {
		t.Errorf("name %q does not find %s", row.Name, row.ID)
	}

	db := w.App.NonconcurrentDB()
	run := func(q string, params dbx.Params) {
		t.Helper()
		if _, err := db.NewQuery(q).Bind(params).Execute(); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	run("INSERT INTO contacts (id, name, email, mobile, tags) VALUES ('bulkcontact0001', 'Iracema Primeira', 'iracema@bulk.example', '+5585988776655', '[\"vip\",\"atacado\"]'), ('bulkcontact0002', 'Ubirajara Bulk', '', '', '[]')", nil)
	run("INSERT INTO activities (id, type, actor_type, subject, body) VALUES ('bulkactivity001', 'note', 'system', 'Importado', 'Pedido de Iracema via planilha')", nil)
	mustFind(t, w, "iracema primeira", "bulkcontact0001")
	mustFind(t, w, "(85) 98877-6655", "bulkcontact0001")
	mustFind(t, w, "atacado", "bulkcontact0001")
	mustFind(t, w, "planilha", "bulkactivity001")

	run("UPDATE contacts SET name = 'Iracema Renomeada' WHERE id = 'bulkcontact0001'", nil)
	mustFind(t, w, "renomeada", "bulkcontact0001")
	mustNotFind(t, w, "primeira", "bulkcontact0001")
	run("INSERT OR REPLACE INTO contacts (id, name) VALUES ('bulkcontact0002', 'Ubirajara Replaced')", nil)
	mustFind(t, w, "replaced", "bulkcontact0002")
	mustNotFind(t, w, "ubirajara bulk", "bulkcontact0002")
	run("DELETE FROM contacts WHERE id = 'bulkcontact0001'", nil)
	mustNotFind(t, w, "renomeada", "bulkcontact0001")
	assertIndexMatchesTables(t, w.App)
}

// The demo generator writes contacts, activities and consents with raw bulk
// inserts; after it, the index holds every record and finds its people.
func TestDemoBusinessIsSearchable(t *testing.T) {
	w := newWorld(t)
	if _, err := demo.Generate(w.App, demo.Options{Contacts: 40, ActivitiesPerContact: 3, Now: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	assertIndexMatchesTables(t, w.App)
	var acts int
	_ = w.App.DB().NewQuery("SELECT count(*) FROM `" + search.MapTable + "` WHERE collection = 'activities'").Row(&acts)
	if acts == 0 {
		t.Error("no demo activity in the index")
	}
	// The README's portal customer.
	hits := find(t, w, "joao.conceicao@padariapaodourado1.example")
	if len(hits) == 0 || hits[0].Collection != crm.Contacts {
		t.Errorf("the demo's portal customer is not found: %+v", hits)
	}
}

// PocketBase changes a collection's table when its fields change: ADD COLUMN
// keeps triggers, but DROP COLUMN fails on a column a trigger names. The
// plugin drops and remakes the triggers around every change.
func TestIndexSurvivesSchemaChanges(t *testing.T) {
	w := newWorld(t)
	before := w.Make(t, "", crm.Contacts, map[string]any{"name": "Anselmo Antes", "job_title": "Torneiro"})

	contacts, _ := w.App.FindCollectionByNameOrId(crm.Contacts)
	contacts.Fields.Add(&core.TextField{Name: "nickname", Max: 100})
	if err := w.App.Save(contacts); err != nil {
		t.Fatalf("add a field: %v", err)
	}
	after := w.Make(t, "", crm.Contacts, map[string]any{"name": "Anselmo Depois", "nickname": "Selmo"})
	mustFind(t, w, "anselmo depois", after.Id)
	mustFind(t, w, "torneiro", before.Id)

	// Remove an indexed field: PocketBase drops its column.
	contacts, _ = w.App.FindCollectionByNameOrId(crm.Contacts)
	contacts.Fields.RemoveByName("job_title")
	if err := w.App.Save(contacts); err != nil {
		t.Fatalf("remove an indexed field: %v", err)
	}
	mustNotFind(t, w, "torneiro", before.Id) // its text left the index with it
	mustFind(t, w, "anselmo antes", before.Id)
	third := w.Make(t, "", crm.Contacts, map[string]any{"name": "Anselmo Terceiro"})
	mustFind(t, w, "terceiro", third.Id)

	// Rename an indexed field: SQLite renames it in the triggers, and the
	// plugin remakes them without it (the index covers the fields it knows).
	contacts, _ = w.App.FindCollectionByNameOrId(crm.Contacts)
	contacts.Fields.GetByName("tags").SetName("labels")
	if err := w.App.Save(contacts); err != nil {
		t.Fatalf("rename an indexed field: %v", err)
	}
	fourth := w.Make(t, "", crm.Contacts, map[string]any{"name": "Anselmo Quarto", "labels": []string{"atacadista"}})
	mustFind(t, w, "quarto", fourth.Id)
	mustNotFind(t, w, "atacadista", fourth.Id)
	// Hide one: the index must not reveal what the API hides.
	contacts, _ = w.App.FindCollectionByNameOrId(crm.Contacts)
	contacts.Fields.GetByName(crm.FieldEmail).SetHidden(true)
	if err := w.App.Save(contacts); err != nil {
		t.Fatal(err)
	}
	hidden := w.Make(t, "", crm.Contacts, map[string]any{"name": "Anselmo Oculto", "email": "segredo@hidden.example"})
	mustNotFind(t, w, "segredo@hidden.example", hidden.Id)
	mustFind(t, w, "oculto", hidden.Id)

	// Another indexed collection: a field change on activities, then writes.
	activities, _ := w.App.FindCollectionByNameOrId(crm.Activities)
	activities.Fields.Add(&core.BoolField{Name: "pinned"})
	if err := w.App.Save(activities); err != nil {
		t.Fatal(err)
	}
	note := activity(t, w, w.R(crm.RoleAgent), "Depois da mudança", "")
	mustFind(t, w, "mudanca", note.Id)
	assertIndexMatchesTables(t, w.App)
}

// Triggers lost behind PocketBase's back (the sqlite3 shell, a migration run
// without the plugin) come back with Sync, which the plugin runs at every
// start, and the rows written meanwhile are indexed then.
func TestSyncHealsLostTriggers(t *testing.T) {
	w := newWorld(t)
	if _, err := w.App.NonconcurrentDB().NewQuery("DROP TRIGGER `" + search.Table + "_contacts_ai`").Execute(); err != nil {
		t.Fatal(err)
	}
	missed := w.Make(t, "", crm.Contacts, map[string]any{"name": "Perdido Meanwhile"})
	mustNotFind(t, w, "perdido", missed.Id)
	if err := search.Sync(w.App); err != nil {
		t.Fatal(err)
	}
	mustFind(t, w, "perdido", missed.Id)
	next := w.Make(t, "", crm.Contacts, map[string]any{"name": "Perdido Again"})
	mustFind(t, w, "perdido again", next.Id)
	// A second Sync has nothing to do and writes nothing.
	var changes int
	_ = w.App.NonconcurrentDB().NewQuery("SELECT total_changes()").Row(&changes)
	if err := search.Sync(w.App); err != nil {
		t.Fatal(err)
	}
	var after int
	_ = w.App.NonconcurrentDB().NewQuery("SELECT total_changes()").Row(&after)
	if after != changes {
		t.Errorf("Sync wrote %d rows with nothing to do", after-changes)
	}
	assertIndexMatchesTables(t, w.App)
}

// Migrations after the search one run, in tests, before any plugin
// registers: the migration binds the schema hooks itself, so a later
// migration can still remove an indexed field.
func TestLaterMigrationsCanRemoveIndexedFields(t *testing.T) {
	app := testkit.NewMigratingApp(t) // the migrations run on this app; no plugin registered
	activities, err := app.FindCollectionByNameOrId(crm.Activities)
	if err != nil {
		t.Fatal(err)
	}
	activities.Fields.RemoveByName("body")
	if err := app.Save(activities); err != nil {
		t.Fatalf("remove activities.body: %v", err)
	}
	var n int
	if err := app.DB().NewQuery("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE '" + search.Table + "_activities_%'").Row(&n); err != nil || n != 3 {
		t.Errorf("activities has %d search triggers (%v), want 3", n, err)
	}
}

// An index made before the short columns had a table of their own gets it
// from the migration by a copy of what it holds: no entry is made again
// (their numbers stay), the triggers then keep both tables, and a second
// run has nothing to do.
func TestShortTableIsAddedToAnOlderIndex(t *testing.T) {
	w := newWorld(t)
	w.Make(t, "", crm.Contacts, map[string]any{"name": "Quitéria Antes", "mobile": "+5531999887766", "tags": []string{"antiga"}})
	db := w.App.NonconcurrentDB()
	exec := func(q string) {
		t.Helper()
		if _, err := db.NewQuery(q).Execute(); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// The index as the version before made it: its triggers without the
	// statements on the short columns' table, and no such table.
	var triggers []struct {
		Name string `db:"name"`
		SQL  string `db:"sql"`
	}
	if err := db.NewQuery("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name GLOB '" + search.Table + "_*'").All(&triggers); err != nil {
		t.Fatal(err)
	}
	if len(triggers) != 3*len(search.Collections()) {
		t.Fatalf("%d triggers, expected 3 for each of %d collections", len(triggers), len(search.Collections()))
	}
	for _, tr := range triggers {
		exec("DROP TRIGGER `" + tr.Name + "`")
		var old []string
		for _, line := range strings.SplitAfter(tr.SQL, "\n") {
			if !strings.Contains(line, search.ShortTable) {
				old = append(old, line)
			}
		}
		exec(strings.Join(old, ""))
	}
	exec("DROP TABLE `" + search.ShortTable + "`")
	if search.Installed(w.App) {
		t.Fatal("the index counts as installed without the short columns' table")
	}
	entries := func() string {
		var rows []string
		if err := db.NewQuery("SELECT id || ' ' || collection || ' ' || record FROM `" + search.MapTable + "` ORDER BY id").Column(&rows); err != nil {
			t.Fatal(err)
		}
		return strings.Join(rows, "\n")
	}
	before := entries()

	if err := search.AddShortTable(w.App); err != nil {
		t.Fatal(err)
	}
	if after := entries(); after != before {
		t.Error("the entries were made again")
	}
	assertIndexMatchesTables(t, w.App)
	next := w.Make(t, "", crm.Contacts, map[string]any{"name": "Quitéria Depois", "phone": "+5531988776655", "tags": []string{"nova"}})
	mustFind(t, w, "quiteria depois", next.Id)
	assertIndexMatchesTables(t, w.App)

	var changes, again int
	_ = db.NewQuery("SELECT total_changes()").Row(&changes)
	if err := search.AddShortTable(w.App); err != nil {
		t.Fatal(err)
	}
	_ = db.NewQuery("SELECT total_changes()").Row(&again)
	if again != changes {
		t.Errorf("a second run wrote %d rows", again-changes)
	}
}
