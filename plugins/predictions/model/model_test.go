package model

import (
	"math"
	"testing"
	"time"
)

// The CDNOW estimates published in the paper (Fader, Hardie & Lee 2005).
var cdnow = BGNBD{R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426}

// The Gamma-Gamma estimates published for the CDNOW sample.
var cdnowSpend = GammaGamma{P: 6.25, Q: 3.74, Gamma: 15.44}

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.IsNaN(got) || math.Abs(got-want) > tol {
		t.Errorf("%s = %.6f, want %.6f (±%g)", what, got, want, tol)
	}
}

// The log-likelihood of three customers against values computed by hand
// from the paper's equation 6 in product form (A1·A2·(A3+A4), with Γ rather
// than its logarithm), with the published CDNOW estimates.
func TestLogLikelihoodByHand(t *testing.T) {
	for _, c := range []struct {
		x     int
		tx, T float64
		want  float64
	}{
		{0, 0, 38.86, -0.5547132764381584},
		{1, 1.71, 38.86, -4.469093275032589},
		{4, 30.43, 38.86, -15.31778096141916},
	} {
		near(t, "LL", cdnow.LogLikelihood(c.x, c.tx, c.T), c.want, 1e-9)
	}
}

// The conditional expectation and P(alive) against the value the paper's
// authors give for a customer with x=2, tx=30.43, T=38.86 over the next 39
// weeks (1.226), summed here by the hypergeometric series by hand.
func TestExpectedAndPAlive(t *testing.T) {
	near(t, "E[Y(39)]", cdnow.Expected(2, 30.43, 38.86, 39), 1.226028174767135, 1e-6)
	near(t, "P(alive)", cdnow.PAlive(2, 30.43, 38.86), 0.726578570080673, 1e-9)
	near(t, "P(alive) without repeat", cdnow.PAlive(0, 0, 20), 1, 0)
	if e30, e90 := cdnow.Expected(2, 30.43, 38.86, 30.0/7), cdnow.Expected(2, 30.43, 38.86, 90.0/7); !(0 < e30 && e30 < e90) {
		t.Errorf("expected purchases grow with time: 30 days %v, 90 days %v", e30, e90)
	}
	w, ok := cdnow.WeeksToNext(2, 30.43, 38.86, 52)
	if !ok || math.Abs(cdnow.Expected(2, 30.43, 38.86, w)-1) > 0.01 {
		t.Errorf("the next purchase in %v weeks (%v): one purchase expected by then, got %v", w, ok, cdnow.Expected(2, 30.43, 38.86, w))
	}
	if _, ok := cdnow.WeeksToNext(1, 1, 38.86, 52); ok {
		t.Error("a customer who bought once more long ago is not expected to buy within a year")
	}
}

// within checks an estimate against the parameter it should recover: the
// distance must be under 3 standard errors (a correct fit misses that by
// chance 0.3% of the time per parameter), and the standard error must be
// small enough (under maxRel of the value) for the check to mean something.
func within(t *testing.T, name string, got, se, want, maxRel float64) {
	t.Helper()
	if math.IsNaN(se) || se <= 0 || se > maxRel*want {
		t.Errorf("%s: standard error %.4f too large to judge the recovery of %.3f", name, se, want)
		return
	}
	if d := math.Abs(got - want); d > 3*se {
		t.Errorf("%s = %.4f, want %.3f: %.1f standard errors (%.4f) away", name, got, want, d/se, se)
	}
}

func simulated(n int, seed uint64) []History {
	return Histories(Simulate(Simulation{Customers: n, BGNBD: cdnow, Spend: cdnowSpend,
		Start: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), JoinWeeks: 12, Weeks: 78, Seed: seed}))
}

// Histories drawn from known BG/NBD and Gamma-Gamma parameters: the fits
// recover them.
func TestRecoversParameters(t *testing.T) {
	hs := simulated(6000, 7)
	end := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 78*7)
	s := Summarise(hs, end)
	m, est, err := FitBGNBD(s)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("BG/NBD r %.3f±%.3f α %.3f±%.3f a %.3f±%.3f b %.3f±%.3f (LL %.1f, %d evaluations)",
		m.R, est.StdErr[0], m.Alpha, est.StdErr[1], m.A, est.StdErr[2], m.B, est.StdErr[3], est.LogLikelihood, est.Evaluations)
	if !est.Converged {
		t.Error("the optimiser did not settle")
	}
	within(t, "r", m.R, est.StdErr[0], cdnow.R, 0.2)
	within(t, "alpha", m.Alpha, est.StdErr[1], cdnow.Alpha, 0.2)
	within(t, "a", m.A, est.StdErr[2], cdnow.A, 0.5)
	within(t, "b", m.B, est.StdErr[3], cdnow.B, 0.5)
	// The maximum is a maximum: the true parameters are less likely.
	llTrue := 0.0
	for _, c := range s {
		llTrue += cdnow.LogLikelihood(c.X, c.Tx, c.T)
	}
	if llTrue > est.LogLikelihood {
		t.Errorf("the true parameters' LL %.2f beats the fit's %.2f", llTrue, est.LogLikelihood)
	}

	g, gest, corr, refused := FitGammaGamma(s)
	if refused != nil {
		t.Fatalf("spend model refused: %s", refused.Reason)
	}
	t.Logf("Gamma-Gamma p %.3f±%.3f q %.3f±%.3f γ %.3f±%.3f (r=%.3f)", g.P, gest.StdErr[0], g.Q, gest.StdErr[1], g.Gamma, gest.StdErr[2], corr)
	within(t, "p", g.P, gest.StdErr[0], cdnowSpend.P, 0.3)
	within(t, "q", g.Q, gest.StdErr[1], cdnowSpend.Q, 0.3)
	within(t, "gamma", g.Gamma, gest.StdErr[2], cdnowSpend.Gamma, 0.5)
	// The population's mean spend per purchase, better determined than the
	// parameters, within 10% of the true one.
	near(t, "mean spend", g.Spend(0, 0), cdnowSpend.Spend(0, 0), 0.1*cdnowSpend.Spend(0, 0))
}

func TestSpendModelRefused(t *testing.T) {
	var few []Summary
	for i := range 10 {
		few = append(few, Summary{X: 1 + i%3, Mean: 20})
	}
	if _, _, _, r := FitGammaGamma(few); r == nil || r.Code != RefuseFewRepeat || r.Value != 10 {
		t.Errorf("ten repeat buyers: want refused as too few, got %+v", r)
	}
	var linked []Summary
	for i := range 100 {
		x := 1 + i%8
		linked = append(linked, Summary{X: x, Mean: 10*float64(x) + float64(i%5)})
	}
	_, _, corr, r := FitGammaGamma(linked)
	if r == nil || r.Code != RefuseCorrelated || corr < 0.9 {
		t.Errorf("spend rising with frequency: want refused as correlated, got %+v (r=%.2f)", r, corr)
	}
}

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// A customer's orders on one day are one occasion; x, tx and T in weeks
// from the first.
func TestOccasions(t *testing.T) {
	hs := Histories([]Purchase{
		{Customer: "a", Day: day("2025-01-15"), Amount: 30, Products: []string{"tea"}},
		{Customer: "a", Day: day("2025-01-01"), Amount: 10, Products: []string{"tea"}},
		{Customer: "a", Day: day("2025-01-01"), Amount: 5, Products: []string{"cups"}},
		{Customer: "a", Day: day("2025-02-12"), Amount: 20},
		{Customer: "b", Day: day("2025-03-01"), Amount: 7},
	})
	if len(hs) != 2 || len(hs[0].Occasions) != 3 {
		t.Fatalf("want 2 customers, a with 3 occasions: %+v", hs)
	}
	if o := hs[0].Occasions[0]; o.Amount != 15 || len(o.Products) != 2 {
		t.Errorf("the first day's two orders make one occasion of 15 with 2 products: %+v", o)
	}
	s := Summarise(hs, day("2025-02-26"))
	if len(s) != 1 {
		t.Fatalf("b's first purchase is after the end: %+v", s)
	}
	a := s[0]
	if a.X != 2 || a.Tx != 6 || a.T != 8 || a.Total != 65 || a.Mean != 25 {
		t.Errorf("a: x 2, tx 6 weeks, T 8 weeks, total 65, repeat mean 25; got %+v", a)
	}
	if n := Count(hs[0], day("2025-01-01"), day("2025-02-12")); n != 2 {
		t.Errorf("occasions after 1 Jan up to 12 Feb: 2, got %d", n)
	}
}
