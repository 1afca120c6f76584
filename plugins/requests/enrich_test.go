package requests_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/requests"
	"vinculo/plugins/team"
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

// listWorld is newWorld with the staff of every role, a team (Rafael and
// Otávio), contacts and companies owned by Rafael, his teammate, an outsider
// and nobody, and open requests on some of them.
func listWorld(t *testing.T) *testkit.World {
	t.Helper()
	w := newWorld(t)
	staff := func(label, name, role string) {
		w.Make(t, label, crm.Staff, map[string]any{"name": name, "email": label + "@vinculo.test", "role": role})
	}
	staff("manager", "Marina", crm.RoleManager)
	staff("readonly", "Beatriz", crm.RoleReadonly)
	staff("partner", "Paulo", crm.RolePartner)
	staff("mate", "Otávio", crm.RoleAgent)
	staff("outsider", "Sérgio", crm.RoleAgent)
	w.Make(t, "", crm.Teams, map[string]any{crm.TeamName: "Vendas", crm.TeamMembers: []string{w.ID("agent"), w.ID("mate")}})
	for _, owner := range []string{"agent", "mate", "outsider", ""} {
		fields := map[string]any{"name": "Empresa de " + owner}
		if owner != "" {
			fields["owner"] = w.ID(owner)
		}
		company := w.Make(t, "", crm.Companies, fields)
		fields = map[string]any{"name": "Cliente de " + owner, "company": company.Id}
		if owner != "" {
			fields["owner"] = w.ID(owner)
		}
		contact := w.Make(t, "", crm.Contacts, fields)
		for _, status := range []string{"new", "triage", "solved"} {
			if _, err := newCase(t, w, w.R("support"), contact, map[string]any{"status": status}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := newCase(t, w, w.R("support"), w.R("contact"), nil); err != nil {
		t.Fatal(err)
	}
	return w
}

func setMode(t *testing.T, w *testkit.World, mode string) {
	t.Helper()
	n := w.Count(t, crm.BusinessSettings, "")
	var err error
	if n == 0 {
		_, err = w.App.DB().Insert(crm.BusinessSettings, dbx.Params{"id": "bs0000000000001", crm.BusinessTeamVisibility: mode}).Execute()
	} else {
		_, err = w.App.DB().Update(crm.BusinessSettings, dbx.Params{crm.BusinessTeamVisibility: mode}, nil).Execute()
	}
	if err != nil {
		t.Fatal(err)
	}
}

// A staff list whose reader the list rule lets see every row skips the
// rule's SQL and counts each row's open requests in its own statement;
// every other reader's list reads the rule. Either way each reader lists
// exactly the rows the stored rule shows them, with the open requests they
// may see.
func TestListsReadTheRuleAsStored(t *testing.T) {
	w := listWorld(t)
	log := testkit.LogSQL(t, w.App)
	readers := []string{"manager", "agent", "readonly", "partner", "customer"}
	for _, mode := range []string{crm.VisibilityEveryone, crm.VisibilityTeams} {
		setMode(t, w, mode)
		for _, who := range readers {
			auth := w.R(who)
			token := testkit.Token(t, auth)
			for _, collection := range []string{crm.Contacts, crm.Companies} {
				what := mode + "/" + who + "/" + collection
				log.Take()
				res := w.Srv.Do(t, http.MethodGet, "/api/collections/"+collection+"/records?perPage=200&sort=id", token, nil)
				if res.Status != http.StatusOK {
					t.Fatalf("%s: %d %s", what, res.Status, res.Body)
				}
				var page struct {
					Items []map[string]any `json:"items"`
				}
				res.JSON(t, &page)
				got := map[string]any{}
				for _, it := range page.Items {
					got[it["id"].(string)] = it[requests.OpenCasesKey]
				}

				q := w.App.RecordQuery(collection)
				if err := team.Visible(w.App, auth, collection, q); err != nil {
					t.Fatal(err)
				}
				var visible []*core.Record
				if err := q.All(&visible); err != nil {
					t.Fatal(err)
				}
				want := map[string]any{}
				for _, r := range visible {
					n, ok, err := requests.OpenCases(w.App, r, auth)
					if err != nil {
						t.Fatal(err)
					}
					want[r.Id] = nil
					if ok {
						want[r.Id] = float64(n)
					}
				}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s lists\n%v\nthe rule shows\n%v", what, got, want)
				}

			}
		}
	}
}

// Every query a staff contact list issues is led by an index, the open
// requests' counts included: the grouped count of a page, whoever reads it
// (every staff reader, in either visibility mode), and a customer's own
// count.
func TestListQueriesAreLedByIndexes(t *testing.T) {
	w := listWorld(t)
	log := testkit.LogSQL(t, w.App)
	list := func(mode, who, query string) []string {
		t.Helper()
		setMode(t, w, mode)
		log.Take()
		res := w.Srv.Do(t, http.MethodGet, "/api/collections/contacts/records?"+query, testkit.Token(t, w.R(who)), nil)
		if res.Status != http.StatusOK {
			t.Fatalf("%s %s: %d %s", who, query, res.Status, res.Body)
		}
		return log.Take()
	}
	owner := "filter=" + url.QueryEscape("(owner='"+w.ID("agent")+"')") + "&sort=-created&perPage=50&skipTotal=1"
	newest := "sort=-created&perPage=50&skipTotal=1"
	cases := []struct {
		what, mode, who, query string
		count                  string // the plan line counting open requests
		scans                  bool   // the list itself may scan (a customer's: their one row, by the rule)
	}{
		{"owner's page, sees all", crm.VisibilityEveryone, "agent", owner, "SEARCH cases USING COVERING INDEX idx_cases_contact_closed (contact=? AND closed=?)", false},
		{"newest first, sees all", crm.VisibilityEveryone, "manager", newest, "SEARCH cases USING COVERING INDEX idx_cases_contact_closed (contact=? AND closed=?)", false},
		{"owner's page, teams", crm.VisibilityTeams, "agent", owner, "SEARCH cases USING COVERING INDEX idx_cases_contact_closed (contact=? AND closed=?)", false},
		{"customer", crm.VisibilityEveryone, "customer", "", "SEARCH cases USING COVERING INDEX idx_cases_contact_closed (contact=? AND closed=?)", true},
	}
	for _, c := range cases {
		stmts := list(c.mode, c.who, c.query)
		counts := 0
		for _, stmt := range stmts {
			if !strings.HasPrefix(stmt, "SELECT") {
				continue
			}
			plan := testkit.QueryPlan(t, w.App, stmt, nil)
			for _, line := range strings.Split(plan, "\n") {
				// A SCAN ... USING INDEX walks an index in the order asked
				// and stops at the page's LIMIT: led by an index.
				if strings.HasPrefix(strings.TrimLeft(line, "|-` "), "SCAN") && !smallScan(line) && !strings.Contains(line, " USING INDEX ") && !(c.scans && strings.Contains(line, "SCAN contacts")) {
					t.Errorf("%s: a query scans a table:\n%s\n%s", c.what, stmt, plan)
				}
			}
			if strings.Contains(plan, c.count) {
				counts++
			}
		}
		if counts != 1 {
			t.Errorf("%s: %d of its queries count open requests by the index, want 1:\n%s", c.what, counts, strings.Join(stmts, "\n"))
		}
	}
}

// smallScan: what the rules read beside each row, whose size is the
// business's (its one settings row, its teams), the JSON list of ids a
// page's count reads, and the one-row lookups of the reader.
func smallScan(line string) bool {
	for _, small := range []string{"__collection_business_settings", "business_settings", "idx_teams_members", "VIRTUAL TABLE"} {
		if strings.Contains(line, small) {
			return true
		}
	}
	return false
}
