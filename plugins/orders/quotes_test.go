package orders_test

import (
	"fmt"
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

// quoteLine is one line of a staff's quote body.
func quoteLine(w *testkit.World, product string, qty int, choices map[string]any, kind string, value float64) map[string]any {
	l := map[string]any{"product": w.ID(product), "quantity": qty}
	if choices != nil {
		l["choices"] = choices
	}
	if kind != "" {
		l["discount_kind"], l["discount_value"] = kind, value
	}
	return l
}

// inDays is the day n days from today where the world's business is (São
// Paulo): the server reads a quote's last day there, not in UTC.
func inDays(n int) string {
	sp, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		panic(err)
	}
	return time.Now().In(sp).AddDate(0, 0, n).Format(time.DateOnly)
}

// sentQuote is a quote for Ana the agent built and sent: the shaped fibre
// at 600 Mb with the router (170) less 10%, and two mugs (25) less 5.00,
// then 10% off the whole.
func sentQuote(t *testing.T, w *testkit.World) map[string]any {
	t.Helper()
	body := map[string]any{"contact": w.ID("ctA"), "valid_until": inDays(10), "note": "As we spoke",
		"lines": []any{quoteLine(w, "prShape", 1, map[string]any{"speed": "s600", "router": true}, crm.DiscountPercent, 10),
			quoteLine(w, "prMug", 2, nil, crm.DiscountAmount, 5)},
		"discount_kind": crm.DiscountPercent, "discount_value": 10}
	res := w.Do(t, http.MethodPost, "/api/crm/quotes", "agent", body)
	if res.Status != http.StatusOK {
		t.Fatalf("new quote: %d %s", res.Status, res.Body)
	}
	var q map[string]any
	res.JSON(t, &q)
	res = w.Do(t, http.MethodPost, "/api/crm/quotes/"+q["id"].(string)+"/send", "agent", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("send: %d %s", res.Status, res.Body)
	}
	res.JSON(t, &q)
	return q
}

// The server prices a quote: each line by the catalogue's price function,
// less its discount, then the whole's; a bad discount names its field; the
// order lines it becomes come to its total to the cent.
func TestQuotePriceWithDiscounts(t *testing.T) {
	w := catalogueWorld(t)
	line := func(product string, qty int, choices map[string]any, kind string, v float64) orders.QuoteLineRequest {
		return orders.QuoteLineRequest{Product: w.ID(product), Quantity: qty, Choices: choices, DiscountKind: kind, DiscountValue: v}
	}
	shaped := map[string]any{"speed": "s600", "router": true} // 100 + 50 + 20
	cases := []struct {
		name                      string
		lines                     []orders.QuoteLineRequest
		kind                      string
		value                     float64
		subtotal, discount, total float64
		field                     string
	}{
		{"no discount", []orders.QuoteLineRequest{line("prShape", 1, shaped, "", 0)}, "", 0, 170, 0, 170, ""},
		{"10% off a line", []orders.QuoteLineRequest{line("prShape", 2, shaped, crm.DiscountPercent, 10)}, "", 0, 306, 0, 306, ""},
		{"5.00 off a line, 10% off the whole", []orders.QuoteLineRequest{line("prShape", 1, shaped, crm.DiscountPercent, 10),
			line("prMug", 2, nil, crm.DiscountAmount, 5)}, crm.DiscountPercent, 10, 173, 17.3, 155.7, ""},
		{"an amount off the whole", []orders.QuoteLineRequest{line("prMug", 3, nil, "", 0)}, crm.DiscountAmount, 0.01, 37.5, 0.01, 37.49, ""},
		{"a third off, to the cent", []orders.QuoteLineRequest{line("prMug", 1, nil, crm.DiscountPercent, 33.333)}, "", 0, 8.33, 0, 8.33, ""},
		{"all of it off", []orders.QuoteLineRequest{line("prMug", 1, nil, "", 0)}, crm.DiscountPercent, 100, 12.5, 12.5, 0, ""},
		{"more than 100%", []orders.QuoteLineRequest{line("prMug", 1, nil, crm.DiscountPercent, 101)}, "", 0, 0, 0, 0, "lines.0.discount_value"},
		{"more than the line", []orders.QuoteLineRequest{line("prMug", 2, nil, crm.DiscountAmount, 25.01)}, "", 0, 0, 0, 0, "lines.0.discount_value"},
		{"a negative amount", []orders.QuoteLineRequest{line("prMug", 1, nil, crm.DiscountAmount, -1)}, "", 0, 0, 0, 0, "lines.0.discount_value"},
		{"a kind we don't know", []orders.QuoteLineRequest{line("prMug", 1, nil, "half", 1)}, "", 0, 0, 0, 0, "lines.0.discount_kind"},
		{"a value without a kind", []orders.QuoteLineRequest{line("prMug", 1, nil, "", 3)}, "", 0, 0, 0, 0, "lines.0.discount_kind"},
		{"more than the whole", []orders.QuoteLineRequest{line("prMug", 1, nil, "", 0)}, crm.DiscountAmount, 12.51, 0, 0, 0, "discount_value"},
		{"an option the product lacks", []orders.QuoteLineRequest{line("prShape", 1, map[string]any{"colour": "red"}, "", 0)}, "", 0, 0, 0, 0, "lines.0.choices.colour"},
		{"a product off sale", []orders.QuoteLineRequest{line("prMug", 1, nil, "", 0), {Product: "nosuchproduct00"}}, "", 0, 0, 0, 0, "lines.1.product"},
	}
	for _, c := range cases {
		q, err := orders.PriceQuote(w.App, c.lines, c.kind, c.value, "en")
		if c.field != "" {
			if err == nil || !strings.Contains(errData(err), `"`+c.field+`"`) {
				t.Errorf("%s: want a refusal naming %s, got %v %s", c.name, c.field, err, errData(err))
			}
			continue
		}
		if err != nil || q.Subtotal != c.subtotal || q.Discount != c.discount || q.Total != c.total {
			t.Errorf("%s: %v subtotal %v discount %v total %v, want %v %v %v", c.name, err, q.Subtotal, q.Discount, q.Total, c.subtotal, c.discount, c.total)
			continue
		}
		var sum int64
		for _, l := range q.OrderLines() {
			sum += int64(l.Quantity*l.UnitPrice*100+0.5) - int64(l.Discount*100+0.5)
			if l.Discount < 0 || l.Discount > l.Quantity*l.UnitPrice {
				t.Errorf("%s: a line's discount %v is out of its price %v", c.name, l.Discount, l.Quantity*l.UnitPrice)
			}
		}
		if sum != int64(c.total*100+0.5) {
			t.Errorf("%s: the order's lines come to %d cents, the quote to %v", c.name, sum, c.total)
		}
	}
}

// A quote may be accepted to the end of its last day where the business
// is, and not after.
func TestQuoteExpiry(t *testing.T) {
	sp, _ := time.LoadLocation("America/Sao_Paulo")
	cases := []struct {
		day  string
		now  time.Time
		gone bool
	}{
		{"2026-03-10", time.Date(2026, 3, 10, 23, 59, 0, 0, sp), false},
		{"2026-03-10", time.Date(2026, 3, 11, 0, 0, 0, 0, sp), true},
		{"2026-03-10", time.Date(2026, 3, 11, 2, 30, 0, 0, time.UTC), false}, // still the 10th in São Paulo
		{"2026-03-10", time.Date(2026, 3, 11, 3, 0, 0, 0, time.UTC), true},
		{"2028-02-29", time.Date(2028, 2, 29, 12, 0, 0, 0, sp), false},
		{"", time.Date(2030, 1, 1, 0, 0, 0, 0, sp), false},
	}
	for _, c := range cases {
		if got := orders.Expired(c.day, sp, c.now); got != c.gone {
			t.Errorf("valid until %q at %v: expired %v, want %v", c.day, c.now, got, c.gone)
		}
	}

	w := catalogueWorld(t)
	q := sentQuote(t, w)
	id := q["id"].(string)
	w.Update(t, w.Find(t, crm.Quotes, id), map[string]any{crm.QuoteValidUntil: inDays(-1)}) // its day passed
	res := w.Do(t, http.MethodPost, "/api/crm/portal/quotes/"+id+"/accept", "cuA", map[string]any{"name": "Ana Souza"})
	if res.Status != http.StatusBadRequest || !contains(res.Body, `"valid_until"`) {
		t.Fatalf("accepting an expired quote: %d %s", res.Status, res.Body)
	}
	if got := w.Find(t, crm.Quotes, id); got.GetString(crm.QuoteState) != crm.QuoteExpired || got.GetString(crm.QuoteOrder) != "" {
		t.Errorf("the expired quote: state %s, order %q", got.GetString(crm.QuoteState), got.GetString(crm.QuoteOrder))
	}
	if n := w.Count(t, crm.Orders, "quote = {:q}", dbx.Params{"q": id}); n != 0 {
		t.Errorf("an expired quote made %d orders", n)
	}

	// The hourly job expires what nobody answered in time.
	other := sentQuote(t, w)
	w.Update(t, w.Find(t, crm.Quotes, other["id"].(string)), map[string]any{crm.QuoteValidUntil: inDays(-2)})
	if err := orders.ExpireQuotes(w.App, time.UTC, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got := w.Find(t, crm.Quotes, other["id"].(string)); got.GetString(crm.QuoteState) != crm.QuoteExpired {
		t.Errorf("the job left a quote past its day %s", got.GetString(crm.QuoteState))
	}
}

// Sending tells the customer through the outbox with the link to the quote;
// accepting records the typed name and what the server saw, and makes the
// order at the quoted prices though the product's price changed since.
func TestQuoteAcceptedBecomesOrderAtQuotedPrices(t *testing.T) {
	w := catalogueWorld(t)
	q := sentQuote(t, w)
	id := q["id"].(string)
	if q["state"] != crm.QuoteSent || q["total"] != 155.7 || !strings.HasPrefix(q["number"].(string), fmt.Sprintf("Q-%d-", time.Now().Year())) {
		t.Fatalf("the sent quote: %v", q)
	}
	if n := w.Count(t, crm.Outbox, "contact = {:c} AND purpose = 'service' AND body LIKE {:link}", dbx.Params{"c": w.ID("ctA"), "link": "%/portal/quotes/" + id + "%"}); n != 1 {
		t.Errorf("the customer was told %d times with the link", n)
	}
	// Ana sees it; Carla, of another company, does not.
	if res := w.Do(t, http.MethodGet, "/api/collections/quotes/records/"+id, "cuA", nil); res.Status != http.StatusOK {
		t.Errorf("Ana reads her quote: %d", res.Status)
	}
	if res := w.Do(t, http.MethodPost, "/api/crm/portal/quotes/"+id+"/accept", "cuC", map[string]any{"name": "Carla Dias"}); res.Status != http.StatusNotFound {
		t.Errorf("Carla accepts Ana's quote: %d %s", res.Status, res.Body)
	}

	w.Update(t, w.R("prShape"), map[string]any{"price": 500})
	w.Update(t, w.R("prMug"), map[string]any{"price": 99})

	res := w.DoWith(t, http.MethodPost, "/api/crm/portal/quotes/"+id+"/accept", "cuA", map[string]any{"name": "  Ana Souza "},
		map[string]string{"User-Agent": "QuoteTest/1.0"})
	if res.Status != http.StatusOK {
		t.Fatalf("accept: %d %s", res.Status, res.Body)
	}
	got := w.Find(t, crm.Quotes, id)
	if got.GetString(crm.QuoteState) != crm.QuoteAccepted || got.GetString(crm.QuoteAcceptedName) != "Ana Souza" ||
		got.GetString(crm.QuoteAcceptedAgent) != "QuoteTest/1.0" || got.GetString(crm.QuoteAcceptedIP) == "" ||
		time.Since(got.GetDateTime(crm.QuoteAcceptedAt).Time()) > time.Hour || got.GetString(crm.QuoteAcceptedBy) != w.ID("cuA") {
		t.Errorf("the record of acceptance: %v", got.FieldsData())
	}
	order := w.Find(t, crm.Orders, got.GetString(crm.QuoteOrder))
	if order.GetFloat("total") != 155.7 || order.GetString(crm.OrderQuote) != id || order.GetString(crm.FieldContact) != w.ID("ctA") {
		t.Errorf("the order: total %v quote %q contact %q", order.GetFloat("total"), order.GetString(crm.OrderQuote), order.GetString(crm.FieldContact))
	}
	var items []orders.PlacedLine
	if err := order.UnmarshalJSONField("items", &items); err != nil || len(items) != 2 || items[0].UnitPrice != 170 || items[1].UnitPrice != 12.5 ||
		items[0].Choices["speed"] != "s600" {
		t.Errorf("the order's lines: %v %+v", err, items)
	}
	for _, event := range []string{orders.EventQuoteSent, orders.EventQuoteAccepted} {
		if n := w.Count(t, crm.Activities, "event = {:e} AND contact = {:c}", dbx.Params{"e": event, "c": w.ID("ctA")}); n != 1 {
			t.Errorf("%d %s entries on the timeline", n, event)
		}
	}
}

// A second accept, at once or later, makes no second order; a decline
// needs its reason, and an answered quote takes no other answer.
func TestQuoteAnsweredOnce(t *testing.T) {
	w := catalogueWorld(t)
	id := sentQuote(t, w)["id"].(string)
	var wg sync.WaitGroup
	statuses := make([]int, 3)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = w.Do(t, http.MethodPost, "/api/crm/portal/quotes/"+id+"/accept", "cuA", map[string]any{"name": "Ana Souza"}).Status
		}()
	}
	wg.Wait()
	ok := 0
	for _, s := range statuses {
		if s == http.StatusOK {
			ok++
		} else if s != http.StatusConflict {
			t.Errorf("a second accept answered %d", s)
		}
	}
	if n := w.Count(t, crm.Orders, "quote = {:q}", dbx.Params{"q": id}); ok != 1 || n != 1 {
		t.Errorf("%d accepts went through, %d orders made", ok, n)
	}
	if res := w.Do(t, http.MethodPost, "/api/crm/portal/quotes/"+id+"/decline", "cuA", map[string]any{"reason": "Changed my mind"}); res.Status != http.StatusConflict || !contains(res.Body, `"state"`) {
		t.Errorf("declining an accepted quote: %d %s", res.Status, res.Body)
	}

	other := sentQuote(t, w)["id"].(string)
	for _, reason := range []any{"", "   ", nil, strings.Repeat("x", 2001)} {
		res := w.Do(t, http.MethodPost, "/api/crm/portal/quotes/"+other+"/decline", "cuA", map[string]any{"reason": reason})
		if res.Status != http.StatusBadRequest || !contains(res.Body, `"reason"`) {
			t.Errorf("declining with reason %q: %d %s", reason, res.Status, res.Body)
		}
	}
	res := w.Do(t, http.MethodPost, "/api/crm/portal/quotes/"+other+"/decline", "cuA", map[string]any{"reason": "Too dear for us now"})
	if got := w.Find(t, crm.Quotes, other); res.Status != http.StatusOK || got.GetString(crm.QuoteState) != crm.QuoteDeclined || got.GetString(crm.QuoteDeclineReason) != "Too dear for us now" {
		t.Fatalf("decline: %d %s", res.Status, res.Body)
	}
	if n := w.Count(t, crm.Activities, "event = {:e} AND ref_id = {:q}", dbx.Params{"e": orders.EventQuoteDeclined, "q": other}); n != 1 {
		t.Errorf("%d declined entries", n)
	}
	if res := w.Do(t, http.MethodPost, "/api/crm/portal/quotes/"+other+"/accept", "cuA", map[string]any{"name": "Ana Souza"}); res.Status != http.StatusConflict {
		t.Errorf("accepting a declined quote: %d %s", res.Status, res.Body)
	}
}

// Bad input is refused naming its field, and changes nothing: a price, a
// state, a number or an acceptance sent by anyone is the server's.
func TestQuoteBadInputNamesTheField(t *testing.T) {
	w := catalogueWorld(t)
	good := func() map[string]any {
		return map[string]any{"contact": w.ID("ctA"), "valid_until": inDays(5), "lines": []any{quoteLine(w, "prMug", 1, nil, "", 0)}}
	}
	with := func(k string, v any) map[string]any { b := good(); b[k] = v; return b }
	withLine := func(k string, v any) map[string]any {
		b := good()
		l := quoteLine(w, "prMug", 1, nil, "", 0)
		l[k] = v
		b["lines"] = []any{l}
		return b
	}
	cases := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"a total", with("total", 1), "total"},
		{"a state", with("state", "accepted"), "state"},
		{"a number", with("number", "Q-2000-0001"), "number"},
		{"a line's price", withLine("unit_price", 0.01), "lines.0.unit_price"},
		{"no customer", with("contact", ""), "contact"},
		{"another's company", with("company", w.ID("coC")), "company"},
		{"a day gone", with("valid_until", inDays(-1)), "valid_until"},
		{"not a day", with("valid_until", "next week"), "valid_until"},
		{"a quantity in words", withLine("quantity", "two"), "lines.0.quantity"},
		{"lines not a list", with("lines", "mug"), "lines"},
		{"a note too long", with("note", strings.Repeat("n", 5001)), "note"},
	}
	before := w.Count(t, crm.Quotes, "")
	for _, c := range cases {
		res := w.Do(t, http.MethodPost, "/api/crm/quotes", "agent", c.body)
		if res.Status != http.StatusBadRequest || !contains(res.Body, `"`+c.field+`"`) {
			t.Errorf("%s: %d %s, want 400 naming %s", c.name, res.Status, res.Body, c.field)
		}
	}
	if n := w.Count(t, crm.Quotes, ""); n != before {
		t.Errorf("refused quotes were saved: %d -> %d", before, n)
	}
	if res := w.Do(t, http.MethodPost, "/api/crm/quotes", "readonly", good()); res.Status != http.StatusForbidden {
		t.Errorf("readonly makes a quote: %d", res.Status)
	}

	id := sentQuote(t, w)["id"].(string)
	if res := w.Do(t, http.MethodPut, "/api/crm/quotes/"+id, "agent", good()); res.Status != http.StatusBadRequest || !contains(res.Body, `"state"`) {
		t.Errorf("editing a sent quote: %d %s", res.Status, res.Body)
	}
	for k, v := range map[string]any{"accepted_at": "2020-01-01 00:00:00Z", "total": 1, "state": "accepted", "accepted_ip": "10.0.0.1"} {
		res := w.Do(t, http.MethodPost, "/api/crm/portal/quotes/"+id+"/accept", "cuA", map[string]any{"name": "Ana Souza", k: v})
		if res.Status != http.StatusBadRequest || !contains(res.Body, `"`+k+`"`) {
			t.Errorf("accepting with %s: %d %s", k, res.Status, res.Body)
		}
	}
	for _, name := range []any{"", "  ", 42} {
		if res := w.Do(t, http.MethodPost, "/api/crm/portal/quotes/"+id+"/accept", "cuA", map[string]any{"name": name}); res.Status != http.StatusBadRequest || !contains(res.Body, `"name"`) {
			t.Errorf("accepting with name %v: %d %s", name, res.Status, res.Body)
		}
	}
	if got := w.Find(t, crm.Quotes, id); got.GetString(crm.QuoteState) != crm.QuoteSent || got.GetString(crm.QuoteAcceptedIP) != "" {
		t.Errorf("a refused accept changed the quote: %v", got.FieldsData())
	}
	// An order's link to a quote is the server's.
	res := w.Do(t, http.MethodPost, "/api/collections/orders/records", "agent", map[string]any{"contact": w.ID("ctA"), "currency": "BRL",
		"items": []any{map[string]any{"name": "Mug", "quantity": 1, "unit_price": 1}}, "quote": id})
	if res.Status != http.StatusBadRequest || !contains(res.Body, `"quote"`) {
		t.Errorf("an order naming a quote: %d %s", res.Status, res.Body)
	}
}

// A draft is edited and priced again on each save; the editor's price route
// saves nothing; a withdrawn quote takes no answer.
func TestQuoteDraftEditAndWithdraw(t *testing.T) {
	w := catalogueWorld(t)
	body := map[string]any{"contact": w.ID("ctB"), "company": w.ID("coA"), "lines": []any{quoteLine(w, "prMug", 2, nil, "", 0)}}
	res := w.Do(t, http.MethodPost, "/api/crm/quotes/price", "agent", body)
	var priced orders.QuotePrice
	res.JSON(t, &priced)
	if res.Status != http.StatusOK || priced.Total != 25 || w.Count(t, crm.Quotes, "") != 0 {
		t.Fatalf("price: %d %s", res.Status, res.Body)
	}
	res = w.Do(t, http.MethodPost, "/api/crm/quotes", "agent", body)
	var q map[string]any
	res.JSON(t, &q)
	id := q["id"].(string)
	// Ana, a member of the company, never sees a draft nor the company's quote.
	for _, who := range []string{"cuA", "cuB"} {
		if res := w.Do(t, http.MethodGet, "/api/collections/quotes/records/"+id, who, nil); res.Status != http.StatusNotFound {
			t.Errorf("%s reads a draft: %d", who, res.Status)
		}
	}
	if res := w.Do(t, http.MethodPost, "/api/crm/quotes/"+id+"/send", "agent", nil); res.Status != http.StatusBadRequest || !contains(res.Body, `"valid_until"`) {
		t.Errorf("sending without a validity: %d %s", res.Status, res.Body)
	}
	body["valid_until"] = inDays(3)
	body["lines"] = []any{quoteLine(w, "prMug", 4, nil, crm.DiscountAmount, 10)}
	if res := w.Do(t, http.MethodPut, "/api/crm/quotes/"+id, "agent", body); res.Status != http.StatusOK || !contains(res.Body, `"total":40`) {
		t.Fatalf("edit: %d %s", res.Status, res.Body)
	}
	if res := w.Do(t, http.MethodPost, "/api/crm/quotes/"+id+"/send", "agent", nil); res.Status != http.StatusOK {
		t.Fatalf("send: %d %s", res.Status, res.Body)
	}
	// Bruno, the company's admin, sees it; Ana, a member, does not.
	if res := w.Do(t, http.MethodGet, "/api/collections/quotes/records/"+id, "cuB", nil); res.Status != http.StatusOK {
		t.Errorf("the company's admin reads its quote: %d", res.Status)
	}
	if res := w.Do(t, http.MethodGet, "/api/collections/quotes/records/"+id, "cuA", nil); res.Status != http.StatusNotFound {
		t.Errorf("a member reads the company's quote: %d", res.Status)
	}
	if res := w.Do(t, http.MethodPost, "/api/crm/quotes/"+id+"/withdraw", "agent", nil); res.Status != http.StatusOK {
		t.Fatalf("withdraw: %d %s", res.Status, res.Body)
	}
	if res := w.Do(t, http.MethodPost, "/api/crm/portal/quotes/"+id+"/accept", "cuB", map[string]any{"name": "Bruno Alves"}); res.Status != http.StatusConflict {
		t.Errorf("accepting a withdrawn quote: %d %s", res.Status, res.Body)
	}
}
