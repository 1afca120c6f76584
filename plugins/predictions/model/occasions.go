// Package model is the customer value model's statistics, without a
// database: purchase occasions, RFM, BG/NBD (Fader, Hardie & Lee 2005,
// "Counting your customers the easy way"), Gamma-Gamma spend (Fader, Hardie
// & Lee 2005, "RFM and CLV"), the customer lifetime value, products bought
// together and each customer's own cycle, and the calibration/holdout
// evaluation. plugins/predictions feeds it orders and stores what it says;
// the `predict` command and the bench call it the same way.
//
// Time in the model is counted in weeks; a customer's orders on the same day
// are one purchase occasion, as in the paper.
package model

import (
	"sort"
	"time"
)

// Purchase is one paid order or subscription payment of a customer.
type Purchase struct {
	Customer string
	Day      time.Time // the day it was bought, at midnight in the business's time zone
	Amount   float64   // in the business's currency
	Products []string  // what was bought, for the products bought together and the cycles
}

// Occasion is one day on which a customer bought: the day's orders together.
type Occasion struct {
	Day      time.Time
	Amount   float64
	Products []string
}

// History is one customer's purchase occasions, oldest first.
type History struct {
	Customer  string
	Occasions []Occasion
}

// Day is t's calendar day at midnight in loc.
func Day(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// Histories groups purchases by customer and day: a customer's orders on
// the same day become one occasion (their amounts added, their products
// joined). Customers come out sorted by id.
func Histories(purchases []Purchase) []History {
	by := map[string][]Purchase{}
	for _, p := range purchases {
		by[p.Customer] = append(by[p.Customer], p)
	}
	ids := make([]string, 0, len(by))
	for id := range by {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := make([]History, 0, len(ids))
	for _, id := range ids {
		out = append(out, HistoryOf(id, by[id]))
	}
	return out
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// Summary is what the models read of one customer at the end of a period.
type Summary struct {
	Customer string
	X        int     // repeat occasions: every occasion after the first
	Tx       float64 // weeks from the first occasion to the last
	T        float64 // weeks from the first occasion to the end of the period
	First    time.Time
	Last     time.Time
	Total    float64 // spend over every occasion
	Mean     float64 // mean spend of the repeat occasions (Gamma-Gamma's m_x); 0 without any
}

// weeks between two days, counted in whole days.
func weeks(from, to time.Time) float64 {
	return float64(days(from, to)) / 7
}

// days between two midnights, rounded (a change of summer time moves them by an hour).
func days(from, to time.Time) int {
	return int((to.Sub(from).Hours() + 12) / 24)
}

// Summarise reads each customer's occasions up to and including the day
// end. Customers whose first occasion is after end are left out.
func Summarise(hs []History, end time.Time) []Summary {
	out := make([]Summary, 0, len(hs))
	for _, h := range hs {
		if s, ok := summarise(h, end); ok {
			out = append(out, s)
		}
	}
	return out
}

func summarise(h History, end time.Time) (Summary, bool) {
	if len(h.Occasions) == 0 || h.Occasions[0].Day.After(end) {
		return Summary{}, false
	}
	s := Summary{Customer: h.Customer, First: h.Occasions[0].Day}
	repeatSpend := 0.0
	for i, o := range h.Occasions {
		if o.Day.After(end) {
			break
		}
		s.Last = o.Day
		s.Total += o.Amount
		if i > 0 {
			s.X++
			repeatSpend += o.Amount
		}
	}
	s.Tx, s.T = weeks(s.First, s.Last), weeks(s.First, end)
	if s.X > 0 {
		s.Mean = repeatSpend / float64(s.X)
	}
	return s, true
}

// Count is how many occasions a history has after the day from up to and
// including the day to.
func Count(h History, from, to time.Time) int {
	n := 0
	for _, o := range h.Occasions {
		if o.Day.After(from) && !o.Day.After(to) {
			n++
		}
	}
	return n
}

// Until cuts the histories at the day end: the occasions after it are
// dropped, and the customers who had not bought by then.
func Until(hs []History, end time.Time) []History {
	out := make([]History, 0, len(hs))
	for _, h := range hs {
		n := 0
		for n < len(h.Occasions) && !h.Occasions[n].Day.After(end) {
			n++
		}
		if n > 0 {
			out = append(out, History{Customer: h.Customer, Occasions: h.Occasions[:n]})
		}
	}
	return out
}
