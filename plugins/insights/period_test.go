package insights_test

import (
	"net/url"
	"testing"
	"time"

	"vinculo/plugins/insights"
	"vinculo/testkit"
)

// Each period and the one before it, in the business's time zone.
func TestPeriods(t *testing.T) {
	sp := testkit.SaoPaulo()
	now := time.Date(2026, 2, 10, 1, 30, 0, 0, sp) // early on a February morning
	day := func(t time.Time) string { return t.In(sp).Format(time.DateOnly) }
	for _, c := range []struct {
		v                    url.Values
		from, to, pfrom, pto string
	}{
		{url.Values{}, "2026-02-01", "2026-03-01", "2026-01-01", "2026-02-01"},
		{url.Values{"period": {"last_month"}}, "2026-01-01", "2026-02-01", "2025-12-01", "2026-01-01"},
		{url.Values{"period": {"this_quarter"}}, "2026-01-01", "2026-04-01", "2025-10-01", "2026-01-01"},
		{url.Values{"period": {"last_quarter"}}, "2025-10-01", "2026-01-01", "2025-07-01", "2025-10-01"},
		{url.Values{"period": {"this_year"}}, "2026-01-01", "2027-01-01", "2025-01-01", "2026-01-01"},
		{url.Values{"period": {"last_year"}}, "2025-01-01", "2026-01-01", "2024-01-01", "2025-01-01"},
		// Ten days, both included; the previous ten just before.
		{url.Values{"period": {"custom"}, "from": {"2026-01-11"}, "to": {"2026-01-20"}}, "2026-01-11", "2026-01-21", "2026-01-01", "2026-01-11"},
	} {
		cur, prev, err := insights.ParsePeriod(c.v, now, sp)
		if err != nil {
			t.Fatalf("%v: %v", c.v, err)
		}
		got := []string{day(cur.From), day(cur.To), day(prev.From), day(prev.To)}
		want := []string{c.from, c.to, c.pfrom, c.pto}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%v: %v, want %v", c.v, got, want)
				break
			}
		}
		if cur.From.Location() != sp || cur.From.Hour() != 0 {
			t.Errorf("%v starts %v, not midnight in São Paulo", c.v, cur.From)
		}
	}
	// Months of a period, for the charts: a quarter has three.
	cur, _, _ := insights.ParsePeriod(url.Values{"period": {"this_quarter"}}, now, sp)
	if m := insights.Months(cur); len(m) != 3 || m[0] != "2026-01" || m[2] != "2026-03" {
		t.Errorf("months %v", m)
	}
}

// Median and nearest-rank percentile, as docs/insights.md defines them.
func TestMedianAndPercentile(t *testing.T) {
	if m, _ := insights.Median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("median %v", m)
	}
	if m, _ := insights.Median([]float64{10, 4, 6}); m != 6 {
		t.Errorf("median %v", m)
	}
	if _, ok := insights.Median(nil); ok {
		t.Errorf("median of nothing")
	}
	ten := []float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}
	if p, _ := insights.Percentile(ten, 90); p != 9 {
		t.Errorf("p90 of 1..10 = %v, want 9", p)
	}
	if p, _ := insights.Percentile([]float64{5}, 90); p != 5 {
		t.Errorf("p90 of one = %v", p)
	}
}
