package requests_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/testkit"
)

// storedWithout is the stored row, every column but the skipped ones.
func storedWithout(t *testing.T, w *testkit.World, collection, id string, skip ...string) string {
	t.Helper()
	row := dbx.NullStringMap{}
	if err := w.App.DB().Select("*").From(collection).Where(dbx.HashExp{"id": id}).One(row); err != nil {
		t.Fatal(err)
	}
	for _, k := range skip {
		delete(row, k)
	}
	raw, _ := json.Marshal(row)
	return string(raw)
}

// Every answer about a contact or a company carries its open requests:
// staff see them all, a customer only those the cases rules show them.
func TestOpenCasesOnContactsAndCompanies(t *testing.T) {
	w := newWorld(t)
	staff := w.Token(t, "agent")
	member := w.Token(t, "customer") // João, member of the company
	colleague := w.Make(t, "", crm.Contacts, map[string]any{"name": "Ana Gonçalves", "email": "ana@example.com", "company": w.ID("company")})
	admin := testkit.Token(t, w.Make(t, "", crm.Customers, map[string]any{
		"email": "ana@example.com", "contact": colleague.Id, "company_role": crm.CompanyAdmin,
	}))

	open := func(contact *core.Record, extra map[string]any) string {
		t.Helper()
		c, err := newCase(t, w, w.R("support"), contact, extra)
		if err != nil {
			t.Fatal(err)
		}
		return c.Id
	}
	open(w.R("contact"), nil)
	open(w.R("contact"), map[string]any{"shared": true})
	open(w.R("contact"), map[string]any{"status": "solved"}) // closed: not counted
	anasPrivate := open(colleague, nil)
	open(w.R("stranger"), nil)

	count := func(token, collection, id string) any {
		t.Helper()
		res := w.Srv.Do(t, http.MethodGet, "/api/collections/"+collection+"/records/"+id, token, nil)
		if res.Status != http.StatusOK {
			t.Fatalf("view %s/%s: %d %s", collection, id, res.Status, res.Body)
		}
		var out map[string]any
		res.JSON(t, &out)
		return out["open_cases"]
	}
	listed := func(token, collection string) map[string]any {
		t.Helper()
		res := w.Srv.Do(t, http.MethodGet, "/api/collections/"+collection+"/records?perPage=100", token, nil)
		if res.Status != http.StatusOK {
			t.Fatalf("list %s: %d %s", collection, res.Status, res.Body)
		}
		if strings.Contains(string(res.Body), "pbInternal") {
			t.Errorf("list %s carries an internal key: %s", collection, res.Body)
		}
		var page struct {
			Items []map[string]any `json:"items"`
		}
		res.JSON(t, &page)
		out := map[string]any{}
		for _, it := range page.Items {
			out[it["id"].(string)] = it["open_cases"]
		}
		return out
	}
	expect := func(what string, got, want any) {
		t.Helper()
		if got != want {
			t.Errorf("%s: open_cases = %v, want %v", what, got, want)
		}
	}

	// Staff: every open case.
	contacts := listed(staff, crm.Contacts)
	expect("staff list, João", contacts[w.ID("contact")], 2.0)
	expect("staff list, Ana", contacts[colleague.Id], 1.0)
	expect("staff list, Lúcia", contacts[w.ID("stranger")], 1.0)
	expect("staff list, the company", listed(staff, crm.Companies)[w.ID("company")], 3.0)
	expect("staff view, João", count(staff, crm.Contacts, w.ID("contact")), 2.0)
	expect("staff view, the company", count(staff, crm.Companies, w.ID("company")), 3.0)

	// João (member): his own requests, on his contact and on his company.
	mine := listed(member, crm.Contacts)
	if len(mine) != 1 {
		t.Errorf("João lists %d contacts", len(mine))
	}
	expect("João's list, himself", mine[w.ID("contact")], 2.0)
	expect("João's view, himself", count(member, crm.Contacts, w.ID("contact")), 2.0)
	expect("João's view, his company", count(member, crm.Companies, w.ID("company")), 2.0)
	expect("João's list, his company", listed(member, crm.Companies)[w.ID("company")], 2.0)

	// Ana (admin): her own and the company's shared ones.
	expect("Ana's view, herself", count(admin, crm.Contacts, colleague.Id), 1.0)
	expect("Ana's view, her company", count(admin, crm.Companies, w.ID("company")), 2.0)

	// Closing a request takes it off the count.
	if res := patch(t, w, staff, anasPrivate, map[string]any{"status": "solved"}); res.Status != http.StatusOK {
		t.Fatal(res.Status)
	}
	expect("staff view, the company after closing one", count(staff, crm.Companies, w.ID("company")), 2.0)

	// It is not a field: writing it changes nothing, and the answer keeps
	// the real count.
	before := storedWithout(t, w, crm.Contacts, w.ID("contact"), "updated")
	res := w.Srv.Do(t, http.MethodPatch, "/api/collections/contacts/records/"+w.ID("contact"), staff, map[string]any{"open_cases": 99})
	var out map[string]any
	res.JSON(t, &out)
	if res.Status != http.StatusOK || out["open_cases"] != 2.0 {
		t.Errorf("writing open_cases: %d %s", res.Status, res.Body)
	}
	if after := storedWithout(t, w, crm.Contacts, w.ID("contact"), "updated"); after != before {
		t.Errorf("writing open_cases changed the contact:\n%s\n%s", before, after)
	}
	// Creating a contact answers with its count too.
	res = w.Srv.Do(t, http.MethodPost, "/api/collections/contacts/records", staff, map[string]any{"name": "Novo", "open_cases": 5})
	res.JSON(t, &out)
	if res.Status != http.StatusOK || out["open_cases"] != 0.0 {
		t.Errorf("create: %d %s", res.Status, res.Body)
	}

	// Expanding back-relations does not spill the ids of cases the customer
	// may not see (PocketBase keeps them as custom data).
	res = w.Srv.Do(t, http.MethodGet, "/api/collections/companies/records/"+w.ID("company")+"?expand=cases_via_company,contacts_via_company", member, nil)
	if res.Status != http.StatusOK || strings.Contains(string(res.Body), anasPrivate) || strings.Contains(string(res.Body), colleague.Id) {
		t.Errorf("the company's answer to João carries Ana's records: %s", res.Body)
	}
	// Expanded contacts carry no count (their own nested expands would
	// otherwise leak the same way); the top-level record does.
	res = w.Srv.Do(t, http.MethodGet, "/api/collections/contacts/records/"+w.ID("contact")+"?expand=company.contacts_via_company", staff, nil)
	res.JSON(t, &out)
	if res.Status != http.StatusOK || out["open_cases"] != 2.0 {
		t.Errorf("expand: %d %s", res.Status, res.Body)
	}

	// Realtime: the count comes with every event, per subscriber.
	staffRT, status := w.Srv.Realtime(t, staff, crm.Contacts+"/*", crm.Companies+"/*")
	if status != http.StatusNoContent {
		t.Fatalf("subscribe: %d", status)
	}
	memberRT, status := w.Srv.Realtime(t, member, crm.Contacts+"/*", crm.Companies+"/*")
	if status != http.StatusNoContent {
		t.Fatalf("subscribe: %d", status)
	}
	for _, r := range []string{crm.Contacts + ":" + w.ID("contact"), crm.Companies + ":" + w.ID("company")} {
		collection, id, _ := strings.Cut(r, ":")
		r, err := w.App.FindRecordById(collection, id)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.App.Save(r); err != nil {
			t.Fatal(err)
		}
	}
	heard := func(c *testkit.RealtimeClient) map[string]any {
		out := map[string]any{}
		for _, e := range c.Drain(t, w.ID("contact"), w.ID("company")) {
			var msg struct {
				Record map[string]any `json:"record"`
			}
			_ = json.Unmarshal([]byte(e.Raw), &msg)
			out[e.RecordID] = msg.Record["open_cases"]
		}
		return out
	}
	got := heard(staffRT)
	expect("staff realtime, João", got[w.ID("contact")], 2.0)
	expect("staff realtime, the company", got[w.ID("company")], 2.0)
	got = heard(memberRT)
	expect("João's realtime, himself", got[w.ID("contact")], 2.0)
	expect("João's realtime, his company", got[w.ID("company")], 2.0)
}
