package merge_test

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/merge"
	"vinculo/plugins/timeline"
	"vinculo/testkit"
)

type world struct {
	app   core.App
	srv   *testkit.Server
	rec   map[string]*core.Record
	token map[string]string
}

func (w *world) id(label string) string { return w.rec[label].Id }

func (w *world) make(t *testing.T, label, collection string, fields map[string]any) {
	t.Helper()
	w.rec[label] = testkit.Save(t, w.app, collection, fields)
}

// A world with two records of one person: S (kept) and O (merged away), each
// with a portal account, and O with something in every collection.
func newWorld(t *testing.T) *world {
	app := testkit.NewApp(t)
	for _, reg := range []func(core.App, *crm.Config) error{timeline.Register, merge.Register} {
		if err := reg(app, testkit.Config(t)); err != nil {
			t.Fatal(err)
		}
	}
	w := &world{app: app, rec: map[string]*core.Record{}, token: map[string]string{}}
	w.make(t, "stM", crm.Staff, map[string]any{"email": "m@staff.test", "name": "Manager", "role": crm.RoleManager})
	w.make(t, "stG", crm.Staff, map[string]any{"email": "g@staff.test", "name": "Agent", "role": crm.RoleAgent})
	w.make(t, "stG2", crm.Staff, map[string]any{"email": "g2@staff.test", "name": "Other agent", "role": crm.RoleAgent})
	w.make(t, "stR", crm.Staff, map[string]any{"email": "r@staff.test", "name": "Readonly", "role": crm.RoleReadonly})
	w.make(t, "coS", crm.Companies, map[string]any{"name": "Acme", "owner": w.id("stG")})
	w.make(t, "coO", crm.Companies, map[string]any{"name": "ACME Ltda", "domain": "acme.test", "owner": w.id("stG")})
	w.make(t, "S", crm.Contacts, map[string]any{"name": "Ana Souza", "email": "ana@old.test", "phone": "+5511900000001", "company": w.id("coS"), "owner": w.id("stG"), "stage": "lead", "score": 10})
	w.make(t, "O", crm.Contacts, map[string]any{"name": "Ana S.", "email": "ana@new.test", "mobile": "+5511900000009", "company": w.id("coO"), "owner": w.id("stG"), "stage": "customer", "tags": []string{"vip"}})
	w.make(t, "X", crm.Contacts, map[string]any{"name": "Xavier", "owner": w.id("stG2")})
	w.make(t, "cuS", crm.Customers, map[string]any{"email": "ana@old.test", "contact": w.id("S"), "company_role": crm.CompanyMember})
	w.make(t, "cuO", crm.Customers, map[string]any{"email": "ana@new.test", "contact": w.id("O"), "company_role": crm.CompanyAdmin})
	w.make(t, "pl", crm.Pipelines, map[string]any{"name": "Sales"})
	w.make(t, "ps", crm.PipelineStages, map[string]any{"pipeline": w.id("pl"), "name": "Proposal", "position": 1, "kind": "open"})
	w.make(t, "dlO", crm.Deals, map[string]any{"title": "Deal", "contact": w.id("O"), "company": w.id("coO"), "pipeline": w.id("pl"), "stage": w.id("ps"), "status": "open"})
	statuses := []map[string]any{{"key": "new", "label": "New", "public_label": "Received"}}
	w.make(t, "tp", crm.CaseTypes, map[string]any{"name": "Support", "code": "SUP", "category": "support", "statuses": statuses, "active": true})
	w.make(t, "csO", crm.Cases, map[string]any{"type": w.id("tp"), "contact": w.id("O"), "company": w.id("coO"), "subject": "Broken"})
	w.make(t, "cmO", crm.CaseMessages, map[string]any{"case": w.id("csO"), "body": "Help", "author_customer": w.id("cuO")})
	w.make(t, "pr", crm.Products, map[string]any{"name": "Fibre", "code": "FIBRE", "price": 100, "currency": "BRL", "kind": "subscription", "active": true})
	w.make(t, "orO", crm.Orders, map[string]any{"number": "N-1", "contact": w.id("O"), "items": []map[string]any{{"name": "Fibre", "quantity": 1}}, "total": 100, "currency": "BRL", "status": "placed", "placed_at": "2026-11-01 10:00:00.000Z"})
	w.make(t, "sbO", crm.Subscriptions, map[string]any{"contact": w.id("O"), "company": w.id("coO"), "product": w.id("pr"), "price": 100, "currency": "BRL", "status": "active"})
	w.make(t, "acO", crm.Activities, map[string]any{"type": "chat", "actor_type": "customer", "customer": w.id("cuO"), "contact": w.id("O"), "subject": "chat with O"})
	w.make(t, "tkO", crm.Tasks, map[string]any{"title": "Call O", "contact": w.id("O"), "status": "open"})
	// One clash: S withdrew marketing by email long ago, O granted it since.
	w.make(t, "cnS", crm.Consents, map[string]any{"contact": w.id("S"), "purpose": "marketing", "channel": "email", "state": "withdrawn"})
	w.make(t, "cnO", crm.Consents, map[string]any{"contact": w.id("O"), "purpose": "marketing", "channel": "email", "state": "granted"})
	w.make(t, "cnO2", crm.Consents, map[string]any{"contact": w.id("O"), "purpose": "service", "channel": "sms", "state": "granted"})
	if _, err := app.DB().NewQuery("UPDATE consents SET updated = '2020-01-01 00:00:00.000Z' WHERE id = {:id}").Bind(dbx.Params{"id": w.id("cnS")}).Execute(); err != nil {
		t.Fatal(err)
	}
	w.make(t, "obO", crm.Outbox, map[string]any{"contact": w.id("O"), "purpose": "service", "state": "sent", "subject": "Hi"})
	w.make(t, "alO", crm.AuditLog, map[string]any{"actor_type": "customer", "customer": w.id("cuO"), "action": "read", "contact": w.id("O")})

	su := testkit.Save(t, app, core.CollectionNameSuperusers, map[string]any{"email": "root@staff.test"})
	w.token["super"] = testkit.Token(t, su)
	for _, l := range []string{"stM", "stG", "stG2", "stR", "cuS"} {
		w.token[l] = testkit.Token(t, w.rec[l])
	}
	w.srv = testkit.Serve(t, app)
	return w
}

// dump reads every row of every CRM collection as SQLite holds it.
func dump(t *testing.T, app core.App) map[string]map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]map[string]any{}
	for _, name := range crm.AllCollections {
		if _, err := app.FindCollectionByNameOrId(name); err != nil {
			continue // another capability's, not installed here
		}
		rows, err := app.DB().NewQuery("SELECT * FROM `" + name + "`").Rows()
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		out[name] = map[string]map[string]any{}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			row := map[string]any{}
			for i, c := range cols {
				if b, ok := vals[i].([]byte); ok {
					vals[i] = string(b)
				}
				row[c] = vals[i]
			}
			out[name][fmt.Sprint(row["id"])] = row
		}
		rows.Close()
	}
	return out
}

func (w *world) post(t *testing.T, path, token string, body any) testkit.Response {
	t.Helper()
	return w.srv.Do(t, http.MethodPost, path, token, body)
}

func TestMergeThenUndoGivesBackTheSameRows(t *testing.T) {
	w := newWorld(t)
	before := dump(t, w.app)

	// A manager: the merge closes O's portal account and deletes S's old consent.
	res := w.post(t, "/api/crm/merge", w.token["stM"], map[string]any{
		"kind": "contacts", "survivor": w.id("S"), "other": w.id("O"),
		"fields": map[string]string{"email": "other", "company": "other", "name": "survivor"},
	})
	if res.Status != http.StatusOK {
		t.Fatalf("merge: status %d: %s", res.Status, res.Body)
	}
	var result struct {
		Merge    string                    `json:"merge"`
		Survivor map[string]any            `json:"survivor"`
		Moved    map[string]map[string]int `json:"moved"`
		Notes    []string                  `json:"notes"`
	}
	res.JSON(t, &result)

	// The survivor has the chosen values; empty ones filled from the other.
	s, err := w.app.FindRecordById(crm.Contacts, w.id("S"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"name": "Ana Souza", "email": "ana@new.test", "company": w.id("coO"), "phone": "+5511900000001", "mobile": "+5511900000009", "stage": "lead"}
	for f, v := range want {
		if s.Get(f) != v {
			t.Errorf("survivor %s = %v, want %v", f, s.Get(f), v)
		}
	}
	if _, err := w.app.FindRecordById(crm.Contacts, w.id("O")); err == nil {
		t.Error("the other contact still exists")
	}
	// Everything of O is now S's.
	for _, c := range []struct{ collection, label, field, to string }{
		{crm.Deals, "dlO", "contact", "S"}, {crm.Cases, "csO", "contact", "S"}, {crm.Orders, "orO", "contact", "S"},
		{crm.Subscriptions, "sbO", "contact", "S"}, {crm.Activities, "acO", "contact", "S"}, {crm.Tasks, "tkO", "contact", "S"},
		{crm.Consents, "cnO", "contact", "S"}, {crm.Consents, "cnO2", "contact", "S"}, {crm.Outbox, "obO", "contact", "S"},
		{crm.AuditLog, "alO", "contact", "S"},
		// O's portal account closed, its history moved to S's account.
		{crm.Activities, "acO", "customer", "cuS"}, {crm.CaseMessages, "cmO", "author_customer", "cuS"}, {crm.AuditLog, "alO", "customer", "cuS"},
	} {
		r, err := w.app.FindRecordById(c.collection, w.id(c.label))
		if err != nil {
			t.Errorf("%s %s: %v", c.collection, c.label, err)
			continue
		}
		if r.GetString(c.field) != w.id(c.to) {
			t.Errorf("%s %s.%s = %s, want %s's", c.collection, c.label, c.field, r.GetString(c.field), c.to)
		}
	}
	if _, err := w.app.FindRecordById(crm.Customers, w.id("cuO")); err == nil {
		t.Error("both had a portal account: the other's should be closed")
	}
	if _, err := w.app.FindRecordById(crm.Consents, w.id("cnS")); err == nil {
		t.Error("the older clashing consent (S's withdrawal of 2020) should give way to O's recent grant")
	}
	if len(result.Notes) < 2 || !strings.Contains(strings.Join(result.Notes, " "), "portal account") {
		t.Errorf("notes %q should say what happened to the portal account and the consent", result.Notes)
	}
	if result.Moved[crm.Deals]["contact"] != 1 || result.Moved[crm.Consents]["contact"] != 2 {
		t.Errorf("moved %v", result.Moved)
	}
	entries, err := w.app.FindAllRecords(crm.Activities, dbx.HashExp{"event": timeline.ContactMerged, "contact": w.id("S")})
	if err != nil || len(entries) != 1 || entries[0].GetString("staff") != w.id("stM") || entries[0].GetString("ref_id") != w.id("O") {
		t.Errorf("timeline: %d merge entries (%v), want one by the manager about O", len(entries), err)
	}
	m, err := w.app.FindRecordById(crm.Merges, result.Merge)
	if err != nil || m.GetString("staff") != w.id("stM") || m.GetDateTime("expires").IsZero() {
		t.Fatalf("merges record: %v", err)
	}

	// Undo: every row is back, byte for byte.
	res = w.post(t, "/api/crm/merges/"+result.Merge+"/undo", w.token["stM"], nil)
	if res.Status != http.StatusOK {
		t.Fatalf("undo: status %d: %s", res.Status, res.Body)
	}
	after := dump(t, w.app)
	for collection, rows := range before {
		for id, row := range rows {
			got, ok := after[collection][id]
			if !ok {
				t.Errorf("%s/%s is missing after the undo", collection, id)
				continue
			}
			if !reflect.DeepEqual(normal(row), normal(got)) {
				t.Errorf("%s/%s differs after the undo:\nbefore %v\nafter  %v", collection, id, row, got)
			}
		}
		for id, row := range after[collection] {
			if _, ok := rows[id]; ok {
				continue
			}
			// Only the system's timeline entries and the merge itself are new.
			if collection == crm.Merges || (collection == crm.Activities && row["event"] != "") {
				continue
			}
			t.Errorf("%s/%s is new after merge and undo: %v", collection, id, row)
		}
	}
	undoEntries, _ := w.app.FindAllRecords(crm.Activities, dbx.HashExp{"event": merge.ContactUnmerged, "contact": w.id("S")})
	if len(undoEntries) != 1 {
		t.Errorf("%d undo entries on the timeline, want 1", len(undoEntries))
	}

	// Twice: refused.
	res = w.post(t, "/api/crm/merges/"+result.Merge+"/undo", w.token["stM"], nil)
	if res.Status != http.StatusConflict || !strings.Contains(string(res.Body), "already undone") {
		t.Errorf("second undo: status %d: %s", res.Status, res.Body)
	}
}

// normal makes numbers comparable whatever Go type the driver gave them.
func normal(row map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range row {
		switch x := v.(type) {
		case int64:
			out[k] = float64(x)
		default:
			out[k] = v
		}
	}
	return out
}

func TestMergeCompaniesAndExpiry(t *testing.T) {
	w := newWorld(t)
	res := w.post(t, "/api/crm/merge", w.token["stM"], map[string]any{"kind": "companies", "survivor": w.id("coS"), "other": w.id("coO")})
	if res.Status != http.StatusOK {
		t.Fatalf("merge companies: status %d: %s", res.Status, res.Body)
	}
	var result struct {
		Merge string   `json:"merge"`
		Notes []string `json:"notes"`
	}
	res.JSON(t, &result)
	// O's admin administers the same business after a company merge: the
	// role stays, and the notes name the account.
	if cu, _ := w.app.FindRecordById(crm.Customers, w.id("cuO")); cu == nil || cu.GetString("company_role") != crm.CompanyAdmin {
		t.Error("a company merge should keep the admin role of the other company's admin")
	}
	if notes := strings.Join(result.Notes, " "); !strings.Contains(notes, "ana@new.test") || !strings.Contains(notes, "admins") {
		t.Errorf("notes %q should name the other company's portal admins", result.Notes)
	}
	for _, c := range []struct{ collection, label string }{{crm.Contacts, "O"}, {crm.Deals, "dlO"}, {crm.Cases, "csO"}, {crm.Subscriptions, "sbO"}} {
		r, _ := w.app.FindRecordById(c.collection, w.id(c.label))
		if r == nil || r.GetString("company") != w.id("coS") {
			t.Errorf("%s %s: company not moved to the survivor", c.collection, c.label)
		}
	}
	co, _ := w.app.FindRecordById(crm.Companies, w.id("coS"))
	if co.GetString("domain") != "acme.test" {
		t.Errorf("the survivor's empty domain should be filled from the other: %q", co.GetString("domain"))
	}
	if _, err := w.app.DB().NewQuery("UPDATE merges SET expires = '2020-01-01 00:00:00.000Z' WHERE id = {:id}").Bind(dbx.Params{"id": result.Merge}).Execute(); err != nil {
		t.Fatal(err)
	}
	res = w.post(t, "/api/crm/merges/"+result.Merge+"/undo", w.token["stM"], nil)
	if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "30 days") {
		t.Errorf("undo after 30 days: status %d: %s", res.Status, res.Body)
	}
	if _, err := w.app.FindRecordById(crm.Companies, w.id("coO")); err == nil {
		t.Error("a refused undo restored the company")
	}
}

func TestMergeRefusals(t *testing.T) {
	w := newWorld(t)
	before := dump(t, w.app)
	valid := func(extra map[string]any) map[string]any {
		b := map[string]any{"kind": "contacts", "survivor": w.id("S"), "other": w.id("O")}
		for k, v := range extra {
			b[k] = v
		}
		return b
	}
	cases := []struct {
		name, token string
		body        map[string]any
		status      int
		names       string
	}{
		{"anonymous", "", valid(nil), 401, ""},
		{"customer", w.token["cuS"], valid(nil), 403, ""},
		{"readonly", w.token["stR"], valid(nil), 403, ""},
		{"agent who does not own the other", w.token["stG"], valid(map[string]any{"survivor": w.id("O"), "other": w.id("X")}), 403, ""},
		{"bad kind", w.token["stM"], valid(map[string]any{"kind": "deals"}), 400, `"kind"`},
		{"no survivor", w.token["stM"], valid(map[string]any{"survivor": ""}), 400, `"survivor"`},
		{"itself", w.token["stM"], valid(map[string]any{"other": w.id("S")}), 400, `"other"`},
		{"unknown other", w.token["stM"], valid(map[string]any{"other": "nosuchcontact12"}), 404, `"other"`},
		{"unknown field", w.token["stM"], valid(map[string]any{"fields": map[string]string{"password": "other"}}), 400, `"fields"`},
		{"bad choice", w.token["stM"], valid(map[string]any{"fields": map[string]string{"email": "both"}}), 400, `"fields"`},
	}
	for _, c := range cases {
		res := w.post(t, "/api/crm/merge", c.token, c.body)
		if res.Status != c.status || !strings.Contains(string(res.Body), c.names) {
			t.Errorf("%s: status %d, want %d naming %s: %s", c.name, res.Status, c.status, c.names, res.Body)
		}
	}
	if after := dump(t, w.app); !reflect.DeepEqual(before, after) {
		t.Error("a refused merge changed data")
	}
	for _, c := range []struct {
		token  string
		status int
	}{{"", 401}, {w.token["cuS"], 403}, {w.token["stR"], 403}, {w.token["stM"], 404}} {
		if res := w.post(t, "/api/crm/merges/nosuchmerge1234/undo", c.token, nil); res.Status != c.status {
			t.Errorf("undo of a missing merge: status %d, want %d", res.Status, c.status)
		}
	}
	// An agent undoes only their own merges.
	res := w.post(t, "/api/crm/merge", w.token["stM"], valid(nil))
	var result struct {
		Merge string `json:"merge"`
	}
	res.JSON(t, &result)
	if res := w.post(t, "/api/crm/merges/"+result.Merge+"/undo", w.token["stG2"], nil); res.Status != 403 {
		t.Errorf("another agent's undo: status %d, want 403", res.Status)
	}
}

// mergeResult is the answer of a merge, as the tests read it.
type mergeResult struct {
	Merge string                    `json:"merge"`
	Moved map[string]map[string]int `json:"moved"`
	Notes []string                  `json:"notes"`
}

func (w *world) merge(t *testing.T, token string, body map[string]any) mergeResult {
	t.Helper()
	res := w.post(t, "/api/crm/merge", token, body)
	if res.Status != http.StatusOK {
		t.Fatalf("merge: status %d: %s", res.Status, res.Body)
	}
	var r mergeResult
	res.JSON(t, &r)
	return r
}

func (w *world) reload(t *testing.T, collection, label string) *core.Record {
	t.Helper()
	r, err := w.app.FindRecordById(collection, w.id(label))
	if err != nil {
		t.Fatalf("%s %s: %v", collection, label, err)
	}
	return r
}

// An admin of O's company whose account moves to S (of another company)
// must not become an admin of S's company: the account is made a member,
// the notes say so, and the undo gives the role back.
func TestMergeMovedAdminLosesRoleInAnotherCompany(t *testing.T) {
	w := newWorld(t)
	if err := w.app.Delete(w.rec["cuS"]); err != nil { // S has no account: O's moves to S
		t.Fatal(err)
	}
	w.make(t, "Y", crm.Contacts, map[string]any{"name": "Yara (colleague at Acme)", "company": w.id("coS")})
	w.make(t, "csY", crm.Cases, map[string]any{"type": w.id("tp"), "contact": w.id("Y"), "company": w.id("coS"), "subject": "ACME-SECRET shared case", "shared": true, "reference": "SUP-0099"})
	tokO := testkit.Token(t, w.rec["cuO"])
	sees := func(what string) bool {
		t.Helper()
		res := w.srv.Do(t, http.MethodGet, "/api/collections/cases/records", tokO, nil)
		if res.Status != http.StatusOK {
			t.Fatalf("cases list with O's account: status %d: %s", res.Status, res.Body)
		}
		return strings.Contains(string(res.Body), what)
	}
	if sees("ACME-SECRET") {
		t.Fatal("before the merge O's account already sees Acme's shared case: the test proves nothing")
	}

	r := w.merge(t, w.token["stM"], map[string]any{"kind": "contacts", "survivor": w.id("S"), "other": w.id("O")})
	cu := w.reload(t, crm.Customers, "cuO")
	if cu.GetString("contact") != w.id("S") || cu.GetString("company_role") != crm.CompanyMember {
		t.Errorf("O's account after the merge: contact %s role %q, want S's and member", cu.GetString("contact"), cu.GetString("company_role"))
	}
	if !sees("Broken") { // its own case, moved to S: the list works
		t.Error("O's account does not see its own case after the merge")
	}
	if sees("ACME-SECRET") {
		t.Error("O's account, admin of ACME Ltda, sees Acme's shared case after the merge")
	}
	if notes := strings.Join(r.Notes, " "); !strings.Contains(notes, "ana@new.test") || !strings.Contains(notes, "member") || !strings.Contains(notes, "ACME Ltda") {
		t.Errorf("notes %q should say that ana@new.test, admin of ACME Ltda, is now a member", r.Notes)
	}

	if res := w.post(t, "/api/crm/merges/"+r.Merge+"/undo", w.token["stM"], nil); res.Status != http.StatusOK {
		t.Fatalf("undo: status %d: %s", res.Status, res.Body)
	}
	cu = w.reload(t, crm.Customers, "cuO")
	if cu.GetString("contact") != w.id("O") || cu.GetString("company_role") != crm.CompanyAdmin {
		t.Errorf("after the undo: contact %s role %q, want O's and admin", cu.GetString("contact"), cu.GetString("company_role"))
	}
}

// The survivor's own account changes company when the other's company is
// chosen: it loses the admin role too.
func TestMergeSurvivorAdminLosesRoleWhenCompanyChanges(t *testing.T) {
	w := newWorld(t)
	if _, err := w.app.DB().NewQuery("UPDATE customers SET company_role = 'admin' WHERE id = {:id}").Bind(dbx.Params{"id": w.id("cuS")}).Execute(); err != nil {
		t.Fatal(err)
	}
	r := w.merge(t, w.token["stM"], map[string]any{"kind": "contacts", "survivor": w.id("S"), "other": w.id("O"), "fields": map[string]string{"company": "other"}})
	if role := w.reload(t, crm.Customers, "cuS").GetString("company_role"); role != crm.CompanyMember {
		t.Errorf("S's admin account moved from Acme to ACME Ltda keeps role %q", role)
	}
	if !strings.Contains(strings.Join(r.Notes, " "), "ana@old.test") {
		t.Errorf("notes %q should name ana@old.test", r.Notes)
	}
	if res := w.post(t, "/api/crm/merges/"+r.Merge+"/undo", w.token["stM"], nil); res.Status != http.StatusOK {
		t.Fatalf("undo: status %d: %s", res.Status, res.Body)
	}
	if role := w.reload(t, crm.Customers, "cuS").GetString("company_role"); role != crm.CompanyAdmin {
		t.Errorf("after the undo S's account is %q, want admin", role)
	}
}

// An edit of the survivor made after the merge survives its undo, and the
// undo's answer names the field; values not edited since are restored.
func TestUndoKeepsEditsMadeAfterTheMerge(t *testing.T) {
	w := newWorld(t)
	r := w.merge(t, w.token["stM"], map[string]any{"kind": "contacts", "survivor": w.id("S"), "other": w.id("O"), "fields": map[string]string{"email": "other", "phone": "survivor"}})
	if s := w.reload(t, crm.Contacts, "S"); s.GetString("email") != "ana@new.test" || s.GetString("mobile") != "+5511900000009" {
		t.Fatalf("merge did not take O's email and mobile: %q %q", s.GetString("email"), s.GetString("mobile"))
	}
	res := w.srv.Do(t, http.MethodPatch, "/api/collections/contacts/records/"+w.id("S"), w.token["stM"], map[string]any{"email": "corrected@after.test", "job_title": "CFO"})
	if res.Status != http.StatusOK {
		t.Fatalf("edit after the merge: status %d: %s", res.Status, res.Body)
	}
	res = w.post(t, "/api/crm/merges/"+r.Merge+"/undo", w.token["stM"], nil)
	if res.Status != http.StatusOK {
		t.Fatalf("undo: status %d: %s", res.Status, res.Body)
	}
	var undo struct {
		Notes []string `json:"notes"`
		Kept  []string `json:"kept"`
	}
	res.JSON(t, &undo)
	s := w.reload(t, crm.Contacts, "S")
	if s.GetString("email") != "corrected@after.test" || s.GetString("job_title") != "CFO" {
		t.Errorf("the undo overwrote the later edit: email %q job_title %q", s.GetString("email"), s.GetString("job_title"))
	}
	if s.GetString("mobile") != "" || s.GetString("stage") != "lead" {
		t.Errorf("values the merge changed and nobody edited since are not restored: mobile %q stage %q", s.GetString("mobile"), s.GetString("stage"))
	}
	if !reflect.DeepEqual(undo.Kept, []string{"email"}) || !strings.Contains(strings.Join(undo.Notes, " "), "email") {
		t.Errorf("undo answer kept %v notes %q, want the email named", undo.Kept, undo.Notes)
	}
}

// An agent may not close a portal account nor delete a consent through the
// API: a merge that would is refused with 403 naming what needs a manager,
// and writes nothing. Without a clash the agent's merge goes through.
func TestMergeByAgentThatWouldDeleteNeedsManager(t *testing.T) {
	body := func(w *world) map[string]any {
		return map[string]any{"kind": "contacts", "survivor": w.id("S"), "other": w.id("O")}
	}
	for _, c := range []struct {
		name     string
		drop     []string // rows removed first, so that only some clashes remain
		want     []string
		wantNot  []string
		wantCode int
	}{
		{"account and consent", nil, []string{"portal account", "consent"}, nil, http.StatusForbidden},
		{"account", []string{"cnS"}, []string{"portal account"}, []string{"consent"}, http.StatusForbidden},
		{"consent", []string{"cuS"}, []string{"consent"}, []string{"portal account"}, http.StatusForbidden},
		{"no clash", []string{"cuS", "cnS"}, nil, nil, http.StatusOK},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			for _, l := range c.drop {
				if err := w.app.Delete(w.rec[l]); err != nil {
					t.Fatal(err)
				}
			}
			before := dump(t, w.app)
			res := w.post(t, "/api/crm/merge", w.token["stG"], body(w))
			if res.Status != c.wantCode {
				t.Fatalf("agent's merge: status %d, want %d: %s", res.Status, c.wantCode, res.Body)
			}
			if c.wantCode == http.StatusOK {
				return
			}
			var e struct{ Message string }
			res.JSON(t, &e)
			for _, s := range c.want {
				if !strings.Contains(e.Message, s) || !strings.Contains(e.Message, "manager") {
					t.Errorf("message %q should say a manager is needed to %s", e.Message, s)
				}
			}
			for _, s := range c.wantNot {
				if strings.Contains(e.Message, s) {
					t.Errorf("message %q names %s, which is not deleted", e.Message, s)
				}
			}
			if after := dump(t, w.app); !reflect.DeepEqual(before, after) {
				t.Error("a refused merge changed data")
			}
			// The same merge by a manager goes through.
			w.merge(t, w.token["stM"], body(w))
		})
	}
}

// A multi relation to contacts (a collection added later, say by a JS
// migration) gets S in place of O in its arrays, and O back on undo: the
// exact array where nobody touched it, O in S's place where it was edited.
func TestMergeMovesIdsInsideMultiRelations(t *testing.T) {
	w := newWorld(t)
	contacts, err := w.app.FindCollectionByNameOrId(crm.Contacts)
	if err != nil {
		t.Fatal(err)
	}
	projects := core.NewBaseCollection("projects")
	projects.Fields.Add(&core.TextField{Name: "name"}, &core.RelationField{Name: "members", CollectionId: contacts.Id, MaxSelect: 10})
	if err := w.app.Save(projects); err != nil {
		t.Fatal(err)
	}
	w.make(t, "p1", "projects", map[string]any{"name": "O and X", "members": []string{w.id("O"), w.id("X")}})
	w.make(t, "p2", "projects", map[string]any{"name": "S and O", "members": []string{w.id("S"), w.id("O")}})
	w.make(t, "p3", "projects", map[string]any{"name": "O alone", "members": []string{w.id("O")}})
	w.make(t, "p4", "projects", map[string]any{"name": "X alone", "members": []string{w.id("X")}})
	members := func(label string) []string { return w.reload(t, "projects", label).GetStringSlice("members") }

	r := w.merge(t, w.token["stM"], map[string]any{"kind": "contacts", "survivor": w.id("S"), "other": w.id("O")})
	for label, want := range map[string][]string{"p1": {w.id("S"), w.id("X")}, "p2": {w.id("S")}, "p3": {w.id("S")}, "p4": {w.id("X")}} {
		if got := members(label); !reflect.DeepEqual(got, want) {
			t.Errorf("after the merge %s members = %v, want %v", label, got, want)
		}
	}
	if r.Moved["projects"]["members"] != 3 {
		t.Errorf("moved %v, want 3 projects.members", r.Moved["projects"])
	}
	p3 := w.reload(t, "projects", "p3")
	p3.Set("members", []string{w.id("S"), w.id("X")}) // edited after the merge
	if err := w.app.Save(p3); err != nil {
		t.Fatal(err)
	}

	if res := w.post(t, "/api/crm/merges/"+r.Merge+"/undo", w.token["stM"], nil); res.Status != http.StatusOK {
		t.Fatalf("undo: status %d: %s", res.Status, res.Body)
	}
	for label, want := range map[string][]string{"p1": {w.id("O"), w.id("X")}, "p2": {w.id("S"), w.id("O")}, "p3": {w.id("O"), w.id("X")}, "p4": {w.id("X")}} {
		if got := members(label); !reflect.DeepEqual(got, want) {
			t.Errorf("after the undo %s members = %v, want %v", label, got, want)
		}
	}
}
