package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// The dashboard describes the collections made after the team's migration
// (1764003100_team.go) the same way: the help text of each one's `id` field
// says what it holds.
func init() {
	m.Register(func(app core.App) error {
		return describeCollections(app, laterCollectionHelp)
	}, func(app core.App) error {
		blank := map[string]string{}
		for name := range laterCollectionHelp {
			blank[name] = ""
		}
		return describeCollections(app, blank)
	})
}

// laterCollectionHelp: what each collection made after 1764003100 holds.
var laterCollectionHelp = map[string]string{
	crm.BusinessSettings: "The business itself, in one row: name, logo, colour, country, language, time zone, opening hours and holidays, kept by managers in Settings (the configuration file gives the first values).",
	crm.CustomFields:     "The fields a manager added to contacts, companies, deals or requests: the collection, the field's name, its labels in each language, kind, options, order, and whether customers read and write it.",
}
