package access_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/testkit"
)

func list(t *testing.T, w *testkit.World, actor, collection string, query url.Values) (int, []string, string) {
	t.Helper()
	res := w.Do(t, http.MethodGet, "/api/collections/"+collection+"/records?"+query.Encode(), actor, nil)
	var page struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	var ids []string
	if res.Status == http.StatusOK {
		res.JSON(t, &page)
		for _, it := range page.Items {
			ids = append(ids, it.ID)
		}
	}
	return res.Status, sorted(ids), string(res.Body)
}

func sortedIDs(w *testkit.World, labels ...string) []string { return sorted(w.IDs(labels...)) }

// A filter or sort through relations and @collection must not reveal other
// customers' rows, nor work as an oracle for their data.
func TestHostileFiltersAndSorts(t *testing.T) {
	w := newWorld(t)
	oracles := []struct {
		actor, collection, filter, real, fake string
		allowed                               []string
	}{
		{custA, crm.Contacts, "@collection.contacts.email ?= '%s'", "c@cust.test", "nobody@none.test", []string{"ctA"}},
		{custA, crm.Cases, "@collection.cases.subject ?= '%s'", "csC", "no such subject", []string{"csA", "csAshared", "csAclosed"}},
		{custB, crm.Cases, "contact.email = '%s'", "a@cust.test", "nobody@none.test", []string{"csAshared", "csB"}},
		{custB, crm.Cases, "contact.phone ~ '%s'", "900000001", "123456789", []string{"csAshared", "csB"}},
		{custB, crm.Orders, "contact.name ~ '%s'", "Ana", "Zzz", []string{"orAco", "orB", "orBco"}},
		{custA, crm.CaseMessages, "case.contact.email = '%s'", "c@cust.test", "nobody@none.test", []string{"cmA", "cmAsh"}},
		{custC, crm.Companies, "@collection.customers.company_role ?= '%s'", "member", "nonexistent", []string{"coC"}},
		{custA, crm.Consents, "@collection.consents.contact.email ?= '%s'", "c@cust.test", "nobody@none.test", []string{"cnA"}},
	}
	for _, o := range oracles {
		t.Run(o.actor+" "+o.collection+" "+o.filter, func(t *testing.T) {
			realStatus, realIDs, realBody := list(t, w, o.actor, o.collection, url.Values{"filter": {strings.Replace(o.filter, "%s", o.real, 1)}})
			fakeStatus, fakeIDs, _ := list(t, w, o.actor, o.collection, url.Values{"filter": {strings.Replace(o.filter, "%s", o.fake, 1)}})
			if realStatus != fakeStatus || !slices.Equal(realIDs, fakeIDs) {
				t.Errorf("the filter tells another customer's data apart: %d %v for the real value, %d %v for a made-up one", realStatus, realIDs, fakeStatus, fakeIDs)
			}
			allowed := sortedIDs(w, o.allowed...)
			for _, id := range realIDs {
				if !slices.Contains(allowed, id) {
					t.Errorf("filter reached a record that is not the actor's: %s in %s", id, realBody)
				}
			}
		})
	}

	for _, sort := range []string{"contact.email", "-assignee.email", "@random", "-company.name", "contact.company.owner.email"} {
		_, ids, body := list(t, w, custB, crm.Cases, url.Values{"sort": {sort}})
		if extra := subtract(ids, sortedIDs(w, "csAshared", "csB")); len(extra) > 0 {
			t.Errorf("customer B sorting cases by %s reached %v: %s", sort, extra, body)
		}
	}
	// internal notes stay hidden whatever the filter says
	_, ids, body := list(t, w, custA, crm.CaseMessages, url.Values{"filter": {"internal = true || internal = false"}})
	if slices.Contains(ids, w.ID("cmAint")) || slices.Contains(ids, w.ID("cmAshInt")) {
		t.Errorf("customer A read an internal note: %s", body)
	}
}

func subtract(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// expand, forward and backward through relations, never carries another
// customer's data or the team's. An expand through a field hidden from
// customers (a request's assignee) is refused before any query runs.
func TestHostileExpand(t *testing.T) {
	w := newWorld(t)
	cases := []struct {
		actor, path string
		forbidden   []string // strings that must not appear in the answer
		refused     bool     // 400: the expand names a hidden field
	}{
		{custB, "/api/collections/cases/records?expand=contact,company,assignee,type", []string{"a@cust.test", "Ana A", "g@staff.test", "+5511900000001"}, true},
		{custB, "/api/collections/cases/records?expand=contact,company,type", []string{"a@cust.test", "Ana A", "g@staff.test", "+5511900000001"}, false},
		{custB, "/api/collections/companies/records/" + "{coA}" + "?expand=contacts_via_company,cases_via_company,orders_via_company,customers_via_contact_via_company,owner",
			[]string{"a@cust.test", "Ana A", "{csA}", "{csAclosed}", "{orA}", "g@staff.test"}, false},
		{custA, "/api/collections/contacts/records/{ctA}?expand=cases_via_contact,customers_via_contact,company,owner,activities_via_contact,consents_via_contact",
			[]string{"{csB}", "{csC}", "g@staff.test", "internal call about A", "b@cust.test"}, false},
		{custA, "/api/collections/case_messages/records?expand=case.contact.company,author_staff,case.assignee,case_via_case_messages",
			[]string{"g@staff.test", "internal note about A", "internal on shared", "c@cust.test"}, true},
		{custA, "/api/collections/case_messages/records?expand=case.contact.company,author_staff,case_via_case_messages",
			[]string{"g@staff.test", "internal note about A", "internal on shared", "c@cust.test"}, false},
		{custA, "/api/collections/customers/records?expand=contact.company.contacts_via_company", []string{"b@cust.test", "Bruno B"}, false},
		{custC, "/api/collections/orders/records?expand=contact,company,company.owner", []string{"g2@staff.test", "a@cust.test"}, false},
		{custA, "/api/collections/activities/records?expand=staff,contact.owner,case", []string{"g@staff.test", "internal call about A"}, false},
		{custA, "/api/collections/audit_log/records?expand=staff", []string{"g@staff.test"}, false},
	}
	for _, c := range cases {
		path := fill(w, c.path)
		t.Run(c.actor+" "+path, func(t *testing.T) {
			res := w.Do(t, http.MethodGet, path, c.actor, nil)
			want := http.StatusOK
			if c.refused {
				want = http.StatusBadRequest
			}
			if res.Status != want {
				t.Fatalf("status %d, want %d: %s", res.Status, want, res.Body)
			}
			for _, f := range c.forbidden {
				if f = fill(w, f); strings.Contains(string(res.Body), f) {
					t.Errorf("the answer carries %q: %s", f, res.Body)
				}
			}
		})
	}
}

// fill replaces {label} with the id of the record made under label.
func fill(w *testkit.World, s string) string {
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		if label := m[1 : len(m)-1]; w.Has(label) {
			return w.ID(label)
		}
		return m
	})
}

var placeholder = regexp.MustCompile(`\{\w+\}`)

// A customer writes only what is theirs: their own requests and messages,
// their consents, their name and contact points; never internal fields, never
// on behalf of someone else.
func TestHostileWrites(t *testing.T) {
	w := newWorld(t)
	ownCase := func(extra map[string]any) map[string]any {
		body := map[string]any{"type": w.ID("tpSup"), "contact": w.ID("ctA"), "subject": "Help"}
		for k, v := range extra {
			body[k] = v
		}
		return body
	}
	creates := []struct {
		name, actor, collection string
		body                    map[string]any
	}{
		{"a case on behalf of another contact", custA, crm.Cases, ownCase(map[string]any{"contact": w.ID("ctC")})},
		{"a case on behalf of a colleague", custA, crm.Cases, ownCase(map[string]any{"contact": w.ID("ctB")})},
		{"a case in another company", custA, crm.Cases, ownCase(map[string]any{"company": w.ID("coC"), "shared": true})},
		{"a case with its own status", custA, crm.Cases, ownCase(map[string]any{"status": "done"})},
		{"a case assigned by the customer", custA, crm.Cases, ownCase(map[string]any{"assignee": w.ID("stG")})},
		{"a case with a priority", custA, crm.Cases, ownCase(map[string]any{"priority": "urgent"})},
		{"a case with its own SLA", custA, crm.Cases, ownCase(map[string]any{"resolution_due": "2030-01-01 00:00:00.000Z"})},
		{"a case with a reference", custA, crm.Cases, ownCase(map[string]any{"reference": "SUP-9999"})},
		{"a case already rated", custA, crm.Cases, ownCase(map[string]any{"rating": 5})},
		{"a case as anonymous", anon, crm.Cases, ownCase(nil)},
		{"a message on another customer's case", custA, crm.CaseMessages, map[string]any{"case": w.ID("csC"), "body": "hi"}},
		{"a message on a colleague's case", custA, crm.CaseMessages, map[string]any{"case": w.ID("csB"), "body": "hi"}},
		{"an internal note", custA, crm.CaseMessages, map[string]any{"case": w.ID("csA"), "body": "hi", "internal": true}},
		{"a message signed by a colleague", custA, crm.CaseMessages, map[string]any{"case": w.ID("csA"), "body": "hi", "author_customer": w.ID("cuB")}},
		{"a message signed by staff", custA, crm.CaseMessages, map[string]any{"case": w.ID("csA"), "body": "hi", "author_staff": w.ID("stG")}},
		{"a consent for another contact", custA, crm.Consents, map[string]any{"contact": w.ID("ctC"), "purpose": "research", "channel": "sms", "state": "granted"}},
		{"a consent with made-up history", custA, crm.Consents, map[string]any{"contact": w.ID("ctA"), "purpose": "research", "channel": "sms", "state": "granted", "history": []any{map[string]any{"state": "granted"}}}},
		{"a consent said to come from staff", custA, crm.Consents, map[string]any{"contact": w.ID("ctA"), "purpose": "research", "channel": "sms", "state": "granted", "source": "staff"}},
		{"a timeline entry", custA, crm.Activities, map[string]any{"type": "note", "actor_type": "customer", "contact": w.ID("ctA")}},
		{"a timeline entry as someone else", agent, crm.Activities, map[string]any{"type": "call", "actor_type": "staff", "staff": w.ID("stM"), "contact": w.ID("ctA")}},
		{"a timeline entry as the system", agent, crm.Activities, map[string]any{"type": "system", "actor_type": "system", "contact": w.ID("ctA")}},
		{"a portal account", custA, crm.Customers, map[string]any{"email": "x@y.test", "password": "a-long-test-password", "passwordConfirm": "a-long-test-password", "contact": w.ID("ctX"), "company_role": "admin"}},
		{"an audit entry", manager, crm.AuditLog, map[string]any{"actor_type": "system", "action": "read"}},
		{"a message already sent", agent, crm.Outbox, map[string]any{"contact": w.ID("ctA"), "purpose": "service", "state": "sent"}},
	}
	for _, c := range creates {
		t.Run("create "+c.name, func(t *testing.T) {
			before := w.Count(t, c.collection, "")
			res := w.Do(t, http.MethodPost, "/api/collections/"+c.collection+"/records", c.actor, c.body)
			if res.Status < 400 || res.Status >= 500 || w.Count(t, c.collection, "") != before {
				t.Errorf("%s: status %d, want a 4xx and nothing written: %s", c.actor, res.Status, res.Body)
			}
		})
	}

	// Every contact field that is not the customer's to keep is refused, one by one.
	contacts, _ := w.App.FindCollectionByNameOrId(crm.Contacts)
	internalValues := map[string]any{"owner": w.ID("stG2"), "company": w.ID("coC"), "stage": "former", "email": "new@cust.test",
		"tags": []string{"vip"}, "score": 99, "custom": map[string]any{"x": 1}, "source": "hacked", "responsibilities": "all"}
	for _, f := range contacts.Fields {
		name := f.GetName()
		if slices.Contains(crm.CustomerWritableContactFields, name) {
			continue
		}
		value, ok := internalValues[name]
		if !ok {
			value = "x"
		}
		t.Run("customer writes contacts."+name, func(t *testing.T) {
			refusedUpdate(t, w, custA, crm.Contacts, "ctA", map[string]any{name: value})
		})
	}

	updates := []struct {
		name, actor, collection, label string
		body                           map[string]any
	}{
		{"a customer makes themselves company admin", custA, crm.Customers, "cuA", map[string]any{"company_role": "admin"}},
		{"a customer moves their account to another contact", custA, crm.Customers, "cuA", map[string]any{"contact": w.ID("ctC")}},
		{"a customer verifies themselves", custA, crm.Customers, "cuA", map[string]any{"verified": false}},
		{"a customer changes their sign-in email directly", custA, crm.Customers, "cuA", map[string]any{"email": "taken@over.test"}},
		{"a customer changes another customer's name", custA, crm.Customers, "cuB", map[string]any{"name": "Hacked"}},
		{"a customer edits a colleague's contact", custB, crm.Contacts, "ctA", map[string]any{"name": "Hacked"}},
		{"a customer moves their own request", custA, crm.Cases, "csA", map[string]any{"status": "done"}},
		{"a customer rates an open request", custA, crm.Cases, "csA", map[string]any{"rating": 1}},
		{"a customer rates a closed request and reopens it", custA, crm.Cases, "csAclosed", map[string]any{"rating": 4, "status": "new"}},
		{"a company admin rates a colleague's shared request", custB, crm.Cases, "csAshared", map[string]any{"rating": 1}},
		{"a customer changes a price", custA, crm.Orders, "orA", map[string]any{"total": 0}},
		{"a customer cancels a subscription through the record API", custA, crm.Subscriptions, "sbA", map[string]any{"status": "cancelled"}},
		{"a customer moves a consent to another purpose", custA, crm.Consents, "cnA", map[string]any{"purpose": "service"}},
		{"a customer rewrites consent history", custA, crm.Consents, "cnA", map[string]any{"history": []any{}}},
		{"a customer withdraws another's consent", custA, crm.Consents, "cnC", map[string]any{"state": "withdrawn"}},
		{"an agent makes themselves manager", agent, crm.Staff, "stG", map[string]any{"role": "manager"}},
		{"readonly staff makes themselves manager", readonly, crm.Staff, "stR", map[string]any{"role": "manager"}},
		{"readonly staff edits a contact", readonly, crm.Contacts, "ctA", map[string]any{"name": "Changed"}},
		{"an agent edits the timeline", agent, crm.Activities, "acApub", map[string]any{"subject": "rewritten"}},
		{"an agent turns an email into a note", agent, crm.Activities, "acApub", map[string]any{"type": "note"}},
		{"an agent rewrites a note's history", agent, crm.Activities, "acNoteG", map[string]any{"edits": []any{}}},
	}
	for _, u := range updates {
		t.Run("update: "+u.name, func(t *testing.T) {
			refusedUpdate(t, w, u.actor, u.collection, u.label, u.body)
		})
	}

	allowed := []struct {
		name, actor, collection, label string
		body                           map[string]any
	}{
		{"readonly staff keeps their own profile", readonly, crm.Staff, "stR", map[string]any{"name": "Beatriz N."}},
		{"an agent edits their own note", agent, crm.Activities, "acNoteG", map[string]any{"body": "better words"}},
		{"a customer chooses how to be contacted", custA, crm.Contacts, "ctA", map[string]any{"preferred_days": []string{"mon", "wed"}, "preferred_hours_start": "09:00", "preferred_hours_end": "12:00", "timezone": "America/Sao_Paulo", "paused_until": "2027-01-01 00:00:00.000Z"}},
	}
	for _, a := range allowed {
		t.Run("allowed: "+a.name, func(t *testing.T) {
			res := w.Do(t, http.MethodPatch, "/api/collections/"+a.collection+"/records/"+w.ID(a.label), a.actor, a.body)
			if res.Status != http.StatusOK {
				t.Errorf("status %d, want 200: %s", res.Status, res.Body)
			}
		})
	}

	t.Run("an agent deletes what is theirs", func(t *testing.T) {
		mine := w.Make(t, "", crm.Contacts, map[string]any{"name": "Mine", "owner": w.ID("stG")})
		if res := w.Do(t, http.MethodDelete, "/api/collections/contacts/records/"+mine.Id, agent, nil); res.Status != http.StatusNoContent {
			t.Errorf("status %d, want 204: %s", res.Status, res.Body)
		}
	})
}

func refusedUpdate(t *testing.T, w *testkit.World, actor, collection, label string, body map[string]any) {
	t.Helper()
	before := w.Find(t, collection, w.ID(label))
	res := w.Do(t, http.MethodPatch, "/api/collections/"+collection+"/records/"+w.ID(label), actor, body)
	after := w.Find(t, collection, w.ID(label))
	if res.Status < 400 || res.Status >= 500 {
		t.Errorf("%s: status %d, want a 4xx: %s", actor, res.Status, res.Body)
	}
	b, _ := json.Marshal(before.FieldsData())
	a, _ := json.Marshal(after.FieldsData())
	if string(a) != string(b) {
		t.Errorf("%s: refused, yet the record changed:\n before %s\n after  %s", actor, b, a)
	}
}

// A company admin who has no company sees no "company" records: an empty
// company must not match other empty companies.
func TestAdminWithoutCompanySeesOnlyTheirOwn(t *testing.T) {
	w := newWorld(t)
	for _, c := range []string{crm.Cases, crm.Orders, crm.Subscriptions, crm.Companies, crm.CaseMessages} {
		_, ids, body := list(t, w, "customer D", c, nil)
		if len(ids) != 0 {
			t.Errorf("customer D (admin, no company) sees %s: %s", c, body)
		}
	}
}
