package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// The workspace's list of orders shows the newest placed first, for all
// orders or those in one status: indexes that match those sorts and filters.
func init() {
	m.Register(ordersListUp, ordersListDown)
}

func ordersListUp(app core.App) error {
	c, err := app.FindCollectionByNameOrId(crm.Orders)
	if err != nil {
		return err
	}
	c.RemoveIndex("idx_orders_status")
	index(c, false, "placed_at")
	index(c, false, "status", "placed_at")
	return app.Save(c)
}

func ordersListDown(app core.App) error {
	c, err := app.FindCollectionByNameOrId(crm.Orders)
	if err != nil {
		return err
	}
	c.RemoveIndex("idx_orders_placed_at")
	c.RemoveIndex("idx_orders_status_placed_at")
	index(c, false, "status")
	return app.Save(c)
}
