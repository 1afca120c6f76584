package model

import (
	"testing"
	"time"
)

// The evaluation's arithmetic on four hand-made rows.
func TestCompareArithmetic(t *testing.T) {
	ev := Compare([]Row{
		{X: 0, Actual: 0, Model: 0.5, Naive: 0},
		{X: 2, Actual: 3, Model: 2, Naive: 4},
		{X: 2, Actual: 1, Model: 1.5, Naive: 2},
		{X: 9, Actual: 6, Model: 5, Naive: 9},
	})
	near(t, "actual", ev.Actual, 10, 0)
	near(t, "model", ev.Model, 9, 0)
	near(t, "naive", ev.Naive, 15, 0)
	near(t, "model MAE", ev.ModelMAE, (0.5+1+0.5+1)/4.0, 1e-12)
	near(t, "naive MAE", ev.NaiveMAE, (0+1+1+3)/4.0, 1e-12)
	if len(ev.ByFrequency) != 3 {
		t.Fatalf("buckets 0, 2 and 7+: %+v", ev.ByFrequency)
	}
	b := ev.ByFrequency[1]
	if b.Repeat != "2" || b.Customers != 2 || b.Actual != 2 || b.Model != 1.75 || b.Naive != 3 {
		t.Errorf("bucket 2: %+v", b)
	}
	if ev.ByFrequency[2].Repeat != "7+" {
		t.Errorf("nine repeat purchases fall in 7+: %+v", ev.ByFrequency[2])
	}
	near(t, "naive 2 in 4 weeks kept for 6", Naive(Summary{X: 2, T: 4}, 6), 3, 1e-12)
	near(t, "naive of a first-day customer", Naive(Summary{X: 0, T: 0}, 6), 0, 0)
}

// On histories drawn from the model, over a 39-week holdout, the model's
// total is near the actual one and its error per customer is below the
// naive forecast's.
func TestEvaluateOnSimulatedHistories(t *testing.T) {
	hs := simulated(4000, 11)
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	ev, err := Evaluate(hs, start.AddDate(0, 0, 39*7), start.AddDate(0, 0, 78*7))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("holdout: actual %.0f, model %.1f (MAE %.3f), naive %.1f (MAE %.3f)", ev.Actual, ev.Model, ev.ModelMAE, ev.Naive, ev.NaiveMAE)
	if ev.HoldoutWeeks != 39 || ev.Customers != 4000 {
		t.Errorf("39 weeks, 4000 customers: %+v", ev)
	}
	// Holdout purchases of 4000 customers: the total's sampling spread is
	// its square root or so; allow 10%.
	near(t, "model total", ev.Model, ev.Actual, 0.1*ev.Actual)
	if ev.ModelMAE >= ev.NaiveMAE {
		t.Errorf("the model's MAE %.3f is not below the naive %.3f", ev.ModelMAE, ev.NaiveMAE)
	}
	if _, err := Evaluate(hs, start, start); err == nil {
		t.Error("a holdout that ends when the calibration does is refused")
	}
}

func TestAnalyse(t *testing.T) {
	hs := Histories(Simulate(Simulation{Customers: 1500, BGNBD: cdnow, Spend: cdnowSpend,
		Start: day("2024-01-01"), JoinWeeks: 12, Weeks: 60, Products: 12, Seed: 3}))
	res := Analyse(hs, DefaultOptions(day("2024-01-01").AddDate(0, 0, 60*7), 0.1))
	if res.BGNBD == nil || res.Spend == nil || len(res.Scores) != res.Data.Customers || len(res.Rules) == 0 {
		t.Fatalf("a full fit: %+v", res)
	}
	ok := 0
	for _, s := range res.Scores {
		if s.PAlive < 0 || s.PAlive > 1 || s.E30 > s.E90 || s.E90 > s.E365 || s.R < 1 || s.R > 5 || s.CLV < 0 || s.Spend <= 0 {
			t.Fatalf("a score out of its bounds: %+v", s)
		}
		if !s.Next.IsZero() {
			ok++
		}
	}
	if ok == 0 {
		t.Error("someone is expected to buy within a year")
	}
	near(t, "expected repeat purchases over the data", res.Data.ExpectedRepeat, res.Data.ActualRepeat, 0.1*res.Data.ActualRepeat)
}
