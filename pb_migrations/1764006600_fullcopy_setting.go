package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// The full copy's one setting (business_settings.withhold_working_notes):
// whether a request's internal notes are the team's internal working notes,
// left out of a person's full copy (which then says how many and why). Off
// by default, so a full copy holds every note about the person.
func init() {
	m.Register(fullCopySettingUp, fullCopySettingDown)
}

func fullCopySettingUp(app core.App) error {
	c, err := app.FindCollectionByNameOrId(crm.BusinessSettings)
	if err != nil {
		return err
	}
	c.Fields.Add(boolean(crm.BusinessWithholdWorkingNotes))
	return app.Save(c)
}

func fullCopySettingDown(app core.App) error {
	c, err := app.FindCollectionByNameOrId(crm.BusinessSettings)
	if err != nil {
		return nil
	}
	c.Fields.RemoveByName(crm.BusinessWithholdWorkingNotes)
	return app.Save(c)
}
