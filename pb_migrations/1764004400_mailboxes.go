package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// The business's mailboxes, read over IMAP: how to reach each one (managers
// write, staff read, the password hidden from every API answer) and where
// the reader stopped (UIDVALIDITY, last UID, status), written by the server.
func init() {
	m.Register(mailboxesUp, mailboxesDown)
}

func mailboxesUp(app core.App) error {
	c := core.NewBaseCollection(crm.Mailboxes)
	password := text(crm.BoxPassword, false, 4000)
	password.Hidden = true
	c.Fields.Add(
		text(crm.BoxName, true, 80),
		text(crm.BoxAddress, false, 320),
		text(crm.BoxHost, true, 255),
		number(crm.BoxPort, true, 1, 65535, true),
		choice(crm.BoxTLS, true, crm.BoxTLSImplicit, crm.BoxTLSStartTLS, crm.BoxTLSNone),
		text(crm.BoxUser, true, 320),
		password,
		text(crm.BoxFolder, false, 255),
		choice(crm.BoxNewThread, true, "request", "timeline"),
		relation(app, crm.BoxCaseType, crm.CaseTypes, false, false),
		boolean(crm.BoxActive),
		choice(crm.BoxSource, false, crm.BoxFromSettings, crm.BoxFromConfig),
		number(crm.BoxUIDValidity, false, 0, 1<<32, true),
		number(crm.BoxLastUID, false, 0, 1<<32, true),
		text(crm.BoxStatus, false, 40),
		text(crm.BoxStatusDetail, false, 1000),
		date(crm.BoxCheckedAt, false),
		date(crm.BoxNextTryAt, false),
		number(crm.BoxFailures, false, 0, 1<<31, true),
	)
	c.Fields.Add(timestamps()...)
	if id, ok := c.Fields.GetByName(core.FieldNameId).(*core.TextField); ok {
		id.Help = "One row per mailbox read over IMAP: server, user, folder, what a new thread becomes, and where the reader stopped. Managers write; staff read; the password is never shown."
	}
	setRules(c, managersWrite())
	index(c, true, crm.BoxName)
	index(c, false, crm.BoxCaseType)
	return app.Save(c)
}

func mailboxesDown(app core.App) error {
	c, err := app.FindCollectionByNameOrId(crm.Mailboxes)
	if err != nil {
		return nil
	}
	return app.Delete(c)
}
