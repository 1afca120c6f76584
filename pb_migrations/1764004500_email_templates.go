package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// Email templates: what a manager keeps in Settings > Templates for staff
// to start an email from — a name, a purpose, and a subject and body in
// English and Portuguese with variables ({{contact.name}},
// {{request.reference}}, {{portal_link}}, {{business.name}}...), filled in
// the contact's language when an email is written (plugins/channels/email).
// Managers write; staff read; customers never.
func init() {
	m.Register(emailTemplatesUp, emailTemplatesDown)
}

func emailTemplatesUp(app core.App) error {
	c := core.NewBaseCollection(crm.EmailTemplates)
	c.Fields.Add(
		text(crm.TplName, true, 120),
		choice("purpose", false, crm.ConsentPurposes...),
		text(crm.TplSubjectEN, false, 300),
		text(crm.TplBodyEN, false, 20000),
		text(crm.TplSubjectPT, false, 300),
		text(crm.TplBodyPT, false, 20000),
	)
	c.Fields.Add(timestamps()...)
	if id, ok := c.Fields.GetByName(core.FieldNameId).(*core.TextField); ok {
		id.Help = "A template staff start an email from: its name, purpose, and subject and body in English and Portuguese with variables. Managers write; staff read."
	}
	setRules(c, rules{read: rule(isStaff), create: rule(isManager), update: rule(isManager), delete: rule(isManager)})
	index(c, true, crm.TplName)
	return app.Save(c)
}

func emailTemplatesDown(app core.App) error {
	c, err := app.FindCollectionByNameOrId(crm.EmailTemplates)
	if err != nil {
		return nil
	}
	return app.Delete(c)
}
