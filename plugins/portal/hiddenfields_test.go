package portal_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/portal"
	"vinculo/testkit"
)

// The guard reads filters and sorts as PocketBase does and follows their
// field paths through the schema: a hidden field is refused wherever it is
// reached from; words that only look like one are not.
func TestPortalCheckCustomerQuery(t *testing.T) {
	w := portalWorld(t)
	for _, c := range []struct {
		collection, filter, sort string
		refused                  bool
	}{
		{crm.Cases, "status = 'triage'", "", true},
		{crm.Cases, "STATUS = 'triage'", "", true},
		{crm.Cases, "", "-status", true},
		{crm.Cases, "", "created,+priority", true},
		{crm.Cases, "(subject ~ 'x' || (closed = false && assignee != ''))", "", true},
		{crm.Cases, "@collection.cases.status = 'triage'", "", true},
		{crm.Cases, "@collection.cases:other.first_response_due > @now", "", true},
		{crm.Cases, "contact.cases_via_contact.status ?= 'triage'", "", true},
		{crm.Cases, "overdue:isset = true", "", true},
		{crm.CaseMessages, "case.status = 'triage'", "", true},
		{crm.CaseMessages, "case.resolution_due < @now", "", true},
		{crm.Contacts, "cases_via_contact.priority ?= 'urgent'", "", true},
		{crm.Contacts, "orders_via_contact.internal_notes ?~ 'payer'", "", true},
		{crm.Companies, "@request.auth.contact.cases_via_contact.status ?= 'triage'", "", true},
		{crm.Orders, "internal_notes ~ 'payer'", "", true},
		{crm.Orders, "", "-internal_notes", true},
		{crm.Activities, "edits:length > 0", "", true},
		{crm.AuditLog, "ip = '10.0.0.1'", "", true},
		{crm.Cases, "status = 'triage' &&", "", true}, // not a filter PocketBase reads
		{crm.Cases, "(((", "", true},
		// allowed
		{crm.Cases, "status_label = 'Received' && subject ~ 'status' && closed = false", "-created", false},
		{crm.Orders, "status = 'placed' && contact.name ~ 'Ana'", "-placed_at", false},
		{crm.Subscriptions, "status = 'active' && product.active = true", "", false},
		{crm.CaseMessages, "case.subject ~ 'router' && @request.auth.id != ''", "@random", false},
		{crm.Cases, "data.status = 'x'", "", false}, // a key of the request's own form data
	} {
		err := portal.CheckCustomerQuery(w.App, collection(t, w, c.collection), c.filter, c.sort)
		if (err != nil) != c.refused {
			t.Errorf("%s filter %q sort %q: error %v, want refused=%v", c.collection, c.filter, c.sort, err, c.refused)
		}
	}
}

// The realtime guard cannot be got round: by the collection's id instead of
// its name, JSON escapes in the options, a bad %-escape elsewhere in the
// topic, or the old "name?options=" form. A customer never learns a
// request's internal status.
func TestPortalRealtimeFilterBypassesRefused(t *testing.T) {
	w := portalWorld(t)
	id := openCase(t, w, "cuA", "ctA", "Mine", false)
	cases, _ := w.App.FindCollectionByNameOrId(crm.Cases)
	opt := func(s string) string { return url.QueryEscape(`{"query":{"filter":"` + s + `"}}`) }
	for name, topic := range map[string]string{
		"by name":          "cases/*?options=" + opt("status='triage'"),
		"by id":            cases.Id + "/*?options=" + opt("status='triage'"),
		"record by id":     cases.Id + "/" + id + "?options=" + opt("status='triage'"),
		"json escape":      "cases/*?options=" + opt(`\u0073tatus='triage'`),
		"bad escape":       "cases/*?x=%zz&options=" + opt("status='triage'"),
		"old form":         "cases?options=" + opt("status='triage'"),
		"through relation": "case_messages/*?options=" + opt("case.status='triage'"),
		"@collection":      "contacts/*?options=" + opt("@collection.cases.status ?= 'triage'"),
		"bad json":         "cases/*?options=" + url.QueryEscape(`{"query":{"filter":"status='triage'"},"headers":5}`),
		"duplicate key":    "cases/*?options=" + url.QueryEscape(`{"query":{"filter":"closed=false","filter":"status='triage'"}}`),
		"orders notes":     "orders/*?options=" + opt("internal_notes ~ 'payer'"),
	} {
		if _, status := w.Srv.Realtime(t, w.Token(t, "cuA"), "cases/*", topic); status != http.StatusBadRequest {
			t.Errorf("%s: subscribing to %s answered %d, want 400", name, topic, status)
		}
	}

	// what is allowed still works, and tells nothing of the status
	ok, status := w.Srv.Realtime(t, w.Token(t, "cuA"), "cases/*?options="+opt("subject='Mine'"))
	if status != http.StatusNoContent {
		t.Fatalf("a filter on a public field: %d", status)
	}
	staffSub, status := w.Srv.Realtime(t, w.Token(t, "staff"), cases.Id+"/*?options="+opt(`\u0073tatus='triage'`))
	if status != http.StatusNoContent {
		t.Fatalf("staff filter on status: %d", status)
	}
	must(t, w.Do(t, http.MethodPatch, "/api/collections/cases/records/"+id, "staff", map[string]any{"status": "triage"}), http.StatusOK, "staff moves it")
	for _, e := range ok.Drain(t, id) {
		if strings.Contains(e.Raw, "triage") || strings.Contains(e.Raw, `"status":`) {
			t.Errorf("the customer's event tells the status: %s", e.Raw)
		}
	}
	staffSub.Drain(t, id) // staff's escaped filter is PocketBase's own business
}

// REST lists refuse the same filters and sorts with the same checker.
func TestPortalListFilterOnHiddenFieldsRefused(t *testing.T) {
	w := portalWorld(t)
	id := openCase(t, w, "cuA", "ctA", "Mine", false)
	must(t, w.Do(t, http.MethodPatch, "/api/collections/cases/records/"+id, "staff", map[string]any{"status": "triage"}), http.StatusOK, "staff")
	list := func(who, collection string, q url.Values) int {
		return w.Do(t, http.MethodGet, "/api/collections/"+collection+"/records?"+q.Encode(), who, nil).Status
	}
	for _, c := range []struct{ collection, filter, sort string }{
		{crm.Cases, "id='" + id + "' && @collection.cases.id='" + id + "' && @collection.cases.status='triage'", ""},
		{crm.Contacts, "@collection.cases.id='" + id + "' && @collection.cases.status='triage'", ""},
		{crm.Cases, "status='triage'", ""},
		{crm.Cases, "", "-priority"},
		{crm.CaseMessages, "case.status='triage'", ""},
		{crm.Orders, "internal_notes ~ 'payer'", ""},
	} {
		// PocketBase itself answers 403 to @collection in a client's filter
		if s := list("cuA", c.collection, url.Values{"filter": {c.filter}, "sort": {c.sort}}); s != http.StatusBadRequest && s != http.StatusForbidden {
			t.Errorf("customer %s filter %q sort %q: %d, want it refused", c.collection, c.filter, c.sort, s)
		}
	}
	if s := list("cuA", crm.Orders, url.Values{"filter": {"status = 'placed'"}}); s != http.StatusOK {
		t.Errorf("customer filter on an order's status: %d", s)
	}
	if s := list("staff", crm.Cases, url.Values{"filter": {"status='triage'"}, "sort": {"-priority"}}); s != http.StatusOK {
		t.Errorf("staff filter on status: %d", s)
	}
}

// Expanding back-relations of an expanded request lists neither internal
// notes nor tasks, not even their ids; the customer's own messages still are.
func TestPortalNestedExpandHidesInternalIds(t *testing.T) {
	w := portalWorld(t)
	id := openCase(t, w, "cuA", "ctA", "Mine", false)
	mine := w.Make(t, "", crm.CaseMessages, map[string]any{"case": id, "body": "hi", "author_customer": w.ID("cuA")})
	note := w.Make(t, "", crm.CaseMessages, map[string]any{"case": id, "body": "INTERNAL: fraud risk", "internal": true, "author_staff": w.ID("staff")})
	task := w.Make(t, "", crm.Tasks, map[string]any{"title": "call legal", "status": "open", "case": id})
	for _, q := range []string{"expand=case.case_messages_via_case", "expand=case.tasks_via_case", "expand=case.case_messages_via_case.case.tasks_via_case"} {
		res := must(t, w.Do(t, http.MethodGet, "/api/collections/case_messages/records?"+q, "cuA", nil), http.StatusOK, q)
		if contains(res.Body, note.Id) || contains(res.Body, task.Id) || contains(res.Body, "fraud") {
			t.Errorf("%s leaks an internal note or task: %s", q, res.Body)
		}
		if !contains(res.Body, mine.Id) {
			t.Errorf("%s lacks the customer's message: %s", q, res.Body)
		}
		for _, f := range portal.InternalCaseFields {
			if contains(res.Body, `"`+f+`"`) {
				t.Errorf("%s shows the expanded request's %s: %s", q, f, res.Body)
			}
		}
	}
	// the same expand in a realtime subscription
	rt, status := w.Srv.Realtime(t, w.Token(t, "cuA"), "case_messages/*?options="+url.QueryEscape(`{"query":{"expand":"case.case_messages_via_case,case.tasks_via_case"}}`))
	if status != http.StatusNoContent {
		t.Fatalf("subscribe: %d", status)
	}
	var live struct {
		ID string `json:"id"`
	}
	must(t, w.Do(t, http.MethodPost, "/api/collections/case_messages/records", "cuA", map[string]any{"case": id, "body": "any news?"}), http.StatusOK, "message").JSON(t, &live)
	for _, e := range rt.Drain(t, live.ID) {
		if strings.Contains(e.Raw, note.Id) || strings.Contains(e.Raw, task.Id) {
			t.Errorf("realtime expand leaks an internal note or task: %s", e.Raw)
		}
	}
	res := must(t, w.Do(t, http.MethodGet, "/api/collections/case_messages/records?expand=case.case_messages_via_case", "staff", nil), http.StatusOK, "staff")
	if !contains(res.Body, note.Id) {
		t.Errorf("staff lost the internal note in the expand: %s", res.Body)
	}
}

// collection is the schema's collection of that name.
func collection(t *testing.T, w *testkit.World, name string) *core.Collection {
	t.Helper()
	c, err := w.App.FindCollectionByNameOrId(name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
