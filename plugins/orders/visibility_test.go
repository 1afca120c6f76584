package orders_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/testkit"
)

// Orders' internal notes reach no customer: list, view, expand, realtime;
// staff still read them. (my data: portal's TestPortalMyDataWhitelist)
func TestOrderInternalNotesHidden(t *testing.T) {
	w := ordersWorld(t)
	order := w.Make(t, "", crm.Orders, map[string]any{"number": "O-1", "contact": w.ID("ctA"), "items": []any{map[string]any{"name": "x"}},
		"currency": "BRL", "status": "placed", "placed_at": "2026-11-01 10:00:00.000Z", "internal_notes": "SECRET: bad payer"})
	rt, status := w.Srv.Realtime(t, w.Token(t, "cuA"), "orders/*", "orders/"+order.Id+"?options="+url.QueryEscape(`{"query":{"expand":"contact"}}`))
	if status != http.StatusNoContent {
		t.Fatalf("subscribe: %d", status)
	}
	for _, path := range []string{
		"/api/collections/orders/records",
		"/api/collections/orders/records/" + order.Id,
		"/api/collections/contacts/records/" + w.ID("ctA") + "?expand=orders_via_contact",
	} {
		res := testkit.Must(t, w.Do(t, http.MethodGet, path, "cuA", nil), http.StatusOK, path)
		if contains(res.Body, "SECRET") || contains(res.Body, "internal_notes") {
			t.Errorf("%s shows the internal notes: %s", path, res.Body)
		}
		if !contains(res.Body, order.Id) {
			t.Errorf("%s lacks the order: %s", path, res.Body)
		}
	}
	testkit.Must(t, w.Do(t, http.MethodPatch, "/api/collections/orders/records/"+order.Id, "agent", map[string]any{"status": "paid", "internal_notes": "SECRET: still"}), http.StatusOK, "agent")
	events := rt.Drain(t, order.Id)
	if len(events) == 0 {
		t.Error("no realtime event")
	}
	for _, e := range events {
		if strings.Contains(e.Raw, "SECRET") {
			t.Errorf("realtime shows the internal notes: %s", e.Raw)
		}
	}
	res := testkit.Must(t, w.Do(t, http.MethodGet, "/api/collections/orders/records/"+order.Id, "agent", nil), http.StatusOK, "agent")
	if !contains(res.Body, "SECRET: still") {
		t.Errorf("staff lost the internal notes: %s", res.Body)
	}
}
