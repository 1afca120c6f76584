package crm

import (
	"testing"
	"time"
)

func calendar(t *testing.T, hours, zone string, closed ...string) Calendar {
	t.Helper()
	w, err := ParseWeekHours(hours)
	if err != nil {
		t.Fatal(err)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	b := Business{Hours: w, Timezone: zone, Holidays: closed}
	c := b.Calendar()
	if c.Location.String() != loc.String() {
		t.Fatalf("location %s", c.Location)
	}
	return c
}

func at(t *testing.T, zone, value string) time.Time {
	t.Helper()
	loc, _ := time.LoadLocation(zone)
	v, err := time.ParseInLocation("2006-01-02 15:04", value, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCalendarAddAcrossWeekendHolidayAndZones(t *testing.T) {
	sp := "America/Sao_Paulo"
	c := calendar(t, "mon-fri 09:00-12:00,13:00-18:00", sp, "2026-11-20") // Friday 20 Nov 2026: Consciência Negra
	cases := []struct {
		name, start string
		d           time.Duration
		want        string
	}{
		{"within the morning", "2026-11-24 09:30", 2 * time.Hour, "2026-11-24 11:30"},
		{"over lunch", "2026-11-24 11:00", 2 * time.Hour, "2026-11-24 14:00"},
		{"before opening counts from opening", "2026-11-24 06:00", time.Hour, "2026-11-24 10:00"},
		{"Friday evening to Monday", "2026-11-27 17:00", 4 * time.Hour, "2026-11-30 12:00"},
		{"opened on Saturday", "2026-11-28 10:00", 30 * time.Minute, "2026-11-30 09:30"},
		{"across the holiday and the weekend", "2026-11-19 17:00", 2 * time.Hour, "2026-11-23 10:00"},
		{"exactly at closing", "2026-11-24 17:00", time.Hour, "2026-11-24 18:00"},
		{"zero at night is the next opening", "2026-11-24 22:00", 0, "2026-11-25 09:00"},
		{"a full week of hours", "2026-11-23 09:00", 40 * time.Hour, "2026-11-27 18:00"},
	}
	for _, k := range cases {
		got, ok := c.Add(at(t, sp, k.start), k.d)
		if want := at(t, sp, k.want); !ok || !got.Equal(want) {
			t.Errorf("%s: %s + %s = %s, want %s", k.name, k.start, k.d, got.In(c.Location).Format("2006-01-02 15:04"), k.want)
		}
	}

	// The same request seen from another zone: 20:00 UTC on Tuesday is 17:00 in São Paulo.
	got, _ := c.Add(time.Date(2026, 11, 24, 20, 0, 0, 0, time.UTC), 2*time.Hour)
	if want := at(t, sp, "2026-11-25 10:00"); !got.Equal(want) {
		t.Errorf("from UTC: got %s, want %s", got, want)
	}

	// Daylight saving: London's clocks go back on 25 Oct 2026; hours stay 09:00-17:00 local.
	ldn := calendar(t, "mon-fri 09:00-17:00", "Europe/London")
	got, _ = ldn.Add(at(t, "Europe/London", "2026-10-23 16:00"), 2*time.Hour)
	if want := at(t, "Europe/London", "2026-10-26 10:00"); !got.Equal(want) {
		t.Errorf("across the clock change: got %s, want %s", got, want)
	}
	if d := ldn.OpenBetween(at(t, "Europe/London", "2026-10-23 16:00"), at(t, "Europe/London", "2026-10-26 10:00")); d != 2*time.Hour {
		t.Errorf("open between: %s, want 2h", d)
	}
}

func TestCalendarNextOpenAndIsOpen(t *testing.T) {
	sp := "America/Sao_Paulo"
	c := calendar(t, "mon-fri 09:00-18:00; sat 09:00-13:00", sp, "2026-12-25")
	for _, k := range []struct {
		now, want string
		open      bool
	}{
		{"2026-11-24 10:00", "2026-11-24 10:00", true},
		{"2026-11-24 18:00", "2026-11-25 09:00", false},
		{"2026-11-28 13:30", "2026-11-30 09:00", false},
		{"2026-12-24 19:00", "2026-12-26 09:00", false}, // Christmas closed, Saturday open
	} {
		got, ok := c.NextOpen(at(t, sp, k.now))
		if want := at(t, sp, k.want); !ok || !got.Equal(want) {
			t.Errorf("next open after %s: %s, want %s", k.now, got, k.want)
		}
		if c.IsOpen(at(t, sp, k.now)) != k.open {
			t.Errorf("open at %s: want %v", k.now, k.open)
		}
	}
	never := Calendar{Location: time.UTC}
	if _, ok := never.NextOpen(time.Now()); ok {
		t.Error("a calendar with no hours never opens")
	}
	if _, ok := never.Add(time.Now(), time.Hour); ok {
		t.Error("a calendar with no hours has no due time")
	}
}
