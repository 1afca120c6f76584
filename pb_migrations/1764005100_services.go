package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// Services the customer runs (plugins/orders): a subscription keeps its own
// billing interval and payment method, the options chosen, its current
// period, a credit owed to the customer, the interval asked for the next
// period, and a cancellation asked for the end of the period with its
// reason (kept for the churn figures). A plan may be offered in other
// intervals at their own prices; a payment of a subscription says whether
// it pays a period or a change of plan, and the invoice lines it pays when
// they are not the plan's. Rules are unchanged: customers read their own
// subscriptions and act on them through the portal's routes only.
func init() {
	m.Register(servicesUp, servicesDown)
}

var (
	servicesSubFields = []string{crm.SubInterval, crm.SubNextInterval, crm.SubNextPrice, crm.SubMethod, crm.SubChoices,
		crm.SubPeriodStart, crm.SubCredit, crm.SubCancelAt, crm.SubCancelReason, crm.SubCancelNote, crm.SubCancelAskedAt}
	servicesPayFields = []string{crm.PayPurpose, crm.PayLines}
)

func servicesUp(app core.App) error {
	subs, err := app.FindCollectionByNameOrId(crm.Subscriptions)
	if err != nil {
		return err
	}
	subs.Fields.Add(
		choice(crm.SubInterval, false, crm.Intervals...),
		choice(crm.SubNextInterval, false, crm.Intervals...),
		number(crm.SubNextPrice, false, 0, 1e12, false),
		pattern(crm.SubMethod, false, 40, `^[a-z0-9_]+$`),
		jsonField(crm.SubChoices, false, 16<<10),
		date(crm.SubPeriodStart, false),
		number(crm.SubCredit, false, 0, 1e12, false),
		date(crm.SubCancelAt, false),
		choice(crm.SubCancelReason, false, crm.CancelReasons...),
		text(crm.SubCancelNote, false, crm.SubCancelNoteMax),
		date(crm.SubCancelAskedAt, false),
	)
	// The daily job finds the cancellations due.
	index(subs, false, "status", crm.SubCancelAt)
	if err := app.Save(subs); err != nil {
		return err
	}
	products, err := app.FindCollectionByNameOrId(crm.Products)
	if err != nil {
		return err
	}
	products.Fields.Add(jsonField(crm.ProductIntervalPx, false, 4<<10))
	if err := app.Save(products); err != nil {
		return err
	}
	pays, err := app.FindCollectionByNameOrId(crm.Payments)
	if err != nil {
		return err
	}
	pays.Fields.Add(choice(crm.PayPurpose, false, crm.PurposePeriod, crm.PurposeChange), jsonField(crm.PayLines, false, 16<<10))
	return app.Save(pays)
}

func servicesDown(app core.App) error {
	for name, fields := range map[string][]string{crm.Subscriptions: servicesSubFields, crm.Payments: servicesPayFields,
		crm.Products: {crm.ProductIntervalPx}} {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			continue
		}
		for _, f := range fields {
			c.Fields.RemoveByName(f)
		}
		if name == crm.Subscriptions {
			c.RemoveIndex("idx_" + crm.Subscriptions + "_status_" + crm.SubCancelAt)
		}
		if err := app.Save(c); err != nil {
			return err
		}
	}
	return nil
}
