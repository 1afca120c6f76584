package migrations

import (
	"slices"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// Erasure (issue 20): erasure_requests, one row per person who asked for
// their data to be erased, with the legal deadline, the manager's decision
// and, once done, only a pseudonymous reference and the signed receipt.
// Managers read every request; a customer reads their own; nobody writes
// through the record API: the portal's and staff's routes set the state,
// the deadline and the receipt.
func init() {
	m.Register(erasureUp, erasureDown)
}

func erasureUp(app core.App) error {
	c := core.NewBaseCollection(crm.ErasureRequests)
	c.Fields.Add(
		pattern(crm.ErasureRef, true, 20, `^ER-[A-Z0-9]{8}$`),
		relation(app, crm.FieldContact, crm.Contacts, true, false),
		relation(app, crm.ErasureCustomer, crm.Customers, false, false),
		choice(crm.ErasureChannel, true, crm.ErasureChannels...),
		text(crm.ErasureNote, false, 2000),
		choice(crm.ErasureState, true, crm.ErasureStates...),
		date(crm.ErasureAskedAt, true),
		date(crm.ErasureDueAt, true),
		date(crm.ErasureDecidedAt, false),
		relation(app, crm.ErasureDecidedBy, crm.Staff, false, false),
		text(crm.ErasureReason, false, 2000),
		date(crm.ErasureDoneAt, false),
		relation(app, crm.ErasureRecordedBy, crm.Staff, false, false),
		choice(crm.ErasureLanguage, false, crm.Languages...),
		text(crm.ErasureReceipt, false, 100000),
		text(crm.ErasureDigest, false, 64),
		text(crm.ErasureSignature, false, 200),
		jsonField(crm.ErasureOutcome, false, 200000),
	)
	c.Fields.Add(timestamps()...)
	describe(c, "One row per request to erase a person's data (GDPR art. 17, LGPD art. 18): how and when asked, the deadline, a manager's decision and reason; once done only a pseudonymous reference and the signed receipt. Managers and the customer read; the server writes.")
	self := "(" + isCustomer + " && @request.auth.contact != '' && contact = @request.auth.contact)"
	setRules(c, rules{read: or(isManager, self)})
	index(c, true, crm.ErasureRef)
	index(c, false, crm.FieldContact, crm.ErasureAskedAt)
	index(c, false, crm.ErasureCustomer)
	index(c, false, crm.ErasureDecidedBy)
	index(c, false, crm.ErasureRecordedBy)
	index(c, false, crm.ErasureState, crm.ErasureDueAt)
	if err := app.Save(c); err != nil {
		return err
	}
	return notifyEventAdded(app)
}

// notifyEventAdded lets notifications carry the erasure's event on a
// database made before it existed.
func notifyEventAdded(app core.App) error {
	n, err := app.FindCollectionByNameOrId(crm.Notifications)
	if err != nil {
		return err
	}
	f, ok := n.Fields.GetByName(crm.NotifEvent).(*core.SelectField)
	if !ok || slices.Contains(f.Values, crm.NotifyErasureAsked) {
		return nil
	}
	f.Values = append(f.Values, crm.NotifyErasureAsked)
	return app.Save(n)
}

func erasureDown(app core.App) error {
	c, err := app.FindCollectionByNameOrId(crm.ErasureRequests)
	if err != nil {
		return nil
	}
	return app.Delete(c)
}
