package orders_test

import (
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/testkit"
)

// ordersWorld is the app as it ships on a real HTTP server with the demo
// business's cast (testkit's Business: Ana cuA a member and Bruno cuB the
// admin of coA, Carla cuC the admin of coC, prFibre "Fibre 300" monthly),
// and two more plans: prFibre2 "Fibre 600", which customers may move to,
// and prLocked, which they may not change online at all.
func ordersWorld(t *testing.T, opts ...testkit.Option) *testkit.World {
	t.Helper()
	w := testkit.NewWorld(t, append([]testkit.Option{testkit.Plugins(plugins.All), testkit.Served()}, opts...)...).Business(t)
	w.Make(t, "prFibre2", crm.Products, map[string]any{"name": "Fibre 600", "code": "F600", "price": 150, "currency": "BRL", "kind": "subscription",
		"interval": "month", "active": true, "customer_can_change_plan": true})
	w.Make(t, "prLocked", crm.Products, map[string]any{"name": "Contract line", "code": "LINE", "price": 80, "currency": "BRL", "kind": "subscription",
		"interval": "month", "active": true})
	return w
}

func contains(body []byte, s string) bool { return strings.Contains(string(body), s) }
