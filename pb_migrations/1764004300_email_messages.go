package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// Email both ways: one row per mail sent or received, so a reply finds its
// thread (by Message-ID, In-Reply-To, References) and a mail seen twice is
// dropped (the Message-ID is unique). The server writes these rows alone;
// staff read them; customers never (what they read is the request message).
func init() {
	m.Register(emailMessagesUp, emailMessagesDown)
}

func emailMessagesUp(app core.App) error {
	c := core.NewBaseCollection(crm.EmailMessages)
	attachments := files(crm.MailFiles, 50)
	attachments.MaxSize = 26 << 20
	attachments.Protected = true
	c.Fields.Add(
		text(crm.MailMessageID, true, 998),
		choice(crm.MailDirection, true, crm.MailIn, crm.MailOut),
		text(crm.MailMailbox, false, 40),
		relation(app, crm.MailContact, crm.Contacts, false, false),
		relation(app, crm.MailCase, crm.Cases, false, false),
		relation(app, crm.MailActivity, crm.Activities, false, false),
		relation(app, crm.MailCaseMsg, crm.CaseMessages, false, false),
		relation(app, crm.MailOutbox, crm.Outbox, false, false),
		text(crm.MailFrom, false, 320),
		text(crm.MailTo, false, 4000),
		text(crm.MailCc, false, 4000),
		text(crm.MailSubject, false, 998),
		text(crm.MailInReplyTo, false, 998),
		jsonField(crm.MailReferences, false, 64<<10),
		choice(crm.MailKind, false, crm.MailNormal, crm.MailAutoReply, crm.MailBounce),
		text(crm.MailFlag, false, 60),
		text(crm.MailText, false, 1<<20),
		text(crm.MailHTML, false, 2<<20),
		attachments,
		number(crm.MailSize, false, 0, 1<<31, true),
		date(crm.MailAt, false),
	)
	c.Fields.Add(timestamps()...)
	if id, ok := c.Fields.GetByName(core.FieldNameId).(*core.TextField); ok {
		id.Help = "One row per mail sent or received: its Message-ID, thread headers, contact, request and attachments. Written by the server; staff read."
	}
	setRules(c, rules{read: rule(isStaff)})
	index(c, true, crm.MailMessageID)
	index(c, false, crm.MailCase, crm.MailAt)
	index(c, false, crm.MailContact, crm.MailAt)
	index(c, false, crm.MailOutbox)
	index(c, false, crm.MailActivity)
	index(c, false, crm.MailCaseMsg)
	return app.Save(c)
}

func emailMessagesDown(app core.App) error {
	c, err := app.FindCollectionByNameOrId(crm.EmailMessages)
	if err != nil {
		return nil
	}
	return app.Delete(c)
}
