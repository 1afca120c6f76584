package model

import (
	"sort"
	"time"
)

// RFM classes (customer_scores.rfm_class): names the UI words.
const (
	ClassChampions   = "champions"
	ClassLoyal       = "loyal"
	ClassPotential   = "potential"
	ClassNew         = "new"
	ClassAtRisk      = "at_risk"
	ClassCannotLose  = "cannot_lose"
	ClassHibernating = "hibernating"
	ClassLost        = "lost"
)

// Classes lists every RFM class, best first.
var Classes = []string{ClassChampions, ClassLoyal, ClassPotential, ClassNew, ClassAtRisk, ClassCannotLose, ClassHibernating, ClassLost}

// RFM is a customer's recency, frequency and monetary scores, 1 (lowest
// fifth of the customers) to 5 (highest), and their class.
type RFM struct {
	R, F, M int
	Class   string
}

// Class maps R and F scores (and M for the big spenders who stopped
// coming) to a class; every pair falls in exactly one:
//
//	champions    R 4-5, F 4-5         bought lately and often
//	loyal        R 3-5, F 3-5         (the rest of) bought lately enough and often
//	new          R 4-5, F 1           one recent purchase
//	potential    R 3-5, F 1-2         (the rest of) recent, not yet often
//	cannot lose  R 1-2, F 4-5, M 4-5  bought often and much, not lately
//	at risk      R 1-2, F 3-5         (the rest of) bought often, not lately
//	hibernating  R 2,   F 1-2         seldom and not lately
//	lost         R 1,   F 1-2         seldom and long ago
func Class(r, f, m int) string {
	switch {
	case r >= 4 && f >= 4:
		return ClassChampions
	case r >= 3 && f >= 3:
		return ClassLoyal
	case r >= 4 && f == 1:
		return ClassNew
	case r >= 3:
		return ClassPotential
	case f >= 4 && m >= 4:
		return ClassCannotLose
	case f >= 3:
		return ClassAtRisk
	case r == 2:
		return ClassHibernating
	default:
		return ClassLost
	}
}

// ScoreRFM scores each customer at the day asOf: recency is the days since
// their last purchase (fewer is better), frequency their purchase
// occasions, monetary their total spend. A score is the customer's fifth
// among all: 1 + ⌊5·(customers strictly worse)/n⌋, so customers with the
// same value share a score and the worst value always scores 1.
func ScoreRFM(s []Summary, asOf time.Time) []RFM {
	n := len(s)
	rec, freq, mon := make([]float64, n), make([]float64, n), make([]float64, n)
	for i, c := range s {
		rec[i] = -float64(days(c.Last, asOf))
		freq[i] = float64(c.X + 1)
		mon[i] = c.Total
	}
	r, f, m := quintiles(rec), quintiles(freq), quintiles(mon)
	out := make([]RFM, n)
	for i := range s {
		out[i] = RFM{R: r[i], F: f[i], M: m[i], Class: Class(r[i], f[i], m[i])}
	}
	return out
}

// quintiles gives each value 1 + ⌊5·(values strictly below it)/n⌋.
func quintiles(v []float64) []int {
	n := len(v)
	sorted := append([]float64(nil), v...)
	sort.Float64s(sorted)
	out := make([]int, n)
	for i, x := range v {
		below := sort.SearchFloat64s(sorted, x) // the first index not below x
		out[i] = min(5, 1+5*below/n)
	}
	return out
}
