package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// Paying: the payments of orders and subscription periods, their invoices
// (numbered without gaps per year), and the methods the business offers.
// Payments and invoices are written by the server alone (plugins/orders):
// nobody sets a payment's state or an invoice's number through the API.
// The customer reads their own (and their company's as its admin); staff
// read all. Managers keep the methods; a provider's secret is hidden.
func init() {
	m.Register(paymentsUp, paymentsDown)
}

func paymentsUp(app core.App) error {
	settings := paymentSettingsCollection()
	if err := app.Save(settings); err != nil {
		return err
	}
	pay := paymentsCollection(app)
	if err := app.Save(pay); err != nil {
		return err
	}
	inv := invoicesCollection(app)
	if err := app.Save(inv); err != nil {
		return err
	}
	// a payment points at the invoice it paid for
	pay.Fields.Add(relation(app, crm.PayInvoice, crm.Invoices, false, false))
	index(pay, false, crm.PayInvoice)
	return app.Save(pay)
}

func customerReads() *string {
	return or(isStaff, ownRecord(crm.FieldContact), companyShared(crm.FieldCompany))
}

func paymentsCollection(app core.App) *core.Collection {
	c := core.NewBaseCollection(crm.Payments)
	c.Fields.Add(
		relation(app, crm.PayOrder, crm.Orders, false, false),
		relation(app, crm.PaySubscription, crm.Subscriptions, false, false),
		pattern(crm.PayPeriod, false, 10, `^$|^\d{4}-\d{2}-\d{2}$`),
		relation(app, crm.PayContact, crm.Contacts, true, false),
		relation(app, crm.PayCompany, crm.Companies, false, false),
		pattern(crm.PayMethod, true, 40, `^[a-z0-9_]+$`),
		number(crm.PayAmount, false, 0, 1e12, false),
		pattern(crm.PayCurrency, true, 3, `^[A-Z]{3}$`),
		choice(crm.PayState, true, crm.PaymentPending, crm.PaymentPaid, crm.PaymentFailed),
		text(crm.PayReference, false, 200),
		text(crm.PayRedirect, false, 2000),
		text(crm.PayInstructions, false, 5000),
		text(crm.PayFailure, false, 500),
		jsonField(crm.PayNotifications, false, 64<<10),
		date(crm.PayPaidAt, false),
		date(crm.PayFailedAt, false),
		relation(app, crm.PayConfirmedBy, crm.Staff, false, false),
	)
	c.Fields.Add(timestamps()...)
	describePayments(c, "One row per attempt to pay an order or a subscription period: method, amount, state, the provider's reference and notifications. Written by the server; the customer reads their own, staff read all.")
	setRules(c, rules{read: customerReads()})
	index(c, false, crm.PayOrder, "created")
	index(c, false, crm.PaySubscription, crm.PayPeriod)
	index(c, false, crm.PayContact, "created")
	index(c, false, crm.PayCompany)
	index(c, false, crm.PayConfirmedBy)
	index(c, false, crm.PayMethod, crm.PayReference)
	return c
}

func invoicesCollection(app core.App) *core.Collection {
	c := core.NewBaseCollection(crm.Invoices)
	c.Fields.Add(
		pattern(crm.InvNumber, true, 30, `^[A-Z]+-\d{4}-\d{5,}$`),
		number(crm.InvYear, true, 2000, 9999, true),
		number(crm.InvSeq, true, 1, 1e9, true),
		relation(app, crm.InvOrder, crm.Orders, false, false),
		relation(app, crm.InvSubscription, crm.Subscriptions, false, false),
		pattern(crm.InvPeriod, false, 10, `^$|^\d{4}-\d{2}-\d{2}$`),
		relation(app, crm.InvPayment, crm.Payments, false, false),
		relation(app, crm.InvContact, crm.Contacts, true, false),
		relation(app, crm.InvCompany, crm.Companies, false, false),
		jsonField(crm.InvLines, true, 64<<10),
		number(crm.InvTotal, false, 0, 1e12, false),
		pattern(crm.InvCurrency, true, 3, `^[A-Z]{3}$`),
		date(crm.InvIssuedAt, true),
		date(crm.InvPaidAt, false),
		jsonField(crm.InvSeller, false, 8<<10),
		jsonField(crm.InvBuyer, false, 8<<10),
	)
	c.Fields.Add(timestamps()...)
	describePayments(c, "One invoice per paid order or subscription period, numbered without gaps per year (INV-2026-00001), with the business's and the customer's details at the time. Written by the server; the customer reads their own, staff read all.")
	setRules(c, rules{read: customerReads()})
	index(c, true, crm.InvNumber)
	index(c, true, crm.InvYear, crm.InvSeq)
	index(c, false, crm.InvOrder)
	index(c, false, crm.InvSubscription, crm.InvPeriod)
	index(c, false, crm.InvPayment)
	index(c, false, crm.InvContact, crm.InvIssuedAt)
	index(c, false, crm.InvCompany)
	return c
}

func paymentSettingsCollection() *core.Collection {
	c := core.NewBaseCollection(crm.PaymentSettings)
	secret := text(crm.PsSecret, false, 500)
	secret.Hidden = true
	c.Fields.Add(
		pattern(crm.PsKey, true, 40, `^[a-z0-9_]+$`),
		boolean(crm.PsActive),
		text(crm.PsDetails, false, 5000),
		pattern(crm.PsProviderURL, false, 500, `^$|^https?://\S+$`),
		secret,
	)
	c.Fields.Add(timestamps()...)
	describePayments(c, "The payment methods the business offers (on or off, the instructions customers read, a provider's address and secret, hidden) and the issuer's details on invoices. Managers write; staff read.")
	setRules(c, managersWrite())
	index(c, true, crm.PsKey)
	return c
}

// describePayments sets the help of c's id field: what its rows are.
func describePayments(c *core.Collection, help string) {
	if id, ok := c.Fields.GetByName(core.FieldNameId).(*core.TextField); ok {
		id.Help = help
	}
}

func paymentsDown(app core.App) error {
	if pay, err := app.FindCollectionByNameOrId(crm.Payments); err == nil {
		pay.RemoveIndex("idx_payments_invoice")
		pay.Fields.RemoveByName(crm.PayInvoice)
		if err := app.Save(pay); err != nil {
			return err
		}
	}
	for _, name := range []string{crm.Invoices, crm.Payments, crm.PaymentSettings} {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			continue
		}
		if err := app.Delete(c); err != nil {
			return err
		}
	}
	return nil
}
