package model

import (
	"math"
	"reflect"
	"sort"
	"testing"
	"time"
)

// streamed feeds purchases to f one customer at a time, as the fit's
// reader does: ordered by customer, each customer's purchases in the order
// given (the same-day amounts are added in that order either way).
func streamed(ps []Purchase, f func(History)) {
	by := map[string][]Purchase{}
	var ids []string
	for _, p := range ps {
		if _, ok := by[p.Customer]; !ok {
			ids = append(ids, p.Customer)
		}
		by[p.Customer] = append(by[p.Customer], p)
	}
	sort.Strings(ids)
	for _, id := range ids {
		f(HistoryOf(id, by[id]))
	}
}

// The streamed passes hold per customer what the in-memory functions
// compute from every history at once, to the last bit: the summaries at
// the fit's day, the products bought together, the calibration summaries
// and holdout counts, and so the fitted models, the scores and the
// evaluation.
func TestStreamedSummariesEqualInMemory(t *testing.T) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	ps := Simulate(Simulation{Customers: 3000, BGNBD: BGNBD{R: 0.9, Alpha: 4.6, A: 0.5, B: 7}, Spend: cdnowSpend,
		Start: start, JoinWeeks: 52, Weeks: 104, Products: 30, Seed: 11})
	// Same-day orders (their amounts add up into one occasion), and a
	// customer who bought only after the fit's day.
	ps = append(ps, Purchase{Customer: ps[0].Customer, Day: ps[0].Day, Amount: 12.5, Products: []string{"SKU-EXTRA"}},
		Purchase{Customer: "zz-late", Day: start.AddDate(0, 0, 104*7+3), Amount: 10})
	asOf, calEnd := start.AddDate(0, 0, 90*7), start.AddDate(0, 0, 60*7)
	opts := DefaultOptions(asOf, 0.1)

	hs := Histories(ps)
	census, hold := NewCensus(opts), NewHoldout(calEnd, asOf)
	streamed(ps, func(h History) { census.Add(h); hold.Add(h) })

	want := Summarise(Until(hs, asOf), asOf)
	if !reflect.DeepEqual(census.Summaries(), want) {
		t.Fatalf("streamed summaries differ from the in-memory ones (%d against %d customers)", len(census.Summaries()), len(want))
	}
	if got, want := census.Latest(), hs[len(hs)-1].Occasions[0].Day; !got.Equal(want) {
		t.Errorf("latest day %s, want the late customer's %s", got, want)
	}
	res := census.Fit()
	if res.BGNBD == nil || res.Spend == nil {
		t.Fatalf("the models were not fitted: %s %+v", res.BGError, res.Refusal)
	}
	if got, want := res.Rules, Rules(Until(hs, asOf), opts.MinSupport, opts.MinConfidence, opts.Rules); len(want) == 0 || !reflect.DeepEqual(got, want) {
		t.Errorf("rules from the streamed baskets: %v, want %v", got, want)
	}
	// The models fitted on the in-memory summaries, by the functions the
	// fit always used.
	m, est, err := FitBGNBD(want)
	if err != nil || *res.BGNBD != m || !reflect.DeepEqual(res.BGFit, est) {
		t.Errorf("BG/NBD streamed %+v, in memory %+v (%v)", *res.BGNBD, m, err)
	}
	g, _, _, _ := FitGammaGamma(want)
	if *res.Spend != g {
		t.Errorf("Gamma-Gamma streamed %+v, in memory %+v", *res.Spend, g)
	}
	// Scores, customer by customer.
	sc := census.Scorer(res)
	rfm := ScoreRFM(want, asOf)
	var scores []Score
	streamed(ps, func(h History) {
		if s, ok := sc.Score(h); ok {
			scores = append(scores, s)
		}
	})
	if len(scores) != len(want) {
		t.Fatalf("%d scores, want %d", len(scores), len(want))
	}
	byID := map[string]History{}
	for _, h := range hs {
		byID[h.Customer] = h
	}
	for i, s := range scores {
		c := want[i]
		if s.Customer != c.Customer || s.RFM != rfm[i] || s.Total != c.Total || s.Purchases != c.X+1 ||
			s.PAlive != m.PAlive(c.X, c.Tx, c.T) || s.E90 != m.Expected(c.X, c.Tx, c.T, 90.0/7) ||
			s.Spend != g.Spend(c.X, c.Mean) || !reflect.DeepEqual(s.Cycles, Cycles(Until([]History{byID[c.Customer]}, asOf)[0])) {
			t.Fatalf("score %d (%s) differs from the in-memory one: %+v", i, c.Customer, s)
		}
	}
	if !reflect.DeepEqual(scores, Analyse(hs, opts).Scores) {
		t.Error("the streamed scores differ from Analyse's")
	}
	// The evaluation's rows: the calibration summaries and holdout counts.
	cal := Summarise(hs, calEnd)
	if len(hold.rows) != len(cal) {
		t.Fatalf("%d holdout rows, want %d", len(hold.rows), len(cal))
	}
	for i, c := range cal {
		r := hold.rows[i]
		if int(r.x) != c.X || float64(r.txDays)/7 != c.Tx || float64(r.tDays)/7 != c.T ||
			int(r.actual) != Count(byID[c.Customer], calEnd, asOf) {
			t.Fatalf("holdout row %d: %+v, want %+v", i, r, c)
		}
	}
	ev, err := hold.Evaluate()
	if err != nil || ev.Customers != len(cal) || ev.ModelMAE <= 0 {
		t.Fatalf("evaluation: %+v %v", ev, err)
	}
}

// The fits sum the likelihood with the parts shared by many customers
// worked out once: the sums equal, to the last bit, those of the
// per-customer likelihoods the hand-computed test checks.
func TestSharedPartsLeaveTheLikelihoodUnchanged(t *testing.T) {
	s := Summarise(simulated(2000, 5), time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 78*7))
	cs := cellsOf(s)
	var xs []int
	var ms []float64
	for _, c := range s {
		if c.X > 0 && c.Mean > 0 {
			xs, ms = append(xs, c.X), append(ms, c.Mean)
		}
	}
	spends := newSpendSet(xs, ms)
	for _, m := range []BGNBD{cdnow, {R: 1.7, Alpha: 0.3, A: 2.2, B: 0.9}, {R: 0.05, Alpha: 30, A: 0.01, B: 40}} {
		want := 0.0
		for _, c := range cs.cells {
			want += c.n * m.LogLikelihood(c.x, c.tx, c.T)
		}
		if got := cs.sumLogLikelihood(m); got != want || math.IsNaN(got) {
			t.Errorf("BG/NBD %+v: %v, per customer %v", m, got, want)
		}
	}
	for _, g := range []GammaGamma{cdnowSpend, {P: 0.5, Q: 1.2, Gamma: 3}, {P: 20, Q: 9, Gamma: 200}} {
		want := 0.0
		for i, x := range xs {
			want += g.LogLikelihood(x, ms[i])
		}
		if got := spends.sumLogLikelihood(g); got != want || math.IsNaN(got) {
			t.Errorf("Gamma-Gamma %+v: %v, per customer %v", g, got, want)
		}
	}
}
