package predictions_test

import (
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"vinculo/plugins/predictions"
	"vinculo/plugins/predictions/model"
)

// The fit reads the purchases streamed by customer: each customer's history
// is the one the in-memory reader (ReadSales, every purchase at once) gives,
// the counts of what was read and left out are the same, and so the fit and
// its evaluation are.
func TestStreamedReadEqualsTheInMemoryOne(t *testing.T) {
	w := modelWorld(t)
	b := w.Cfg.BusinessNow()
	ctB := w.ID("ctB")
	allowed := func(c string) bool { return c != ctB } // ctB may not be profiled
	until := w.Clock.Now().AddDate(0, 0, -1)

	var streamed []model.History
	got, err := predictions.StreamSales(w.App, b, until, allowed, func(h model.History) error {
		streamed = append(streamed, h)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sales, err := predictions.ReadSales(w.App, b, until, allowed)
	if err != nil {
		t.Fatal(err)
	}
	want := model.Histories(sales.Purchases)
	if got.Orders != sales.Orders || got.Payments != sales.Payments || got.Unconverted != sales.Unconverted ||
		got.Withheld != sales.Withheld || got.Withheld != 1 {
		t.Errorf("counts streamed %+v, in memory %+v (ctB withheld)", got, sales)
	}
	if len(streamed) != len(want) || len(want) < 80 {
		t.Fatalf("%d customers streamed, %d in memory", len(streamed), len(want))
	}
	for i, h := range want {
		s := streamed[i]
		if s.Customer != h.Customer || len(s.Occasions) != len(h.Occasions) {
			t.Fatalf("customer %d: streamed %s with %d occasions, in memory %s with %d", i, s.Customer, len(s.Occasions), h.Customer, len(h.Occasions))
		}
		for j, o := range h.Occasions {
			so := s.Occasions[j]
			a, b := slices.Sorted(slices.Values(so.Products)), slices.Sorted(slices.Values(o.Products))
			if !so.Day.Equal(o.Day) || math.Abs(so.Amount-o.Amount) > 1e-9 || !reflect.DeepEqual(a, b) {
				t.Fatalf("%s's occasion %d: streamed %+v, in memory %+v", h.Customer, j, so, o)
			}
		}
	}

	// The predict command's fit and evaluation, streamed, against the
	// in-memory functions on the in-memory histories.
	calEnd := w.Clock.Now().AddDate(0, 0, -26*7)
	calEnd = time.Date(calEnd.Year(), calEnd.Month(), calEnd.Day(), 0, 0, 0, 0, b.Location())
	res, ev, _, err := predictions.Offline(w.App, b, calEnd, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	all, err := predictions.ReadSales(w.App, b, time.Time{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	hs := model.Histories(all.Purchases)
	holdEnd := time.Time{}
	for _, h := range hs {
		if last := h.Occasions[len(h.Occasions)-1].Day; last.After(holdEnd) {
			holdEnd = last
		}
	}
	wantRes := model.Analyse(hs, model.DefaultOptions(calEnd, predictions.Discount(b)))
	wantEv, err := model.Evaluate(hs, calEnd, holdEnd)
	if err != nil {
		t.Fatal(err)
	}
	if res.Data != wantRes.Data || res.BGNBD == nil || wantRes.BGNBD == nil || !close(res.BGNBD.R, wantRes.BGNBD.R) ||
		!close(res.BGNBD.B, wantRes.BGNBD.B) || !reflect.DeepEqual(res.Rules, wantRes.Rules) {
		t.Errorf("fit streamed %+v %+v, in memory %+v %+v", res.Data, res.BGNBD, wantRes.Data, wantRes.BGNBD)
	}
	if ev.Customers != wantEv.Customers || ev.Actual != wantEv.Actual || !close(ev.ModelMAE, wantEv.ModelMAE) || !close(ev.NaiveMAE, wantEv.NaiveMAE) {
		t.Errorf("evaluation streamed %+v, in memory %+v", ev, wantEv)
	}
}

func close(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// The fit's read follows the orders' and payments' (contact, day) indexes
// and sorts nothing: SQLite merges the two, customer by customer.
func TestFitReadFollowsTheIndexes(t *testing.T) {
	w := modelWorld(t)
	plan, err := predictions.ReadPlan(w.App, w.Cfg.BusinessNow().Location())
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(plan, " | ")
	if !strings.Contains(all, "idx_orders_contact_placed_at") || !strings.Contains(all, "idx_payments_contact_paid_at") ||
		strings.Contains(all, "TEMP B-TREE") || !strings.Contains(all, "MERGE") {
		t.Errorf("the fit's read: %s", all)
	}
}
