package email

import (
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/pocketbase/ozzo-validation/v4/is"

	"vinculo/crm"
	"vinculo/plugins/portalauth"
	"vinculo/plugins/timeline"
)

// LeadSource is contacts.source of a contact the intake made from an
// unknown sender.
const LeadSource = "email"

// byMail is who acts when the intake saves something: the mail's writer
// through the email channel (their portal account when they have one), so
// timeline entries say "by email" and name the customer.
func byMail(app core.App, contactID string) timeline.Actor {
	a := timeline.Actor{Type: timeline.ActorCustomer, Channel: "email"}
	if contactID == "" {
		return timeline.Actor{Type: timeline.ActorIntegration, Channel: "email"}
	}
	a.Customer = accountOf(app, contactID)
	return a
}

// accountOf is the contact's portal account ("" when none).
func accountOf(app core.App, contactID string) string {
	var found []*core.Record
	err := app.RecordQuery(crm.Customers).AndWhere(dbx.HashExp{crm.FieldContact: contactID}).
		OrderBy("created ASC").Limit(1).All(&found)
	if err != nil || len(found) == 0 {
		return ""
	}
	return found[0].Id
}

// senderContact is the contact a mail outside any thread belongs to: the
// one contact with the sender's address, a new lead when nobody has it. An
// address several contacts share is not guessed: flag says so and no
// contact is returned; so is a mail without a usable sender address.
func senderContact(app core.App, p *parsed) (contact *core.Record, lead bool, flag string, err error) {
	if p.From == "" || is.EmailFormat.Validate(p.From) != nil {
		return nil, false, crm.MailFlagNoSender, nil
	}
	var found []*core.Record
	if err := app.RecordQuery(crm.Contacts).AndWhere(dbx.HashExp{crm.FieldEmail: p.From}).Limit(2).All(&found); err != nil {
		return nil, false, "", err
	}
	switch len(found) {
	case 1:
		return found[0], false, "", nil
	case 2:
		return nil, false, crm.MailFlagSharedAddress, nil
	}
	contacts, err := app.FindCachedCollectionByNameOrId(crm.Contacts)
	if err != nil {
		return nil, false, "", err
	}
	c := core.NewRecord(contacts)
	name := strings.TrimSpace(p.FromName)
	if name == "" {
		name, _, _ = strings.Cut(p.From, "@")
	}
	c.Set("name", crm.Clip(name, 200))
	c.Set(crm.FieldEmail, p.From)
	c.Set("stage", "lead")
	c.Set("source", LeadSource)
	timeline.SetActor(c, timeline.Actor{Type: timeline.ActorIntegration, Channel: "email"})
	if err := app.Save(c); err != nil {
		return nil, false, "", err
	}
	return c, true, "", nil
}

// markFailing marks every contact with a failing address: a bounce is a
// fact about the address, whichever contact it is on. It returns the
// contacts marked.
func markFailing(app core.App, address, reason string) ([]*core.Record, error) {
	var found []*core.Record
	if err := app.RecordQuery(crm.Contacts).AndWhere(dbx.HashExp{crm.FieldEmail: address}).Limit(100).All(&found); err != nil {
		return nil, err
	}
	for _, c := range found {
		c.Set(crm.ContactEmailFailingAt, types.NowDateTime())
		c.Set(crm.ContactEmailFailingReason, crm.Clip(reason, 500))
		timeline.SetActor(c, timeline.System)
		if err := app.Save(c); err != nil {
			return nil, err
		}
	}
	return found, nil
}

// bounceContact is the contact a bounce is filed under: its thread's, else
// the oldest contact with the first failing address.
func bounceContact(app core.App, th mailThread, failed []string) (string, error) {
	if th.Contact != "" || len(failed) == 0 {
		return th.Contact, nil
	}
	c, err := portalauth.OldestContactWithEmail(app, failed[0])
	if err != nil || c == nil {
		return "", err
	}
	return c.Id, nil
}

// bindContacts: a contact's new address has not bounced yet.
func bindContacts(app core.App) {
	app.OnRecordUpdate(crm.Contacts).BindFunc(func(e *core.RecordEvent) error {
		if !strings.EqualFold(e.Record.Original().GetString(crm.FieldEmail), e.Record.GetString(crm.FieldEmail)) {
			e.Record.Set(crm.ContactEmailFailingAt, "")
			e.Record.Set(crm.ContactEmailFailingReason, "")
		}
		return e.Next()
	})
}
