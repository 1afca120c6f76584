package orders_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"vinculo/crm"
	"vinculo/testkit"
)

// Staff start a subscription for a customer through the record API: the
// plan's name, price and currency come from the product; a later start is
// pending; it renews one interval after it starts. A product that is not a
// plan on offer is refused, naming product.
func TestStaffStartSubscription(t *testing.T) {
	w := ordersWorld(t)
	w.Make(t, "prOneOff", crm.Products, map[string]any{"name": "Router", "code": "RT", "price": 300, "currency": "BRL", "kind": "one_off", "active": true})
	create := func(body map[string]any) testkit.Response {
		return w.Do(t, http.MethodPost, "/api/collections/subscriptions/records", "agent", body)
	}
	res := testkit.Must(t, create(map[string]any{"contact": w.ID("ctA"), "product": w.ID("prFibre2"), "started_at": "2026-03-10 12:00:00.000Z"}), http.StatusOK, "start")
	s := w.Find(t, crm.Subscriptions, idOf(t, res))
	if s.GetString("plan") != "Fibre 600" || s.GetFloat("price") != 150 || s.GetString("currency") != "BRL" || s.GetString("status") != "active" ||
		s.GetInt("quantity") != 1 || s.GetDateTime("renews_at").Time().Format("2006-01-02") != "2026-04-10" {
		t.Errorf("started: %s %v %s %s q%d renews %s", s.GetString("plan"), s.GetFloat("price"), s.GetString("currency"), s.GetString("status"),
			s.GetInt("quantity"), s.GetDateTime("renews_at"))
	}
	later := time.Now().AddDate(0, 0, 10).UTC().Format("2006-01-02") + " 12:00:00.000Z"
	res = testkit.Must(t, create(map[string]any{"contact": w.ID("ctA"), "product": w.ID("prFibre"), "started_at": later}), http.StatusOK, "start later")
	if st := w.Find(t, crm.Subscriptions, idOf(t, res)).GetString("status"); st != "pending" {
		t.Errorf("a later start is %s", st)
	}
	res = testkit.Must(t, create(map[string]any{"contact": w.ID("ctA"), "product": w.ID("prFibre")}), http.StatusOK, "start now")
	if st := w.Find(t, crm.Subscriptions, idOf(t, res)).GetString("status"); st != "active" {
		t.Errorf("a start without a day (now) is %s, want active", st)
	}
	for _, p := range []string{"prOneOff", "nosuchproduct00"} {
		id := p
		if w.Has(p) {
			id = w.ID(p)
		}
		if r := create(map[string]any{"contact": w.ID("ctA"), "product": id}); r.Status != http.StatusBadRequest || !contains(r.Body, `"product"`) {
			t.Errorf("start on %s: %d %s", p, r.Status, r.Body)
		}
	}
	if r := w.Do(t, http.MethodPost, "/api/collections/subscriptions/records", "readonly", map[string]any{"contact": w.ID("ctA"), "product": w.ID("prFibre")}); r.Status == http.StatusOK {
		t.Errorf("readonly started a subscription")
	}
}

// Staff pause (until a day), resume, change the plan of and cancel a
// customer's subscription through their route, under the rules of state and
// dates the portal's follow; what only limits customers online (the
// product's switches, the same billing) does not limit staff. The timeline
// names the member of staff.
func TestStaffSubscriptionActions(t *testing.T) {
	w := ordersWorld(t)
	w.Make(t, "prYearly", crm.Products, map[string]any{"name": "Fibre 1G yearly", "code": "F1GY", "price": 900, "currency": "BRL", "kind": "subscription",
		"interval": "year", "active": true})
	sub := w.Make(t, "sb", crm.Subscriptions, map[string]any{"contact": w.ID("ctA"), "product": w.ID("prLocked"), "price": 80, "currency": "BRL", "status": "active", "plan": "Contract line"})
	act := func(who string, body map[string]any) testkit.Response {
		return w.Do(t, http.MethodPost, "/api/crm/subscriptions/"+sub.Id+"/action", who, body)
	}
	for who, status := range map[string]int{"readonly": 403, "cuA": 403, "": 401} {
		if r := act(who, map[string]any{"action": "cancel"}); r.Status != status {
			t.Errorf("%q cancels: %d, want %d", who, r.Status, status)
		}
	}
	if r := w.Do(t, http.MethodPost, "/api/crm/subscriptions/nosuchsub000000/action", "agent", map[string]any{"action": "pause"}); r.Status != http.StatusNotFound {
		t.Errorf("unknown subscription: %d", r.Status)
	}
	for _, bad := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"action": "fly"}, `"action"`},
		{map[string]any{"action": "pause", "until": "2020-01-01"}, `"until"`},
		{map[string]any{"action": "resume"}, `"action"`},
		{map[string]any{"action": "change_plan", "plan": "Anything"}, `"plan"`},
		{map[string]any{"action": "change_plan", "product": w.ID("prLocked")}, `"product"`},
	} {
		if r := act("agent", bad.body); r.Status != http.StatusBadRequest || !contains(r.Body, bad.field) {
			t.Errorf("%v: %d %s, want a 400 naming %s", bad.body, r.Status, r.Body, bad.field)
		}
	}
	if s := w.Reload(t, sub); s.GetString("status") != "active" || s.GetString("product") != w.ID("prLocked") {
		t.Fatalf("refusals changed the subscription: %s %s", s.GetString("status"), s.GetString("product"))
	}
	until := time.Now().AddDate(0, 1, 0).UTC().Format("2006-01-02")
	testkit.Must(t, act("agent", map[string]any{"action": "pause", "until": until}), http.StatusOK, "pause")
	if s := w.Reload(t, sub); s.GetString("status") != "paused" || s.GetDateTime("paused_until").Time().Format("2006-01-02") != until {
		t.Errorf("paused: %s until %s", s.GetString("status"), s.GetDateTime("paused_until"))
	}
	testkit.Must(t, act("manager", map[string]any{"action": "resume"}), http.StatusOK, "resume")
	// prLocked allows customers nothing online, and prYearly is billed yearly: staff may still
	testkit.Must(t, act("agent", map[string]any{"action": "change_plan", "product": w.ID("prYearly")}), http.StatusOK, "change plan")
	if s := w.Reload(t, sub); s.GetString("product") != w.ID("prYearly") || s.GetString("plan") != "Fibre 1G yearly" || s.GetFloat("price") != 900 {
		t.Errorf("changed: %s %s %v", s.GetString("product"), s.GetString("plan"), s.GetFloat("price"))
	}
	testkit.Must(t, act("agent", map[string]any{"action": "cancel"}), http.StatusOK, "cancel")
	if s := w.Reload(t, sub); s.GetString("status") != "cancelled" || s.GetDateTime("cancelled_at").IsZero() {
		t.Errorf("cancelled: %s %s", s.GetString("status"), s.GetDateTime("cancelled_at"))
	}
	if r := act("agent", map[string]any{"action": "cancel"}); r.Status != http.StatusBadRequest {
		t.Errorf("cancel twice: %d", r.Status)
	}

	entries, err := w.App.FindRecordsByFilter(crm.Activities, "ref_id = {:id}", "created", 0, 0, map[string]any{"id": sub.Id})
	if err != nil {
		t.Fatal(err)
	}
	var events []string
	for _, e := range entries {
		events = append(events, e.GetString("event")+"/"+e.GetString("actor_type")+"/"+e.GetString("staff"))
	}
	for _, want := range []string{"subscription.paused/staff/" + w.ID("agent"), "subscription.resumed/staff/" + w.ID("manager"),
		"subscription.changed/staff/" + w.ID("agent"), "subscription.cancelled/staff/" + w.ID("agent")} {
		if !slices.Contains(events, want) {
			t.Errorf("timeline lacks %s: %v", want, events)
		}
	}
}

// A subscription product says how often it is billed (400 naming interval);
// a one-off product has no interval.
func TestProductInterval(t *testing.T) {
	w := ordersWorld(t)
	base := func(extra map[string]any) map[string]any {
		b := map[string]any{"name": "Router", "code": "RT-" + string(rune('A'+w.Unique()%26)), "price": 300, "currency": "BRL", "active": true}
		for k, v := range extra {
			b[k] = v
		}
		return b
	}
	if r := w.Do(t, http.MethodPost, "/api/collections/products/records", "manager", base(map[string]any{"kind": "subscription"})); r.Status != http.StatusBadRequest || !contains(r.Body, `"interval"`) {
		t.Errorf("a plan without an interval: %d %s", r.Status, r.Body)
	}
	res := testkit.Must(t, w.Do(t, http.MethodPost, "/api/collections/products/records", "manager", base(map[string]any{"kind": "one_off", "interval": "month"})), http.StatusOK, "one-off")
	if iv := w.Find(t, crm.Products, idOf(t, res)).GetString("interval"); iv != "" {
		t.Errorf("a one-off product billed every %s", iv)
	}
	if r := w.Do(t, http.MethodPatch, "/api/collections/products/records/"+w.ID("prFibre"), "manager", map[string]any{"interval": ""}); r.Status != http.StatusBadRequest || !contains(r.Body, `"interval"`) {
		t.Errorf("a plan's interval removed: %d %s", r.Status, r.Body)
	}
	testkit.Must(t, w.Do(t, http.MethodPatch, "/api/collections/products/records/"+w.ID("prFibre"), "manager", map[string]any{"active": false}), http.StatusOK, "deactivate")
}
