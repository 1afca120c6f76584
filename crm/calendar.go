package crm

import "time"

// Calendar answers "when is it open?" for a week of opening hours, a list of
// closed days and a time zone: the business's hours for SLAs, or a contact's
// preferred hours for the outbox. Days are walked in the calendar's own time
// zone, so a daylight-saving change moves the hours with the clock.
type Calendar struct {
	Hours    WeekHours
	Closed   map[string]bool // YYYY-MM-DD in Location
	Location *time.Location
}

// Calendar is the business's opening hours.
func (b Business) Calendar() Calendar {
	closed := map[string]bool{}
	for _, d := range b.Holidays {
		closed[d] = true
	}
	return Calendar{Hours: b.Hours, Closed: closed, Location: b.Location()}
}

// searchDays bounds every walk: a calendar with no open hour in ten years
// has none at all.
const searchDays = 3660

// openSpans returns the opening periods of the day that contains t, as
// absolute times.
func (c Calendar) openSpans(day time.Time) [][2]time.Time {
	y, m, d := day.Date()
	if c.Closed[day.Format("2006-01-02")] {
		return nil
	}
	var out [][2]time.Time
	for _, s := range c.Hours[day.Weekday()] {
		out = append(out, [2]time.Time{
			time.Date(y, m, d, s.Start/60, s.Start%60, 0, 0, c.Location),
			time.Date(y, m, d, s.End/60, s.End%60, 0, 0, c.Location),
		})
	}
	return out
}

func (c Calendar) loc() *time.Location {
	if c.Location == nil {
		return time.UTC
	}
	return c.Location
}

// IsOpen tells whether t falls within the opening hours.
func (c Calendar) IsOpen(t time.Time) bool {
	for _, s := range c.openSpans(t.In(c.loc())) {
		if !t.Before(s[0]) && t.Before(s[1]) {
			return true
		}
	}
	return false
}

// NextOpen is t itself when open, else the start of the next opening period.
// ok is false when the calendar never opens.
func (c Calendar) NextOpen(t time.Time) (next time.Time, ok bool) {
	c.Location = c.loc()
	day := t.In(c.Location)
	for i := 0; i < searchDays; i++ {
		for _, s := range c.openSpans(day) {
			if t.Before(s[1]) {
				if t.Before(s[0]) {
					return s[0], true
				}
				return t, true
			}
		}
		y, m, d := day.Date()
		day = time.Date(y, m, d+1, 0, 0, 0, 0, c.Location)
	}
	return time.Time{}, false
}

// Add returns the moment when d of open time has passed since start: an SLA
// of 8 business hours opened on Friday at 17:00 is due on Monday at 16:00 with
// hours of 9 to 18. ok is false when the calendar never opens.
func (c Calendar) Add(start time.Time, d time.Duration) (due time.Time, ok bool) {
	c.Location = c.loc()
	day := start.In(c.Location)
	remaining := d
	for i := 0; i < searchDays; i++ {
		for _, s := range c.openSpans(day) {
			if !start.Before(s[1]) {
				continue
			}
			from := s[0]
			if start.After(from) {
				from = start
			}
			if avail := s[1].Sub(from); remaining <= avail {
				return from.Add(remaining), true
			} else {
				remaining -= avail
			}
		}
		y, m, dd := day.Date()
		day = time.Date(y, m, dd+1, 0, 0, 0, 0, c.Location)
	}
	return time.Time{}, false
}

// OpenBetween is the open time between a and b (zero when b is not after a).
func (c Calendar) OpenBetween(a, b time.Time) time.Duration {
	c.Location = c.loc()
	var total time.Duration
	day := a.In(c.Location)
	for i := 0; i < searchDays && day.Before(b); i++ {
		for _, s := range c.openSpans(day) {
			from, to := s[0], s[1]
			if from.Before(a) {
				from = a
			}
			if to.After(b) {
				to = b
			}
			if to.After(from) {
				total += to.Sub(from)
			}
		}
		y, m, d := day.Date()
		day = time.Date(y, m, d+1, 0, 0, 0, 0, c.Location)
	}
	return total
}

// AddBusinessDays is days business days after t, at the same local time in
// the calendar's zone: a call on Friday at 15:00 plus 2 is Tuesday at 15:00.
// A business day is a day with opening hours that is not closed. A calendar
// with no business day at all counts calendar days.
func (c Calendar) AddBusinessDays(t time.Time, days int) time.Time {
	if days <= 0 {
		return t
	}
	loc := c.loc()
	local := t.In(loc)
	y, m, d := local.Date()
	h, min, s := local.Clock()
	at := func(offset int) time.Time { return time.Date(y, m, d+offset, h, min, s, local.Nanosecond(), loc) }
	count := 0
	for offset := 1; offset <= searchDays; offset++ {
		day := at(offset)
		if len(c.Hours[day.Weekday()]) > 0 && !c.Closed[day.Format("2006-01-02")] {
			count++
			if count == days {
				return day
			}
		}
	}
	return at(days)
}
