package model

import (
	"fmt"
	"math"
)

// GammaGamma holds the spend model's parameters (Fader, Hardie & Lee 2005,
// "RFM and CLV"): the spend of one purchase is Gamma(P, ν) around a
// customer's own mean, and ν is Gamma(Q, Gamma) across customers; the mean
// spend across customers is P·Gamma/(Q-1).
type GammaGamma struct {
	P     float64 `json:"p"`
	Q     float64 `json:"q"`
	Gamma float64 `json:"gamma"`
}

// LogLikelihood is the log of the likelihood of a customer's mean spend m
// over x repeat purchases:
//
//	L = Γ(px+q) / (Γ(px)Γ(q)) · γ^q · m^(px-1) · x^(px) / (γ+mx)^(px+q)
func (g GammaGamma) LogLikelihood(x int, m float64) float64 {
	px := g.P * float64(x)
	return lgamma(px+g.Q) - lgamma(px) - lgamma(g.Q) + g.Q*math.Log(g.Gamma) +
		(px-1)*math.Log(m) + px*math.Log(float64(x)) - (px+g.Q)*math.Log(g.Gamma+m*float64(x))
}

// Spend is a customer's expected spend per purchase: a weighted mean of the
// population's mean and their own, p(γ + x·m)/(px + q - 1). Without repeat
// purchases it is the population's mean.
func (g GammaGamma) Spend(x int, m float64) float64 {
	if x == 0 {
		return g.P * g.Gamma / (g.Q - 1)
	}
	fx := float64(x)
	return g.P * (g.Gamma + fx*m) / (g.P*fx + g.Q - 1)
}

// Refusal says why the spend model was not fitted, or not used.
type Refusal struct {
	Code   string  `json:"code"`   // RefuseFewRepeat, RefuseCorrelated, RefuseNoMean, RefuseFailed
	Reason string  `json:"reason"` // in English, for the command line and the logs (the UI words the code)
	Value  float64 `json:"value"`  // the figure behind it: repeat buyers, the correlation, q
	Limit  float64 `json:"limit"`  // the threshold it crossed
}

// Why the spend model is refused.
const (
	RefuseFewRepeat  = "too_few_repeat_buyers"
	RefuseCorrelated = "spend_follows_frequency"
	RefuseNoMean     = "no_finite_mean"
	RefuseFailed     = "fit_failed"
)

// Limits of the spend model: the fewest repeat buyers it is fitted on, and
// the largest correlation between how often customers buy and how much
// they spend each time it accepts (the model assumes none).
const (
	MinRepeatBuyers = 30
	MaxCorrelation  = 0.3
)

// FitGammaGamma fits the spend model on the customers with repeat
// purchases and a positive mean spend, or refuses (with the figure behind
// the refusal) when there are too few of them or when spend and frequency
// go together beyond MaxCorrelation. corr is that correlation.
func FitGammaGamma(s []Summary) (g GammaGamma, est Estimate, corr float64, refused *Refusal) {
	var xs []int
	var ms []float64
	for _, c := range s {
		if c.X > 0 && c.Mean > 0 {
			xs = append(xs, c.X)
			ms = append(ms, c.Mean)
		}
	}
	if len(xs) < MinRepeatBuyers {
		return g, est, 0, &Refusal{Code: RefuseFewRepeat, Value: float64(len(xs)), Limit: MinRepeatBuyers,
			Reason: fmt.Sprintf("only %d customers bought more than once (at least %d are needed)", len(xs), MinRepeatBuyers)}
	}
	corr = pearson(xs, ms)
	if math.Abs(corr) > MaxCorrelation {
		return g, est, corr, &Refusal{Code: RefuseCorrelated, Value: corr, Limit: MaxCorrelation,
			Reason: fmt.Sprintf("how often customers buy and how much they spend each time are correlated (r = %.2f, beyond ±%.1f): the spend model assumes they are not", corr, MaxCorrelation)}
	}
	spends := newSpendSet(xs, ms)
	ll := func(p []float64) float64 {
		return spends.sumLogLikelihood(GammaGamma{P: p[0], Q: p[1], Gamma: p[2]})
	}
	est, err := maximise(ll, []float64{1, 1, 1})
	if err != nil {
		return g, est, corr, &Refusal{Code: RefuseFailed, Reason: "the spend model could not be fitted: " + err.Error()}
	}
	g = GammaGamma{P: est.Params[0], Q: est.Params[1], Gamma: est.Params[2]}
	if g.Q <= 1 {
		return g, est, corr, &Refusal{Code: RefuseNoMean, Value: g.Q, Limit: 1,
			Reason: fmt.Sprintf("the fitted q is %.2f: spend per purchase has no finite mean below q = 1", g.Q)}
	}
	return g, est, corr, nil
}

// spendSet is the repeat buyers' (x, m) with log m worked out once: the
// likelihood's parts that depend on x alone are computed once per
// evaluation for each x (the same arithmetic in the same order as
// LogLikelihood, so the same sum).
type spendSet struct {
	xs   []int
	ms   []float64
	logM []float64
	maxX int
}

func newSpendSet(xs []int, ms []float64) spendSet {
	s := spendSet{xs: xs, ms: ms, logM: make([]float64, len(ms))}
	for i, m := range ms {
		s.logM[i] = math.Log(m)
		s.maxX = max(s.maxX, xs[i])
	}
	return s
}

// sumLogLikelihood is Σ LogLikelihood(x, m) over the repeat buyers, in order.
func (s spendSet) sumLogLikelihood(g GammaGamma) float64 {
	n := s.maxX + 1
	pre, pxs, pxLogX := make([]float64, n), make([]float64, n), make([]float64, n)
	lgQ, qLogG := lgamma(g.Q), g.Q*math.Log(g.Gamma)
	for x := 1; x < n; x++ {
		px := g.P * float64(x)
		pre[x], pxs[x], pxLogX[x] = lgamma(px+g.Q)-lgamma(px)-lgQ+qLogG, px, px*math.Log(float64(x))
	}
	sum := 0.0
	for i, x := range s.xs {
		px, m := pxs[x], s.ms[i]
		sum += pre[x] + (px-1)*s.logM[i] + pxLogX[x] - (px+g.Q)*math.Log(g.Gamma+m*float64(x))
	}
	return sum
}

// pearson is the correlation between x and y.
func pearson(x []int, y []float64) float64 {
	n := float64(len(x))
	var sx, sy float64
	for i := range x {
		sx += float64(x[i])
		sy += y[i]
	}
	mx, my := sx/n, sy/n
	var cov, vx, vy float64
	for i := range x {
		dx, dy := float64(x[i])-mx, y[i]-my
		cov += dx * dy
		vx += dx * dx
		vy += dy * dy
	}
	if vx == 0 || vy == 0 {
		return 0
	}
	return cov / math.Sqrt(vx*vy)
}

// CLV is the value of a customer's purchases over the next months,
// discounted month by month at the yearly rate: the sum over each month i
// of the purchases expected in that month times the spend per purchase,
// divided by (1+d)^i with d = (1+yearly)^(1/12) - 1.
func CLV(m BGNBD, x int, tx, T, spend, yearly float64, months int) float64 {
	d := math.Pow(1+yearly, 1.0/12) - 1
	const monthWeeks = 365.25 / 12 / 7
	total, before := 0.0, 0.0
	for i := 1; i <= months; i++ {
		now := m.Expected(x, tx, T, float64(i)*monthWeeks)
		total += (now - before) * spend / math.Pow(1+d, float64(i))
		before = now
	}
	return total
}
