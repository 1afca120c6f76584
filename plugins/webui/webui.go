// Package webui serves the web pages embedded in the binary: the staff
// workspace at / and the customer portal at /portal/, beside PocketBase's
// dashboard at /_/ and the API at /api/.
package webui

import (
	"strings"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/ui"
)

// Register adds the page routes.
func Register(app core.App, cfg *crm.Config) error {
	pages := apis.MustSubFS(ui.Placeholder, "placeholder")
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		static := apis.Static(pages, true)
		se.Router.GET("/{path...}", func(e *core.RequestEvent) error {
			// an unknown API path is an API error, not a page
			if strings.HasPrefix(e.Request.URL.Path, "/api/") {
				return e.NotFoundError("", nil)
			}
			return static(e)
		})
		return se.Next()
	})
	return nil
}
