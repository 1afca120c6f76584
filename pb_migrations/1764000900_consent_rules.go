package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// Consents: a customer may withdraw or give again any consent of their own,
// whatever door it first came through. The first rule checked the stored
// source (portal or none), so a consent given on a public form, by phone or
// on paper could not be withdrawn in the portal. Now the rule checks only
// what the customer sends: no source, or "portal" (plugins/consents records
// the portal as the source of a customer's change; the history keeps the
// earlier one).
func init() {
	m.Register(consentRulesUp, consentRulesDown)
}

func consentRulesUp(app core.App) error {
	c, err := app.FindCollectionByNameOrId(crm.Consents)
	if err != nil {
		return err
	}
	customerChanges := "(" + ownRecord(crm.FieldContact) + " && @request.body.history:isset = false" +
		" && (@request.body.source:isset = false || @request.body.source = '' || @request.body.source = 'portal')" +
		" && " + onlyBodyFields(c, "state", "text", "source") + ")"
	c.UpdateRule = or("("+isWriter+" && "+onlyBodyFields(c, "state", "text", "source", "at")+")", customerChanges)
	return app.Save(c)
}

func consentRulesDown(app core.App) error {
	c, err := app.FindCollectionByNameOrId(crm.Consents)
	if err != nil {
		return err
	}
	customerWrites := "(" + ownRecord(crm.FieldContact) + " && @request.body.history:isset = false && (source = '' || source = 'portal'))"
	c.UpdateRule = or(
		"("+isWriter+" && "+onlyBodyFields(c, "state", "text", "source", "at")+")",
		"("+customerWrites+" && "+onlyBodyFields(c, "state", "text", "source")+")",
	)
	return app.Save(c)
}
