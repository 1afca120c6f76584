package insights

import (
	"math"
	"strings"
)

// Money figures are in the business's currency. An amount in another
// currency is converted at the rate the manager keeps in Settings > Business
// (Rates["USD"] = 5.2: one USD is worth 5.2 of the business's currency); an
// amount in a currency without a rate is kept apart, by currency, and never
// summed in. An amount with no currency at all is in the business's.

// Convert gives amount, in currency, in q's business currency; ok is false
// when the currency has no rate (the amount belongs apart).
func (q Query) Convert(amount float64, currency string) (converted float64, ok bool) {
	currency = strings.ToUpper(strings.TrimSpace(currency))
	if currency == "" || currency == q.Currency || q.Currency == "" && currency == DefaultCurrency {
		return amount, true
	}
	rate, ok := q.Business.Rates[currency]
	if !ok || rate <= 0 {
		return 0, false
	}
	return amount * rate, true
}

// Sum adds amounts in any currency: those that convert into Total (N of
// them), the others into Apart by currency (Skipped of them).
type Sum struct {
	q       Query
	Total   float64
	N       int
	Apart   map[string]float64
	Skipped int
}

// NewSum starts a sum in q's business currency.
func (q Query) NewSum() *Sum { return &Sum{q: q} }

// Add adds n amounts totalling amount in currency (SQL's SUM per currency);
// it says whether they converted.
func (s *Sum) Add(amount float64, currency string, n int) bool {
	if v, ok := s.q.Convert(amount, currency); ok {
		s.Total += v
		s.N += n
		return true
	}
	if s.Apart == nil {
		s.Apart = map[string]float64{}
	}
	s.Apart[strings.ToUpper(strings.TrimSpace(currency))] += amount
	s.Skipped += n
	return false
}

// Round2 rounds money and rates to the cent, so that sums read the same in
// every language and in the tests' arithmetic.
func Round2(v float64) float64 { return math.Round(v*100) / 100 }

// ApartRounded returns the amounts apart rounded, or nil when there are none.
func (s *Sum) ApartRounded() map[string]float64 {
	if len(s.Apart) == 0 {
		return nil
	}
	out := make(map[string]float64, len(s.Apart))
	for c, v := range s.Apart {
		out[c] = Round2(v)
	}
	return out
}
