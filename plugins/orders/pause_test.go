package orders_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"vinculo/crm"
	"vinculo/plugins/orders"
	"vinculo/testkit"
)

// A pause refused for its date leaves the subscription it was given as it
// was (Act's promise to any caller, not only the portal's route).
func TestRefusedPauseChangesNothing(t *testing.T) {
	w := ordersWorld(t)
	sub := w.Make(t, "sb", crm.Subscriptions, map[string]any{"contact": w.ID("ctA"), "product": w.ID("prFibre"),
		"price": 100, "currency": "BRL", "status": "active", "plan": "Fibre 300"})
	by := orders.Customer{Account: w.R("cuA"), Contact: w.R("ctA")}
	for _, until := range []string{"tomorrow", "2020-01-01"} {
		_, err := orders.Act(w.App, w.Cfg, sub, by, orders.Request{Action: "pause", Until: until})
		if err == nil {
			t.Fatalf("pause until %q was accepted", until)
		}
		if sub.GetString("status") != "active" || !sub.GetDateTime("paused_until").IsZero() {
			t.Errorf("pause until %q refused (%v) but the record says %s until %v", until, err, sub.GetString("status"), sub.GetDateTime("paused_until"))
		}
	}
	if got := w.Reload(t, sub).GetString("status"); got != "active" {
		t.Errorf("stored status %s after refused pauses", got)
	}
}

// "Pause until 15 January" is the 15th where the customer lives: the pause
// ends as that day starts in their time zone (São Paulo: 03:00 UTC; Tokyo:
// 15:00 UTC the day before), and the timeline says the 15th for both.
func TestPauseUntilTheDayChosen(t *testing.T) {
	w := ordersWorld(t)
	year := time.Now().Year() + 1
	day := fmt.Sprintf("%d-01-15", year)
	for _, c := range []struct {
		zone string
		want time.Time
	}{
		{"America/Sao_Paulo", time.Date(year, 1, 15, 3, 0, 0, 0, time.UTC)},
		{"Asia/Tokyo", time.Date(year, 1, 14, 15, 0, 0, 0, time.UTC)},
	} {
		ct := w.R("ctA")
		ct.Set("timezone", c.zone)
		if err := w.App.Save(ct); err != nil {
			t.Fatal(err)
		}
		sub := w.Make(t, "", crm.Subscriptions, map[string]any{"contact": w.ID("ctA"), "product": w.ID("prFibre"),
			"price": 100, "currency": "BRL", "status": "active", "plan": "Fibre 300"})
		res := w.Do(t, http.MethodPost, "/api/crm/portal/subscriptions/"+sub.Id+"/action", "cuA", map[string]any{"action": "pause", "until": day})
		testkit.Must(t, res, http.StatusOK, "pause until "+day+" in "+c.zone)
		got := w.Reload(t, sub).GetDateTime("paused_until").Time()
		if !got.Equal(c.want) {
			t.Errorf("%s: paused until %s, want %s", c.zone, got, c.want)
		}
		if shown := got.In(zone(t, c.zone)).Format(time.DateOnly); shown != day {
			t.Errorf("%s: shown as %s, want %s", c.zone, shown, day)
		}
		entry, err := w.App.FindFirstRecordByFilter(crm.Activities, "ref_id = {:id} && event = 'subscription.paused'", map[string]any{"id": sub.Id})
		if err != nil {
			t.Fatal(err)
		}
		if until := entry.GetString("data"); !strings.Contains(until, `"until":"`+day+`"`) {
			t.Errorf("%s: timeline data %s, want until %s", c.zone, until, day)
		}
	}
	// today where the customer lives is not a day to pause until
	today := time.Now().In(zone(t, "Asia/Tokyo")).Format(time.DateOnly)
	sub := w.Make(t, "", crm.Subscriptions, map[string]any{"contact": w.ID("ctA"), "product": w.ID("prFibre"),
		"price": 100, "currency": "BRL", "status": "active", "plan": "Fibre 300"})
	res := w.Do(t, http.MethodPost, "/api/crm/portal/subscriptions/"+sub.Id+"/action", "cuA", map[string]any{"action": "pause", "until": today})
	if res.Status != http.StatusBadRequest || !contains(res.Body, `"until"`) {
		t.Errorf("pause until today: %d %s", res.Status, res.Body)
	}
}
