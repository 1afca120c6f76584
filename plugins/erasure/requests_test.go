package erasure_test

import (
	"strings"
	"testing"
	"time"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/erasure"
	"vinculo/testkit"
)

// Every collection that refers to a contact or a portal account has a rule:
// a collection added later fails this test until its erasure is decided.
func TestEveryCollectionReferringToThePersonHasARule(t *testing.T) {
	w := world(t)
	known := map[string]bool{}
	for _, c := range erasure.Collections() {
		known[c] = true
	}
	for _, target := range []string{crm.Contacts, crm.Customers} {
		refs, err := crm.RelationsTo(w.App, target)
		if err != nil {
			t.Fatal(err)
		}
		if target == crm.Contacts && len(refs) < 10 {
			t.Fatalf("the schema walk found only %v", refs)
		}
		for _, r := range refs {
			if !known[r.Collection] {
				t.Errorf("%s.%s refers to %s and the erasure has no rule for it", r.Collection, r.Field, target)
			}
		}
	}
}

// The request is due after the configured days; managers are told; a
// refusal keeps everything and the customer reads its reason.
func TestAskDeadlineAndRefusal(t *testing.T) {
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All), testkit.Configure(func(c *crm.Config) { c.ErasureDays = 30 }),
		testkit.Then(func(w *testkit.World) error { erasure.Configure(w.App, erasure.Options{Now: w.Clock.Now}); return nil }), testkit.Served())
	w.Business(t)
	person(t, w)
	id := ask(t, w)
	r := w.Find(t, crm.ErasureRequests, id)
	asked, due := r.GetDateTime(crm.ErasureAskedAt).Time(), r.GetDateTime(crm.ErasureDueAt).Time()
	if !asked.Equal(w.Clock.Now().UTC()) || !due.Equal(asked.AddDate(0, 0, 30)) {
		t.Fatalf("asked %v due %v, want now and 30 days later", asked, due)
	}
	if n := w.Count(t, crm.Notifications, "event = 'erasure_asked' AND `to` = {:m}", map[string]any{"m": w.ID("manager")}); n != 1 {
		t.Fatalf("the manager was told %d times", n)
	}
	if n := w.Count(t, crm.Notifications, "event = 'erasure_asked' AND `to` = {:m}", map[string]any{"m": w.ID("agent")}); n != 0 {
		t.Fatal("an agent was told")
	}
	// A second ask while one is open names the field.
	res := w.Do(t, "POST", "/api/crm/portal/erasure", "zuAcc", map[string]any{"confirm": true})
	if res.Status != 400 || !strings.Contains(string(res.Body), `"contact"`) {
		t.Fatalf("second ask: %d %s", res.Status, res.Body)
	}
	// Overdue once the deadline passed.
	w.Clock.Add(31 * 24 * time.Hour)
	list := w.Do(t, "GET", "/api/crm/erasure", "manager", nil)
	if !strings.Contains(string(list.Body), `"overdue":true`) {
		t.Fatalf("not overdue: %s", list.Body)
	}
	// A refusal needs a reason; it changes nothing else.
	res = w.Do(t, "POST", "/api/crm/erasure/"+id+"/decide", "manager", map[string]any{"decision": "refuse"})
	if res.Status != 400 || !strings.Contains(string(res.Body), `"reason"`) {
		t.Fatalf("refuse without a reason: %d %s", res.Status, res.Body)
	}
	res = w.Do(t, "POST", "/api/crm/erasure/"+id+"/decide", "manager", map[string]any{"decision": "refuse", "reason": "Há uma cobrança judicial em curso."})
	if res.Status != 200 {
		t.Fatalf("refuse: %d %s", res.Status, res.Body)
	}
	if c := w.Find(t, crm.Contacts, w.ID("zu")); c.GetString("name") != personName || c.GetString("email") != personEmail {
		t.Fatalf("a refusal changed the contact: %v", c)
	}
	if m := w.Find(t, crm.CaseMessages, w.ID("zuMsg")); !strings.Contains(m.GetString("body"), personName) {
		t.Fatal("a refusal changed a message")
	}
	w.Find(t, crm.Customers, w.ID("zuAcc"))
	portal := w.Do(t, "GET", "/api/crm/portal/erasure", "zuAcc", nil)
	if !strings.Contains(string(portal.Body), "cobrança judicial") || !strings.Contains(string(portal.Body), `"state":"refused"`) {
		t.Fatalf("the customer does not read the refusal: %s", portal.Body)
	}
	// Decided once: approving now is refused, naming the field.
	res = w.Do(t, "POST", "/api/crm/erasure/"+id+"/decide", "manager", map[string]any{"decision": "approve"})
	if res.Status != 400 || !strings.Contains(string(res.Body), `"decision"`) {
		t.Fatalf("approve after refusal: %d %s", res.Status, res.Body)
	}
}

// Bad input names the field and changes nothing; a customer sees only
// their own requests; agents record but cannot decide.
func TestBadInputAndWhoMay(t *testing.T) {
	w := world(t)
	person(t, w)
	for _, c := range []struct {
		who, path string
		body      map[string]any
		field     string
	}{
		{"zuAcc", "/api/crm/portal/erasure", map[string]any{}, "confirm"},
		{"agent", "/api/crm/erasure", map[string]any{"channel": "phone"}, "contact"},
		{"agent", "/api/crm/erasure", map[string]any{"contact": w.ID("ctA"), "channel": "fax"}, "channel"},
		{"agent", "/api/crm/erasure", map[string]any{"contact": "nosuchcontact1", "channel": "phone"}, "contact"},
	} {
		res := w.Do(t, "POST", c.path, c.who, c.body)
		if res.Status != 400 || !strings.Contains(string(res.Body), `"`+c.field+`"`) {
			t.Errorf("%s %v: %d %s, want 400 naming %s", c.path, c.body, res.Status, res.Body, c.field)
		}
	}
	if n := w.Count(t, crm.ErasureRequests, ""); n != 0 {
		t.Fatalf("bad input made %d requests", n)
	}
	// An agent records a request made by phone; only managers decide.
	res := w.Do(t, "POST", "/api/crm/erasure", "agent", map[string]any{"contact": w.ID("ctA"), "channel": "phone", "note": "Ligou em 24/11"})
	if res.Status != 201 {
		t.Fatalf("agent records: %d %s", res.Status, res.Body)
	}
	var v struct{ ID string }
	res.JSON(t, &v)
	for _, who := range []string{"agent", "readonly"} {
		if res := w.Do(t, "POST", "/api/crm/erasure/"+v.ID+"/decide", who, map[string]any{"decision": "approve"}); res.Status != 403 {
			t.Errorf("%s decides: %d", who, res.Status)
		}
	}
	if got := w.Find(t, crm.ErasureRequests, v.ID).GetString(crm.ErasureState); got != crm.ErasureAsked {
		t.Fatalf("state %s", got)
	}
	// Ana's request is not Zuleica's, nor her colleague Bruno's.
	mine := ask(t, w)
	for _, who := range []string{"cuA", "cuB"} {
		res := w.Do(t, "GET", "/api/crm/portal/erasure", who, nil)
		if strings.Contains(string(res.Body), mine) {
			t.Errorf("%s sees another's request", who)
		}
		if res := w.Do(t, "GET", "/api/collections/erasure_requests/records/"+mine, who, nil); res.Status != 404 {
			t.Errorf("%s views another's request: %d", who, res.Status)
		}
	}
	if res := w.Do(t, "GET", "/api/crm/portal/erasure", "cuA", nil); !strings.Contains(string(res.Body), v.ID) {
		t.Errorf("Ana does not see the request staff recorded for her: %s", res.Body)
	}
}
