package orders_test

import (
	"net/http"
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/testkit"
)

// An order staff create through the record API is numbered after the
// latest, placed now, and totalled from its lines; its status moves only
// along the order's moves (a 400 naming status otherwise, nothing changed);
// its lines change while it is open and not once it is shipped.
func TestOrderLifeThroughTheAPI(t *testing.T) {
	w := ordersWorld(t)
	w.Make(t, "", crm.Orders, map[string]any{"number": "PED-00041", "contact": w.ID("ctB"), "items": []any{map[string]any{"name": "x"}},
		"currency": "BRL", "status": "delivered", "placed_at": "2026-01-01 10:00:00.000Z"})
	lines := []map[string]any{
		{"product": "F300", "name": "Fibre 300", "quantity": 2, "unit_price": 100},
		{"name": "Installation", "quantity": 1, "unit_price": 49.9},
	}
	res := testkit.Must(t, w.Do(t, http.MethodPost, "/api/collections/orders/records", "agent",
		map[string]any{"contact": w.ID("ctA"), "items": lines, "currency": "BRL", "total": 1}), http.StatusOK, "create")
	id := idOf(t, res)
	o := w.Find(t, crm.Orders, id)
	if o.GetString("number") != "PED-00042" || o.GetString("status") != "placed" || o.GetDateTime("placed_at").IsZero() || o.GetFloat("total") != 249.9 {
		t.Fatalf("new order: number %s status %s placed %v total %v", o.GetString("number"), o.GetString("status"), o.GetDateTime("placed_at"), o.GetFloat("total"))
	}

	patch := func(body map[string]any) testkit.Response {
		return w.Do(t, http.MethodPatch, "/api/collections/orders/records/"+id, "agent", body)
	}
	// open: the lines change and the total follows
	testkit.Must(t, patch(map[string]any{"items": lines[:1]}), http.StatusOK, "edit lines")
	if got := w.Find(t, crm.Orders, id).GetFloat("total"); got != 200 {
		t.Errorf("total after edit: %v", got)
	}
	for _, bad := range []struct {
		what string
		body map[string]any
	}{
		{"no lines", map[string]any{"items": []any{}}},
		{"a line of nothing", map[string]any{"items": []any{map[string]any{"quantity": 1}}}},
		{"a quantity of 0", map[string]any{"items": []any{map[string]any{"name": "x", "quantity": 0, "unit_price": 1}}}},
		{"a price below 0", map[string]any{"items": []any{map[string]any{"name": "x", "quantity": 1, "unit_price": -5}}}},
	} {
		r := patch(bad.body)
		if r.Status != http.StatusBadRequest || !contains(r.Body, `"items"`) {
			t.Errorf("%s: %d %s, want a 400 naming items", bad.what, r.Status, r.Body)
		}
	}
	// moves
	testkit.Must(t, patch(map[string]any{"status": "paid"}), http.StatusOK, "pay")
	for _, to := range []string{"placed", "nonsense"} {
		r := patch(map[string]any{"status": to})
		if r.Status != http.StatusBadRequest || !contains(r.Body, `"status"`) {
			t.Errorf("paid -> %s: %d %s, want a 400 naming status", to, r.Status, r.Body)
		}
	}
	testkit.Must(t, patch(map[string]any{"status": "shipped"}), http.StatusOK, "ship")
	if r := patch(map[string]any{"items": lines}); r.Status != http.StatusBadRequest || !contains(r.Body, `"items"`) {
		t.Errorf("edit a shipped order: %d %s", r.Status, r.Body)
	}
	if r := patch(map[string]any{"status": "cancelled"}); r.Status != http.StatusBadRequest || !contains(r.Body, "validation_order_move") {
		t.Errorf("cancel a shipped order: %d %s", r.Status, r.Body)
	}
	testkit.Must(t, patch(map[string]any{"status": "delivered", "internal_notes": "left at the door"}), http.StatusOK, "deliver")
	o = w.Find(t, crm.Orders, id)
	if o.GetString("status") != "delivered" || o.GetFloat("total") != 200 || !strings.Contains(o.GetString("items"), "F300") {
		t.Errorf("after delivery: %s %v %s", o.GetString("status"), o.GetFloat("total"), o.GetString("items"))
	}
	if r := patch(map[string]any{"status": "shipped"}); r.Status != http.StatusBadRequest {
		t.Errorf("delivered -> shipped: %d", r.Status)
	}

	// a cancellation is dated, and is the end
	res = testkit.Must(t, w.Do(t, http.MethodPost, "/api/collections/orders/records", "manager",
		map[string]any{"contact": w.ID("ctA"), "items": lines, "currency": "BRL"}), http.StatusOK, "create 2")
	second := idOf(t, res)
	if n := w.Find(t, crm.Orders, second).GetString("number"); n != "PED-00043" {
		t.Errorf("second number %s", n)
	}
	testkit.Must(t, w.Do(t, http.MethodPatch, "/api/collections/orders/records/"+second, "manager", map[string]any{"status": "cancelled"}), http.StatusOK, "cancel")
	if w.Find(t, crm.Orders, second).GetDateTime("cancelled_at").IsZero() {
		t.Error("cancelled without a date")
	}
	if r := w.Do(t, http.MethodPatch, "/api/collections/orders/records/"+second, "manager", map[string]any{"status": "placed"}); r.Status != http.StatusBadRequest {
		t.Errorf("cancelled -> placed: %d", r.Status)
	}
}

// The first order of a business is ORD-00001.
func TestFirstOrderNumber(t *testing.T) {
	w := ordersWorld(t)
	res := testkit.Must(t, w.Do(t, http.MethodPost, "/api/collections/orders/records", "agent",
		map[string]any{"contact": w.ID("ctA"), "items": []any{map[string]any{"name": "x", "quantity": 1, "unit_price": 5}}, "currency": "BRL"}), http.StatusOK, "create")
	if n := w.Find(t, crm.Orders, idOf(t, res)).GetString("number"); n != "ORD-00001" {
		t.Errorf("first number %s", n)
	}
}

// idOf is the id of the record an answer holds.
func idOf(t *testing.T, res testkit.Response) string {
	t.Helper()
	var r struct {
		ID string `json:"id"`
	}
	res.JSON(t, &r)
	if r.ID == "" {
		t.Fatalf("no id in %s", res.Body)
	}
	return r.ID
}
