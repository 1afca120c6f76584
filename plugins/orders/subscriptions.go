package orders

import (
	"fmt"
	"slices"
	"strings"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
	"vinculo/plugins/timeline"
)

// Subscription actions a customer may take (crm.SubscriptionActions).
const (
	Pause      = "pause"
	Resume     = "resume"
	Cancel     = "cancel"
	ChangePlan = "change_plan"
)

// Statuses of a subscription (field `status` of subscriptions).
const (
	StatusPending   = "pending" // starts on a later day
	StatusActive    = "active"
	StatusPaused    = "paused"
	StatusCancelled = "cancelled"
)

// DefaultActions are what customers may do when the business names nothing
// in portal.subscription_actions.
var DefaultActions = []string{Pause, Resume, Cancel}

// productSwitch is the product field that lets customers take an action.
var productSwitch = map[string]string{
	Pause: "customer_can_pause", Resume: "customer_can_pause",
	Cancel: "customer_can_cancel", ChangePlan: "customer_can_change_plan",
}

// Customer is who acts on a subscription: their portal account, their
// contact, and whether they are the admin of the contact's company.
type Customer struct {
	Account      *core.Record // a customers record
	Contact      *core.Record
	CompanyAdmin bool
}

// Request is what a customer asks of a subscription.
type Request struct {
	Action  string `json:"action"`
	Plan    string `json:"plan"`    // refused: the plan comes from the product
	Product string `json:"product"` // change_plan: the product to move to
	Until   string `json:"until"`   // pause: the day it resumes (optional)
}

// Errors of this package are *router.ApiError: the answer a route gives as
// it is (status, message, and the field at fault).

func badField(field, code, msg string) error {
	return router.NewBadRequestError(msg, validation.Errors{field: validation.NewError(code, msg)})
}

// MayManage refuses (403) a customer who does not manage sub: only its
// contact does, or an admin of the company it is held for.
func MayManage(sub *core.Record, by Customer) error {
	own := sub.GetString(crm.FieldContact) == by.Contact.Id
	company := by.Contact.GetString(crm.FieldCompany)
	forCompany := by.CompanyAdmin && company != "" && sub.GetString(crm.FieldCompany) == company
	if !own && !forCompany {
		return router.NewForbiddenError("This subscription is not one you manage.", nil)
	}
	return nil
}

// Allows tells whether customers may take action online on a subscription
// of product: the business allows it (cfg's subscription actions, or
// DefaultActions) and so does the product.
func Allows(cfg *crm.Config, product *core.Record, action string) bool {
	allowed := cfg.Portal.SubscriptionActions
	if allowed == nil {
		allowed = DefaultActions
	}
	return slices.Contains(allowed, action) && product.GetBool(productSwitch[action])
}

// Act takes a customer's action on sub and saves it; the timeline entry the
// save writes has the customer as its actor, through the portal. A refusal
// is an *router.ApiError naming the field at fault; sub is then not saved.
func Act(app core.App, cfg *crm.Config, sub *core.Record, by Customer, req Request) error {
	if err := MayManage(sub, by); err != nil {
		return err
	}
	product, err := actionProduct(app, sub, req)
	if err != nil {
		return err
	}
	if !Allows(cfg, product, req.Action) {
		return router.NewForbiddenError(fmt.Sprintf("This can't be done online for %s: please get in touch with us and we will do it for you.",
			product.GetString("name")), nil)
	}
	if err := apply(app, sub, product, req, true); err != nil {
		return err
	}
	return save(app, sub, timeline.Actor{Type: timeline.ActorCustomer, Customer: by.Account.Id, Channel: timeline.ChannelPortal})
}

// StaffAct takes an action on sub for its customer, by a member of staff
// (actor): the same actions under the same rules of state, dates and
// plans, without what only limits customers online (the business's and the
// product's switches, and the same billing for a new plan: staff move a
// customer to any plan on offer, whose currency then applies).
func StaffAct(app core.App, sub *core.Record, actor timeline.Actor, req Request) error {
	product, err := actionProduct(app, sub, req)
	if err != nil {
		return err
	}
	if err := apply(app, sub, product, req, false); err != nil {
		return err
	}
	return save(app, sub, actor)
}

// actionProduct checks the action's name and finds the product sub is for.
func actionProduct(app core.App, sub *core.Record, req Request) (*core.Record, error) {
	if !slices.Contains(crm.SubscriptionActions, req.Action) {
		return nil, badField("action", "validation_invalid_action",
			"Choose one of: "+strings.Join(crm.SubscriptionActions, ", ")+".")
	}
	product, err := app.FindRecordById(crm.Products, sub.GetString("product"))
	if err != nil {
		return nil, router.NewInternalServerError("The subscription's product is missing.", err)
	}
	return product, nil
}

// apply makes the action's change on sub (not saved); online says the
// customer acts through the portal.
func apply(app core.App, sub, product *core.Record, req Request, online bool) error {
	switch req.Action {
	case Pause:
		return pause(sub, req.Until, time.Now().UTC())
	case Resume:
		return resume(sub)
	case Cancel:
		return cancel(sub)
	case ChangePlan:
		return changePlan(app, sub, product, req, online)
	}
	return nil
}

func save(app core.App, sub *core.Record, actor timeline.Actor) error {
	timeline.SetActor(sub, actor)
	if err := app.Save(sub); err != nil {
		return router.NewBadRequestError("Could not save the change.", err)
	}
	return nil
}

// planMax is the length of a subscription's plan name (its field's max):
// a product's longer name is cut to fit.
const planMax = 120

// pause stops an active subscription, until a future day when one is given.
func pause(sub *core.Record, until string, now time.Time) error {
	if sub.GetString("status") != StatusActive {
		return badField("action", "validation_not_active", "Only an active subscription can be paused.")
	}
	var day types.DateTime
	if until != "" { // checked before anything is set: a refusal leaves sub as it was
		var err error
		day, err = types.ParseDateTime(until)
		if err != nil || day.IsZero() {
			return badField("until", "validation_invalid_date", "Give the date as YYYY-MM-DD.")
		}
		if !day.Time().After(now) {
			return badField("until", "validation_past_date", "Choose a date in the future.")
		}
	}
	sub.Set("status", StatusPaused)
	sub.Set("paused_until", "")
	if !day.IsZero() {
		sub.Set("paused_until", day)
	}
	return nil
}

// resume starts a paused subscription again.
func resume(sub *core.Record) error {
	if sub.GetString("status") != StatusPaused {
		return badField("action", "validation_not_paused", "Only a paused subscription can be resumed.")
	}
	sub.Set("status", StatusActive)
	sub.Set("paused_until", "")
	return nil
}

// cancel ends a subscription at once.
func cancel(sub *core.Record) error {
	if sub.GetString("status") == StatusCancelled {
		return badField("action", "validation_already_cancelled", "This subscription is already cancelled.")
	}
	sub.Set("status", StatusCancelled)
	sub.Set("cancelled_at", types.NowDateTime())
	sub.Set("paused_until", "")
	return nil
}

// changePlan moves a subscription to another product on offer; plan and
// price become that product's. Online, the product must allow it and be
// billed the same way; staff may move to any plan, in its currency.
func changePlan(app core.App, sub, product *core.Record, req Request, online bool) error {
	if sub.GetString("status") == StatusCancelled {
		return badField("action", "validation_cancelled", "A cancelled subscription can't change plan.")
	}
	// The plan is a product on offer, never words of the customer's.
	if req.Plan != "" {
		return badField("plan", "validation_plan_from_product", "Choose the new plan from the list of plans on offer.")
	}
	productID := strings.TrimSpace(req.Product)
	if productID == "" {
		return badField("product", "validation_required", "Choose the new plan.")
	}
	if productID == sub.GetString("product") {
		return badField("product", "validation_same_plan", "That is already your plan.")
	}
	next, err := app.FindRecordById(crm.Products, productID)
	if err != nil || !next.GetBool("active") || next.GetString("kind") != "subscription" {
		return badField("product", "validation_unknown_product", "Choose one of the plans on offer.")
	}
	if online && !next.GetBool(productSwitch[ChangePlan]) {
		return router.NewForbiddenError(fmt.Sprintf("Moving to %s can't be done online: please get in touch with us and we will do it for you.",
			next.GetString("name")), nil)
	}
	if online && (next.GetString("currency") != sub.GetString("currency") || next.GetString("interval") != product.GetString("interval")) {
		return badField("product", "validation_billing", "That plan is billed differently: please get in touch with us.")
	}
	sub.Set("currency", next.GetString("currency"))
	sub.Set("product", next.Id)
	sub.Set("price", next.GetFloat("price"))
	sub.Set("plan", crm.Clip(next.GetString("name"), planMax))
	return nil
}
