package access_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/testkit"
)

// The catalogue and ordering from the portal (plugins/orders): carts are a
// customer's own (staff read them, to help on the phone); nobody writes one
// through the record API but superusers — customers fill theirs through the
// cart's routes, which price every line themselves. The cart's and ordering's
// routes are for customers only; the quote is for every signed-in person.
func init() {
	moreSpecFiles = append(moreSpecFiles, func() []spec { return catalogueSpecs(false) })
	moreRoutes = append(moreRoutes,
		route{http.MethodGet, "/api/crm/cart", nil, customers3, http.StatusOK},
		route{http.MethodPut, "/api/crm/cart", map[string]any{"lines": []any{}}, customers3, http.StatusOK},
	)
}

func catalogueSpecs(withLabels bool) []spec {
	carts := spec{
		collection: crm.Carts,
		sees:       map[string][]string{},
		create: func(w *testkit.World, _ string) map[string]any {
			return map[string]any{crm.CartCustomer: freshCustomer(w).Id, crm.CartLines: []any{}}
		},
		canCreate: superOnly,
		update: func(w *testkit.World, _ string) (string, map[string]any) {
			keepCarts(w)
			return "caA", map[string]any{crm.CartLines: []map[string]any{{"product": w.ID("prOn"), "quantity": w.Unique()}}}
		},
		canUpdate: superOnly,
		remove: func(w *testkit.World) map[string]any {
			return map[string]any{crm.CartCustomer: freshCustomer(w).Id, crm.CartLines: []any{}}
		},
		canDelete: superOnly,
	}
	if withLabels {
		carts.labels = []string{"caA", "caB", "caC"}
		carts.sees = with(with(with(staffOnly("caA", "caB", "caC"), custA, "caA"), custB, "caB"), custC, "caC")
	}
	return []spec{carts}
}

// freshCustomer is a new customer account (a cart is one per account).
func freshCustomer(w *testkit.World) *core.Record {
	n := w.Unique()
	contact := w.Make(nil2(w), "", crm.Contacts, map[string]any{"name": "Shopper", "email": fmt.Sprintf("shop%d@matrix.test", n)})
	return w.Make(nil2(w), "", crm.Customers, map[string]any{"email": fmt.Sprintf("shop%d@matrix.test", n), "contact": contact.Id, "company_role": crm.CompanyMember})
}

// keepCarts gives customers A, B and C a cart each.
func keepCarts(w *testkit.World) {
	for label, customer := range map[string]string{"caA": "cuA", "caB": "cuB", "caC": "cuC"} {
		if w.Has(label) {
			continue
		}
		w.Make(nil2(w), label, crm.Carts, map[string]any{crm.CartCustomer: w.ID(customer), crm.CartLines: []any{}})
	}
}

// TestCatalogueReads: the list, view and realtime rows of carts.
func TestCatalogueReads(t *testing.T) {
	w := newWorld(t)
	keepCarts(w)
	for _, s := range catalogueSpecs(true) {
		t.Run(s.collection, func(t *testing.T) {
			for _, actor := range actors {
				checkListAndView(t, w, s, actor)
			}
			checkRealtime(t, w, s)
		})
	}
}

// A customer orders only for themselves, or for their company when they
// are its admin; never sees or reorders another's order; cannot set a price
// or a total; staff have no cart. Every actor on every route.
func TestCatalogueRoutes(t *testing.T) {
	w := newWorld(t)
	shop := w.Make(t, "prShop", crm.Products, map[string]any{"name": "Mug", "code": "MUG", "price": 10, "currency": "BRL",
		"kind": "one_off", "active": true, crm.ProductInCatalogue: true})
	quote := map[string]any{"product": shop.Id, "quantity": 2}
	for _, actor := range actors {
		res := w.Do(t, http.MethodPost, "/api/crm/catalogue/quote", actor, quote)
		want := http.StatusOK
		if actor == anon {
			want = http.StatusUnauthorized
		}
		if res.Status != want || (want == http.StatusOK && !strings.Contains(string(res.Body), `"total":20`)) {
			t.Errorf("%s quote: %d %s", actor, res.Status, res.Body)
		}
		// Every route of the cart, for someone who is not a customer.
		if slices.Contains(customers3, actor) {
			continue
		}
		for _, r := range [][2]string{{http.MethodPost, "/api/crm/cart/lines"}, {http.MethodPost, "/api/crm/cart/order"}, {http.MethodPost, "/api/crm/cart/reorder/" + w.ID("orA")}} {
			want := http.StatusForbidden
			if actor == anon {
				want = http.StatusUnauthorized
			}
			if res := w.Do(t, r[0], r[1], actor, quote); res.Status != want {
				t.Errorf("%s %s: %d, want %d", actor, r[1], res.Status, want)
			}
		}
	}
	// Prices and totals are the server's.
	for _, field := range []string{"price", "unit_price", "total"} {
		body := map[string]any{"product": shop.Id, field: 0}
		if res := w.Do(t, http.MethodPost, "/api/crm/cart/lines", custA, body); res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), `"`+field+`"`) {
			t.Errorf("a %s in a line: %d %s", field, res.Status, res.Body)
		}
	}
	for _, c := range customers3 {
		if res := w.Do(t, http.MethodPost, "/api/crm/cart/lines", c, quote); res.Status != http.StatusOK {
			t.Fatalf("%s adds: %d %s", c, res.Status, res.Body)
		}
	}
	for _, field := range []string{"total", "currency", "status", "number", "contact", "company"} {
		if res := w.Do(t, http.MethodPost, "/api/crm/cart/order", custB, map[string]any{field: 1}); res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), `"`+field+`"`) {
			t.Errorf("%s sent with an order: %d %s", field, res.Status, res.Body)
		}
	}
	// A (a member) can't order for the company; B (its admin) can; C for
	// hers; D has no company to order for.
	if res := w.Do(t, http.MethodPost, "/api/crm/cart/order", custA, map[string]any{"placed_for": "company"}); res.Status != http.StatusForbidden {
		t.Errorf("a member for the company: %d %s", res.Status, res.Body)
	}
	for who, company := range map[string]string{custB: "coA", custC: "coC"} {
		res := w.Do(t, http.MethodPost, "/api/crm/cart/order", who, map[string]any{"placed_for": "company", "total": 20})
		if res.Status != http.StatusOK || !strings.Contains(string(res.Body), w.ID(company)) {
			t.Errorf("%s for the company: %d %s", who, res.Status, res.Body)
		}
	}
	if res := w.Do(t, http.MethodPost, "/api/crm/cart/order", custA, map[string]any{"total": 20}); res.Status != http.StatusOK {
		t.Errorf("A for herself: %d %s", res.Status, res.Body)
	}
	// Orders again: her own or (as an admin) the company's, nobody else's.
	reorders := map[string]map[string]int{
		custA: {"orA": 200, "orAco": 200, "orB": 404, "orBco": 404, "orC": 404},
		custB: {"orA": 404, "orAco": 200, "orB": 200, "orBco": 200, "orC": 404, "orD": 404},
		custC: {"orA": 404, "orC": 200, "orD": 404},
	}
	for who, orders := range reorders {
		for label, want := range orders {
			if res := w.Do(t, http.MethodPost, "/api/crm/cart/reorder/"+w.ID(label), who, nil); res.Status != want {
				t.Errorf("%s reorders %s: %d, want %d: %s", who, label, res.Status, want, res.Body)
			}
		}
	}
}
