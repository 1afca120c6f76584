package model

import (
	"testing"
	"time"
)

// Every (R, F, M) falls in one documented class.
func TestClassMapping(t *testing.T) {
	for _, c := range []struct {
		r, f, m int
		want    string
	}{
		{5, 5, 1, ClassChampions}, {4, 4, 5, ClassChampions},
		{3, 5, 5, ClassLoyal}, {5, 3, 1, ClassLoyal},
		{5, 1, 5, ClassNew}, {4, 1, 1, ClassNew},
		{3, 1, 1, ClassPotential}, {5, 2, 3, ClassPotential},
		{2, 5, 4, ClassCannotLose}, {1, 4, 5, ClassCannotLose},
		{2, 5, 3, ClassAtRisk}, {1, 3, 5, ClassAtRisk},
		{2, 2, 5, ClassHibernating}, {2, 1, 1, ClassHibernating},
		{1, 2, 5, ClassLost}, {1, 1, 1, ClassLost},
	} {
		if got := Class(c.r, c.f, c.m); got != c.want {
			t.Errorf("R%d F%d M%d: %s, want %s", c.r, c.f, c.m, got, c.want)
		}
	}
	seen := map[string]bool{}
	for r := 1; r <= 5; r++ {
		for f := 1; f <= 5; f++ {
			for m := 1; m <= 5; m++ {
				seen[Class(r, f, m)] = true
			}
		}
	}
	if len(seen) != len(Classes) {
		t.Errorf("every class is reachable: %v", seen)
	}
}

// Ten hand-made customers, scored as of 1 July 2025: their fifths and classes.
func TestRFMOnHandMadeSet(t *testing.T) {
	asOf := day("2025-07-01")
	mk := func(id string, lastDaysAgo, occasions int, total float64) Summary {
		last := asOf.AddDate(0, 0, -lastDaysAgo)
		return Summary{Customer: id, X: occasions - 1, Last: last, First: last.AddDate(0, 0, -30*occasions), Total: total}
	}
	s := []Summary{
		mk("ana", 2, 12, 900),  // recent, often, much
		mk("bia", 5, 9, 700),   // recent, often
		mk("caio", 40, 6, 300), // middling
		mk("davi", 1, 1, 50),   // one purchase yesterday
		mk("edu", 10, 2, 80),   // recent, twice
		mk("fabi", 200, 10, 800),
		mk("gil", 150, 5, 200),
		mk("hugo", 120, 2, 60),
		mk("iris", 400, 1, 20),
		mk("jo", 365, 2, 40),
	}
	got := ScoreRFM(s, asOf)
	want := map[string]RFM{
		// recency ranks (days ago, fewer better): davi1 ana2 bia5 edu10 caio40 hugo120 gil150 fabi200 jo365 iris400
		// R = 1+⌊5·(strictly worse)/10⌋: iris 0→1, jo 1→1, fabi 2→2, gil 3→2, hugo 4→3, caio 5→3, edu 6→4, bia 7→4, ana 8→5, davi 9→5
		// F occasions: davi1 iris1 → 1; edu2 hugo2 jo2 (2 below) → 2; gil5 (5 below) → 3; caio6 → 4; bia9 → 4; fabi10 → 5; ana12 → 5
		// M totals: iris20 jo40 davi50 hugo60 edu80 gil200 caio300 bia700 fabi800 ana900
		"ana":  {5, 5, 5, ClassChampions},
		"bia":  {4, 4, 4, ClassChampions},
		"caio": {3, 4, 4, ClassLoyal},
		"davi": {5, 1, 2, ClassNew},
		"edu":  {4, 2, 3, ClassPotential},
		"fabi": {2, 5, 5, ClassCannotLose},
		"gil":  {2, 3, 3, ClassAtRisk},
		"hugo": {3, 2, 2, ClassPotential},
		"iris": {1, 1, 1, ClassLost},
		"jo":   {1, 2, 1, ClassLost},
	}
	for i, c := range s {
		if got[i] != want[c.Customer] {
			t.Errorf("%s: %+v, want %+v", c.Customer, got[i], want[c.Customer])
		}
	}
	_ = time.UTC
}
