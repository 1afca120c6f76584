package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// A received mail the intake filed under nobody (a shared or unreadable
// sender, its own mailbox's address, a mail that could not be read) waits
// for a person: who filed it to a contact or set it aside, and when.
func init() {
	m.Register(emailUnfiledUp, emailUnfiledDown)
}

func emailUnfiledUp(app core.App) error {
	c, err := app.FindCollectionByNameOrId(crm.EmailMessages)
	if err != nil {
		return err
	}
	c.Fields.Add(
		date(crm.MailHandledAt, false),
		relation(app, crm.MailHandledBy, crm.Staff, false, false),
		choice(crm.MailHandled, false, crm.MailHandledFiled, crm.MailHandledDismissed),
	)
	index(c, false, crm.MailHandledBy)
	index(c, false, crm.MailDirection, crm.MailContact, crm.MailHandledAt)
	return app.Save(c)
}

func emailUnfiledDown(app core.App) error {
	c, err := app.FindCollectionByNameOrId(crm.EmailMessages)
	if err != nil {
		return nil
	}
	for _, f := range []string{crm.MailHandledAt, crm.MailHandledBy, crm.MailHandled} {
		c.Fields.RemoveByName(f)
	}
	c.RemoveIndex("idx_" + crm.EmailMessages + "_" + crm.MailHandledBy)
	c.RemoveIndex("idx_" + crm.EmailMessages + "_" + crm.MailDirection + "_" + crm.MailContact + "_" + crm.MailHandledAt)
	return app.Save(c)
}
