package orders_test

import (
	"testing"

	"vinculo/crm"
	"vinculo/plugins/orders"
)

// A pause refused for its date leaves the subscription it was given as it
// was (Act's promise to any caller, not only the portal's route).
func TestRefusedPauseChangesNothing(t *testing.T) {
	w := ordersWorld(t)
	sub := w.Make(t, "sb", crm.Subscriptions, map[string]any{"contact": w.ID("ctA"), "product": w.ID("prFibre"),
		"price": 100, "currency": "BRL", "status": "active", "plan": "Fibre 300"})
	by := orders.Customer{Account: w.R("cuA"), Contact: w.R("ctA")}
	for _, until := range []string{"tomorrow", "2020-01-01"} {
		err := orders.Act(w.App, w.Cfg, sub, by, orders.Request{Action: "pause", Until: until})
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
