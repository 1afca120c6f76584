package demo_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/demo"
	"vinculo/plugins/search"
)

// loggedID matches the ids of the timeline entries the demo logs in bulk
// (ac and 13 digits), not those its records' hooks write (random ids).
var loggedID = "ac" + strings.Repeat("[0-9]", 13)

// indexRow is one record's entry in the search index.
type indexRow struct{ name, detail, body, keys string }

// indexOf is the search index of every indexed collection, by
// "collection/record".
func indexOf(t *testing.T, app core.App) map[string]indexRow {
	t.Helper()
	rows, err := app.DB().NewQuery("SELECT m.collection, m.record, s.name, s.detail, s.body, s.keys FROM `" + search.MapTable +
		"` m JOIN `" + search.Table + "` s ON s.rowid = m.id").Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]indexRow{}
	for rows.Next() {
		var collection, record string
		var r indexRow
		if err := rows.Scan(&collection, &record, &r.name, &r.detail, &r.body, &r.keys); err != nil {
			t.Fatal(err)
		}
		out[collection+"/"+record] = r
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// count is one number a query gives.
func count(t *testing.T, app core.App, query string) int {
	t.Helper()
	var n int
	if err := app.DB().NewQuery(query).Row(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// searchTriggers are the search plugin's triggers as stored, by name.
func searchTriggers(t *testing.T, app core.App) map[string]string {
	t.Helper()
	var rows []struct {
		Name string `db:"name"`
		SQL  string `db:"sql"`
	}
	if err := app.DB().NewQuery("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '\\_crm\\_search\\_%' ESCAPE '\\'").All(&rows); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rows {
		out[r.Name] = r.SQL
	}
	return out
}

// tableIndexes are the CREATE INDEX statements of the demo's bulk tables.
func tableIndexes(t *testing.T, app core.App) map[string]string {
	t.Helper()
	var rows []struct {
		Name string `db:"name"`
		SQL  string `db:"sql"`
	}
	if err := app.DB().NewQuery("SELECT name, IFNULL(sql, '') AS sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('contacts', 'activities', 'consents')").All(&rows); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rows {
		out[r.Name] = r.SQL
	}
	if len(out) < 15 {
		t.Fatalf("only %d indexes on contacts, activities and consents", len(out))
	}
	return out
}

// sameSchema compares triggers or indexes (name -> SQL) with what they were.
func sameSchema(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d %s, want %d", len(got), what, len(want))
	}
	for name, sql := range want {
		if got[name] != sql {
			t.Errorf("%s %s is now %q, want %q", what, name, got[name], sql)
		}
	}
}

// assertIndexComplete checks that the index holds exactly one entry per
// record it should hold (every contact, company, deal and request, and the
// timeline entries people wrote), and that FTS5's buffer is its default.
func assertIndexComplete(t *testing.T, app core.App) {
	t.Helper()
	for _, name := range search.Collections() {
		kept := "1"
		if name == crm.Activities {
			kept = "event = ''"
		}
		want := count(t, app, fmt.Sprintf("SELECT count(*) FROM `%s` WHERE %s", name, kept))
		mapped := count(t, app, fmt.Sprintf("SELECT count(*) FROM `%s` m JOIN `%s` t ON t.id = m.record WHERE m.collection = '%s' AND %s", search.MapTable, name, name, kept))
		all := count(t, app, fmt.Sprintf("SELECT count(*) FROM `%s` WHERE collection = '%s'", search.MapTable, name))
		if mapped != want || all != want {
			t.Errorf("%s: %d records to index, %d of them in the index, %d entries in all", name, want, mapped, all)
		}
	}
	if n, entries := count(t, app, "SELECT count(*) FROM `"+search.MapTable+"`"), count(t, app, "SELECT count(*) FROM `"+search.Table+"`"); n != entries {
		t.Errorf("%d map rows, %d index rows", n, entries)
	}
	if size := count(t, app, "SELECT IFNULL((SELECT v FROM `"+search.Table+"_config` WHERE k = 'hashsize'), 1048576)"); size != 1<<20 {
		t.Errorf("FTS5 hashsize %d after the fill, want the default", size)
	}
}

func findAs(t *testing.T, app core.App, who *core.Record, q string, collections ...string) []search.Hit {
	t.Helper()
	hits, err := search.Search(app, &core.RequestInfo{Auth: who}, search.Params{Q: q, Limit: search.MaxLimit, Collections: collections})
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	return hits
}

func mustFind(t *testing.T, app core.App, who *core.Record, q, collection, id string) {
	t.Helper()
	for _, h := range findAs(t, app, who, q) {
		if h.Collection == collection && h.ID == id {
			return
		}
	}
	t.Errorf("search %q does not find %s %s", q, collection, id)
}

// localSpellings are the ways a Brazilian mobile stored as +55DD9XXXXXXXX is
// typed.
func localSpellings(t *testing.T, e164 string) []string {
	t.Helper()
	m := regexp.MustCompile(`^\+55(\d\d)(9\d{4})(\d{4})$`).FindStringSubmatch(e164)
	if m == nil {
		t.Fatalf("mobile %q is not a Brazilian mobile in E.164", e164)
	}
	return []string{
		fmt.Sprintf("(%s) %s-%s", m[1], m[2], m[3]),
		m[1] + m[2] + m[3],
		m[2] + "-" + m[3],
		fmt.Sprintf("+55 %s %s %s", m[1], m[2], m[3]),
	}
}

// The demo is written in bulk with the search triggers set aside; when it
// ends its every row is indexed exactly as the triggers would have indexed
// it, the triggers are back as they were, and search finds a contact by
// name and by any spelling of their phone, and the timeline by a word of
// its subjects.
func TestBulkFilledDemoIsSearchable(t *testing.T) {
	app := newApp(t)
	defer demo.SetCatchUpRows(400)() // the index catches up several times
	triggers, indexes := searchTriggers(t, app), tableIndexes(t, app)
	if len(triggers) != 3*len(search.Collections()) {
		t.Fatalf("%d search triggers before the demo: %v", len(triggers), triggers)
	}
	sum, err := demo.Generate(app, demo.Options{Contacts: 1000, ActivitiesPerContact: 5, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	// The bulk path indexed its rows itself: the contacts and the logged
	// entries (consents are not indexed), not the insert triggers.
	if sum.Indexed != 1000+5000 {
		t.Errorf("%d rows indexed in bulk, want the 1000 contacts and 5000 logged entries", sum.Indexed)
	}
	sameSchema(t, "search triggers", searchTriggers(t, app), triggers)
	// The indexes dropped for the load are back, the same.
	sameSchema(t, "indexes", tableIndexes(t, app), indexes)
	assertIndexComplete(t, app)
	if n := count(t, app, "SELECT count(*) FROM `"+search.MapTable+"` WHERE collection = 'activities' AND record GLOB '"+loggedID+"'"); n != 5000 {
		t.Errorf("%d of the 5000 logged timeline entries are indexed", n)
	}

	// A full rebuild of the index gives the very same entries.
	bulk := indexOf(t, app)
	for _, name := range search.Collections() {
		if err := search.Reindex(app, name); err != nil {
			t.Fatal(err)
		}
	}
	rebuilt := indexOf(t, app)
	if len(rebuilt) != len(bulk) {
		t.Errorf("%d entries after the fill, %d after a full reindex", len(bulk), len(rebuilt))
	}
	differ := 0
	for key, e := range rebuilt {
		if bulk[key] != e {
			if differ++; differ <= 5 {
				t.Errorf("%s: filled %+v, reindexed %+v", key, bulk[key], e)
			}
		}
	}

	manager, err := app.FindAuthRecordByEmail(crm.Staff, "marina@vinculo.example")
	if err != nil {
		t.Fatal(err)
	}
	// Contact 1 (the portal customer) and a contact of the last batches.
	mustFind(t, app, manager, "joao conceicao", crm.Contacts, "ct0000000000001")
	var last struct {
		ID     string `db:"id"`
		Name   string `db:"name"`
		Mobile string `db:"mobile"`
	}
	if err := app.DB().NewQuery("SELECT id, name, mobile FROM contacts WHERE id = 'ct0000000000977'").One(&last); err != nil {
		t.Fatal(err)
	}
	mustFind(t, app, manager, last.Name, crm.Contacts, last.ID)
	for _, spelling := range localSpellings(t, last.Mobile) {
		mustFind(t, app, manager, spelling, crm.Contacts, last.ID)
	}

	// A word of the timeline's subjects finds entries that hold it, and only those.
	hits := findAs(t, app, manager, "vistoria", crm.Activities)
	if len(hits) == 0 {
		t.Fatal("search vistoria finds no timeline entry")
	}
	for _, h := range hits {
		r, err := app.FindRecordById(crm.Activities, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(strings.ToLower(r.GetString("subject")), "vistoria") {
			t.Errorf("search vistoria finds %s, subject %q", h.ID, r.GetString("subject"))
		}
	}
	// And a write after the fill goes through the triggers as always.
	c, _ := app.FindCachedCollectionByNameOrId(crm.Activities)
	r := core.NewRecord(c)
	r.Load(map[string]any{"type": "note", "subject": "Zabumbeiro retornou", "contact": "ct0000000000001", "actor_type": "staff", "staff": manager.Id, "occurred_at": now})
	if err := app.Save(r); err != nil {
		t.Fatal(err)
	}
	mustFind(t, app, manager, "zabumbeiro", crm.Activities, r.Id)
}

// A fill that fails half way through a table leaves that table as it was:
// its rows, its indexes (dropped for the load) and its search trigger (set
// aside) come back with the rollback, and the search index holds exactly
// what the tables hold. Run again, it completes.
func TestFailedFillKeepsTheTriggers(t *testing.T) {
	app := newApp(t)
	defer demo.SetCatchUpRows(400)() // the index has caught up with some rows when it fails
	triggers, indexes := searchTriggers(t, app), tableIndexes(t, app)
	// The 1000th logged entry cannot be written.
	if _, err := app.NonconcurrentDB().NewQuery("CREATE TRIGGER demo_test_fails BEFORE INSERT ON activities WHEN new.id = 'ac0000000001000' " +
		"BEGIN SELECT RAISE(ABORT, 'the disk is full'); END").Execute(); err != nil {
		t.Fatal(err)
	}
	_, err := demo.Generate(app, demo.Options{Contacts: 300, ActivitiesPerContact: 5, Now: now})
	if err == nil || !strings.Contains(err.Error(), "the disk is full") {
		t.Fatalf("Generate: %v, want the planned failure", err)
	}
	delete(triggers, "demo_test_fails")
	sameSchema(t, "search triggers", searchTriggers(t, app), triggers)
	sameSchema(t, "indexes", tableIndexes(t, app), indexes)
	assertIndexComplete(t, app)
	if n := count(t, app, "SELECT count(*) FROM activities WHERE id GLOB '"+loggedID+"'"); n != 0 {
		t.Errorf("%d logged entries stayed from the failed load", n)
	}
	if n := count(t, app, "SELECT count(*) FROM contacts"); n != 300 {
		t.Errorf("%d contacts, want the 300 committed before the failure", n)
	}
	// A write after the failure is indexed by the trigger.
	manager, err := app.FindAuthRecordByEmail(crm.Staff, "marina@vinculo.example")
	if err != nil {
		t.Fatal(err)
	}
	c, _ := app.FindCachedCollectionByNameOrId(crm.Contacts)
	r := core.NewRecord(c)
	r.Load(map[string]any{"name": "Quitéria Depois", "mobile": "+5521987650001"})
	if err := app.Save(r); err != nil {
		t.Fatal(err)
	}
	mustFind(t, app, manager, "(21) 98765-0001", crm.Contacts, r.Id)

	if _, err := app.NonconcurrentDB().NewQuery("DROP TRIGGER demo_test_fails").Execute(); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Generate(app, demo.Options{Contacts: 300, ActivitiesPerContact: 5, Now: now}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, app, "SELECT count(*) FROM activities WHERE id GLOB '"+loggedID+"'"); n != 1500 {
		t.Errorf("%d logged entries after the second run, want 1500", n)
	}
	sameSchema(t, "search triggers", searchTriggers(t, app), triggers)
	sameSchema(t, "indexes", tableIndexes(t, app), indexes)
	assertIndexComplete(t, app)
}
