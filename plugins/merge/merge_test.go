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

// newWorld is two records of one person: S (kept) and O (merged away), each
// with a portal account, and O with something in every collection.
func newWorld(t *testing.T) *testkit.World {
	w := testkit.NewWorld(t, testkit.Plugins(timeline.Register, merge.Register), testkit.Served())
	w.Make(t, "stM", crm.Staff, map[string]any{"email": "m@staff.test", "name": "Manager", "role": crm.RoleManager})
	w.Make(t, "stG", crm.Staff, map[string]any{"email": "g@staff.test", "name": "Agent", "role": crm.RoleAgent})
	w.Make(t, "stG2", crm.Staff, map[string]any{"email": "g2@staff.test", "name": "Other agent", "role": crm.RoleAgent})
	w.Make(t, "stR", crm.Staff, map[string]any{"email": "r@staff.test", "name": "Readonly", "role": crm.RoleReadonly})
	w.Make(t, "coS", crm.Companies, map[string]any{"name": "Acme", "owner": w.ID("stG")})
	w.Make(t, "coO", crm.Companies, map[string]any{"name": "ACME Ltda", "domain": "acme.test", "owner": w.ID("stG")})
	w.Make(t, "S", crm.Contacts, map[string]any{"name": "Ana Souza", "email": "ana@old.test", "phone": "+5511900000001", "company": w.ID("coS"), "owner": w.ID("stG"), "stage": "lead", "score": 10})
	w.Make(t, "O", crm.Contacts, map[string]any{"name": "Ana S.", "email": "ana@new.test", "mobile": "+5511900000009", "company": w.ID("coO"), "owner": w.ID("stG"), "stage": "customer", "tags": []string{"vip"}})
	w.Make(t, "X", crm.Contacts, map[string]any{"name": "Xavier", "owner": w.ID("stG2")})
	w.Make(t, "cuS", crm.Customers, map[string]any{"email": "ana@old.test", "contact": w.ID("S"), "company_role": crm.CompanyMember})
	w.Make(t, "cuO", crm.Customers, map[string]any{"email": "ana@new.test", "contact": w.ID("O"), "company_role": crm.CompanyAdmin})
	w.Make(t, "pl", crm.Pipelines, map[string]any{"name": "Sales"})
	w.Make(t, "ps", crm.PipelineStages, map[string]any{"pipeline": w.ID("pl"), "name": "Proposal", "position": 1, "kind": "open"})
	w.Make(t, "dlO", crm.Deals, map[string]any{"title": "Deal", "contact": w.ID("O"), "company": w.ID("coO"), "pipeline": w.ID("pl"), "stage": w.ID("ps"), "status": crm.DealOpen})
	statuses := []map[string]any{{"key": "new", "label": "New", "public_label": "Received"}}
	w.Make(t, "tp", crm.CaseTypes, map[string]any{"name": "Support", "code": "SUP", "category": "support", "statuses": statuses, "active": true})
	w.Make(t, "csO", crm.Cases, map[string]any{"type": w.ID("tp"), "contact": w.ID("O"), "company": w.ID("coO"), "subject": "Broken"})
	w.Make(t, "cmO", crm.CaseMessages, map[string]any{"case": w.ID("csO"), "body": "Help", "author_customer": w.ID("cuO")})
	w.Make(t, "pr", crm.Products, map[string]any{"name": "Fibre", "code": "FIBRE", "price": 100, "currency": "BRL", "kind": "subscription", "active": true})
	w.Make(t, "orO", crm.Orders, map[string]any{"number": "N-1", "contact": w.ID("O"), "items": []map[string]any{{"name": "Fibre", "quantity": 1}}, "total": 100, "currency": "BRL", "status": "placed", "placed_at": "2026-11-01 10:00:00.000Z"})
	w.Make(t, "sbO", crm.Subscriptions, map[string]any{"contact": w.ID("O"), "company": w.ID("coO"), "product": w.ID("pr"), "price": 100, "currency": "BRL", "status": "active"})
	w.Make(t, "acO", crm.Activities, map[string]any{"type": "chat", "actor_type": "customer", "customer": w.ID("cuO"), "contact": w.ID("O"), "subject": "chat with O"})
	w.Make(t, "tkO", crm.Tasks, map[string]any{"title": "Call O", "contact": w.ID("O"), "status": crm.TaskOpen})
	// One clash: S withdrew marketing by email long ago, O granted it since.
	w.Make(t, "cnS", crm.Consents, map[string]any{"contact": w.ID("S"), "purpose": crm.PurposeMarketing, "channel": "email", "state": "withdrawn"})
	w.Make(t, "cnO", crm.Consents, map[string]any{"contact": w.ID("O"), "purpose": crm.PurposeMarketing, "channel": "email", "state": "granted"})
	w.Make(t, "cnO2", crm.Consents, map[string]any{"contact": w.ID("O"), "purpose": crm.PurposeService, "channel": "sms", "state": "granted"})
	if _, err := w.App.DB().NewQuery("UPDATE consents SET updated = '2020-01-01 00:00:00.000Z' WHERE id = {:id}").Bind(dbx.Params{"id": w.ID("cnS")}).Execute(); err != nil {
		t.Fatal(err)
	}
	w.Make(t, "obO", crm.Outbox, map[string]any{"contact": w.ID("O"), "purpose": crm.PurposeService, "state": crm.OutboxSent, "subject": "Hi"})
	w.Make(t, "alO", crm.AuditLog, map[string]any{"actor_type": "customer", "customer": w.ID("cuO"), "action": "read", "contact": w.ID("O")})
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

func TestMergeThenUndoGivesBackTheSameRows(t *testing.T) {
	w := newWorld(t)
	before := dump(t, w.App)

	// A manager: the merge closes O's portal account and deletes S's old consent.
	res := w.Do(t, http.MethodPost, "/api/crm/merge", "stM", map[string]any{
		"kind": "contacts", "survivor": w.ID("S"), "other": w.ID("O"),
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
	s, err := w.App.FindRecordById(crm.Contacts, w.ID("S"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"name": "Ana Souza", "email": "ana@new.test", "company": w.ID("coO"), "phone": "+5511900000001", "mobile": "+5511900000009", "stage": "lead"}
	for f, v := range want {
		if s.Get(f) != v {
			t.Errorf("survivor %s = %v, want %v", f, s.Get(f), v)
		}
	}
	if _, err := w.App.FindRecordById(crm.Contacts, w.ID("O")); err == nil {
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
		r, err := w.App.FindRecordById(c.collection, w.ID(c.label))
		if err != nil {
			t.Errorf("%s %s: %v", c.collection, c.label, err)
			continue
		}
		if r.GetString(c.field) != w.ID(c.to) {
			t.Errorf("%s %s.%s = %s, want %s's", c.collection, c.label, c.field, r.GetString(c.field), c.to)
		}
	}
	if _, err := w.App.FindRecordById(crm.Customers, w.ID("cuO")); err == nil {
		t.Error("both had a portal account: the other's should be closed")
	}
	if _, err := w.App.FindRecordById(crm.Consents, w.ID("cnS")); err == nil {
		t.Error("the older clashing consent (S's withdrawal of 2020) should give way to O's recent grant")
	}
	if len(result.Notes) < 2 || !strings.Contains(strings.Join(result.Notes, " "), "portal account") {
		t.Errorf("notes %q should say what happened to the portal account and the consent", result.Notes)
	}
	if result.Moved[crm.Deals]["contact"] != 1 || result.Moved[crm.Consents]["contact"] != 2 {
		t.Errorf("moved %v", result.Moved)
	}
	entries, err := w.App.FindAllRecords(crm.Activities, dbx.HashExp{"event": timeline.ContactMerged, "contact": w.ID("S")})
	if err != nil || len(entries) != 1 || entries[0].GetString("staff") != w.ID("stM") || entries[0].GetString("ref_id") != w.ID("O") {
		t.Errorf("timeline: %d merge entries (%v), want one by the manager about O", len(entries), err)
	}
	m, err := w.App.FindRecordById(crm.Merges, result.Merge)
	if err != nil || m.GetString("staff") != w.ID("stM") || m.GetDateTime("expires").IsZero() {
		t.Fatalf("merges record: %v", err)
	}

	// Undo: every row is back, byte for byte.
	res = w.Do(t, http.MethodPost, "/api/crm/merges/"+result.Merge+"/undo", "stM", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("undo: status %d: %s", res.Status, res.Body)
	}
	after := dump(t, w.App)
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
	undoEntries, _ := w.App.FindAllRecords(crm.Activities, dbx.HashExp{"event": merge.ContactUnmerged, "contact": w.ID("S")})
	if len(undoEntries) != 1 {
		t.Errorf("%d undo entries on the timeline, want 1", len(undoEntries))
	}

	// Twice: refused.
	res = w.Do(t, http.MethodPost, "/api/crm/merges/"+result.Merge+"/undo", "stM", nil)
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
	res := w.Do(t, http.MethodPost, "/api/crm/merge", "stM", map[string]any{"kind": "companies", "survivor": w.ID("coS"), "other": w.ID("coO")})
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
	if cu, _ := w.App.FindRecordById(crm.Customers, w.ID("cuO")); cu == nil || cu.GetString("company_role") != crm.CompanyAdmin {
		t.Error("a company merge should keep the admin role of the other company's admin")
	}
	if notes := strings.Join(result.Notes, " "); !strings.Contains(notes, "ana@new.test") || !strings.Contains(notes, "admins") {
		t.Errorf("notes %q should name the other company's portal admins", result.Notes)
	}
	for _, c := range []struct{ collection, label string }{{crm.Contacts, "O"}, {crm.Deals, "dlO"}, {crm.Cases, "csO"}, {crm.Subscriptions, "sbO"}} {
		r, _ := w.App.FindRecordById(c.collection, w.ID(c.label))
		if r == nil || r.GetString("company") != w.ID("coS") {
			t.Errorf("%s %s: company not moved to the survivor", c.collection, c.label)
		}
	}
	co, _ := w.App.FindRecordById(crm.Companies, w.ID("coS"))
	if co.GetString("domain") != "acme.test" {
		t.Errorf("the survivor's empty domain should be filled from the other: %q", co.GetString("domain"))
	}
	if _, err := w.App.DB().NewQuery("UPDATE merges SET expires = '2020-01-01 00:00:00.000Z' WHERE id = {:id}").Bind(dbx.Params{"id": result.Merge}).Execute(); err != nil {
		t.Fatal(err)
	}
	res = w.Do(t, http.MethodPost, "/api/crm/merges/"+result.Merge+"/undo", "stM", nil)
	if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "30 days") {
		t.Errorf("undo after 30 days: status %d: %s", res.Status, res.Body)
	}
	if _, err := w.App.FindRecordById(crm.Companies, w.ID("coO")); err == nil {
		t.Error("a refused undo restored the company")
	}
}

func TestMergeRefusals(t *testing.T) {
	w := newWorld(t)
	before := dump(t, w.App)
	valid := func(extra map[string]any) map[string]any {
		b := map[string]any{"kind": "contacts", "survivor": w.ID("S"), "other": w.ID("O")}
		for k, v := range extra {
			b[k] = v
		}
		return b
	}
	cases := []struct {
		name, who string
		body      map[string]any
		status    int
		names     string
	}{
		{"anonymous", "", valid(nil), 401, ""},
		{"customer", "cuS", valid(nil), 403, ""},
		{"readonly", "stR", valid(nil), 403, ""},
		{"agent who does not own the other", "stG", valid(map[string]any{"survivor": w.ID("O"), "other": w.ID("X")}), 403, ""},
		{"bad kind", "stM", valid(map[string]any{"kind": "deals"}), 400, `"kind"`},
		{"no survivor", "stM", valid(map[string]any{"survivor": ""}), 400, `"survivor"`},
		{"itself", "stM", valid(map[string]any{"other": w.ID("S")}), 400, `"other"`},
		{"unknown other", "stM", valid(map[string]any{"other": "nosuchcontact12"}), 404, `"other"`},
		{"unknown field", "stM", valid(map[string]any{"fields": map[string]string{"password": "other"}}), 400, `"fields"`},
		{"bad choice", "stM", valid(map[string]any{"fields": map[string]string{"email": "both"}}), 400, `"fields"`},
	}
	for _, c := range cases {
		res := w.Do(t, http.MethodPost, "/api/crm/merge", c.who, c.body)
		if res.Status != c.status || !strings.Contains(string(res.Body), c.names) {
			t.Errorf("%s: status %d, want %d naming %s: %s", c.name, res.Status, c.status, c.names, res.Body)
		}
	}
	if after := dump(t, w.App); !reflect.DeepEqual(before, after) {
		t.Error("a refused merge changed data")
	}
	for _, c := range []struct {
		who    string
		status int
	}{{"", 401}, {"cuS", 403}, {"stR", 403}, {"stM", 404}} {
		if res := w.Do(t, http.MethodPost, "/api/crm/merges/nosuchmerge1234/undo", c.who, nil); res.Status != c.status {
			t.Errorf("undo of a missing merge: status %d, want %d", res.Status, c.status)
		}
	}
	// An agent undoes only their own merges.
	res := w.Do(t, http.MethodPost, "/api/crm/merge", "stM", valid(nil))
	var result struct {
		Merge string `json:"merge"`
	}
	res.JSON(t, &result)
	if res := w.Do(t, http.MethodPost, "/api/crm/merges/"+result.Merge+"/undo", "stG2", nil); res.Status != 403 {
		t.Errorf("another agent's undo: status %d, want 403", res.Status)
	}
}

// mergeResult is the answer of a merge, as the tests read it.
type mergeResult struct {
	Merge string                    `json:"merge"`
	Moved map[string]map[string]int `json:"moved"`
	Notes []string                  `json:"notes"`
}

// mergeOK merges as who and fails the test unless the merge is made.
func mergeOK(t *testing.T, w *testkit.World, who string, body map[string]any) mergeResult {
	t.Helper()
	res := w.Do(t, http.MethodPost, "/api/crm/merge", who, body)
	if res.Status != http.StatusOK {
		t.Fatalf("merge: status %d: %s", res.Status, res.Body)
	}
	var r mergeResult
	res.JSON(t, &r)
	return r
}

// An admin of O's company whose account moves to S (of another company)
// must not become an admin of S's company: the account is made a member,
// the notes say so, and the undo gives the role back.
func TestMergeMovedAdminLosesRoleInAnotherCompany(t *testing.T) {
	w := newWorld(t)
	if err := w.App.Delete(w.R("cuS")); err != nil { // S has no account: O's moves to S
		t.Fatal(err)
	}
	w.Make(t, "Y", crm.Contacts, map[string]any{"name": "Yara (colleague at Acme)", "company": w.ID("coS")})
	w.Make(t, "csY", crm.Cases, map[string]any{"type": w.ID("tp"), "contact": w.ID("Y"), "company": w.ID("coS"), "subject": "ACME-SECRET shared case", "shared": true, "reference": "SUP-0099"})
	sees := func(what string) bool {
		t.Helper()
		res := w.Do(t, http.MethodGet, "/api/collections/cases/records", "cuO", nil)
		if res.Status != http.StatusOK {
			t.Fatalf("cases list with O's account: status %d: %s", res.Status, res.Body)
		}
		return strings.Contains(string(res.Body), what)
	}
	if sees("ACME-SECRET") {
		t.Fatal("before the merge O's account already sees Acme's shared case: the test proves nothing")
	}

	r := mergeOK(t, w, "stM", map[string]any{"kind": "contacts", "survivor": w.ID("S"), "other": w.ID("O")})
	cu := w.Reload(t, w.R("cuO"))
	if cu.GetString("contact") != w.ID("S") || cu.GetString("company_role") != crm.CompanyMember {
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

	if res := w.Do(t, http.MethodPost, "/api/crm/merges/"+r.Merge+"/undo", "stM", nil); res.Status != http.StatusOK {
		t.Fatalf("undo: status %d: %s", res.Status, res.Body)
	}
	cu = w.Reload(t, w.R("cuO"))
	if cu.GetString("contact") != w.ID("O") || cu.GetString("company_role") != crm.CompanyAdmin {
		t.Errorf("after the undo: contact %s role %q, want O's and admin", cu.GetString("contact"), cu.GetString("company_role"))
	}
}

// The survivor's own account changes company when the other's company is
// chosen: it loses the admin role too.
func TestMergeSurvivorAdminLosesRoleWhenCompanyChanges(t *testing.T) {
	w := newWorld(t)
	if _, err := w.App.DB().NewQuery("UPDATE customers SET company_role = 'admin' WHERE id = {:id}").Bind(dbx.Params{"id": w.ID("cuS")}).Execute(); err != nil {
		t.Fatal(err)
	}
	r := mergeOK(t, w, "stM", map[string]any{"kind": "contacts", "survivor": w.ID("S"), "other": w.ID("O"), "fields": map[string]string{"company": "other"}})
	if role := w.Reload(t, w.R("cuS")).GetString("company_role"); role != crm.CompanyMember {
		t.Errorf("S's admin account moved from Acme to ACME Ltda keeps role %q", role)
	}
	if !strings.Contains(strings.Join(r.Notes, " "), "ana@old.test") {
		t.Errorf("notes %q should name ana@old.test", r.Notes)
	}
	if res := w.Do(t, http.MethodPost, "/api/crm/merges/"+r.Merge+"/undo", "stM", nil); res.Status != http.StatusOK {
		t.Fatalf("undo: status %d: %s", res.Status, res.Body)
	}
	if role := w.Reload(t, w.R("cuS")).GetString("company_role"); role != crm.CompanyAdmin {
		t.Errorf("after the undo S's account is %q, want admin", role)
	}
}

// An edit of the survivor made after the merge survives its undo, and the
// undo's answer names the field; values not edited since are restored.
func TestUndoKeepsEditsMadeAfterTheMerge(t *testing.T) {
	w := newWorld(t)
	r := mergeOK(t, w, "stM", map[string]any{"kind": "contacts", "survivor": w.ID("S"), "other": w.ID("O"), "fields": map[string]string{"email": "other", "phone": "survivor"}})
	if s := w.Reload(t, w.R("S")); s.GetString("email") != "ana@new.test" || s.GetString("mobile") != "+5511900000009" {
		t.Fatalf("merge did not take O's email and mobile: %q %q", s.GetString("email"), s.GetString("mobile"))
	}
	res := w.Do(t, http.MethodPatch, "/api/collections/contacts/records/"+w.ID("S"), "stM", map[string]any{"email": "corrected@after.test", "job_title": "CFO"})
	if res.Status != http.StatusOK {
		t.Fatalf("edit after the merge: status %d: %s", res.Status, res.Body)
	}
	res = w.Do(t, http.MethodPost, "/api/crm/merges/"+r.Merge+"/undo", "stM", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("undo: status %d: %s", res.Status, res.Body)
	}
	var undo struct {
		Notes []string `json:"notes"`
		Kept  []string `json:"kept"`
	}
	res.JSON(t, &undo)
	s := w.Reload(t, w.R("S"))
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
	body := func(w *testkit.World) map[string]any {
		return map[string]any{"kind": "contacts", "survivor": w.ID("S"), "other": w.ID("O")}
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
				if err := w.App.Delete(w.R(l)); err != nil {
					t.Fatal(err)
				}
			}
			before := dump(t, w.App)
			res := w.Do(t, http.MethodPost, "/api/crm/merge", "stG", body(w))
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
			if after := dump(t, w.App); !reflect.DeepEqual(before, after) {
				t.Error("a refused merge changed data")
			}
			// The same merge by a manager goes through.
			mergeOK(t, w, "stM", body(w))
		})
	}
}

// A multi relation to contacts (a collection added later, say by a JS
// migration) gets S in place of O in its arrays, and O back on undo: the
// exact array where nobody touched it, O in S's place where it was edited.
func TestMergeMovesIdsInsideMultiRelations(t *testing.T) {
	w := newWorld(t)
	contacts, err := w.App.FindCollectionByNameOrId(crm.Contacts)
	if err != nil {
		t.Fatal(err)
	}
	projects := core.NewBaseCollection("projects")
	projects.Fields.Add(&core.TextField{Name: "name"}, &core.RelationField{Name: "members", CollectionId: contacts.Id, MaxSelect: 10})
	if err := w.App.Save(projects); err != nil {
		t.Fatal(err)
	}
	w.Make(t, "p1", "projects", map[string]any{"name": "O and X", "members": []string{w.ID("O"), w.ID("X")}})
	w.Make(t, "p2", "projects", map[string]any{"name": "S and O", "members": []string{w.ID("S"), w.ID("O")}})
	w.Make(t, "p3", "projects", map[string]any{"name": "O alone", "members": []string{w.ID("O")}})
	w.Make(t, "p4", "projects", map[string]any{"name": "X alone", "members": []string{w.ID("X")}})
	members := func(label string) []string { return w.Reload(t, w.R(label)).GetStringSlice("members") }

	r := mergeOK(t, w, "stM", map[string]any{"kind": "contacts", "survivor": w.ID("S"), "other": w.ID("O")})
	for label, want := range map[string][]string{"p1": {w.ID("S"), w.ID("X")}, "p2": {w.ID("S")}, "p3": {w.ID("S")}, "p4": {w.ID("X")}} {
		if got := members(label); !reflect.DeepEqual(got, want) {
			t.Errorf("after the merge %s members = %v, want %v", label, got, want)
		}
	}
	if r.Moved["projects"]["members"] != 3 {
		t.Errorf("moved %v, want 3 projects.members", r.Moved["projects"])
	}
	p3 := w.Reload(t, w.R("p3"))
	p3.Set("members", []string{w.ID("S"), w.ID("X")}) // edited after the merge
	if err := w.App.Save(p3); err != nil {
		t.Fatal(err)
	}

	if res := w.Do(t, http.MethodPost, "/api/crm/merges/"+r.Merge+"/undo", "stM", nil); res.Status != http.StatusOK {
		t.Fatalf("undo: status %d: %s", res.Status, res.Body)
	}
	for label, want := range map[string][]string{"p1": {w.ID("O"), w.ID("X")}, "p2": {w.ID("S"), w.ID("O")}, "p3": {w.ID("O"), w.ID("X")}, "p4": {w.ID("X")}} {
		if got := members(label); !reflect.DeepEqual(got, want) {
			t.Errorf("after the undo %s members = %v, want %v", label, got, want)
		}
	}
}
