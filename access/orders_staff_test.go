package access_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"vinculo/crm"
)

// Staff act on a customer's subscription through their own route
// (plugins/orders): writers may (an unknown action is their 400, nothing
// changed); readonly staff and customers, even the subscription's own, may
// not.
func init() {
	moreRoutes = append(moreRoutes,
		route{http.MethodPost, "/api/crm/subscriptions/{sbA}/action", map[string]any{"action": "fly"}, writers, http.StatusBadRequest},
		route{http.MethodPost, "/api/crm/subscriptions/{sbC}/action", map[string]any{"action": "pause", "until": "2020-01-01"}, writers, http.StatusBadRequest},
	)
}

// What staff do to orders and subscriptions, actor by actor: an order's
// move of status, an order created without number or total, a subscription
// started from a product, a subscription paused through the staff route.
// Writers may, and the server's rules answer them; readonly staff and
// customers are refused and nothing changes.
func TestOrdersStaffActions(t *testing.T) {
	w := newWorld(t)
	for _, actor := range actors {
		allowed := slices.Contains(writers, actor)
		refused := func(res int) bool {
			return res == http.StatusForbidden || res == http.StatusNotFound || res == http.StatusUnauthorized || res == http.StatusBadRequest
		}

		// an order moves along its statuses; a move that makes no sense is a 400 for writers
		order := w.Make(t, "", crm.Orders, orderBody(w, "ctA"))
		res := w.Do(t, http.MethodPatch, "/api/collections/orders/records/"+order.Id, actor, map[string]any{"status": "delivered"})
		if allowed && (res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), `"status"`)) {
			t.Errorf("%s: placed -> delivered: %d %s, want a 400 naming status", actor, res.Status, res.Body)
		}
		res = w.Do(t, http.MethodPatch, "/api/collections/orders/records/"+order.Id, actor, map[string]any{"status": "paid"})
		if got := w.Reload(t, order).GetString("status"); allowed != (got == "paid") || (!allowed && !refused(res.Status)) {
			t.Errorf("%s: placed -> paid: %d, status %s", actor, res.Status, got)
		}

		// an order created by staff is numbered and totalled by the server
		res = w.Do(t, http.MethodPost, "/api/collections/orders/records", actor, map[string]any{"contact": w.ID("ctA"), "currency": "BRL",
			"items": []map[string]any{{"name": "Router", "quantity": 2, "unit_price": 150}}})
		if allowed != (res.Status == http.StatusOK) || (allowed && !strings.Contains(string(res.Body), `"total":300`)) {
			t.Errorf("%s: create an order: %d %s", actor, res.Status, res.Body)
		}

		// a subscription started from a product
		before := w.Count(t, crm.Subscriptions, "1=1")
		res = w.Do(t, http.MethodPost, "/api/collections/subscriptions/records", actor, map[string]any{"contact": w.ID("ctA"), "product": w.ID("prOn")})
		if allowed != (res.Status == http.StatusOK) || allowed != (w.Count(t, crm.Subscriptions, "1=1") == before+1) {
			t.Errorf("%s: start a subscription: %d %s", actor, res.Status, res.Body)
		}

		// paused through the staff route
		sub := w.Make(t, "", crm.Subscriptions, map[string]any{"contact": w.ID("ctA"), "product": w.ID("prOn"), "price": 100, "currency": "BRL", "status": "active"})
		res = w.Do(t, http.MethodPost, "/api/crm/subscriptions/"+sub.Id+"/action", actor, map[string]any{"action": "pause"})
		if got := w.Reload(t, sub).GetString("status"); allowed != (got == "paused") || allowed != (res.Status == http.StatusOK) {
			t.Errorf("%s: pause through the staff route: %d %s, status %s", actor, res.Status, res.Body, got)
		}
	}
}
