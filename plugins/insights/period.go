package insights

import (
	"fmt"
	"net/url"
	"time"
)

// Periods the API accepts as ?period=.
const (
	PeriodThisMonth   = "this_month"
	PeriodLastMonth   = "last_month"
	PeriodThisQuarter = "this_quarter"
	PeriodLastQuarter = "last_quarter"
	PeriodThisYear    = "this_year"
	PeriodLastYear    = "last_year"
	PeriodCustom      = "custom" // with from and to, YYYY-MM-DD, both days included
)

// Periods lists them.
var Periods = []string{PeriodThisMonth, PeriodLastMonth, PeriodThisQuarter, PeriodLastQuarter, PeriodThisYear, PeriodLastYear, PeriodCustom}

// ParamError names the query parameter that is wrong.
type ParamError struct{ Param, Message string }

func (e *ParamError) Error() string { return e.Param + ": " + e.Message }

// maxSpan is the longest custom period.
const maxSpan = 10 * 366 * 24 * time.Hour

// ParsePeriod reads period, from and to. It returns the period and the one
// before it: the previous calendar month, quarter or year, or for a custom
// period the same number of days just before it.
func ParsePeriod(v url.Values, now time.Time, loc *time.Location) (cur, prev Query, err error) {
	name := v.Get("period")
	if name == "" {
		name = PeriodThisMonth
	}
	n := now.In(loc)
	month := time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, loc)
	quarter := time.Date(n.Year(), time.Month((int(n.Month())-1)/3*3+1), 1, 0, 0, 0, 0, loc)
	year := time.Date(n.Year(), 1, 1, 0, 0, 0, 0, loc)
	var from, to, pfrom time.Time
	switch name {
	case PeriodThisMonth:
		from, to, pfrom = month, month.AddDate(0, 1, 0), month.AddDate(0, -1, 0)
	case PeriodLastMonth:
		from, to, pfrom = month.AddDate(0, -1, 0), month, month.AddDate(0, -2, 0)
	case PeriodThisQuarter:
		from, to, pfrom = quarter, quarter.AddDate(0, 3, 0), quarter.AddDate(0, -3, 0)
	case PeriodLastQuarter:
		from, to, pfrom = quarter.AddDate(0, -3, 0), quarter, quarter.AddDate(0, -6, 0)
	case PeriodThisYear:
		from, to, pfrom = year, year.AddDate(1, 0, 0), year.AddDate(-1, 0, 0)
	case PeriodLastYear:
		from, to, pfrom = year.AddDate(-1, 0, 0), year, year.AddDate(-2, 0, 0)
	case PeriodCustom:
		f, e1 := time.ParseInLocation(time.DateOnly, v.Get("from"), loc)
		if e1 != nil {
			return cur, prev, &ParamError{"from", "give the first day as YYYY-MM-DD"}
		}
		t, e2 := time.ParseInLocation(time.DateOnly, v.Get("to"), loc)
		if e2 != nil {
			return cur, prev, &ParamError{"to", "give the last day as YYYY-MM-DD"}
		}
		t = t.AddDate(0, 0, 1)
		switch {
		case !t.After(f):
			return cur, prev, &ParamError{"to", "the period ends before it starts"}
		case f.After(n):
			return cur, prev, &ParamError{"from", "the period starts after today"}
		case f.Year() < 2000:
			return cur, prev, &ParamError{"from", "the period starts before 2000"}
		case t.Sub(f) > maxSpan:
			return cur, prev, &ParamError{"to", "a period is at most ten years long"}
		}
		days := int(t.Sub(f).Hours()/24 + 0.5)
		from, to, pfrom = f, t, f.AddDate(0, 0, -days)
	default:
		return cur, prev, &ParamError{"period", fmt.Sprintf("unknown period %q", name)}
	}
	if name != PeriodCustom && (v.Get("from") != "" || v.Get("to") != "") {
		return cur, prev, &ParamError{"from", "from and to go with period=custom"}
	}
	cur = Query{Period: name, From: from, To: to, Now: now, Loc: loc}
	prev = Query{Period: name, From: pfrom, To: from, Now: now, Loc: loc}
	return cur, prev, nil
}
