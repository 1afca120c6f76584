package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/plugins/signin"
)

// Sign-in limits (plugins/signin): two plain tables, reachable by no API:
// failed sign-ins per account and address, and the made-up codes given to
// emails that have no account.
func init() {
	m.Register(func(app core.App) error {
		for _, sql := range signin.CreateTablesSQL {
			if _, err := app.DB().NewQuery(sql).Execute(); err != nil {
				return err
			}
		}
		return nil
	}, func(app core.App) error {
		for _, table := range []string{signin.FailuresTable, signin.DecoysTable} {
			if _, err := app.DB().NewQuery("DROP TABLE IF EXISTS `" + table + "`").Execute(); err != nil {
				return err
			}
		}
		return nil
	})
}
