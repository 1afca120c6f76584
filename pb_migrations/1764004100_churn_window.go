package migrations

import (
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// The business's churn window (business_settings.churn_days): a customer
// with no active subscription who bought nothing in that many days has
// churned (the Customers board of Insights, plugins/insights/customers.go).
// The row already there takes the default, 90 days.
func init() {
	m.Register(churnWindowUp, churnWindowDown)
}

func churnWindowUp(app core.App) error {
	c, err := app.FindCollectionByNameOrId(crm.BusinessSettings)
	if err != nil {
		return err
	}
	c.Fields.Add(number(crm.BusinessChurnDays, false, 1, 3650, true))
	if err := app.Save(c); err != nil {
		return err
	}
	_, err = app.DB().Update(crm.BusinessSettings, dbx.Params{crm.BusinessChurnDays: crm.DefaultChurnDays},
		dbx.NewExp(crm.BusinessChurnDays+" = 0 OR "+crm.BusinessChurnDays+" IS NULL")).Execute()
	return err
}

func churnWindowDown(app core.App) error {
	c, err := app.FindCollectionByNameOrId(crm.BusinessSettings)
	if err != nil {
		return nil
	}
	c.Fields.RemoveByName(crm.BusinessChurnDays)
	return app.Save(c)
}
