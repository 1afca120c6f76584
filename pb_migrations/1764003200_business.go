package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// business_settings: the one row of the business's own settings, which
// managers keep in the workspace and every plugin reads through
// crm.Config.BusinessNow (plugins/business). Staff read it, managers change
// it; nobody creates or deletes it through the API: the server seeds it from
// the configuration file on first start. Customers and the public read only
// the name, logo and colour, through the portal's branding route.
func init() {
	m.Register(businessUp, businessDown)
}

func businessUp(app core.App) error {
	c := core.NewBaseCollection(crm.BusinessSettings)
	logo := &core.FileField{Name: "logo", MaxSelect: 1, MaxSize: 2 << 20,
		MimeTypes: []string{"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"}}
	c.Fields.Add(
		text("name", true, 120),
		logo,
		text("logo_url", false, 500), // an https URL or a path on this server, when no file is uploaded
		pattern("color", false, 7, `^#[0-9a-f]{6}$`),
		pattern("country", true, 2, `^[A-Z]{2}$`),
		choice("language", true, languages...),
		pattern("timezone", true, 64, tzPattern),
		text("hours", true, 1000), // "mon-fri 09:00-12:00,13:00-18:00; sat 09:00-13:00"
		jsonField("holidays", false, 16<<10),
	)
	c.Fields.Add(timestamps()...)
	c.ListRule, c.ViewRule = rule(isStaff), rule(isStaff)
	c.UpdateRule = rule(isManager)
	return app.Save(c)
}

func businessDown(app core.App) error {
	c, err := app.FindCollectionByNameOrId(crm.BusinessSettings)
	if err != nil {
		return nil
	}
	return app.Delete(c)
}
