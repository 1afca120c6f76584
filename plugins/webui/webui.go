// Package webui serves the web pages embedded in the binary: the staff
// workspace at / and the customer portal at /portal/, beside PocketBase's
// dashboard at /_/ and the API at /api/.
package webui

import (
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/ui"
)

// Register adds the page routes.
func Register(app core.App, cfg *crm.Config) error {
	pages := apis.MustSubFS(ui.Placeholder, "placeholder")
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.GET("/{path...}", apis.Static(pages, true))
		return se.Next()
	})
	return nil
}
