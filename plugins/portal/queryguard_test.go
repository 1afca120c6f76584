package portal_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"vinculo/crm"
	"vinculo/plugins/portal"
	"vinculo/testkit"
)

// A customer's filter, sort or expand on a hidden field is refused before
// any record query runs: whether the hidden condition holds for the data or
// not, the answer is the same 400 with the same body, and no list or view
// query ran, so there is nothing to time. Staff's same query runs (the
// probes see it).
func TestPortalHiddenQueryRefusedBeforeAnyQuery(t *testing.T) {
	w := portalWorld(t)
	for i := range 60 {
		w.Make(t, "", crm.Orders, map[string]any{"number": fmt.Sprintf("O-%03d", i), "contact": w.ID("ctA"),
			"items": []any{map[string]any{"name": "x"}}, "currency": "BRL", "status": "placed",
			"placed_at": "2026-11-01 10:00:00.000Z", "internal_notes": fmt.Sprintf("SECRET-%03d: slow payer", i)})
	}
	mine := openCase(t, w, "cuA", "ctA", "Mine", false)
	probe := testkit.ProbeQueries(w.App)
	slow := " && (number ~ '%0%' || number ~ '%1%' || number ~ '%2%')"
	list := func(who, collection, query string) testkit.Response {
		return w.Do(t, http.MethodGet, "/api/collections/"+collection+"/records?"+query, who, nil)
	}
	q := func(k, v string) string { return url.Values{k: {v}}.Encode() }

	// the hidden condition true for every order, and false for every one
	yes := list("cuA", crm.Orders, q("filter", "internal_notes ~ 'SECRET%'"+slow))
	no := list("cuA", crm.Orders, q("filter", "internal_notes ~ 'NOTHING%'"+slow))
	if yes.Status != http.StatusBadRequest || no.Status != http.StatusBadRequest {
		t.Fatalf("hidden-true filter %d, hidden-false filter %d; want both 400", yes.Status, no.Status)
	}
	if string(yes.Body) != string(no.Body) {
		t.Errorf("the refusals differ:\n%s\n%s", yes.Body, no.Body)
	}
	if !contains(yes.Body, `"filter"`) {
		t.Errorf("the refusal does not name the filter: %s", yes.Body)
	}
	for _, c := range []struct{ path, param string }{
		{"/api/collections/orders/records?" + q("sort", "-internal_notes"), "sort"},
		{"/api/collections/cases/records?" + q("expand", "assignee"), "expand"},
		{"/api/collections/cases/records/" + mine + "?" + q("expand", "assignee"), "expand"},
		{"/api/collections/case_messages/records?" + q("filter", "case.priority = 'urgent'"), "filter"},
		{"/api/collections/case_messages/records?" + q("expand", "case.assignee"), "expand"},
		{"/api/collections/contacts/records/" + w.ID("ctA") + "?" + q("expand", "cases(contact).assignee"), "expand"},
	} {
		res := w.Do(t, http.MethodGet, c.path, "cuA", nil)
		if res.Status != http.StatusBadRequest || !contains(res.Body, `"`+c.param+`"`) {
			t.Errorf("%s: %d %s; want a 400 naming %s", c.path, res.Status, res.Body, c.param)
		}
	}
	if n := probe.Total(); n != 0 {
		t.Fatalf("a refused query still ran: %d lists, %d views, %d records enriched",
			probe.Lists.Load(), probe.Views.Load(), probe.Enriched.Load())
	}

	// the probes do see a query that runs
	must(t, list("staff", crm.Orders, q("filter", "internal_notes ~ 'SECRET%'"+slow)), http.StatusOK, "staff filter")
	must(t, w.Do(t, http.MethodGet, "/api/collections/cases/records/"+mine+"?expand=assignee", "staff", nil), http.StatusOK, "staff view")
	if probe.Lists.Load() != 1 || probe.Views.Load() != 1 {
		t.Errorf("probes saw %d lists and %d views of staff, want 1 and 1", probe.Lists.Load(), probe.Views.Load())
	}
}

// A refused realtime subscription is refused before PocketBase stores it:
// the connection holds no topic, so its filter never runs on a write.
func TestPortalRefusedTopicNeverStored(t *testing.T) {
	w := portalWorld(t)
	opt := func(s string) string { return url.QueryEscape(`{"query":{"filter":"` + s + `"}}`) }
	for name, topics := range map[string][]string{
		"hidden field":     {"cases/*", "orders/*?options=" + opt("internal_notes ~ 'SECRET%'")},
		"long text ~":      {"case_messages/*?options=" + opt("body ~ 'a'")},
		"too many topics":  manyTopics(portal.MaxTopics+1, false),
		"too many filters": manyTopics(portal.MaxCostlyTopics+1, true),
	} {
		rt, status := w.Srv.Realtime(t, w.Token(t, "cuA"), topics...)
		if status != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", name, status)
			continue
		}
		client, err := w.App.SubscriptionsBroker().ClientById(rt.ID)
		if err != nil {
			t.Fatal(err)
		}
		if subs := client.Subscriptions(); len(subs) != 0 {
			t.Errorf("%s: the refused connection holds %d topics", name, len(subs))
		}
	}
}

// manyTopics is n distinct topics, each with a filter when filtered.
func manyTopics(n int, filtered bool) []string {
	var topics []string
	for i := range n {
		if filtered {
			topics = append(topics, "case_messages/*?options="+url.QueryEscape(fmt.Sprintf(`{"query":{"filter":"case = 'c%014d'"}}`, i)))
		} else {
			topics = append(topics, fmt.Sprintf("cases/c%014d", i))
		}
	}
	return topics
}
