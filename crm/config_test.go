package crm

import (
	"strings"
	"testing"
	"time"
)

func TestParseWeekHours(t *testing.T) {
	good := []struct{ in, out string }{
		{"mon-fri 09:00-18:00", "mon 09:00-18:00; tue 09:00-18:00; wed 09:00-18:00; thu 09:00-18:00; fri 09:00-18:00"},
		{"mon-fri 09:00-12:00,13:00-18:00; sat 09:00-13:00", "mon 09:00-12:00,13:00-18:00; tue 09:00-12:00,13:00-18:00; wed 09:00-12:00,13:00-18:00; thu 09:00-12:00,13:00-18:00; fri 09:00-12:00,13:00-18:00; sat 09:00-13:00"},
		{"fri-mon 20:00-24:00", "sun 20:00-24:00; mon 20:00-24:00; fri 20:00-24:00; sat 20:00-24:00"},
		{"SAT,sun 10:00-14:00", "sun 10:00-14:00; sat 10:00-14:00"},
	}
	for _, g := range good {
		w, err := ParseWeekHours(g.in)
		if err != nil {
			t.Errorf("%q: %v", g.in, err)
			continue
		}
		if w.String() != g.out {
			t.Errorf("%q read as %q, want %q", g.in, w.String(), g.out)
		}
		again, err := ParseWeekHours(w.String())
		if err != nil || again.String() != w.String() {
			t.Errorf("%q does not read back: %v", w.String(), err)
		}
	}
	bad := map[string]string{
		"":                                     "no opening hours",
		"monday 09:00-18:00":                   "days are written",
		"mon-fri 9-5":                          "hours are written",
		"mon-fri 18:00-09:00":                  "end must come after",
		"mon-fri":                              "expected days then hours",
		"mon 09:00-12:00,11:00-13:00":          "overlaps",
		"mon-fri 09:00-18:00; wed 10:00-11:00": "overlaps",
		"mon-fri 25:00-26:00":                  "hours are written",
	}
	for in, want := range bad {
		if _, err := ParseWeekHours(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want one saying %q", in, err, want)
		}
	}
}

func TestBusinessLocation(t *testing.T) {
	if loc := (Business{Timezone: "America/Sao_Paulo"}).Location(); loc.String() != "America/Sao_Paulo" {
		t.Errorf("location %s", loc)
	}
	if loc := (Business{Timezone: "nowhere"}).Location(); loc != time.UTC {
		t.Errorf("an unknown zone should fall back to UTC, got %s", loc)
	}
}
