package portal

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
	"vinculo/plugins/timeline"
)

// defaultSubscriptionActions apply when the configuration names none.
var defaultSubscriptionActions = []string{"pause", "resume", "cancel"}

// productFlag is the product switch that lets customers take an action.
var productFlag = map[string]string{
	"pause": "customer_can_pause", "resume": "customer_can_pause",
	"cancel": "customer_can_cancel", "change_plan": "customer_can_change_plan",
}

type actionBody struct {
	Action  string `json:"action"`
	Plan    string `json:"plan"` // refused: the plan comes from the product
	Product string `json:"product"`
	Until   string `json:"until"`
}

func badField(e *core.RequestEvent, field, code, msg string) error {
	return e.BadRequestError(msg, validation.Errors{field: validation.NewError(code, msg)})
}

// subscriptionAction is POST /api/crm/portal/subscriptions/{id}/action.
// The subscription's contact acts on it, or a company admin on a
// subscription held for the company. The business allows an action in
// portal.subscription_actions and on the product; the save writes the
// timeline entry (plugins/timeline) with the customer as its actor.
func subscriptionAction(e *core.RequestEvent, c *customer, cfg *crm.Config) error {
	sub, err := e.App.FindRecordById(crm.Subscriptions, e.Request.PathValue("id"))
	if err != nil {
		return e.NotFoundError("We could not find that subscription.", nil)
	}
	own := sub.GetString(crm.FieldContact) == c.contact.Id
	forCompany := c.isAdmin() && sub.GetString(crm.FieldCompany) == c.company()
	if !own && !forCompany {
		return e.ForbiddenError("This subscription is not one you manage.", nil)
	}
	var body actionBody
	if err := e.BindBody(&body); err != nil {
		return e.BadRequestError("The request body is not valid JSON.", err)
	}
	if !slices.Contains(crm.SubscriptionActions, body.Action) {
		return badField(e, "action", "validation_invalid_action",
			"Choose one of: "+strings.Join(crm.SubscriptionActions, ", ")+".")
	}
	allowed := cfg.Portal.SubscriptionActions
	if allowed == nil {
		allowed = defaultSubscriptionActions
	}
	product, err := e.App.FindRecordById(crm.Products, sub.GetString("product"))
	if err != nil {
		return e.InternalServerError("The subscription's product is missing.", err)
	}
	if !slices.Contains(allowed, body.Action) || !product.GetBool(productFlag[body.Action]) {
		return e.ForbiddenError(fmt.Sprintf("This can't be done online for %s: please get in touch with us and we will do it for you.",
			product.GetString("name")), nil)
	}

	status := sub.GetString("status")
	now := time.Now().UTC()
	switch body.Action {
	case "pause":
		if status != "active" {
			return badField(e, "action", "validation_not_active", "Only an active subscription can be paused.")
		}
		sub.Set("status", "paused")
		sub.Set("paused_until", "")
		if body.Until != "" {
			until, err := types.ParseDateTime(body.Until)
			if err != nil || until.IsZero() {
				return badField(e, "until", "validation_invalid_date", "Give the date as YYYY-MM-DD.")
			}
			if !until.Time().After(now) {
				return badField(e, "until", "validation_past_date", "Choose a date in the future.")
			}
			sub.Set("paused_until", until)
		}
	case "resume":
		if status != "paused" {
			return badField(e, "action", "validation_not_paused", "Only a paused subscription can be resumed.")
		}
		sub.Set("status", "active")
		sub.Set("paused_until", "")
	case "cancel":
		if status == "cancelled" {
			return badField(e, "action", "validation_already_cancelled", "This subscription is already cancelled.")
		}
		sub.Set("status", "cancelled")
		sub.Set("cancelled_at", types.NowDateTime())
		sub.Set("paused_until", "")
	case "change_plan":
		if status == "cancelled" {
			return badField(e, "action", "validation_cancelled", "A cancelled subscription can't change plan.")
		}
		// The plan is a product on offer, never words of the customer's.
		if body.Plan != "" {
			return badField(e, "plan", "validation_plan_from_product", "Choose the new plan from the list of plans on offer.")
		}
		productID := strings.TrimSpace(body.Product)
		if productID == "" {
			return badField(e, "product", "validation_required", "Choose the new plan.")
		}
		if productID == sub.GetString("product") {
			return badField(e, "product", "validation_same_plan", "That is already your plan.")
		}
		next, err := e.App.FindRecordById(crm.Products, productID)
		if err != nil || !next.GetBool("active") || next.GetString("kind") != "subscription" {
			return badField(e, "product", "validation_unknown_product", "Choose one of the plans on offer.")
		}
		if !next.GetBool(productFlag["change_plan"]) {
			return e.ForbiddenError(fmt.Sprintf("Moving to %s can't be done online: please get in touch with us and we will do it for you.",
				next.GetString("name")), nil)
		}
		if next.GetString("currency") != sub.GetString("currency") || next.GetString("interval") != product.GetString("interval") {
			return badField(e, "product", "validation_billing", "That plan is billed differently: please get in touch with us.")
		}
		sub.Set("product", next.Id)
		sub.Set("price", next.GetFloat("price"))
		sub.Set("plan", next.GetString("name"))
	}
	timeline.SetActor(sub, timeline.Actor{Type: timeline.ActorCustomer, Customer: c.record.Id, Channel: timeline.ChannelPortal})
	if err := e.App.Save(sub); err != nil {
		return e.BadRequestError("Could not save the change.", err)
	}
	return e.JSON(http.StatusOK, sub)
}
