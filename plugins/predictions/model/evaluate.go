package model

import (
	"fmt"
	"math"
	"time"
)

// Evaluation compares, over a holdout period the model did not see, the
// purchases each customer made with what the model fitted on the
// calibration period predicted, and with the naive forecast that each
// customer keeps buying at their calibration rate (repeat purchases per
// week since their first: x/T).
type Evaluation struct {
	CalibrationEnd string   `json:"calibration_end"` // YYYY-MM-DD, the last day the fit saw
	HoldoutEnd     string   `json:"holdout_end"`
	HoldoutWeeks   float64  `json:"holdout_weeks"`
	Customers      int      `json:"customers"` // customers who had bought by the calibration's end
	Actual         float64  `json:"actual"`    // purchases in the holdout, all customers
	Model          float64  `json:"model"`     // predicted by the model
	Naive          float64  `json:"naive"`     // predicted by the naive forecast
	ModelMAE       float64  `json:"model_mae"` // mean over customers of |predicted - actual|
	NaiveMAE       float64  `json:"naive_mae"`
	ByFrequency    []Bucket `json:"by_frequency"` // by repeat purchases in the calibration
	Params         BGNBD    `json:"params"`       // fitted on the calibration period
	Fit            Estimate `json:"fit"`
}

// Bucket is the mean actual and predicted holdout purchases of the
// customers with a number of calibration repeat purchases ("7+" for seven
// and more).
type Bucket struct {
	Repeat    string  `json:"repeat"`
	Customers int     `json:"customers"`
	Actual    float64 `json:"actual"`
	Model     float64 `json:"model"`
	Naive     float64 `json:"naive"`
}

// Row is one customer in the holdout: calibration repeat purchases, and
// actual, model and naive holdout purchases.
type Row struct {
	X                    int
	Actual, Model, Naive float64
}

// Naive is the naive forecast for t weeks: the calibration rate x/T kept
// (nothing for a customer seen on their first day only).
func Naive(s Summary, t float64) float64 {
	if s.T <= 0 {
		return 0
	}
	return float64(s.X) / s.T * t
}

// Evaluate fits the BG/NBD on the occasions up to calEnd and compares its
// predictions for the days after it up to holdEnd with what happened.
func Evaluate(hs []History, calEnd, holdEnd time.Time) (Evaluation, error) {
	e := NewHoldout(calEnd, holdEnd)
	for _, h := range hs {
		e.Add(h)
	}
	return e.Evaluate()
}

func errHoldout(ev Evaluation) error {
	return fmt.Errorf("the holdout ends %s, not after the calibration's end %s", ev.HoldoutEnd, ev.CalibrationEnd)
}

// Compare adds up the rows: totals, mean absolute errors and the buckets
// by calibration repeat purchases.
func Compare(rows []Row) Evaluation {
	ev := Evaluation{Customers: len(rows)}
	const top = 7
	sums := make([]Bucket, top+1)
	for i := range sums {
		sums[i].Repeat = fmt.Sprint(i)
	}
	sums[top].Repeat = fmt.Sprintf("%d+", top)
	for _, r := range rows {
		ev.Actual += r.Actual
		ev.Model += r.Model
		ev.Naive += r.Naive
		ev.ModelMAE += math.Abs(r.Model - r.Actual)
		ev.NaiveMAE += math.Abs(r.Naive - r.Actual)
		b := &sums[min(r.X, top)]
		b.Customers++
		b.Actual += r.Actual
		b.Model += r.Model
		b.Naive += r.Naive
	}
	if len(rows) > 0 {
		ev.ModelMAE /= float64(len(rows))
		ev.NaiveMAE /= float64(len(rows))
	}
	for _, b := range sums {
		if b.Customers == 0 {
			continue
		}
		n := float64(b.Customers)
		b.Actual, b.Model, b.Naive = b.Actual/n, b.Model/n, b.Naive/n
		ev.ByFrequency = append(ev.ByFrequency, b)
	}
	return ev
}
