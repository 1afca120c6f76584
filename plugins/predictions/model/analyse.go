package model

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Options of a fit.
type Options struct {
	AsOf          time.Time // the last day of the data: T is counted to it
	DiscountRate  float64   // yearly, for the CLV (0.1 for 10%)
	MinSupport    float64   // products bought together: the least share of occasions with both
	MinConfidence float64   // and the least share of the first's occasions that have the second
	Rules         int       // at most this many rules kept
}

// DefaultOptions are the ones the nightly fit uses, with the day and rate given.
func DefaultOptions(asOf time.Time, discount float64) Options {
	return Options{AsOf: asOf, DiscountRate: discount, MinSupport: 0.01, MinConfidence: 0.2, Rules: 50}
}

// Data describes what a fit was made on.
type Data struct {
	Customers    int     `json:"customers"`
	Occasions    int     `json:"occasions"`
	RepeatBuyers int     `json:"repeat_buyers"`
	First        string  `json:"first"` // the first purchase's day
	Last         string  `json:"last"`
	AsOf         string  `json:"as_of"`
	MeanSpend    float64 `json:"mean_spend"` // per occasion
	// The fit's check on its own data: the repeat purchases the fitted model
	// expects of customers observed as long as they were, against those made.
	ExpectedRepeat float64 `json:"expected_repeat"`
	ActualRepeat   float64 `json:"actual_repeat"`
}

// Score is what the model says of one customer.
type Score struct {
	Customer  string
	Purchases int       // occasions
	Last      time.Time // the last occasion's day
	Total     float64   // spend over every occasion
	RFM
	PAlive         float64
	E30, E90, E365 float64
	Next           time.Time // zero: not expected within a year
	Spend, CLV     float64   // NaN when the spend model was refused
	Cycles         []Cycle
}

// Result is a whole fit: the data, both models (or why not), the rules
// and every customer's score.
type Result struct {
	Data        Data        `json:"data"`
	BGNBD       *BGNBD      `json:"bgnbd,omitempty"`
	BGFit       Estimate    `json:"bgnbd_fit"`
	BGError     string      `json:"bgnbd_error,omitempty"`
	Spend       *GammaGamma `json:"spend,omitempty"`
	SpendFit    Estimate    `json:"spend_fit"`
	Correlation float64     `json:"correlation"` // between repeat purchases and mean spend
	Refusal     *Refusal    `json:"spend_refusal,omitempty"`
	Rules       []Rule      `json:"rules"`
	Scores      []Score     `json:"-"`
}

// Analyse fits the models on the histories as of opts.AsOf and scores every
// customer. Without enough data for the BG/NBD it still gives RFM, rules
// and cycles, and says why in BGError.
func Analyse(hs []History, opts Options) Result {
	c := NewCensus(opts)
	for _, h := range hs {
		c.Add(h)
	}
	res := c.Fit()
	sc := c.Scorer(res)
	res.Scores = make([]Score, 0, c.Customers())
	for _, h := range hs {
		if s, ok := sc.Score(h); ok {
			res.Scores = append(res.Scores, s)
		}
	}
	return res
}

func describe(s []Summary, asOf time.Time) Data {
	d := Data{Customers: len(s), AsOf: asOf.Format(time.DateOnly)}
	var spend float64
	for i, c := range s {
		d.Occasions += c.X + 1
		d.ActualRepeat += float64(c.X)
		spend += c.Total
		if c.X > 0 {
			d.RepeatBuyers++
		}
		if i == 0 || c.First.Before(parse(d.First)) {
			d.First = c.First.Format(time.DateOnly)
		}
		if i == 0 || c.Last.After(parse(d.Last)) {
			d.Last = c.Last.Format(time.DateOnly)
		}
	}
	if d.Occasions > 0 {
		d.MeanSpend = spend / float64(d.Occasions)
	}
	return d
}

func parse(day string) time.Time {
	t, _ := time.Parse(time.DateOnly, day)
	return t
}

// forecast is the BG/NBD's part of a score, the same for every customer
// with the same history in days.
type forecast struct {
	pAlive, e30, e90, e365, next float64
	hasNext                      bool
	clvPerSpend                  float64
}

func cellKey(c Summary) [3]int {
	return [3]int{c.X, int(math.Round(c.Tx * 7)), int(math.Round(c.T * 7))}
}

// parallel runs f(0..n-1) on every core.
func parallel(n int, f func(i int)) {
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
}

func forecastOf(m BGNBD, c Summary, discount float64) forecast {
	f := forecast{
		pAlive: m.PAlive(c.X, c.Tx, c.T),
		e30:    m.Expected(c.X, c.Tx, c.T, 30.0/7),
		e90:    m.Expected(c.X, c.Tx, c.T, 90.0/7),
		e365:   m.Expected(c.X, c.Tx, c.T, 365.0/7),
	}
	f.next, f.hasNext = m.WeeksToNext(c.X, c.Tx, c.T, 365.0/7)
	f.clvPerSpend = CLV(m, c.X, c.Tx, c.T, 1, discount, 12)
	return f
}
