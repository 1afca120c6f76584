package insights_test

import (
	"net/http"
	"testing"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/business"
	"vinculo/plugins/insights"
	"vinculo/testkit"
)

// Amounts convert at the manager's rate; without one they stay apart.
func TestConvertAndApart(t *testing.T) {
	q := insights.Query{Currency: "BRL", Business: crm.Business{Rates: map[string]float64{"USD": 5.25}}}
	for _, c := range []struct {
		amount   float64
		currency string
		want     float64
		ok       bool
	}{
		{100, "BRL", 100, true},
		{100, "", 100, true}, // no currency: the business's
		{100, "usd", 525, true},
		{100, "EUR", 0, false},
	} {
		got, ok := q.Convert(c.amount, c.currency)
		if got != c.want || ok != c.ok {
			t.Errorf("%v %s: %v %v, want %v %v", c.amount, c.currency, got, ok, c.want, c.ok)
		}
	}
	s := q.NewSum()
	s.Add(1000, "BRL", 2)
	s.Add(10, "USD", 1)
	s.Add(30, "EUR", 1)
	s.Add(20.005, "EUR", 1)
	if s.Total != 1000+10*5.25 || s.N != 3 || s.Skipped != 2 || s.ApartRounded()["EUR"] != 50.01 {
		t.Errorf("sum %+v", s)
	}
	// A business without a currency counts in BRL.
	if v, ok := (insights.Query{}).Convert(7, "BRL"); !ok || v != 7 {
		t.Errorf("default currency: %v %v", v, ok)
	}
}

// The currency and the rates are the business's settings: the
// configuration gives the first currency, a manager changes both, a bad
// rate is refused naming the field, and the boards follow at once.
func TestCurrencySettings(t *testing.T) {
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All), testkit.Served(), testkit.Configure(func(c *crm.Config) { c.Business.Currency = "USD" }))
	w.Business(t)
	row, err := business.Row(w.App)
	if err != nil {
		t.Fatal(err)
	}
	if row.GetString(crm.BusinessCurrency) != "USD" || w.Cfg.BusinessNow().Currency != "USD" {
		t.Fatalf("seeded currency %q", row.GetString(crm.BusinessCurrency))
	}
	path := "/api/collections/" + crm.BusinessSettings + "/records/" + row.Id
	for _, bad := range []map[string]any{
		{crm.BusinessRates: map[string]any{"usd": 5}},
		{crm.BusinessRates: map[string]any{"EUR": -1}},
		{crm.BusinessRates: map[string]any{"EUR": "five"}},
		{crm.BusinessRates: []any{5}},
	} {
		res := w.Do(t, http.MethodPatch, path, "manager", bad)
		var body struct{ Data map[string]any }
		res.JSON(t, &body)
		if res.Status != http.StatusBadRequest || body.Data[crm.BusinessRates] == nil {
			t.Errorf("%v: %d %s", bad, res.Status, res.Body)
		}
	}
	if res := w.Do(t, http.MethodPatch, path, "manager", map[string]any{crm.BusinessCurrency: "brl"}); res.Status != http.StatusBadRequest {
		t.Errorf("lower-case currency: %d", res.Status)
	}
	if res := w.Do(t, http.MethodPatch, path, "agent", map[string]any{crm.BusinessCurrency: "EUR"}); res.Status == http.StatusOK {
		t.Errorf("an agent changed the currency")
	}
	res := w.Do(t, http.MethodPatch, path, "manager", map[string]any{crm.BusinessCurrency: "EUR", crm.BusinessRates: map[string]any{"BRL": 0.2}})
	if res.Status != http.StatusOK {
		t.Fatalf("save: %d %s", res.Status, res.Body)
	}
	if b := w.Cfg.BusinessNow(); b.Currency != "EUR" || b.Rates["BRL"] != 0.2 {
		t.Errorf("live: %q %v", b.Currency, b.Rates)
	}
	var board struct{ Currency string }
	w.Do(t, http.MethodGet, "/api/crm/insights/sales", "agent", nil).JSON(t, &board)
	if board.Currency != "EUR" {
		t.Errorf("board currency %q", board.Currency)
	}
}
