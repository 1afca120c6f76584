package insights

import (
	"math/rand/v2"
	"testing"
	"time"

	"vinculo/crm"
)

// The laid-out clock answers exactly what the calendar's day walk answers,
// across daylight-saving changes, holidays, split days and a closed weekday.
func TestOpenPairsMatchCalendar(t *testing.T) {
	hours, err := crm.ParseWeekHours("mon-thu 09:00-12:00, 13:00-18:00; fri 09:00-17:30; sat 10:00-14:00")
	if err != nil {
		t.Fatal(err)
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no time zone data")
	}
	for _, loc := range []*time.Location{ny, time.UTC} {
		cal := crm.Calendar{Hours: hours, Location: loc, Closed: map[string]bool{"2025-03-10": true, "2025-11-03": true, "2025-12-25": true}}
		r := rand.New(rand.NewPCG(1, 2))
		base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
		var pairs [][2]int64
		for range 3000 {
			a := base + r.Int64N(int64(365*24*time.Hour))
			b := a + r.Int64N(int64(40*24*time.Hour)) - int64(2*time.Hour)
			a, b = a/int64(time.Millisecond)*int64(time.Millisecond), b/int64(time.Millisecond)*int64(time.Millisecond)
			pairs = append(pairs, [2]int64{a, b})
		}
		got := openPairs(cal, pairs)
		for i, p := range pairs {
			want := cal.OpenBetween(time.Unix(0, p[0]), time.Unix(0, p[1])).Hours()
			if got[i] != want {
				t.Fatalf("%s: %v → %v: %v hours, the calendar says %v", loc, time.Unix(0, p[0]).In(loc), time.Unix(0, p[1]).In(loc), got[i], want)
			}
		}
	}
}

func TestStampNanos(t *testing.T) {
	for _, s := range []string{"2025-03-09 07:30:00.123Z", "1999-12-31 23:59:59.999Z", "2024-02-29 00:00:00.000Z", "2026-01-01 12:00:00Z"} {
		got, ok := stampNanos(s)
		if want := ParseDBTime(s); !ok || got != want.UnixNano() {
			t.Errorf("%s: %d, want %d", s, got, want.UnixNano())
		}
	}
	if _, ok := stampNanos(""); ok {
		t.Error("an empty date reads as a moment")
	}
}
