package model

import (
	"math"
	"slices"
	"sort"
	"time"
)

// The nightly fit at scale reads the purchases ordered by customer and
// folds each customer's history into small summaries as it goes, so that
// what it holds grows with the customers (a few numbers each), never with
// the orders. Two passes over the purchases:
//
//  1. a Census: each customer's summary at the fit's day (x, t_x, T, spend)
//     and the products bought together counted from each occasion; then
//     both models are fitted on the summaries (Census.Fit);
//  2. a Scorer: each customer's score (RFM, the forecasts, their own
//     cycles) as their history comes by again, written as it comes; and a
//     Holdout: each customer's calibration summary and holdout purchases,
//     for the evaluation.
//
// Analyse and Evaluate, which take every history in memory, are the same
// passes over a slice, so both ways give the same figures.

// HistoryOf groups one customer's purchases (in any order) into occasions,
// oldest first: their orders on the same day are one occasion, their
// amounts added in the order given, their products joined.
func HistoryOf(customer string, ps []Purchase) History {
	ps = slices.Clone(ps)
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Day.Before(ps[j].Day) })
	h := History{Customer: customer}
	for _, p := range ps {
		n := len(h.Occasions)
		if n > 0 && sameDay(h.Occasions[n-1].Day, p.Day) {
			o := &h.Occasions[n-1]
			o.Amount += p.Amount
			for _, pr := range p.Products {
				if !slices.Contains(o.Products, pr) {
					o.Products = append(o.Products, pr)
				}
			}
			continue
		}
		h.Occasions = append(h.Occasions, Occasion{Day: p.Day, Amount: p.Amount, Products: slices.Clone(p.Products)})
	}
	return h
}

// cut is h without its occasions after the day end.
func cut(h History, end time.Time) History {
	n := 0
	for n < len(h.Occasions) && !h.Occasions[n].Day.After(end) {
		n++
	}
	return History{Customer: h.Customer, Occasions: h.Occasions[:n]}
}

// pairCount counts, over baskets, each product's occasions and each pair's.
type pairCount struct {
	item    map[string]int
	pair    map[[2]string]int
	baskets int
}

func newPairCount() *pairCount {
	return &pairCount{item: map[string]int{}, pair: map[[2]string]int{}}
}

func (c *pairCount) add(h History) {
	for _, o := range h.Occasions {
		ps := basket(o.Products)
		if len(ps) == 0 {
			continue
		}
		c.baskets++
		for i, a := range ps {
			c.item[a]++
			for _, b := range ps[i+1:] {
				c.pair[[2]string{a, b}]++
			}
		}
	}
}

// Census is the first pass: every customer's summary at opts.AsOf and the
// products bought together, one customer's history at a time.
type Census struct {
	opts      Options
	summaries []Summary
	pairs     *pairCount
	sorted    bool
	latest    time.Time
}

// NewCensus starts a first pass for a fit with opts.
func NewCensus(opts Options) *Census {
	return &Census{opts: opts, pairs: newPairCount(), sorted: true}
}

// Add folds one customer's history in; their occasions after opts.AsOf
// are left out (and the customer, when they had not bought by then).
func (c *Census) Add(h History) {
	if n := len(h.Occasions); n > 0 && h.Occasions[n-1].Day.After(c.latest) {
		c.latest = h.Occasions[n-1].Day
	}
	h = cut(h, c.opts.AsOf)
	s, ok := summarise(h, c.opts.AsOf)
	if !ok {
		return
	}
	if n := len(c.summaries); n > 0 && c.summaries[n-1].Customer >= h.Customer {
		c.sorted = false
	}
	c.summaries = append(c.summaries, s)
	c.pairs.add(h)
}

// Customers is how many customers the census holds.
func (c *Census) Customers() int { return len(c.summaries) }

// Latest is the last occasion's day of every history added, after
// opts.AsOf too (zero when none).
func (c *Census) Latest() time.Time { return c.latest }

// Summaries are the customers' summaries at opts.AsOf, in the order added.
func (c *Census) Summaries() []Summary { return c.summaries }

// Fit fits both models on the census: the data, the models (or why not)
// and the rules; the scores come from Scorer.
func (c *Census) Fit() Result {
	s, opts := c.summaries, c.opts
	res := Result{Data: describe(s, opts.AsOf)}
	res.Rules = c.pairs.rules(opts.MinSupport, opts.MinConfidence, opts.Rules)
	if m, est, err := FitBGNBD(s); err != nil {
		res.BGError = err.Error()
	} else {
		res.BGNBD, res.BGFit = &m, est
		for _, c := range s {
			res.Data.ExpectedRepeat += m.ExpectedNew(c.T)
		}
		if g, gest, corr, refused := FitGammaGamma(s); refused != nil {
			res.Refusal, res.Correlation = refused, corr
		} else {
			res.Spend, res.SpendFit, res.Correlation = &g, gest, corr
		}
	}
	return res
}

// Scorer is the second pass: each customer's score from the census, the
// fit and their history as it comes by again.
type Scorer struct {
	census    *Census
	res       Result
	rfm       []RFM
	forecasts map[[3]int]*forecast
	index     map[string]int // when the census's customers did not come sorted
}

// Scorer readies the scores of the census's customers under the fit res:
// their RFM, and the BG/NBD's forecasts once per distinct history.
func (c *Census) Scorer(res Result) *Scorer {
	sc := &Scorer{census: c, res: res, rfm: ScoreRFM(c.summaries, c.opts.AsOf), forecasts: map[[3]int]*forecast{}}
	if res.BGNBD != nil {
		var todo []Summary
		for _, s := range c.summaries {
			k := cellKey(s)
			if _, ok := sc.forecasts[k]; !ok {
				sc.forecasts[k] = &forecast{}
				todo = append(todo, s)
			}
		}
		parallel(len(todo), func(i int) {
			*sc.forecasts[cellKey(todo[i])] = forecastOf(*res.BGNBD, todo[i], c.opts.DiscountRate)
		})
	}
	if !c.sorted {
		sc.index = make(map[string]int, len(c.summaries))
		for i, s := range c.summaries {
			sc.index[s.Customer] = i
		}
	}
	return sc
}

// Len is how many customers the scorer scores.
func (sc *Scorer) Len() int { return len(sc.census.summaries) }

// At is the score of the census's i-th customer, without their cycles
// (which need their history).
func (sc *Scorer) At(i int) Score {
	c, res := sc.census.summaries[i], sc.res
	out := Score{Customer: c.Customer, Purchases: c.X + 1, Last: c.Last, Total: c.Total, RFM: sc.rfm[i], Spend: math.NaN(), CLV: math.NaN(), PAlive: math.NaN(),
		E30: math.NaN(), E90: math.NaN(), E365: math.NaN()}
	if f, ok := sc.forecasts[cellKey(c)]; ok {
		out.PAlive, out.E30, out.E90, out.E365 = f.pAlive, f.e30, f.e90, f.e365
		if f.hasNext {
			out.Next = sc.census.opts.AsOf.AddDate(0, 0, int(math.Ceil(f.next*7)))
		}
		if res.Spend != nil {
			out.Spend = res.Spend.Spend(c.X, c.Mean)
			out.CLV = out.Spend * f.clvPerSpend
		}
	}
	return out
}

// Score is the customer's whole score, their cycles from h included; false
// for a customer the census did not hold (none bought by opts.AsOf).
func (sc *Scorer) Score(h History) (Score, bool) {
	i, ok := sc.find(h.Customer)
	if !ok {
		return Score{}, false
	}
	out := sc.At(i)
	out.Cycles = Cycles(cut(h, sc.census.opts.AsOf))
	return out, true
}

func (sc *Scorer) find(customer string) (int, bool) {
	if sc.index != nil {
		i, ok := sc.index[customer]
		return i, ok
	}
	s := sc.census.summaries
	i := sort.Search(len(s), func(i int) bool { return s[i].Customer >= customer })
	return i, i < len(s) && s[i].Customer == customer
}

// Holdout gathers, one customer's history at a time, what the evaluation
// reads: each customer's summary at the calibration's end, in whole days
// (x, t_x, T: a few bytes), and their purchases in the holdout.
type Holdout struct {
	calEnd, holdEnd time.Time
	rows            []holdRow
}

type holdRow struct{ x, txDays, tDays, actual int32 }

// NewHoldout starts gathering for an evaluation split at calEnd, held out
// up to holdEnd.
func NewHoldout(calEnd, holdEnd time.Time) *Holdout {
	return &Holdout{calEnd: calEnd, holdEnd: holdEnd}
}

// Add folds one customer's history in (left out when they had not bought
// by the calibration's end).
func (e *Holdout) Add(h History) {
	s, ok := summarise(h, e.calEnd)
	if !ok {
		return
	}
	e.rows = append(e.rows, holdRow{x: int32(s.X), txDays: int32(days(s.First, s.Last)), tDays: int32(days(s.First, e.calEnd)),
		actual: int32(Count(h, e.calEnd, e.holdEnd))})
}

// Evaluate fits the BG/NBD on the calibration summaries and compares its
// predictions for the holdout with what happened.
func (e *Holdout) Evaluate() (Evaluation, error) {
	calEnd, holdEnd := e.calEnd, e.holdEnd
	ev := Evaluation{CalibrationEnd: calEnd.Format(time.DateOnly), HoldoutEnd: holdEnd.Format(time.DateOnly)}
	if !holdEnd.After(calEnd) {
		return ev, errHoldout(ev)
	}
	cal := make([]Summary, len(e.rows))
	for i, r := range e.rows {
		cal[i] = Summary{X: int(r.x), Tx: float64(r.txDays) / 7, T: float64(r.tDays) / 7}
	}
	m, est, err := FitBGNBD(cal)
	if err != nil {
		return ev, err
	}
	t := weeks(calEnd, holdEnd)
	rows := make([]Row, len(cal))
	cache := map[[3]int]float64{}
	for i, s := range cal {
		k := [3]int{s.X, int(math.Round(s.Tx * 7)), int(math.Round(s.T * 7))}
		v, ok := cache[k]
		if !ok {
			v = m.Expected(s.X, s.Tx, s.T, t)
			cache[k] = v
		}
		rows[i] = Row{X: s.X, Actual: float64(e.rows[i].actual), Model: v, Naive: Naive(s, t)}
	}
	ev = Compare(rows)
	ev.CalibrationEnd, ev.HoldoutEnd, ev.HoldoutWeeks = calEnd.Format(time.DateOnly), holdEnd.Format(time.DateOnly), t
	ev.Params, ev.Fit = m, est
	return ev, nil
}
