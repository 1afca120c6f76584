package portal

import (
	"net/http"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/orders"
)

// subscriptionAction is POST /api/crm/portal/subscriptions/{id}/action
// {action, product, until}: the customer pauses, resumes, cancels or changes
// the plan of a subscription they manage, under the rules of plugins/orders.
func subscriptionAction(e *core.RequestEvent, c *customer, cfg *crm.Config) error {
	sub, err := e.App.FindRecordById(crm.Subscriptions, e.Request.PathValue("id"))
	if err != nil {
		return e.NotFoundError("We could not find that subscription.", nil)
	}
	by := orders.Customer{Account: c.record, Contact: c.contact, CompanyAdmin: c.isAdmin()}
	if err := orders.MayManage(sub, by); err != nil {
		return err
	}
	var req orders.Request
	if err := e.BindBody(&req); err != nil {
		return e.BadRequestError("The request body is not valid JSON.", err)
	}
	if err := orders.Act(e.App, cfg, sub, by, req); err != nil {
		return err
	}
	return e.JSON(http.StatusOK, sub)
}
