package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/plugins/search"
)

// The full-text index of contacts, companies, deals, cases and activities:
// an FTS5 table, the triggers that keep it in step with every write, and the
// rows already there. The triggers are derived from the collections' fields,
// so the search plugin owns their text and rebuilds them when fields change.
func init() {
	m.Register(func(app core.App) error {
		for _, sql := range search.CreateTablesSQL {
			if _, err := app.DB().NewQuery(sql).Execute(); err != nil {
				return err
			}
		}
		// Later migrations may remove indexed fields: SQLite refuses to drop
		// a column a trigger names unless the plugin's hooks remake them.
		search.BindSchemaHooks(app)
		// Triggers, then every existing row: since the short columns' table
		// (1764007000), once it is there.
		return search.Sync(app)
	}, func(app core.App) error {
		if err := search.Uninstall(app); err != nil {
			return err
		}
		for _, table := range []string{search.Table, search.MapTable} {
			if _, err := app.DB().NewQuery("DROP TABLE IF EXISTS `" + table + "`").Execute(); err != nil {
				return err
			}
		}
		return nil
	})
}
