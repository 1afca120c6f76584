package orders

import (
	"slices"
	"time"

	"vinculo/crm"
)

// Proration: a change of plan in the middle of a billing period costs (or
// gives back) the difference between the two prices for the days left of
// the period. Days are the customer's calendar days in their time zone:
// a period from 31 January to 28 February has 28 days, one through February
// 2028 has 29, and a clock change does not make a day shorter. The day of
// the change counts as left (the customer has the new plan from that day),
// so a change on the period's last day is one day's difference.

// Period is a billing period: from Start (included) to End (excluded).
type Period struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Proration is the difference a change of price makes for the rest of a
// period.
type Proration struct {
	Period       Period  `json:"period"`
	DaysInPeriod int     `json:"days_in_period"`
	DaysLeft     int     `json:"days_left"`
	OldPrice     float64 `json:"old_price"`
	NewPrice     float64 `json:"new_price"`
	// Amount is what the change costs now: positive, charged at once (an
	// upgrade); negative, owed to the customer and taken off the next
	// period's invoice (a downgrade).
	Amount float64 `json:"amount"`
}

// civilDay is the calendar day t falls on in loc, as a UTC midnight (so
// days subtract to whole multiples of 24 hours whatever the zone's clock
// changes).
func civilDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// daysBetween counts the calendar days from a's day to b's day in loc.
func daysBetween(a, b time.Time, loc *time.Location) int {
	return int(civilDay(b, loc).Sub(civilDay(a, loc)).Hours() / 24)
}

// Prorate is the difference of moving from oldPrice to newPrice (per
// period) at the moment at, within p, counted in the customer's days in
// loc, to the cent. A moment outside the period is clamped to it: before
// it, the whole period is left; at or after its end, nothing is.
func Prorate(p Period, at time.Time, loc *time.Location, oldPrice, newPrice float64) Proration {
	total := daysBetween(p.Start, p.End, loc)
	left := daysBetween(at, p.End, loc)
	if at.Before(p.Start) {
		left = total
	}
	if !at.Before(p.End) {
		left = 0
	}
	left = max(0, min(left, total))
	out := Proration{Period: p, DaysInPeriod: total, DaysLeft: left, OldPrice: oldPrice, NewPrice: newPrice}
	if total > 0 {
		diff := cents(newPrice) - cents(oldPrice)
		// rounded half away from zero, in whole cents
		num := diff * int64(left)
		q := num / int64(total)
		if r := num % int64(total); 2*abs64(r) >= int64(total) {
			if num < 0 {
				q--
			} else {
				q++
			}
		}
		out.Amount = money(q)
	}
	return out
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// AddInterval is the boundary one billing interval after t, in loc, on the
// subscription's day of the month (anchorDay): a plan started on the 31st
// renews on the last day of shorter months and on the 31st again after
// them. The wall-clock time of t is kept.
func AddInterval(t time.Time, interval string, anchorDay int, loc *time.Location) time.Time {
	months := intervalMonths[interval]
	if months == 0 {
		months = 1
	}
	l := t.In(loc)
	y, m := l.Year(), int(l.Month())-1+months
	y, m = y+m/12, m%12
	first := time.Date(y, time.Month(m+1), 1, l.Hour(), l.Minute(), l.Second(), 0, loc)
	last := first.AddDate(0, 1, -1).Day()
	day := anchorDay
	if day <= 0 {
		day = l.Day()
	}
	day = min(day, last)
	return time.Date(y, time.Month(m+1), day, l.Hour(), l.Minute(), l.Second(), 0, loc)
}

// DayStart is the first instant of the calendar day "YYYY-MM-DD" in loc;
// false when day is not a date.
func DayStart(day string, loc *time.Location) (time.Time, bool) {
	t, err := time.ParseInLocation(time.DateOnly, day, loc)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

// intervalOK tells whether interval is a billing interval.
func intervalOK(interval string) bool { return slices.Contains(crm.Intervals, interval) }
