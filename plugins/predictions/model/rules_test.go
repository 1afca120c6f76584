package model

import (
	"math"
	"testing"
)

// Ten hand-made baskets: bread and butter together in 4, bread in 6,
// butter in 5, jam in 3 (always with bread).
func TestRulesOnHandMadeBaskets(t *testing.T) {
	baskets := [][]string{
		{"bread", "butter"}, {"bread", "butter", "jam"}, {"bread", "butter"}, {"bread", "butter", "milk"},
		{"bread", "jam"}, {"bread", "jam"}, {"butter"}, {"milk"}, {"milk", "eggs"}, {"eggs"},
	}
	var hs []History
	for i, b := range baskets {
		hs = append(hs, History{Customer: string(rune('a' + i)), Occasions: []Occasion{{Day: day("2025-01-01"), Products: b}}})
	}
	rules := Rules(hs, 0.2, 0.5, 0)
	got := map[[2]string]Rule{}
	for _, r := range rules {
		got[[2]string{r.If, r.Then}] = r
	}
	check := func(ifp, then string, sup, conf, lift float64) {
		t.Helper()
		r, ok := got[[2]string{ifp, then}]
		if !ok {
			t.Errorf("%s → %s missing from %+v", ifp, then, rules)
			return
		}
		if math.Abs(r.Support-sup) > 1e-12 || math.Abs(r.Confidence-conf) > 1e-12 || math.Abs(r.Lift-lift) > 1e-12 {
			t.Errorf("%s → %s: %+v, want support %v confidence %v lift %v", ifp, then, r, sup, conf, lift)
		}
	}
	check("butter", "bread", 0.4, 0.8, 0.8/0.6)      // 4 of butter's 5; bread in 6 of 10
	check("bread", "butter", 0.4, 4.0/6, 4.0/6/0.5)  // 4 of bread's 6; butter in 5 of 10
	check("jam", "bread", 0.3, 1, 1/0.6)             // every jam with bread
	if _, ok := got[[2]string{"bread", "jam"}]; ok { // 3/6 = 0.5 passes; kept
	} else {
		t.Error("bread → jam has confidence 0.5, the minimum: kept")
	}
	if _, ok := got[[2]string{"milk", "eggs"}]; ok {
		t.Error("milk and eggs together once (support 0.1) is under the minimum support")
	}
	if rules[0].If != "jam" || rules[0].Then != "bread" {
		t.Errorf("highest lift first: %+v", rules[0])
	}
	if n := len(Rules(hs, 0.2, 0.5, 2)); n != 2 {
		t.Errorf("limit 2 keeps 2, got %d", n)
	}
}

func TestCycles(t *testing.T) {
	h := History{Customer: "a", Occasions: []Occasion{
		{Day: day("2025-01-01"), Products: []string{"coffee"}},
		{Day: day("2025-01-29"), Products: []string{"coffee", "filter"}},
		{Day: day("2025-02-28"), Products: []string{"coffee"}},
		{Day: day("2025-03-26"), Products: []string{"coffee", "filter"}},
	}}
	cs := Cycles(h)
	if len(cs) != 1 {
		t.Fatalf("coffee on 4 occasions makes a cycle, filter on 2 does not: %+v", cs)
	}
	// gaps 28, 30, 26: median 28
	if c := cs[0]; c.Product != "coffee" || c.Days != 28 || c.Times != 4 || c.Last != "2025-03-26" || c.Next != "2025-04-23" {
		t.Errorf("coffee every 28 days, next 23 April: %+v", c)
	}
}
