package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// Quotes: staff build them, the customer accepts or declines them in the
// portal (plugins/orders/quotes*.go). Every write goes through the quotes'
// routes, which price each line on the server and keep the record of an
// acceptance: nobody sets a price, a state, a number or an acceptance
// through the record API. Staff read all; a customer reads their own once
// sent, and their company's as its admin. An order names the quote it came
// from (orders.quote), set by the server alone.
func init() {
	m.Register(quotesUp, quotesDown)
}

func quotesUp(app core.App) error {
	c := core.NewBaseCollection(crm.Quotes)
	c.Fields.Add(
		pattern(crm.QuoteNumber, true, 30, `^Q-\d{4}-\d{4,}$`),
		relation(app, crm.QuoteContact, crm.Contacts, true, false),
		relation(app, crm.QuoteCompany, crm.Companies, false, false),
		relation(app, crm.QuoteDeal, crm.Deals, false, false),
		relation(app, crm.QuoteOwner, crm.Staff, false, false),
		choice(crm.QuoteState, true, crm.QuoteDraft, crm.QuoteSent, crm.QuoteAccepted, crm.QuoteDeclined, crm.QuoteExpired, crm.QuoteWithdrawn),
		jsonField(crm.QuoteLines, false, 256<<10),
		choice(crm.QuoteDiscountKind, false, crm.DiscountPercent, crm.DiscountAmount),
		number(crm.QuoteDiscountValue, false, 0, 1e12, false),
		number(crm.QuoteDiscount, false, 0, 1e12, false),
		number(crm.QuoteSubtotal, false, 0, 1e12, false),
		number(crm.QuoteTotal, false, 0, 1e12, false),
		pattern(crm.QuoteCurrency, false, 3, `^$|^[A-Z]{3}$`),
		pattern(crm.QuoteValidUntil, false, 10, `^$|^\d{4}-\d{2}-\d{2}$`),
		text(crm.QuoteNote, false, 5000),
		text(crm.QuoteLanguage, false, 10),
		date(crm.QuoteSentAt, false),
		date(crm.QuoteAcceptedAt, false),
		text(crm.QuoteAcceptedName, false, 200),
		text(crm.QuoteAcceptedIP, false, 100),
		text(crm.QuoteAcceptedAgent, false, 500),
		relation(app, crm.QuoteAcceptedBy, crm.Customers, false, false),
		date(crm.QuoteDeclinedAt, false),
		text(crm.QuoteDeclineReason, false, 2000),
		date(crm.QuoteClosedAt, false),
		relation(app, crm.QuoteOrder, crm.Orders, false, false),
	)
	c.Fields.Add(timestamps()...)
	if id, ok := c.Fields.GetByName(core.FieldNameId).(*core.TextField); ok {
		id.Help = "One quote for a customer: lines priced by the server with their discounts, validity, state, and the record of its acceptance (typed name, time, address, browser) or the reason it was declined. Written through the quotes' routes; staff read all, customers their own once sent."
	}
	sent := "state != '" + crm.QuoteDraft + "'"
	setRules(c, rules{read: or(isStaff,
		"("+ownRecord(crm.QuoteContact)+" && "+sent+")",
		"("+companyShared(crm.QuoteCompany)+" && "+sent+")")})
	index(c, true, crm.QuoteNumber)
	index(c, false, crm.QuoteContact, "created")
	index(c, false, crm.QuoteCompany)
	index(c, false, crm.QuoteDeal)
	index(c, false, crm.QuoteOwner)
	index(c, false, crm.QuoteAcceptedBy)
	index(c, false, crm.QuoteOrder)
	index(c, false, crm.QuoteState, crm.QuoteValidUntil)
	if err := app.Save(c); err != nil {
		return err
	}
	orders, err := app.FindCollectionByNameOrId(crm.Orders)
	if err != nil {
		return err
	}
	orders.Fields.Add(relation(app, crm.OrderQuote, crm.Quotes, false, false))
	index(orders, false, crm.OrderQuote)
	return app.Save(orders)
}

func quotesDown(app core.App) error {
	if orders, err := app.FindCollectionByNameOrId(crm.Orders); err == nil {
		orders.RemoveIndex("idx_orders_" + crm.OrderQuote)
		orders.Fields.RemoveByName(crm.OrderQuote)
		if err := app.Save(orders); err != nil {
			return err
		}
	}
	c, err := app.FindCollectionByNameOrId(crm.Quotes)
	if err != nil {
		return nil
	}
	return app.Delete(c)
}
