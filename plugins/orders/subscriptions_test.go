package orders_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"vinculo/crm"
	"vinculo/testkit"
)

// A customer pauses, resumes, changes and cancels the subscriptions they
// manage, as far as the business and the product allow, through the
// portal's route.
func TestSubscriptionActions(t *testing.T) {
	w := ordersWorld(t, testkit.Configure(func(c *crm.Config) {
		c.Portal.SubscriptionActions = []string{"pause", "resume", "cancel", "change_plan"}
	}))
	sub := func(label, contact, company, product string) string {
		return w.Make(t, label, crm.Subscriptions, map[string]any{"contact": w.ID(contact), "company": company, "product": w.ID(product),
			"price": 100, "currency": "BRL", "status": "active", "plan": "Fibre 300"}).Id
	}
	own := sub("sbA", "ctA", "", "prFibre")
	company := sub("sbCo", "ctA", w.ID("coA"), "prFibre")
	locked := sub("sbLocked", "ctA", "", "prLocked")
	act := func(who, id string, body map[string]any) (int, string) {
		res := w.Do(t, http.MethodPost, "/api/crm/portal/subscriptions/"+id+"/action", who, body)
		return res.Status, string(res.Body)
	}

	if s, b := act("cuA", own, map[string]any{"action": "fly"}); s != http.StatusBadRequest || !contains([]byte(b), `"action"`) {
		t.Errorf("unknown action: %d %s", s, b)
	}
	if s, b := act("cuA", locked, map[string]any{"action": "cancel"}); s != http.StatusForbidden || !contains([]byte(b), "get in touch") {
		t.Errorf("product forbids: %d %s", s, b)
	}
	if s, _ := act("cuC", own, map[string]any{"action": "pause"}); s != http.StatusForbidden {
		t.Errorf("other company paused: %d", s)
	}
	if s, _ := act("cuB", own, map[string]any{"action": "pause"}); s != http.StatusForbidden {
		t.Errorf("colleague paused a private subscription: %d", s)
	}
	if s, b := act("cuA", own, map[string]any{"action": "pause", "until": "2020-01-01"}); s != http.StatusBadRequest || !contains([]byte(b), `"until"`) {
		t.Errorf("pause until the past: %d %s", s, b)
	}
	if s, b := act("cuA", own, map[string]any{"action": "resume"}); s != http.StatusBadRequest {
		t.Errorf("resume an active one: %d %s", s, b)
	}
	until := time.Now().AddDate(0, 1, 0).UTC().Format("2006-01-02")
	if s, b := act("cuA", own, map[string]any{"action": "pause", "until": until}); s != http.StatusOK {
		t.Fatalf("pause: %d %s", s, b)
	}
	r := w.Find(t, crm.Subscriptions, own)
	if r.GetString("status") != "paused" || r.GetDateTime("paused_until").Time().Format("2006-01-02") != until {
		t.Errorf("after pause: %s until %s", r.GetString("status"), r.GetDateTime("paused_until"))
	}
	if s, b := act("cuA", own, map[string]any{"action": "resume"}); s != http.StatusOK {
		t.Fatalf("resume: %d %s", s, b)
	}
	if s, b := act("cuA", own, map[string]any{"action": "change_plan", "product": w.ID("prFibre2"), "expect": 0}); s != http.StatusOK {
		t.Fatalf("change plan: %d %s", s, b)
	}
	r = w.Find(t, crm.Subscriptions, own)
	if r.GetString("product") != w.ID("prFibre2") || r.GetString("plan") != "Fibre 600" || r.GetFloat("price") != 150 {
		t.Errorf("after change: %v %v %v", r.GetString("product"), r.GetString("plan"), r.GetFloat("price"))
	}
	// the company admin cancels the company's subscription; cancellation is at once
	if s, b := act("cuB", company, map[string]any{"action": "cancel"}); s != http.StatusBadRequest || !contains([]byte(b), `"reason"`) {
		t.Fatalf("cancel without a reason: %d %s", s, b)
	}
	if s, b := act("cuB", company, map[string]any{"action": "cancel", "reason": "moving"}); s != http.StatusOK {
		t.Fatalf("admin cancels: %d %s", s, b)
	}
	r = w.Find(t, crm.Subscriptions, company)
	if r.GetString("status") != "cancelled" || r.GetDateTime("cancelled_at").IsZero() {
		t.Errorf("after cancel: %s %s", r.GetString("status"), r.GetDateTime("cancelled_at"))
	}
	if s, _ := act("cuB", company, map[string]any{"action": "cancel"}); s != http.StatusBadRequest {
		t.Errorf("cancel twice: %d", s)
	}

	// every action is on the timeline, by the customer
	entries, err := w.App.FindRecordsByFilter(crm.Activities, "ref_id = {:a} || ref_id = {:b}", "created", 0, 0, map[string]any{"a": own, "b": company})
	if err != nil {
		t.Fatal(err)
	}
	var events []string
	for _, e := range entries {
		events = append(events, e.GetString("event")+"/"+e.GetString("actor_type"))
	}
	for _, want := range []string{"subscription.paused/customer", "subscription.resumed/customer", "subscription.changed/customer", "subscription.cancelled/customer"} {
		if !slices.Contains(events, want) {
			t.Errorf("timeline lacks %s: %v", want, events)
		}
	}

	// the business turns change_plan off
	w2 := ordersWorld(t)
	s2 := w2.Make(t, "", crm.Subscriptions, map[string]any{"contact": w2.ID("ctA"), "product": w2.ID("prFibre"), "price": 100, "currency": "BRL", "status": "active"}).Id
	if res := w2.Do(t, http.MethodPost, "/api/crm/portal/subscriptions/"+s2+"/action", "cuA", map[string]any{"action": "change_plan", "plan": "Big"}); res.Status != http.StatusForbidden {
		t.Errorf("change_plan off by default: %d %s", res.Status, res.Body)
	}
}

// change_plan moves only to an active product that allows it too and is
// billed the same way; the plan's name is the product's, never words from
// the body.
func TestChangePlanTargetChecked(t *testing.T) {
	w := ordersWorld(t, testkit.Configure(func(c *crm.Config) {
		c.Portal.SubscriptionActions = []string{"pause", "resume", "cancel", "change_plan"}
	}))
	w.Make(t, "prYearly", crm.Products, map[string]any{"name": "Fibre 1G yearly", "code": "F1GY", "price": 900, "currency": "BRL", "kind": "subscription",
		"interval": "year", "active": true, "customer_can_change_plan": true})
	w.Make(t, "prOld", crm.Products, map[string]any{"name": "Fibre 50", "code": "F50", "price": 20, "currency": "BRL", "kind": "subscription",
		"active": false, "customer_can_change_plan": true})
	s := w.Make(t, "", crm.Subscriptions, map[string]any{"contact": w.ID("ctA"), "product": w.ID("prFibre"), "price": 100, "currency": "BRL", "status": "active", "plan": "Fibre 300"})
	act := func(body map[string]any) testkit.Response {
		body["action"] = "change_plan"
		return w.Do(t, http.MethodPost, "/api/crm/portal/subscriptions/"+s.Id+"/action", "cuA", body)
	}
	unchanged := func(what string) {
		t.Helper()
		r := w.Find(t, crm.Subscriptions, s.Id)
		if r.GetString("product") != w.ID("prFibre") || r.GetString("plan") != "Fibre 300" || r.GetFloat("price") != 100 {
			t.Errorf("%s changed the subscription: %s %s %v", what, r.GetString("product"), r.GetString("plan"), r.GetFloat("price"))
		}
	}
	for _, c := range []struct {
		what   string
		body   map[string]any
		status int
		field  string
	}{
		{"a free-text plan", map[string]any{"plan": "Enterprise 10G (price agreed by phone)"}, http.StatusBadRequest, `"plan"`},
		{"a free-text plan with a product", map[string]any{"plan": "Anything", "product": w.ID("prFibre2")}, http.StatusBadRequest, `"plan"`},
		{"a product that forbids it", map[string]any{"product": w.ID("prLocked")}, http.StatusForbidden, "get in touch"},
		{"an inactive product", map[string]any{"product": w.ID("prOld")}, http.StatusBadRequest, `"product"`},
		{"another billing interval", map[string]any{"product": w.ID("prYearly")}, http.StatusBadRequest, `"product"`},
		{"no product", map[string]any{}, http.StatusBadRequest, `"product"`},
	} {
		res := act(c.body)
		if res.Status != c.status || !contains(res.Body, c.field) {
			t.Errorf("%s: %d %s, want %d naming %s", c.what, res.Status, res.Body, c.status, c.field)
		}
		unchanged(c.what)
	}
	testkit.Must(t, act(map[string]any{"product": w.ID("prFibre2"), "expect": 0}), http.StatusOK, "change to an allowed plan")
	if r := w.Find(t, crm.Subscriptions, s.Id); r.GetString("product") != w.ID("prFibre2") || r.GetString("plan") != "Fibre 600" || r.GetFloat("price") != 150 {
		t.Errorf("after the change: %s %s %v", r.GetString("product"), r.GetString("plan"), r.GetFloat("price"))
	}
}
