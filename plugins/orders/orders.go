package orders

import (
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// InternalFields are the fields of an order that are the business's own:
// customers never receive them (REST, expand, realtime, my data) nor filter
// or sort on them.
var InternalFields = []string{"internal_notes"}

// Register binds the orders capability. Its rules are called by the doors
// that change orders and subscriptions (the portal's subscription action,
// the staff's); its hooks and routes register here, after the timeline's
// (which record every change) and before the portal's (which calls it).
func Register(app core.App, cfg *crm.Config) error {
	bindOrders(app)
	bindStaff(app)
	bindOptions(app)
	bindOrderStates(app)
	bindCatalogue(app, cfg)
	bindPayments(app, cfg)
	bindServices(app, cfg)
	bindQuotes(app, cfg)
	return nil
}
