package orders_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"vinculo/crm"
	"vinculo/plugins/orders"
	"vinculo/testkit"
)

// fibreOptions shape the catalogue's fibre: a speed (300 included, 600 for
// 50 more), a router only with 600 (20), extra TV points (0 to 3, 10 each)
// and a note on the installation (up to 12 characters, 5 when written).
var fibreOptions = []map[string]any{
	{"key": "speed", "kind": "choice", "label": "Speed", "labels": map[string]any{"pt-BR": "Velocidade"}, "required": true, "default": "s300",
		"choices": []map[string]any{{"key": "s300", "label": "300 Mb", "price": 0}, {"key": "s600", "label": "600 Mb", "price": 50}}},
	{"key": "router", "kind": "addon", "label": "Wi-Fi 6 router", "price": 20, "only_with": map[string]any{"option": "speed", "choice": "s600"}},
	{"key": "tv", "kind": "quantity", "label": "Extra TV points", "price": 10, "min": 0, "max": 3},
	{"key": "note", "kind": "text", "label": "Note for the installer", "price": 5, "max_length": 12},
}

// catalogueWorld is the orders world with a fibre in the catalogue that
// needs an appointment, a mug that needs nothing, and a product staff sell
// that is not in the catalogue.
func catalogueWorld(t *testing.T) *testkit.World {
	t.Helper()
	w := ordersWorld(t)
	w.Make(t, "prShape", crm.Products, map[string]any{"name": "Fibre at home", "code": "FHOME", "price": 100, "currency": "BRL",
		"kind": "one_off", "active": true, crm.ProductInCatalogue: true, crm.ProductNeedsTime: crm.NeedsAppointment, crm.ProductOptions: fibreOptions})
	w.Make(t, "prMug", crm.Products, map[string]any{"name": "Mug", "code": "MUG", "price": 12.5, "currency": "BRL",
		"kind": "one_off", "active": true, crm.ProductInCatalogue: true})
	w.Make(t, "prHidden", crm.Products, map[string]any{"name": "Back office", "code": "BO", "price": 1, "currency": "BRL",
		"kind": "one_off", "active": true})
	return w
}

// The price of a shaped product, computed by the server from the options.
func TestPriceWithOptions(t *testing.T) {
	w := catalogueWorld(t)
	p := w.Find(t, crm.Products, w.ID("prShape"))
	cases := []struct {
		name    string
		choices map[string]any
		qty     int
		unit    float64
		total   float64
		field   string
	}{
		{"the default answer", nil, 0, 100, 100, ""},
		{"600 Mb", map[string]any{"speed": "s600"}, 1, 150, 150, ""},
		{"600 Mb with the router, two TV points and a note, twice", map[string]any{"speed": "s600", "router": true, "tv": 2, "note": "Ring twice"}, 2, 195, 390, ""},
		{"a router not taken costs nothing", map[string]any{"router": false}, 1, 100, 100, ""},
		{"an empty note costs nothing", map[string]any{"note": "   "}, 1, 100, 100, ""},
		{"the router only with 600 Mb", map[string]any{"speed": "s300", "router": true}, 1, 0, 0, "choices.router"},
		{"too many TV points", map[string]any{"tv": 4}, 1, 0, 0, "choices.tv"},
		{"half a TV point", map[string]any{"tv": 1.5}, 1, 0, 0, "choices.tv"},
		{"a note too long", map[string]any{"note": "Ring the bell twice"}, 1, 0, 0, "choices.note"},
		{"an unknown speed", map[string]any{"speed": "s1000"}, 1, 0, 0, "choices.speed"},
		{"an option the product lacks", map[string]any{"colour": "red"}, 1, 0, 0, "choices.colour"},
		{"a quantity of a thousand", nil, 1000, 0, 0, "quantity"},
		{"a negative quantity", nil, -1, 0, 0, "quantity"},
	}
	for _, c := range cases {
		line, err := orders.Price(p, orders.LineRequest{Product: p.Id, Choices: c.choices, Quantity: c.qty}, "en", "")
		if c.field != "" {
			if err == nil || !strings.Contains(errData(err), `"`+c.field+`"`) {
				t.Errorf("%s: want a refusal naming %s, got %v %s", c.name, c.field, err, errData(err))
			}
			continue
		}
		if err != nil || line.UnitPrice != c.unit || line.Total != c.total {
			t.Errorf("%s: %v unit %v total %v, want %v %v", c.name, err, line.UnitPrice, line.Total, c.unit, c.total)
		}
	}
	// Labels in the customer's language, and the answers as read.
	line, err := orders.Price(p, orders.LineRequest{Product: p.Id, Choices: map[string]any{"speed": "s600", "tv": 1}}, "pt-BR", "lines.3.")
	if err != nil || len(line.Options) != 2 || line.Options[0].Label != "Velocidade" || line.Options[0].Value != "600 Mb" || line.Options[1].Value != "1" {
		t.Errorf("worded options: %v %+v", err, line.Options)
	}
	_, err = orders.Price(p, orders.LineRequest{Product: p.Id, Quantity: 0, Choices: map[string]any{"tv": 9}}, "en", "lines.3.")
	if !strings.Contains(errData(err), `"lines.3.choices.tv"`) || !strings.Contains(errData(err), `"max":3`) {
		t.Errorf("a cart line's problem names the line and the limit: %s", errData(err))
	}
}

// A product's options are checked when saved, whatever the door.
func TestOptionsChecked(t *testing.T) {
	w := catalogueWorld(t)
	bad := map[string][]map[string]any{
		"options.0.kind":             {{"key": "x", "kind": "colour", "label": "X"}},
		"options.1.key":              {{"key": "x", "kind": "addon", "label": "X"}, {"key": "x", "kind": "addon", "label": "Y"}},
		"options.0.choices":          {{"key": "x", "kind": "choice", "label": "X"}},
		"options.0.max":              {{"key": "x", "kind": "quantity", "label": "X", "min": 5, "max": 2}},
		"options.0.only_with.choice": {{"key": "x", "kind": "choice", "label": "X", "choices": []map[string]any{{"key": "a", "label": "A"}}}, {"key": "y", "kind": "addon", "label": "Y", "only_with": map[string]any{"option": "x", "choice": "b"}}},
		"options.0.price":            {{"key": "x", "kind": "addon", "label": "X", "price": -5}},
	}
	for field, opts := range bad {
		res := w.Do(t, http.MethodPatch, "/api/collections/products/records/"+w.ID("prMug"), "manager", map[string]any{crm.ProductOptions: opts})
		want := field
		if field == "options.0.only_with.choice" {
			want = "options.1.only_with.choice"
		}
		if res.Status != http.StatusBadRequest || !contains(res.Body, `"`+want+`"`) {
			t.Errorf("%s: %d %s", want, res.Status, res.Body)
		}
	}
	if got := w.Find(t, crm.Products, w.ID("prMug")).Get(crm.ProductOptions); got != nil && string(mustJSON(got)) != "null" {
		t.Errorf("a refused save changed the options: %s", mustJSON(got))
	}
}

// The quote route: customers quote what the catalogue offers; the body
// never carries a price.
func TestQuoteRoute(t *testing.T) {
	w := catalogueWorld(t)
	q := func(who string, body map[string]any) testkit.Response {
		return w.Do(t, http.MethodPost, "/api/crm/catalogue/quote", who, body)
	}
	res := q("cuA", map[string]any{"product": w.ID("prShape"), "choices": map[string]any{"speed": "s600", "router": true}, "quantity": 3})
	if res.Status != http.StatusOK || !contains(res.Body, `"unit_price":170`) || !contains(res.Body, `"total":510`) {
		t.Errorf("quote: %d %s", res.Status, res.Body)
	}
	if res := q("cuA", map[string]any{"product": w.ID("prHidden")}); res.Status != http.StatusBadRequest || !contains(res.Body, `"product"`) {
		t.Errorf("a product out of the catalogue: %d %s", res.Status, res.Body)
	}
	if res := q("agent", map[string]any{"product": w.ID("prHidden")}); res.Status != http.StatusOK {
		t.Errorf("staff quote any active product: %d %s", res.Status, res.Body)
	}
	for _, field := range []string{"unit_price", "price", "total"} {
		res := q("cuA", map[string]any{"product": w.ID("prMug"), field: 0.01})
		if res.Status != http.StatusBadRequest || !contains(res.Body, `"`+field+`"`) {
			t.Errorf("a %s sent: %d %s", field, res.Status, res.Body)
		}
	}
	if res := q("", map[string]any{"product": w.ID("prMug")}); res.Status != http.StatusUnauthorized {
		t.Errorf("anonymous quote: %d", res.Status)
	}
}

// A customer fills a cart and orders: the server prices it, refuses a total
// it did not compute and a price in a line, asks for an appointment within
// the business's hours, and empties the cart with the order.
func TestCartAndOrder(t *testing.T) {
	w := catalogueWorld(t)
	shaped := map[string]any{"product": w.ID("prShape"), "choices": map[string]any{"speed": "s600", "router": true, "note": "Gate B"}, "quantity": 1}
	if res := w.Do(t, http.MethodPost, "/api/crm/cart/lines", "cuA", shaped); res.Status != http.StatusOK || !contains(res.Body, `"total":175`) {
		t.Fatalf("add: %d %s", res.Status, res.Body)
	}
	res := w.Do(t, http.MethodPost, "/api/crm/cart/lines", "cuA", map[string]any{"product": w.ID("prMug"), "quantity": 2})
	if res.Status != http.StatusOK || !contains(res.Body, `"total":200`) || !contains(res.Body, `"needs_time":"appointment"`) {
		t.Fatalf("add a mug: %d %s", res.Status, res.Body)
	}
	// A price in a line, and a line that breaks a rule, are refused and change nothing.
	tampered := []map[string]any{{"product": w.ID("prMug"), "quantity": 2, "unit_price": 0.01}}
	if res := w.Do(t, http.MethodPut, "/api/crm/cart", "cuA", map[string]any{"lines": tampered}); res.Status != http.StatusBadRequest || !contains(res.Body, `"lines.0.unit_price"`) {
		t.Errorf("a price in a cart line: %d %s", res.Status, res.Body)
	}
	broken := []map[string]any{shaped, {"product": w.ID("prShape"), "choices": map[string]any{"router": true}}}
	if res := w.Do(t, http.MethodPut, "/api/crm/cart", "cuA", map[string]any{"lines": broken}); res.Status != http.StatusBadRequest || !contains(res.Body, `"lines.1.choices.router"`) {
		t.Errorf("a router without 600 Mb: %d %s", res.Status, res.Body)
	}
	if res := w.Do(t, http.MethodGet, "/api/crm/cart", "cuA", nil); !contains(res.Body, `"total":200`) {
		t.Errorf("the cart after refusals: %s", res.Body)
	}
	// Another customer's cart is their own; staff have none.
	if res := w.Do(t, http.MethodGet, "/api/crm/cart", "cuB", nil); res.Status != http.StatusOK || contains(res.Body, w.ID("prMug")) {
		t.Errorf("B sees A's cart: %s", res.Body)
	}
	if res := w.Do(t, http.MethodGet, "/api/crm/cart", "agent", nil); res.Status != http.StatusForbidden {
		t.Errorf("staff cart: %d", res.Status)
	}

	cal := w.Cfg.BusinessNow().Calendar()
	later := time.Now().In(cal.Location).AddDate(0, 0, 3)
	open, _ := cal.NextOpen(time.Date(later.Year(), later.Month(), later.Day(), 0, 0, 0, 0, cal.Location)) // an opening
	open = open.Add(30 * time.Minute)
	closed := closedAfter(cal, time.Now().Add(72*time.Hour))
	place := func(who string, body map[string]any) testkit.Response {
		return w.Do(t, http.MethodPost, "/api/crm/cart/order", who, body)
	}
	refusals := []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"scheduled_at": open.Format(time.RFC3339), "total": 1}, "total"},
		{map[string]any{"scheduled_at": open.Format(time.RFC3339), "total": "200"}, "total"},
		{map[string]any{"scheduled_at": open.Format(time.RFC3339), "status": "paid"}, "status"},
		{map[string]any{"scheduled_at": open.Format(time.RFC3339), "items": []any{}}, "items"},
		{map[string]any{"total": 200}, crm.OrderScheduledAt},
		{map[string]any{"scheduled_at": closed.Format(time.RFC3339)}, crm.OrderScheduledAt},
		{map[string]any{"scheduled_at": time.Now().Add(-time.Hour).Format(time.RFC3339)}, crm.OrderScheduledAt},
		{map[string]any{"scheduled_at": "next tuesday"}, crm.OrderScheduledAt},
		{map[string]any{"scheduled_at": open.Format(time.RFC3339), "placed_for": "neighbour"}, crm.OrderPlacedFor},
	}
	for _, r := range refusals {
		if res := place("cuA", r.body); res.Status != http.StatusBadRequest || !contains(res.Body, `"`+r.field+`"`) {
			t.Errorf("%v: %d %s", r.body, res.Status, res.Body)
		}
	}
	// Ana is a member of her company: she orders for herself only.
	if res := place("cuA", map[string]any{"scheduled_at": open.Format(time.RFC3339), "placed_for": "company"}); res.Status != http.StatusForbidden || !contains(res.Body, `"placed_for"`) {
		t.Errorf("a member orders for the company: %d %s", res.Status, res.Body)
	}
	if n := countOrders(t, w, w.ID("ctA")); n != 0 {
		t.Fatalf("refused orders were saved: %d", n)
	}
	res = place("cuA", map[string]any{"scheduled_at": open.Format(time.RFC3339), "total": 200})
	if res.Status != http.StatusOK {
		t.Fatalf("place: %d %s", res.Status, res.Body)
	}
	var placed struct {
		ID, Number, Status, Company, Placed_for string
		Total                                   float64
	}
	res.JSON(t, &placed)
	o := w.Find(t, crm.Orders, placed.ID)
	if o.GetFloat("total") != 200 || o.GetString("status") != orders.OrderPlaced || o.GetString(crm.FieldCompany) != "" ||
		o.GetString(crm.OrderPlacedFor) != crm.PlacedForSelf || o.GetString(crm.OrderPlacedBy) != w.ID("cuA") ||
		!o.GetDateTime(crm.OrderScheduledAt).Time().Equal(open.UTC().Truncate(time.Millisecond)) {
		t.Errorf("the order: %v", o.PublicExport())
	}
	if !contains(mustJSON(o.Get("items")), `"note","kind":"text","label":"Note for the installer","value":"Gate B","price":5`) {
		t.Errorf("the options on the line: %s", mustJSON(o.Get("items")))
	}
	if res := w.Do(t, http.MethodGet, "/api/crm/cart", "cuA", nil); !contains(res.Body, `"lines":[]`) {
		t.Errorf("the cart after ordering: %s", res.Body)
	}
	entry, err := w.App.FindFirstRecordByFilter(crm.Activities, "ref_id = {:o} && event = 'order.placed'", dbx.Params{"o": placed.ID})
	if err != nil || entry.GetString("actor_type") != "customer" || entry.GetString("customer") != w.ID("cuA") || !entry.GetBool("public") {
		t.Errorf("the placed entry: %v %v", err, entry)
	}
	// Staff confirm it: the customer's timeline says so.
	if res := w.Do(t, http.MethodPatch, "/api/collections/orders/records/"+placed.ID, "agent", map[string]any{"status": "confirmed"}); res.Status != http.StatusOK {
		t.Fatalf("confirm: %d %s", res.Status, res.Body)
	}
	if _, err := w.App.FindFirstRecordByFilter(crm.Activities, "ref_id = {:o} && event = {:e} && public = true", dbx.Params{"o": placed.ID, "e": orders.EventOrderConfirmed}); err != nil {
		t.Errorf("no confirmed entry: %v", err)
	}
}

// Bruno, the admin of company A, orders for the company; Ana, a member,
// does not see it; Carla, of another company, can't order it again.
func TestOrderForCompanyAndReorder(t *testing.T) {
	w := catalogueWorld(t)
	add := w.Do(t, http.MethodPost, "/api/crm/cart/lines", "cuB", map[string]any{"product": w.ID("prMug"), "quantity": 3})
	if add.Status != http.StatusOK || !contains(add.Body, `"for_company":true`) {
		t.Fatalf("admin's cart: %d %s", add.Status, add.Body)
	}
	res := w.Do(t, http.MethodPost, "/api/crm/cart/order", "cuB", map[string]any{"placed_for": "company", "total": 37.5})
	if res.Status != http.StatusOK {
		t.Fatalf("for the company: %d %s", res.Status, res.Body)
	}
	var placed struct{ ID string }
	res.JSON(t, &placed)
	o := w.Find(t, crm.Orders, placed.ID)
	if o.GetString(crm.FieldCompany) != w.ID("coA") || o.GetString(crm.OrderPlacedFor) != crm.PlacedForCompany {
		t.Errorf("the company's order: %v", o.PublicExport())
	}
	if !o.GetDateTime(crm.OrderScheduledAt).IsZero() {
		t.Errorf("a mug needs no time, yet one was kept")
	}
	if res := w.Do(t, http.MethodGet, "/api/collections/orders/records/"+placed.ID, "cuA", nil); res.Status != http.StatusNotFound {
		t.Errorf("a member sees the company's order: %d", res.Status)
	}
	if res := w.Do(t, http.MethodPost, "/api/crm/cart/reorder/"+placed.ID, "cuC", nil); res.Status != http.StatusNotFound {
		t.Errorf("another company reorders: %d %s", res.Status, res.Body)
	}
	if res := w.Do(t, http.MethodPost, "/api/crm/cart/reorder/"+placed.ID, "cuA", nil); res.Status != http.StatusNotFound {
		t.Errorf("a member reorders the company's order: %d %s", res.Status, res.Body)
	}
	// The price went up since: the same order again, priced as today.
	setProduct(t, w, "prMug", "price", 15)
	res = w.Do(t, http.MethodPost, "/api/crm/cart/reorder/"+placed.ID, "cuB", nil)
	if res.Status != http.StatusOK || !contains(res.Body, `"quantity":3`) || !contains(res.Body, `"total":45`) {
		t.Fatalf("reorder: %d %s", res.Status, res.Body)
	}
	if res := w.Do(t, http.MethodPost, "/api/crm/cart/order", "cuB", map[string]any{"placed_for": "company", "total": 37.5}); res.Status != http.StatusBadRequest || !contains(res.Body, `"total"`) {
		t.Errorf("the old total: %d %s", res.Status, res.Body)
	}
	// A product taken out of the catalogue is left out, with why.
	setProduct(t, w, "prMug", crm.ProductInCatalogue, false)
	res = w.Do(t, http.MethodPost, "/api/crm/cart/reorder/"+placed.ID, "cuB", nil)
	if res.Status != http.StatusOK || !contains(res.Body, `"left_out":[{`) || !contains(res.Body, `"problem_code":"validation_not_offered"`) {
		t.Errorf("reorder of a withdrawn product: %d %s", res.Status, res.Body)
	}
}

// A timeline entry for each state an order reaches, public to the customer.
func TestOrderStatesOnTimeline(t *testing.T) {
	w := catalogueWorld(t)
	o := w.Make(t, "", crm.Orders, map[string]any{"contact": w.ID("ctA"), "items": []map[string]any{{"name": "Mug", "quantity": 1, "unit_price": 10}}, "currency": "BRL"})
	for _, step := range []struct{ status, event string }{
		{"confirmed", orders.EventOrderConfirmed}, {"paid", orders.EventOrderPaid}, {"shipped", orders.EventOrderShipped}, {"delivered", orders.EventOrderDelivered},
	} {
		if res := w.Do(t, http.MethodPatch, "/api/collections/orders/records/"+o.Id, "agent", map[string]any{"status": step.status}); res.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", step.status, res.Status, res.Body)
		}
		e, err := w.App.FindFirstRecordByFilter(crm.Activities, "ref_id = {:o} && event = {:e}", dbx.Params{"o": o.Id, "e": step.event})
		if err != nil || !e.GetBool("public") || e.GetString("staff") != w.ID("agent") || e.GetString("contact") != w.ID("ctA") {
			t.Errorf("%s entry: %v %v", step.status, err, e)
		}
	}
}

// closedAfter is a moment after t when cal is closed: a Sunday at noon.
func closedAfter(cal crm.Calendar, t time.Time) time.Time {
	local := t.In(cal.Location)
	for local.Weekday() != time.Sunday {
		local = local.AddDate(0, 0, 1)
	}
	sunday := time.Date(local.Year(), local.Month(), local.Day(), 12, 0, 0, 0, cal.Location)
	if cal.IsOpen(sunday) {
		sunday = sunday.Add(-12*time.Hour + 3*time.Hour) // 03:00
	}
	return sunday
}

func setProduct(t *testing.T, w *testkit.World, label, field string, v any) {
	t.Helper()
	p := w.Find(t, crm.Products, w.ID(label))
	p.Set(field, v)
	if err := w.App.Save(p); err != nil {
		t.Fatal(err)
	}
}

// errData is an error as the route would answer it.
func errData(err error) string {
	if err == nil {
		return ""
	}
	return string(mustJSON(err)) + err.Error()
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

func countOrders(t *testing.T, w *testkit.World, contact string) int {
	t.Helper()
	rows, err := w.App.FindRecordsByFilter(crm.Orders, "contact = {:c}", "", 0, 0, dbx.Params{"c": contact})
	if err != nil {
		t.Fatal(err)
	}
	return len(rows)
}

// A cart that changes while its order is being placed (another tab added
// a line) is not ordered as it was priced: 409, and no order is written.
// The same cart placed several times at once makes one order.
func TestCartChangedWhilePlacing(t *testing.T) {
	w := catalogueWorld(t)
	if res := w.Do(t, http.MethodPost, "/api/crm/cart/lines", "cuA", map[string]any{"product": w.ID("prShape"),
		"choices": map[string]any{"speed": "s300"}, "quantity": 1}); res.Status != http.StatusOK {
		t.Fatalf("add: %d %s", res.Status, res.Body)
	}
	cal := w.Cfg.BusinessNow().Calendar()
	later := time.Now().In(cal.Location).AddDate(0, 0, 3)
	open, _ := cal.NextOpen(time.Date(later.Year(), later.Month(), later.Day(), 0, 0, 0, 0, cal.Location))
	when := open.Add(30 * time.Minute).Format(time.RFC3339)
	countOrders := func() int { return w.Count(t, crm.Orders, "contact = {:c}", dbx.Params{"c": w.ID("ctA")}) }
	before := countOrders()

	once := true
	restore := orders.SetAfterPricing(func() {
		if once {
			once = false
			time.Sleep(10 * time.Millisecond) // the cart's next save has a later time (milliseconds)
			if res := w.Do(t, http.MethodPost, "/api/crm/cart/lines", "cuA", map[string]any{"product": w.ID("prMug"), "quantity": 1}); res.Status != http.StatusOK {
				t.Errorf("the other tab's line: %d %s", res.Status, res.Body)
			}
		}
	})
	res := w.Do(t, http.MethodPost, "/api/crm/cart/order", "cuA", map[string]any{"scheduled_at": when})
	restore()
	if res.Status != http.StatusConflict || !contains(res.Body, `"cart"`) || countOrders() != before {
		t.Fatalf("placing a cart that changed meanwhile: %d %s, %d orders made", res.Status, res.Body, countOrders()-before)
	}

	statuses := make(chan int, 4)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses <- w.Do(t, http.MethodPost, "/api/crm/cart/order", "cuA", map[string]any{"scheduled_at": when}).Status
		}()
	}
	wg.Wait()
	close(statuses)
	ok := 0
	for s := range statuses {
		switch s {
		case http.StatusOK:
			ok++
		case http.StatusConflict, http.StatusBadRequest:
		default:
			t.Errorf("a concurrent place answered %d", s)
		}
	}
	if after := countOrders(); ok != 1 || after != before+1 {
		t.Errorf("%d calls placed, %d orders made; want one of each", ok, after-before)
	}
}
