package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/plugins/search"
)

// The search index forgets at once (issue 20, erasure): with FTS5's
// secure-delete on, a deleted or changed row's words are taken out of the
// index's segments instead of staying there under a delete marker until a
// merge, so an erased person's name is not left in the index's pages.
// 'optimize' merges what older deletes left behind, once.
func init() {
	m.Register(func(app core.App) error {
		for _, q := range []string{
			search.SecureDeleteSQL(search.Table, true),
			"INSERT INTO `" + search.Table + "`(`" + search.Table + "`) VALUES('optimize')",
		} {
			if _, err := app.DB().NewQuery(q).Execute(); err != nil {
				return err
			}
		}
		return nil
	}, func(app core.App) error {
		_, err := app.DB().NewQuery(search.SecureDeleteSQL(search.Table, false)).Execute()
		return err
	})
}
