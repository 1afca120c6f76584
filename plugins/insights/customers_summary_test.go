package insights_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"vinculo/crm"
	"vinculo/plugins/insights"
	"vinculo/testkit"
)

// customersFromSummary are the Customers figures the summary answers.
var customersFromSummary = []string{insights.CustomersNew, insights.CustomersActive, insights.CustomersChurned,
	insights.CustomersChurnRate, insights.CustomersRetention, insights.CustomersRevenuePer}

func wantNoCustomerDrift(t *testing.T, w *testkit.World, when string) {
	t.Helper()
	ok, err := insights.CustomersReady(w.App, w.Cfg.BusinessNow())
	if err != nil || !ok {
		t.Fatalf("%s: the Customers summary cannot be read (%v)", when, err)
	}
	drift, err := insights.CustomersDrift(w.App, w.Cfg.BusinessNow())
	if err != nil {
		t.Fatal(err)
	}
	if len(drift) > 0 {
		t.Fatalf("%s: the Customers summary drifted:\n%s", when, strings.Join(drift[:min(len(drift), 20)], "\n"))
	}
}

// wantCustomersSameAsRecords: each figure the summary answers reads the
// same from it as from the orders and subscriptions themselves.
func wantCustomersSameAsRecords(t *testing.T, w *testkit.World, when string) {
	t.Helper()
	periods := []url.Values{
		{"period": {"this_month"}}, {"period": {"last_month"}}, {"period": {"this_quarter"}},
		{"period": {"this_year"}}, {"period": {"last_year"}},
		{"period": {"custom"}, "from": {"2025-11-17"}, "to": {"2026-02-03"}},
		{"period": {"custom"}, "from": {"2024-06-01"}, "to": {"2026-10-20"}},
		{"period": {"custom"}, "from": {"2026-10-05"}, "to": {"2026-10-20"}},
	}
	log := testkit.LogSQL(t, w.App)
	for _, p := range periods {
		cur, prev, err := insights.ParsePeriod(p, w.Clock.Now(), w.Cfg.BusinessNow().Location())
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []insights.Query{cur, prev} {
			q = insights.ForBusiness(w.Cfg, q)
			for _, key := range customersFromSummary {
				insights.SetSummaryOff(true)
				want, err := insights.Compute(w.App, insights.BoardCustomers, key, q)
				insights.SetSummaryOff(false)
				if err != nil {
					t.Fatal(err)
				}
				got, err := insights.Compute(w.App, insights.BoardCustomers, key, q)
				if err != nil {
					t.Fatalf("%s %s: %v", when, key, err)
				}
				a, _ := json.Marshal(got)
				b, _ := json.Marshal(want)
				if string(a) != string(b) && !(key == insights.CustomersRevenuePer && sameToTheCent(got, want)) {
					t.Errorf("%s: %s for %s..%s:\nsummary %s\nrecords %s", when, key, q.From.Format(time.DateOnly), q.To.Format(time.DateOnly), a, b)
				}
			}
		}
	}
	if !slices.ContainsFunc(log.Take(), func(s string) bool { return strings.Contains(s, "insights_customer_months") }) {
		t.Errorf("%s: no figure read the summary", when)
	}
}

// somePurchases writes orders and subscriptions by plain SQL, as the bench's
// fill and an import do, for n new contacts over the last two years.
func somePurchases(t *testing.T, w *testkit.World, r *rand.Rand, n int) (contacts, orders, subs []string) {
	t.Helper()
	now := w.Clock.Now()
	past := func() time.Time {
		return now.Add(-time.Duration(r.Float64() * 730 * 24 * float64(time.Hour))).Truncate(time.Minute)
	}
	for i := 0; i < n; i++ {
		c := w.Make(t, "", crm.Contacts, map[string]any{"name": fmt.Sprintf("Buyer %d", i), "owner": w.ID("agent")})
		contacts = append(contacts, c.Id)
		for j := r.IntN(4); j > 0; j-- {
			id := fmt.Sprintf("o%06d%08d", i, j)
			at := insights.DBTime(past())
			exec(t, w, "INSERT INTO orders (id, number, contact, items, total, currency, status, placed_at, created, updated) VALUES "+
				"({:id}, {:n}, {:c}, '[]', {:total}, {:cur}, {:s}, {:at}, {:at}, {:at})",
				dbx.Params{"id": id, "n": "B-" + id, "c": c.Id, "s": []string{"paid", "delivered", "placed", "cancelled", "shipped"}[r.IntN(5)], "at": at,
					"total": float64(r.IntN(50000)) / 100, "cur": []string{"BRL", "BRL", "BRL", "USD", "EUR"}[r.IntN(5)]})
			orders = append(orders, id)
		}
		if r.IntN(4) == 0 {
			id := fmt.Sprintf("s%014d", i)
			started := past()
			status, cancelled := []string{"active", "paused", "pending", "cancelled"}[r.IntN(4)], ""
			if status == "cancelled" {
				cancelled = insights.DBTime(started.Add(time.Duration(r.IntN(200*24)) * time.Hour))
			}
			exec(t, w, "INSERT INTO subscriptions (id, contact, product, plan, quantity, price, currency, status, started_at, cancelled_at, created, updated) VALUES "+
				"({:id}, {:c}, {:p}, 'Plan', 1, 50, 'BRL', {:s}, {:st}, {:ca}, {:st}, {:st})",
				dbx.Params{"id": id, "c": c.Id, "p": w.ID("prFibre"), "s": status, "st": insights.DBTime(started), "ca": cancelled})
			subs = append(subs, id)
		}
	}
	return contacts, orders, subs
}

// The Customers summary stays the records' own: after the story (through
// the app: a subscription paused then cancelled, a customer in two
// currencies, a cancelled order), a bulk insert, plain SQL changes (orders
// cancelled — Vinculo's refunds — and moved, subscriptions cancelled,
// deletes), the app's changes, and a new churn window (made again).
func TestCustomersSummaryKeepsUp(t *testing.T) {
	w := insightsWorld(t)
	customerStory(t, w)
	wantNoCustomerDrift(t, w, "after the story")
	wantCustomersSameAsRecords(t, w, "after the story")

	r := rand.New(rand.NewPCG(17, 6851))
	contacts, orders, subs := somePurchases(t, w, r, 150)
	wantNoCustomerDrift(t, w, "after a bulk insert")
	wantCustomersSameAsRecords(t, w, "after a bulk insert")

	for i, id := range orders[:min(len(orders), 90)] {
		switch i % 3 {
		case 0:
			exec(t, w, "UPDATE orders SET status = 'cancelled' WHERE id = {:id}", dbx.Params{"id": id})
		case 1:
			exec(t, w, "UPDATE orders SET contact = {:c}, total = total + 1, placed_at = {:at} WHERE id = {:id}", dbx.Params{"id": id, "c": contacts[i%7],
				"at": insights.DBTime(w.Clock.Now().Add(-time.Duration(i*97) * time.Hour))})
		case 2:
			exec(t, w, "DELETE FROM orders WHERE id = {:id}", dbx.Params{"id": id})
		}
	}
	for i, id := range subs {
		if i%2 == 0 {
			exec(t, w, "UPDATE subscriptions SET status = 'cancelled', cancelled_at = {:at} WHERE id = {:id}",
				dbx.Params{"id": id, "at": insights.DBTime(w.Clock.Now().Add(-time.Duration(i*50) * time.Hour))})
		}
	}
	wantNoCustomerDrift(t, w, "after plain SQL changes")
	wantCustomersSameAsRecords(t, w, "after plain SQL changes")

	// Through the app: Ana's BRL order cancelled, Gil's order moved to Eva,
	// Carla's subscription deleted.
	w.Update(t, w.R("O1"), map[string]any{"status": "cancelled"})
	w.Update(t, w.R("O6"), map[string]any{"contact": w.ID("ctE")})
	if err := w.App.Delete(w.Reload(t, w.R("SC"))); err != nil {
		t.Fatal(err)
	}
	wantNoCustomerDrift(t, w, "after the app's changes")
	wantCustomersSameAsRecords(t, w, "after the app's changes")

	// Another churn window: the spans are made again.
	row, err := w.App.FindFirstRecordByFilter(crm.BusinessSettings, "")
	if err != nil {
		t.Fatal(err)
	}
	w.Update(t, row, map[string]any{crm.BusinessChurnDays: 60})
	wantNoCustomerDrift(t, w, "after a new churn window")
	wantCustomersSameAsRecords(t, w, "after a new churn window")
}

// sameToTheCent: money summed per month and currency and money summed
// order by order differ only in float rounding, which can move a result on
// a half cent by one cent either way.
func sameToTheCent(a, b insights.Result) bool {
	near := func(x, y *float64) bool {
		return x == nil && y == nil || x != nil && y != nil && math.Abs(*x-*y) < 0.0101
	}
	if a.Count != b.Count || !near(a.Value, b.Value) || len(a.Series) != len(b.Series) || len(a.Apart) != len(b.Apart) {
		return false
	}
	for i := range a.Series {
		if a.Series[i].Label != b.Series[i].Label || !near(&a.Series[i].Value, &b.Series[i].Value) {
			return false
		}
	}
	for c, v := range a.Apart {
		w, ok := b.Apart[c]
		if !ok || !near(&v, &w) {
			return false
		}
	}
	return true
}
