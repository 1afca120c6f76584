package migrations

import (
	m "github.com/pocketbase/pocketbase/migrations"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/plugins/insights/summarydb"
)

// The Service board's summary (plugins/insights, service_summary.go): one
// row of facts per request (its month of opening, answer and close in the
// business's time zone, its business-hours times, whether it kept its SLA)
// and the monthly counts made from them, so that a year is a few thousand
// small rows instead of every request. Plain SQL tables, not collections:
// nobody reads them through the API (the boards do, under each request's
// own rules), so they need no API rules. Triggers on cases note every
// request written behind the app's back (bulk SQL, imports); the app brings
// those up to date before it answers a board. The tables start empty and
// unstamped: the server fills them from the existing requests on its next
// start (or at the first board read, for a small business).
func init() {
	m.Register(func(app core.App) error {
		return summarydb.CreateService(app.DB())
	}, func(app core.App) error {
		return summarydb.DropService(app.DB())
	})
}
