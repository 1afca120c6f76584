package insights

import (
	"sort"
	"time"

	"vinculo/crm"
)

// openClock answers crm.Calendar.OpenBetween for the many requests of a
// figure at once. The calendar's open spans are laid out once, day by day,
// over the days the requests cover, with the open time before each day
// summed; a request's business hours are then two lookups instead of a walk
// over every day it stayed open. The answer is the calendar's own, to the
// nanosecond (hours_test.go compares both).
type openClock struct {
	cal    crm.Calendar
	starts []int64      // unix ns of each local midnight, one past the last day
	cum    []int64      // open ns before each day
	spans  [][][2]int64 // each day's open spans, unix ns
}

// clockDays bounds the layout: wider ranges fall back to the calendar's walk.
const clockDays = 3000

// newOpenClock lays out the days from lo's to hi's (unix ns); nil when the
// range is too wide.
func newOpenClock(cal crm.Calendar, lo, hi int64) *openClock {
	loc := cal.Location
	if loc == nil {
		loc = time.UTC
		cal.Location = loc
	}
	first := time.Unix(0, lo).In(loc)
	last := time.Unix(0, hi).In(loc)
	if last.Sub(first) > clockDays*24*time.Hour {
		return nil
	}
	c := &openClock{cal: cal}
	y, m, d := first.Date()
	var open int64
	for i := 0; ; i++ {
		day := time.Date(y, m, d+i, 0, 0, 0, 0, loc)
		c.starts, c.cum = append(c.starts, day.UnixNano()), append(c.cum, open)
		if day.After(last) {
			break
		}
		var spans [][2]int64
		if !cal.Closed[day.Format(time.DateOnly)] {
			dy, dm, dd := day.Date()
			for _, s := range cal.Hours[day.Weekday()] {
				from := time.Date(dy, dm, dd, s.Start/60, s.Start%60, 0, 0, loc).UnixNano()
				to := time.Date(dy, dm, dd, s.End/60, s.End%60, 0, 0, loc).UnixNano()
				spans = append(spans, [2]int64{from, to})
				open += max(to-from, 0)
			}
		}
		c.spans = append(c.spans, spans)
	}
	return c
}

// openBefore is the open time of the laid-out days before t (unix ns).
func (c *openClock) openBefore(t int64) int64 {
	i := sort.Search(len(c.starts), func(i int) bool { return c.starts[i] > t }) - 1
	if i < 0 {
		return 0
	}
	if i >= len(c.spans) {
		return c.cum[len(c.cum)-1]
	}
	v := c.cum[i]
	for _, s := range c.spans[i] {
		v += min(max(t-s[0], 0), max(s[1]-s[0], 0))
	}
	return v
}

// between is the open time between a and b, as Calendar.OpenBetween.
func (c *openClock) between(a, b int64) time.Duration {
	if b <= a {
		return 0
	}
	if c == nil || a < c.starts[0] || b >= c.starts[len(c.starts)-1] {
		cal := crm.Calendar{}
		if c != nil {
			cal = c.cal
		}
		return cal.OpenBetween(time.Unix(0, a), time.Unix(0, b))
	}
	return time.Duration(c.openBefore(b) - c.openBefore(a))
}

// openPairs returns the business hours of each pair of moments (unix ns,
// b after a), as Calendar.OpenBetween(a, b).Hours() would.
func openPairs(cal crm.Calendar, pairs [][2]int64) []float64 {
	out := make([]float64, len(pairs))
	if len(pairs) == 0 {
		return out
	}
	lo, hi := pairs[0][0], pairs[0][1]
	for _, p := range pairs {
		lo, hi = min(lo, p[0], p[1]), max(hi, p[0], p[1])
	}
	clock := newOpenClock(cal, lo, hi)
	if clock == nil {
		for i, p := range pairs {
			out[i] = cal.OpenBetween(time.Unix(0, p[0]), time.Unix(0, p[1])).Hours()
		}
		return out
	}
	for i, p := range pairs {
		out[i] = clock.between(p[0], p[1]).Hours()
	}
	return out
}

// stampNanos reads a stored date ("2006-01-02 15:04:05.000Z", as
// PocketBase writes them) as unix ns without the general parser; ok is false
// for "" and any other shape (parsed the slow way then).
func stampNanos(s string) (int64, bool) {
	if len(s) != 24 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':' || s[19] != '.' || s[23] != 'Z' {
		t := ParseDBTime(s)
		return t.UnixNano(), !t.IsZero()
	}
	num := func(i, n int) int {
		v := 0
		for _, ch := range s[i : i+n] {
			if ch < '0' || ch > '9' {
				return -1
			}
			v = v*10 + int(ch-'0')
		}
		return v
	}
	y, mo, d, h, mi, se, ms := num(0, 4), num(5, 2), num(8, 2), num(11, 2), num(14, 2), num(17, 2), num(20, 3)
	if y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59 || ms < 0 {
		t := ParseDBTime(s)
		return t.UnixNano(), !t.IsZero()
	}
	days := daysFromCivil(y, mo, d)
	return ((days*86400+int64(h*3600+mi*60+se))*1000 + int64(ms)) * int64(time.Millisecond), true
}

// daysFromCivil is the number of days from 1970-01-01 to y-m-d (proleptic
// Gregorian), Howard Hinnant's algorithm.
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era*146097 + doe - 719468)
}
