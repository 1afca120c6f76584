package portal

import (
	"net/http"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/orders"
)

// subscriptionAction is POST /api/crm/portal/subscriptions/{id}/action
// {action, product, expect, until, interval, method, when, reason, note}:
// the customer pauses, resumes, cancels (now or at the end of the period,
// with a reason), changes the plan (confirming the prorated difference they
// were shown), the billing interval or the way of paying of a subscription
// they manage, under the rules of plugins/orders. Answer: the subscription
// as the portal shows it (orders.Offer) and the payment of an upgrade's
// difference, when there is one to pay.
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
	res, err := orders.Act(e.App, cfg, sub, by, req)
	if err != nil {
		return err
	}
	offer, err := orders.OfferOf(e.App, cfg, sub)
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, struct {
		orders.Offer
		Payment *core.Record `json:"payment,omitempty"`
	}{offer, res.Payment})
}
