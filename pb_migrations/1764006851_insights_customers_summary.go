package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/plugins/insights/summarydb"
)

// The Customers board's summary (plugins/insights, customers_summary.go):
// each customer's spans of activity (their purchases and subscriptions,
// merged under the business's churn window) and the monthly counts made
// from them. Plain SQL tables like the Service board's (1764006850), read
// only by the boards; triggers on orders and subscriptions note the
// customers written behind the app's back. They start empty and unstamped:
// the server fills them on its next start (or at the first board read, for
// a small business).
func init() {
	m.Register(func(app core.App) error {
		return summarydb.CreateCustomers(app.DB())
	}, func(app core.App) error {
		return summarydb.DropCustomers(app.DB())
	})
}
