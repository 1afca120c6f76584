package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/plugins/search"
)

// The search index's short columns (names, titles, subjects, details,
// phones, tags) get a table of their own, where the search ranks what
// matched in them (issue 21, search at a million; see search.ShortTable).
// An index made before is copied into it and merged into one segment, not
// rebuilt: about two minutes (1m49s and 15 s) at a million contacts and
// five million timeline entries. A new database's records are indexed
// here, once the index is whole.
func init() {
	m.Register(func(app core.App) error {
		search.BindSchemaHooks(app)
		return search.AddShortTable(app)
	}, func(app core.App) error {
		// The version before this one remakes its triggers, and its
		// entries, at its next start.
		if err := search.Uninstall(app); err != nil {
			return err
		}
		_, err := app.DB().NewQuery("DROP TABLE IF EXISTS `" + search.ShortTable + "`").Execute()
		return err
	})
}
