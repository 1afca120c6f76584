package access_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/plugins/portal"
	"vinculo/testkit"
)

// subscribe opens a realtime connection as actor and sets its topics,
// returning the subscribe answer.
func subscribe(t *testing.T, w *testkit.World, actor string, topics ...string) testkit.Response {
	t.Helper()
	c, status := w.Srv.Realtime(t, w.Token(t, actor))
	if status != http.StatusNoContent {
		t.Fatalf("%s connects: %d", actor, status)
	}
	return w.Do(t, http.MethodPost, "/api/realtime", actor, map[string]any{"clientId": c.ID, "subscriptions": topics})
}

func topicWith(collection, options string) string {
	return collection + "/*?options=" + url.QueryEscape(options)
}

// A hostile filter's refusal costs the same whatever the data: a filter,
// sort or expand tied to a hidden field (an order's internal notes, a
// request's priority or assignee) answers the same 400 with the same body
// whether the hidden condition holds for many records or for none, and no
// list or view query runs, so there is nothing to time. Realtime topics
// alike. Staff's same queries run.
func TestHostileFilterRefusalCostsTheSame(t *testing.T) {
	w := newWorld(t)
	for i := range 80 {
		w.Make(t, fmt.Sprintf("orS%02d", i), crm.Orders, map[string]any{"number": fmt.Sprintf("S-%02d", i), "contact": w.ID("ctA"), "company": w.ID("coA"),
			"items": []map[string]any{{"name": "Fibre", "quantity": 1}}, "currency": "BRL", "status": "placed",
			"placed_at": "2026-11-01 10:00:00.000Z", "internal_notes": fmt.Sprintf("SECRET-%02d: slow payer", i)})
	}
	for _, l := range []string{"csA", "csAshared", "csB", "csC"} {
		w.Update(t, w.R(l), map[string]any{"priority": "urgent", "assignee": w.ID("stG")})
	}
	slow := " && (number ~ '%0%' || number ~ '%1%' || number ~ '%2%')"
	hostile := []string{
		"/api/collections/orders/records?" + url.Values{"filter": {"internal_notes ~ 'SECRET%'" + slow}}.Encode(),
		"/api/collections/orders/records?" + url.Values{"sort": {"-internal_notes"}}.Encode(),
		"/api/collections/cases/records?" + url.Values{"filter": {"priority = 'urgent' && (subject ~ 'cs' || reference ~ 'SUP')"}}.Encode(),
		"/api/collections/cases/records?" + url.Values{"sort": {"-priority,created"}}.Encode(),
		"/api/collections/cases/records/{csAshared}?" + url.Values{"expand": {"assignee"}}.Encode(),
		"/api/collections/case_messages/records?" + url.Values{"filter": {"case.priority = 'urgent'"}}.Encode(),
		"/api/collections/contacts/records?" + url.Values{"filter": {"orders_via_contact.internal_notes ?~ 'SECRET'"}}.Encode(),
	}
	hostileTopics := []string{
		topicWith("orders", `{"query":{"filter":"internal_notes ~ 'SECRET%'"}}`),
		topicWith("cases", `{"query":{"filter":"priority = 'urgent'"}}`),
		topicWith("case_messages", `{"query":{"expand":"case.assignee"}}`),
	}
	probe := testkit.ProbeQueries(w.App)
	answers := func() map[string]string {
		got := map[string]string{}
		for _, actor := range customers3 {
			for _, path := range hostile {
				res := w.Do(t, http.MethodGet, fill(w, path), actor, nil)
				if res.Status != http.StatusBadRequest {
					t.Errorf("%s %s: %d %s, want 400", actor, path, res.Status, res.Body)
				}
				got[actor+" "+path] = string(res.Body)
			}
			for _, topic := range hostileTopics {
				res := subscribe(t, w, actor, topic)
				if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), `"subscriptions"`) {
					t.Errorf("%s subscribes %s: %d %s, want a 400 naming subscriptions", actor, topic, res.Status, res.Body)
				}
				got[actor+" "+topic] = string(res.Body)
			}
		}
		return got
	}

	holds := answers() // the hidden conditions hold for many records
	for i := range 80 {
		w.Update(t, w.R(fmt.Sprintf("orS%02d", i)), map[string]any{"internal_notes": "nothing to see"})
	}
	for _, l := range []string{"csA", "csAshared", "csB", "csC"} {
		w.Update(t, w.R(l), map[string]any{"priority": "low", "assignee": ""})
	}
	holdsNot := answers() // and for none
	for k, body := range holds {
		if holdsNot[k] != body {
			t.Errorf("%s: the refusal depends on the data:\n%s\n%s", k, body, holdsNot[k])
		}
	}
	if probe.Total() != 0 {
		t.Fatalf("a refused query ran: %d lists, %d views, %d records enriched", probe.Lists.Load(), probe.Views.Load(), probe.Enriched.Load())
	}

	for _, actor := range staffAll {
		for _, path := range hostile {
			if res := w.Do(t, http.MethodGet, fill(w, path), actor, nil); res.Status != http.StatusOK {
				t.Errorf("%s %s: %d %s, want 200", actor, path, res.Status, res.Body)
			}
		}
		if res := subscribe(t, w, actor, hostileTopics...); res.Status != http.StatusNoContent {
			t.Errorf("%s subscribes: %d %s", actor, res.Status, res.Body)
		}
	}
	if probe.Lists.Load() == 0 || probe.Views.Load() == 0 {
		t.Errorf("the probes saw no staff query (%d lists, %d views)", probe.Lists.Load(), probe.Views.Load())
	}
}

// The filter-cost bounds: each is refused for customers one past it with a
// 400 naming the parameter, allowed at it, and staff are not bounded.
func TestFilterCostBounds(t *testing.T) {
	w := newWorld(t)
	filler := func(n int) string { // a filter of exactly n characters
		return "subject != '" + strings.Repeat("x", n-13) + "'"
	}
	terms := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = fmt.Sprintf("subject != 'x%d'", i)
		}
		return strings.Join(parts, " && ")
	}
	q := func(k, v string) url.Values { return url.Values{k: {v}} }
	for _, b := range []struct {
		name, collection, param string
		within, past            url.Values
	}{
		{"filter length", crm.Cases, "filter", q("filter", filler(portal.MaxFilterLength)), q("filter", filler(portal.MaxFilterLength+1))},
		{"conditions", crm.Cases, "filter", q("filter", terms(portal.MaxFilterTerms)), q("filter", terms(portal.MaxFilterTerms+1))},
		{"~ text length", crm.Cases, "filter", q("filter", "subject ~ '"+strings.Repeat("y", portal.MaxPatternLength)+"'"),
			q("filter", "subject ~ '"+strings.Repeat("y", portal.MaxPatternLength+1)+"'")},
		{"~ % signs", crm.Cases, "filter", q("filter", "subject !~ 'a%b%'"), q("filter", "subject !~ '%a%b%'")},
		{"~ text written out", crm.Cases, "filter", q("filter", "subject ~ 'csA'"), q("filter", "'csA' ~ subject")},
		{"field path steps", crm.CaseMessages, "filter", q("filter", "case.contact.company.name != 'x'"), q("filter", "case.contact.company.owner.name != 'x'")},
		{"sort fields", crm.Cases, "sort", q("sort", "-created,subject,reference,updated"), q("sort", "-created,subject,reference,updated,id")},
		{"sort path steps", crm.CaseMessages, "sort", q("sort", "case.contact.company.name"), q("sort", "case.contact.company.owner.name")},
		{"expand relations", crm.Cases, "expand", q("expand", "type,contact,company,contact.company,contact.owner,company.owner"),
			q("expand", "type,contact,company,contact.company,contact.owner,company.owner,contact.company.owner")},
		{"expand depth", crm.CaseMessages, "expand", q("expand", "case.contact.company.owner"), q("expand", "case.contact.company.contacts_via_company.company")},
	} {
		t.Run(b.name, func(t *testing.T) {
			path := func(v url.Values) string { return "/api/collections/" + b.collection + "/records?" + v.Encode() }
			for _, actor := range customers3 {
				if res := w.Do(t, http.MethodGet, path(b.within), actor, nil); res.Status != http.StatusOK {
					t.Errorf("%s within the bound: %d %s", actor, res.Status, res.Body)
				}
				res := w.Do(t, http.MethodGet, path(b.past), actor, nil)
				if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), `"`+b.param+`"`) ||
					!strings.Contains(string(res.Body), "The "+b.param+" parameter") {
					t.Errorf("%s past the bound: %d %s, want a 400 naming %s", actor, res.Status, res.Body, b.param)
				}
			}
			for _, actor := range staffAll {
				if res := w.Do(t, http.MethodGet, path(b.past), actor, nil); res.Status != http.StatusOK {
					t.Errorf("%s past the customers' bound: %d %s", actor, res.Status, res.Body)
				}
			}
		})
	}
}

// The realtime bounds: topics per connection, topics with a filter or
// expand per connection and over all of a customer's connections, the size
// of a topic's options, a realtime filter's conditions, and ~ only on short
// fields. Customers are refused one past each (400 naming subscriptions),
// allowed at it; staff are not bounded.
func TestRealtimeCostBounds(t *testing.T) {
	w := newWorld(t)
	plain := func(n int) []string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf("cases/c%014d", i))
		}
		return out
	}
	filtered := func(n int) []string {
		var out []string
		for i := range n {
			out = append(out, topicWith("case_messages", fmt.Sprintf(`{"query":{"filter":"case = 'c%014d'"}}`, i)))
		}
		return out
	}
	terms := func(n int) []string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = fmt.Sprintf("subject != 'x%d'", i)
		}
		return []string{topicWith("cases", `{"query":{"filter":"`+strings.Join(parts, " && ")+`"}}`)}
	}
	options := func(n int) []string { // options of exactly n characters
		head, tail := `{"query":{"filter":"subject != ''"},"headers":{"x":"`, `"}}`
		return []string{topicWith("cases", head+strings.Repeat("z", n-len(head)-len(tail))+tail)}
	}
	for _, b := range []struct {
		name         string
		within, past []string
	}{
		{"topics", plain(portal.MaxTopics), plain(portal.MaxTopics + 1)},
		{"topics with a filter", filtered(portal.MaxCostlyTopics), filtered(portal.MaxCostlyTopics + 1)},
		{"options size", options(portal.MaxTopicOptions), options(portal.MaxTopicOptions + 1)},
		{"conditions", terms(portal.MaxRealtimeFilterTerms), terms(portal.MaxRealtimeFilterTerms + 1)},
		{"~ on a long text", []string{topicWith("case_messages", `{"query":{"filter":"case.subject ~ 'csA'"}}`)},
			[]string{topicWith("case_messages", `{"query":{"filter":"body ~ 'reply'"}}`)}},
	} {
		t.Run(b.name, func(t *testing.T) {
			for _, actor := range customers3 {
				if res := subscribe(t, w, actor, b.within...); res.Status != http.StatusNoContent {
					t.Errorf("%s within the bound: %d %s", actor, res.Status, res.Body)
				}
				res := subscribe(t, w, actor, b.past...)
				if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), `"subscriptions"`) {
					t.Errorf("%s past the bound: %d %s, want a 400 naming subscriptions", actor, res.Status, res.Body)
				}
			}
			for _, actor := range staffAll {
				if res := subscribe(t, w, actor, b.past...); res.Status != http.StatusNoContent {
					t.Errorf("%s past the customers' bound: %d %s", actor, res.Status, res.Body)
				}
			}
		})
	}

	// over all of one customer's connections (customer D's, untouched above)
	for _, actor := range []string{"customer D", manager} {
		for i := 0; i < portal.MaxCostlyTopicsCustomer/portal.MaxCostlyTopics; i++ {
			if res := subscribe(t, w, actor, filtered(portal.MaxCostlyTopics)...); res.Status != http.StatusNoContent {
				t.Fatalf("%s connection %d: %d %s", actor, i+1, res.Status, res.Body)
			}
		}
		want := http.StatusBadRequest
		if actor == manager {
			want = http.StatusNoContent
		}
		if res := subscribe(t, w, actor, filtered(1)...); res.Status != want {
			t.Errorf("%s: one more topic with a filter on another connection: %d %s, want %d", actor, res.Status, res.Body, want)
		}
	}
}
