package model

import (
	"errors"
	"math"

	"gonum.org/v1/gonum/mathext"
)

// BGNBD holds the BG/NBD model's parameters (Fader, Hardie & Lee 2005),
// time in weeks: while active a customer buys at a rate λ that is
// Gamma(R, Alpha) across customers (mean R/Alpha purchases a week); after
// each purchase they become inactive with a probability p that is
// Beta(A, B) across customers (mean A/(A+B)).
type BGNBD struct {
	R     float64 `json:"r"`
	Alpha float64 `json:"alpha"`
	A     float64 `json:"a"`
	B     float64 `json:"b"`
}

// LogLikelihood is the log of the likelihood of one customer's x repeat
// purchases, the last tx weeks after the first, seen for T weeks
// (equation 6 of the paper):
//
//	L = A1·A2·(A3 + δ(x>0)·A4)
//	A1 = Γ(r+x)α^r / Γ(r)           A2 = Γ(a+b)Γ(b+x) / (Γ(b)Γ(a+b+x))
//	A3 = (α+T)^-(r+x)               A4 = a/(b+x-1) · (α+tx)^-(r+x)
func (m BGNBD) LogLikelihood(x int, tx, T float64) float64 {
	r, al, a, b := m.R, m.Alpha, m.A, m.B
	fx := float64(x)
	lnA1 := lgamma(r+fx) - lgamma(r) + r*math.Log(al)
	lnA2 := lgamma(a+b) + lgamma(b+fx) - lgamma(b) - lgamma(a+b+fx)
	lnA3 := -(r + fx) * math.Log(al+T)
	if x == 0 {
		return lnA1 + lnA2 + lnA3
	}
	lnA4 := math.Log(a) - math.Log(b+fx-1) - (r+fx)*math.Log(al+tx)
	return lnA1 + lnA2 + logSumExp(lnA3, lnA4)
}

// PAlive is the probability that a customer with this history is still
// active at T (equation 11): 1 / (1 + δ(x>0)·a/(b+x-1)·((α+T)/(α+tx))^(r+x)).
func (m BGNBD) PAlive(x int, tx, T float64) float64 {
	if x == 0 {
		return 1
	}
	fx := float64(x)
	ln := math.Log(m.A) - math.Log(m.B+fx-1) + (m.R+fx)*(math.Log(m.Alpha+T)-math.Log(m.Alpha+tx))
	return 1 / (1 + math.Exp(ln))
}

// Expected is the number of purchases the customer is expected to make in
// the next t weeks (equation 10):
//
//	E[Y(t)] = (a+b+x-1)/(a-1) · [1 - ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x; a+b+x-1; t/(α+T+t))]
//	          / (1 + δ(x>0)·a/(b+x-1)·((α+T)/(α+tx))^(r+x))
//
// with Gauss's hypergeometric function from gonum. Where the series cannot
// be summed in floating point (very frequent buyers far ahead) the answer
// is kept within its bounds: at least 0, at most P(alive) times what the
// customer's rate would give with no drop-out, (r+x)/(α+T)·t.
func (m BGNBD) Expected(x int, tx, T, t float64) float64 {
	if t <= 0 {
		return 0
	}
	r, al, a, b := m.R, m.Alpha, m.A, m.B
	fx := float64(x)
	pAlive := m.PAlive(x, tx, T)
	upper := pAlive * (r + fx) / (al + T) * t
	z := t / (al + T + t)
	h := mathext.Hypergeo(r+fx, b+fx, a+b+fx-1, z)
	inner := 1 - math.Exp((r+fx)*math.Log((al+T)/(al+T+t)))*h
	e := (a + b + fx - 1) / (a - 1) * inner * pAlive
	if math.IsNaN(e) || math.IsInf(e, 0) || e > upper {
		return upper
	}
	return math.Max(e, 0)
}

// ExpectedNew is how many repeat purchases a customer is expected to have
// made t weeks after their first (equation 9, without a history):
// (a+b-1)/(a-1) · [1 - (α/(α+t))^r · 2F1(r, b; a+b-1; t/(α+t))].
func (m BGNBD) ExpectedNew(t float64) float64 {
	r, al, a, b := m.R, m.Alpha, m.A, m.B
	h := mathext.Hypergeo(r, b, a+b-1, t/(al+t))
	e := (a + b - 1) / (a - 1) * (1 - math.Exp(r*math.Log(al/(al+t)))*h)
	if math.IsNaN(e) || math.IsInf(e, 0) || e < 0 {
		return r / al * t
	}
	return e
}

// WeeksToNext is how many weeks from T until the customer is expected to
// have bought once more (the t where Expected reaches 1), found by
// bisection within limit weeks; false when not expected within the limit.
func (m BGNBD) WeeksToNext(x int, tx, T, limit float64) (float64, bool) {
	if m.Expected(x, tx, T, limit) < 1 {
		return 0, false
	}
	lo, hi := 0.0, limit
	for hi-lo > 1.0/7 { // to the day
		mid := (lo + hi) / 2
		if m.Expected(x, tx, T, mid) < 1 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi, true
}

// cell is one distinct (x, tx, T) with how many customers share it: the
// fit sums over these, many fewer than the customers. ix, itx and iT place
// its x, tx and T in the cell set's lists of distinct values.
type cell struct {
	x     int
	tx, T float64
	n     float64

	itx, iT int32
}

// cellSet is the distinct histories, and the distinct tx and T they hold:
// the likelihood's parts that depend on x, tx or T alone are worked out
// once per evaluation for each distinct value, not once per cell (the
// same arithmetic in the same order as LogLikelihood, so the same sum).
type cellSet struct {
	cells   []cell
	maxX    int
	txs, Ts []float64
}

func cellsOf(s []Summary) cellSet {
	type key struct{ x, tx, T int }
	idx := map[key]int{}
	txIdx, tIdx := map[float64]int32{}, map[float64]int32{}
	var out cellSet
	for _, c := range s {
		k := key{c.X, int(math.Round(c.Tx * 7)), int(math.Round(c.T * 7))}
		if i, ok := idx[k]; ok {
			out.cells[i].n++
			continue
		}
		idx[k] = len(out.cells)
		itx, ok := txIdx[c.Tx]
		if !ok {
			itx = int32(len(out.txs))
			txIdx[c.Tx] = itx
			out.txs = append(out.txs, c.Tx)
		}
		iT, ok := tIdx[c.T]
		if !ok {
			iT = int32(len(out.Ts))
			tIdx[c.T] = iT
			out.Ts = append(out.Ts, c.T)
		}
		out.maxX = max(out.maxX, c.X)
		out.cells = append(out.cells, cell{x: c.X, tx: c.Tx, T: c.T, n: 1, itx: itx, iT: iT})
	}
	return out
}

// sumLogLikelihood is Σ n·LogLikelihood(x, tx, T) over the cells, in their
// order, with the parts shared by many cells computed once.
func (cs cellSet) sumLogLikelihood(m BGNBD) float64 {
	r, al, a, b := m.R, m.Alpha, m.A, m.B
	n := cs.maxX + 1
	s12, c4, rx := make([]float64, n), make([]float64, n), make([]float64, n)
	lgR, logAl, lgAB, lgB, logA := lgamma(r), math.Log(al), lgamma(a+b), lgamma(b), math.Log(a)
	for x := range n {
		fx := float64(x)
		lnA1 := lgamma(r+fx) - lgR + r*logAl
		lnA2 := lgAB + lgamma(b+fx) - lgB - lgamma(a+b+fx)
		s12[x], rx[x] = lnA1+lnA2, r+fx
		if x > 0 {
			c4[x] = logA - math.Log(b+fx-1)
		}
	}
	logT, logTx := make([]float64, len(cs.Ts)), make([]float64, len(cs.txs))
	for i, T := range cs.Ts {
		logT[i] = math.Log(al + T)
	}
	for i, tx := range cs.txs {
		logTx[i] = math.Log(al + tx)
	}
	sum := 0.0
	for _, c := range cs.cells {
		lnA3 := -rx[c.x] * logT[c.iT]
		if c.x == 0 {
			sum += c.n * (s12[0] + lnA3)
			continue
		}
		lnA4 := c4[c.x] - rx[c.x]*logTx[c.itx]
		sum += c.n * (s12[c.x] + logSumExp(lnA3, lnA4))
	}
	return sum
}

// ErrTooFewCustomers is returned when there is too little history to fit.
var ErrTooFewCustomers = errors.New("too few customers or no repeat purchase to fit the model on")

// FitBGNBD finds the BG/NBD parameters that maximise the likelihood of the
// customers' histories.
func FitBGNBD(s []Summary) (BGNBD, Estimate, error) {
	cs := cellsOf(s)
	repeat := 0
	for _, c := range s {
		if c.X > 0 {
			repeat++
		}
	}
	if len(s) < MinCustomers || repeat == 0 {
		return BGNBD{}, Estimate{}, ErrTooFewCustomers
	}
	ll := func(p []float64) float64 {
		return cs.sumLogLikelihood(BGNBD{R: p[0], Alpha: p[1], A: p[2], B: p[3]})
	}
	est, err := maximise(ll, []float64{1, 1, 1, 1})
	if err != nil {
		return BGNBD{}, est, err
	}
	p := est.Params
	return BGNBD{R: p[0], Alpha: p[1], A: p[2], B: p[3]}, est, nil
}

// MinCustomers is the fewest customers the BG/NBD is fitted on.
const MinCustomers = 20

func lgamma(x float64) float64 {
	v, _ := math.Lgamma(x)
	return v
}

func logSumExp(a, b float64) float64 {
	m := math.Max(a, b)
	return m + math.Log(math.Exp(a-m)+math.Exp(b-m))
}
