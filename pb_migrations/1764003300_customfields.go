package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// custom_fields describes the fields managers add to contacts, companies,
// deals and requests (plugins/customfields): the field itself is a real
// field of that collection; this row keeps what PocketBase does not (labels
// per language, the kind, the position, whether customers may see it).
// Staff read it; it is written only through /api/crm/fields, which changes
// the collection's schema in the same transaction (no API write rule).
func init() {
	m.Register(customFieldsUp, customFieldsDown)
}

func customFieldsUp(app core.App) error {
	c := core.NewBaseCollection(crm.CustomFields)
	c.Fields.Add(
		choice("collection", true, crm.CustomFieldCollections...),
		pattern("name", true, 40, `^cf_[a-z0-9_]{1,37}$`),
		text("field_id", true, 100), // the PocketBase field's id: a rename keeps it
		text("label", true, 80),
		jsonField("labels", false, 4<<10), // {"en": "...", "pt-BR": "..."}
		choice("kind", true, crm.CustomKinds...),
		jsonField("options", false, 16<<10), // the choices of select and multi_select
		number("position", false, 0, 10000, true),
		boolean("customer"), // the customer reads and writes it; internal otherwise
	)
	c.Fields.Add(timestamps()...)
	setRules(c, rules{read: rule(isStaff)})
	index(c, true, "collection", "name")
	index(c, false, "collection", "position")
	return app.Save(c)
}

func customFieldsDown(app core.App) error {
	c, err := app.FindCollectionByNameOrId(crm.CustomFields)
	if err != nil {
		return nil
	}
	return app.Delete(c)
}
