package orders_test

import (
	"testing"
	"time"

	"vinculo/plugins/orders"
	"vinculo/testkit"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func at(t *testing.T, loc *time.Location, v string) time.Time {
	t.Helper()
	d, err := time.ParseInLocation("2006-01-02 15:04", v, loc)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// The difference of a change of plan for the rest of the period is counted
// in the customer's calendar days: each month's own length, February 2028's
// 29 days, a change on the last day (one day left), a downgrade (owed back),
// a clock change (no short day) and the customer's time zone deciding which
// day a moment falls on.
func TestProrateByDaysOfThePeriod(t *testing.T) {
	sp := testkit.SaoPaulo()
	for _, c := range []struct {
		what               string
		loc                *time.Location
		start, end, change string
		old, new           float64
		days, left         int
		amount             float64
	}{
		{"February 2027, 28 days, half left", sp, "2027-01-31 00:00", "2027-02-28 00:00", "2027-02-14 09:00", 100, 150, 28, 14, 25},
		{"April, 30 days", sp, "2027-04-01 00:00", "2027-05-01 00:00", "2027-04-16 12:00", 100, 150, 30, 15, 25},
		{"July, 31 days", sp, "2027-07-01 00:00", "2027-08-01 00:00", "2027-07-17 12:00", 100, 150, 31, 15, 24.19},
		{"February 2028, a leap year: 29 days", sp, "2028-02-01 00:00", "2028-03-01 00:00", "2028-02-15 12:00", 100, 150, 29, 15, 25.86},
		{"the last day of February 2028", sp, "2028-02-01 00:00", "2028-03-01 00:00", "2028-02-29 23:30", 100, 150, 29, 1, 1.72},
		{"the last day of February 2027", sp, "2027-02-01 00:00", "2027-03-01 00:00", "2027-02-28 08:00", 100, 150, 28, 1, 1.79},
		{"the first day: the whole difference", sp, "2027-04-01 00:00", "2027-05-01 00:00", "2027-04-01 00:00", 100, 150, 30, 30, 50},
		{"a downgrade is owed back", sp, "2027-04-01 00:00", "2027-05-01 00:00", "2027-04-21 10:00", 150, 100, 30, 10, -16.67},
		{"across London's clock change", zone(t, "Europe/London"), "2027-03-01 00:00", "2027-04-01 00:00", "2027-03-27 10:00", 100, 131, 31, 5, 5},
		{"a year", sp, "2027-01-10 00:00", "2028-01-10 00:00", "2027-07-10 00:00", 1000, 1365, 365, 184, 184},
	} {
		p := orders.Period{Start: at(t, c.loc, c.start), End: at(t, c.loc, c.end)}
		got := orders.Prorate(p, at(t, c.loc, c.change), c.loc, c.old, c.new)
		if got.DaysInPeriod != c.days || got.DaysLeft != c.left || got.Amount != c.amount {
			t.Errorf("%s: %d of %d days, %.2f; want %d of %d, %.2f", c.what, got.DaysLeft, got.DaysInPeriod, got.Amount, c.left, c.days, c.amount)
		}
	}
}

// The same moment is another day in another time zone: 22:30 on 9 December
// in São Paulo is already 10 December in Tokyo, so a Tokyo customer has a
// day less left.
func TestProrateInTheCustomersTimeZone(t *testing.T) {
	sp, tokyo := testkit.SaoPaulo(), zone(t, "Asia/Tokyo")
	p := orders.Period{Start: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC), End: time.Date(2026, 12, 31, 12, 0, 0, 0, time.UTC)}
	moment := at(t, sp, "2026-12-09 22:30")
	inSP := orders.Prorate(p, moment, sp, 100, 130)
	inTokyo := orders.Prorate(p, moment, tokyo, 100, 130)
	if inSP.DaysLeft != 22 || inTokyo.DaysLeft != 21 {
		t.Errorf("days left: São Paulo %d (want 22), Tokyo %d (want 21)", inSP.DaysLeft, inTokyo.DaysLeft)
	}
	if inSP.Amount != 22 || inTokyo.Amount != 21 {
		t.Errorf("amounts: %.2f %.2f, want 22 and 21", inSP.Amount, inTokyo.Amount)
	}
	// outside the period: before it the whole of it is left, after it nothing
	if got := orders.Prorate(p, p.Start.AddDate(0, 0, -3), sp, 100, 130); got.DaysLeft != 30 || got.Amount != 30 {
		t.Errorf("before the period: %+v", got)
	}
	if got := orders.Prorate(p, p.End, sp, 100, 130); got.DaysLeft != 0 || got.Amount != 0 {
		t.Errorf("at its end: %+v", got)
	}
}

// A period's end is one interval on, on the subscription's day of the
// month: a plan started on 31 January renews on the last day of February
// (the 29th in 2028) and on 31 March again; a yearly plan started on 29
// February 2028 renews on 28 February 2029; the wall-clock time stays
// across a clock change.
func TestAddIntervalKeepsTheDayOfTheMonth(t *testing.T) {
	sp, london := testkit.SaoPaulo(), zone(t, "Europe/London")
	for _, c := range []struct {
		from     string
		loc      *time.Location
		interval string
		anchor   int
		want     string
	}{
		{"2027-01-31 10:00", sp, "month", 31, "2027-02-28 10:00"},
		{"2028-01-31 10:00", sp, "month", 31, "2028-02-29 10:00"},
		{"2028-02-29 10:00", sp, "month", 31, "2028-03-31 10:00"},
		{"2027-11-30 10:00", sp, "quarter", 30, "2028-02-29 10:00"},
		{"2028-02-29 10:00", sp, "year", 29, "2029-02-28 10:00"},
		{"2027-12-15 08:00", sp, "month", 15, "2028-01-15 08:00"},
		{"2027-03-15 09:00", london, "month", 15, "2027-04-15 09:00"},
	} {
		got := orders.AddInterval(at(t, c.loc, c.from), c.interval, c.anchor, c.loc)
		if got.In(c.loc).Format("2006-01-02 15:04") != c.want {
			t.Errorf("%s + %s: %s, want %s", c.from, c.interval, got.In(c.loc).Format("2006-01-02 15:04"), c.want)
		}
	}
}
