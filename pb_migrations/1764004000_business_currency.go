package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// The business's currency and the manager's conversion rates
// (business_settings): the Insights boards give money in that currency and
// convert an amount in another one at the rate kept here; a currency without
// a rate is shown apart, never summed in (plugins/insights/money.go). The
// row already there takes the currency of the configuration file
// (business.currency, BRL by default) on its next start: an empty currency
// reads as the configuration's.
func init() {
	m.Register(businessCurrencyUp, businessCurrencyDown)
}

func businessCurrencyUp(app core.App) error {
	c, err := app.FindCollectionByNameOrId(crm.BusinessSettings)
	if err != nil {
		return err
	}
	c.Fields.Add(
		pattern(crm.BusinessCurrency, false, 3, currency),
		// {"USD": 5.2}: one unit of that currency is worth 5.2 of the business's.
		jsonField(crm.BusinessRates, false, 16<<10),
	)
	return app.Save(c)
}

func businessCurrencyDown(app core.App) error {
	c, err := app.FindCollectionByNameOrId(crm.BusinessSettings)
	if err != nil {
		return nil
	}
	c.Fields.RemoveByName(crm.BusinessCurrency)
	c.Fields.RemoveByName(crm.BusinessRates)
	return app.Save(c)
}
