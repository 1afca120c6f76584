package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// The nightly fit of the customer value model reads every purchase ordered
// by customer, one customer's history after another (plugins/predictions,
// fit.go): indexes that give orders and subscription payments in that
// order, so the read streams from the index instead of sorting a million
// rows first.
func init() {
	m.Register(fitReadsUp, fitReadsDown)
}

func fitReadsUp(app core.App) error {
	orders, err := app.FindCollectionByNameOrId(crm.Orders)
	if err != nil {
		return err
	}
	index(orders, false, crm.FieldContact, "placed_at")
	if err := app.Save(orders); err != nil {
		return err
	}
	pay, err := app.FindCollectionByNameOrId(crm.Payments)
	if err != nil {
		return err
	}
	index(pay, false, crm.PayContact, crm.PayPaidAt)
	return app.Save(pay)
}

func fitReadsDown(app core.App) error {
	orders, err := app.FindCollectionByNameOrId(crm.Orders)
	if err != nil {
		return err
	}
	orders.RemoveIndex("idx_" + crm.Orders + "_" + crm.FieldContact + "_placed_at")
	if err := app.Save(orders); err != nil {
		return err
	}
	pay, err := app.FindCollectionByNameOrId(crm.Payments)
	if err != nil {
		return err
	}
	pay.RemoveIndex("idx_" + crm.Payments + "_" + crm.PayContact + "_" + crm.PayPaidAt)
	return app.Save(pay)
}
