package orders

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

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

// More actions on a subscription, offered where the product and the
// business's payment methods make them meaningful (Offer): another billing
// interval where the plan is offered in more than one, another way of
// paying where the business enables more than one.
const (
	ChangeInterval = "change_interval"
	ChangeMethod   = "change_method"
)

// When a cancellation takes effect (Request.When).
const (
	CancelNow       = "now"
	CancelPeriodEnd = "period_end"
)

// allActions are every action Act takes.
var allActions = append(slices.Clone(crm.SubscriptionActions), ChangeInterval, ChangeMethod)

// Request is what a customer asks of a subscription.
type Request struct {
	Action   string   `json:"action"`
	Plan     string   `json:"plan"`     // refused: the plan comes from the product
	Product  string   `json:"product"`  // change_plan: the product to move to
	Expect   *float64 `json:"expect"`   // change_plan online: the difference the customer was shown (Preview)
	Until    string   `json:"until"`    // pause: the day it resumes, YYYY-MM-DD in the customer's time zone (optional)
	Interval string   `json:"interval"` // change_interval: from the next period on
	Method   string   `json:"method"`   // change_method: from the next payment on
	When     string   `json:"when"`     // cancel: CancelNow (the default) or CancelPeriodEnd
	Reason   string   `json:"reason"`   // cancel: one of crm.CancelReasons (required online)
	Note     string   `json:"note"`     // cancel: the customer's own words (required with "other")
}

// Result is what an action did beyond the subscription: the payment of
// the prorated difference of an upgrade, to pay now.
type Result struct {
	Payment *core.Record `json:"payment,omitempty"`
}

// Errors of this package are *router.ApiError: the answer a route gives as
// it is (status, message, and the field at fault).

func forbidden(msg string) error { return router.NewForbiddenError(msg, nil) }

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

// Act takes a customer's action on sub and saves it, at now; the timeline
// entry the save writes has the customer as its actor, through the portal.
// A refusal is an *router.ApiError naming the field at fault; sub is then
// not saved. An upgrade's difference is a payment started with the
// subscription's way of paying (Result.Payment).
func Act(app core.App, cfg *crm.Config, sub *core.Record, by Customer, req Request) (Result, error) {
	return act(app, cfg, sub, by, req, time.Now())
}

func act(app core.App, cfg *crm.Config, sub *core.Record, by Customer, req Request, now time.Time) (Result, error) {
	if err := MayManage(sub, by); err != nil {
		return Result{}, err
	}
	product, err := actionProduct(app, sub, req)
	if err != nil {
		return Result{}, err
	}
	if !permitted(app, cfg, product, req.Action) {
		return Result{}, router.NewForbiddenError(fmt.Sprintf("This can't be done online for %s: please get in touch with us and we will do it for you.",
			product.GetString("name")), nil)
	}
	actor := timeline.Actor{Type: timeline.ActorCustomer, Customer: by.Account.Id, Channel: timeline.ChannelPortal}
	return change(app, cfg, sub, product, req, actor, true, now)
}

// StaffAct takes an action on sub for its customer, by a member of staff
// (actor): the same actions under the same rules of state, dates and
// plans, without what only limits customers online (the business's and the
// product's switches, the same billing for a new plan, a reason to cancel,
// the prorated difference: staff settle the money with the customer).
func StaffAct(app core.App, sub *core.Record, actor timeline.Actor, req Request) error {
	product, err := actionProduct(app, sub, req)
	if err != nil {
		return err
	}
	_, err = change(app, configOf(app), sub, product, req, actor, false, time.Now())
	return err
}

// actionProduct checks the action's name and finds the product sub is for.
func actionProduct(app core.App, sub *core.Record, req Request) (*core.Record, error) {
	if !slices.Contains(allActions, req.Action) {
		return nil, badField("action", "validation_invalid_action",
			"Choose one of: "+strings.Join(allActions, ", ")+".")
	}
	product, err := app.FindRecordById(crm.Products, sub.GetString("product"))
	if err != nil {
		return nil, router.NewInternalServerError("The subscription's product is missing.", err)
	}
	return product, nil
}

// change makes the action's change on sub and saves it with its timeline
// entries; online says the customer acts through the portal.
func change(app core.App, cfg *crm.Config, sub, product *core.Record, req Request, actor timeline.Actor, online bool, now time.Time) (Result, error) {
	loc := customerZone(app, cfg, sub.GetString(crm.FieldContact))
	var notes []timeline.Entry
	var charge *Proration
	var err error
	switch req.Action {
	case Pause:
		err = pause(sub, req.Until, now, loc)
	case Resume:
		err = resume(sub)
	case Cancel:
		notes, err = cancel(sub, req, online, now)
	case ChangePlan:
		charge, notes, err = changePlan(app, cfg, sub, product, req, online, now)
	case ChangeInterval:
		notes, err = changeInterval(sub, product, req.Interval)
	case ChangeMethod:
		notes, err = changeMethod(app, sub, req.Method)
	}
	if err != nil {
		return Result{}, err
	}
	var res Result
	err = app.RunInTransaction(func(tx core.App) error {
		if err := save(tx, sub, actor); err != nil {
			return err
		}
		for _, n := range notes {
			if err := note(tx, sub, actor, n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	if charge != nil && charge.Amount > 0 {
		line := InvoiceLine{Name: fmt.Sprintf("%s: %d/%d", sub.GetString("plan"), charge.DaysLeft, charge.DaysInPeriod),
			Quantity: 1, UnitPrice: charge.Amount, Amount: charge.Amount}
		res.Payment, err = StartSubscriptionPayment(app, cfg, sub, crm.PurposeChange, periodKey(charge.Period.Start, loc),
			charge.Amount, []InvoiceLine{line})
	}
	return res, err
}

func save(app core.App, sub *core.Record, actor timeline.Actor) error {
	timeline.SetActor(sub, actor)
	if err := app.Save(sub); err != nil {
		return router.NewBadRequestError("Could not save the change.", err)
	}
	return nil
}

// note writes a timeline entry about sub, public to its customer.
func note(tx core.App, sub *core.Record, actor timeline.Actor, e timeline.Entry) error {
	e.Public, e.Actor = true, actor
	e.Subject = sub.GetString("plan")
	e.Contact, e.Company = sub.GetString(crm.FieldContact), sub.GetString(crm.FieldCompany)
	e.RefCollection, e.RefID = crm.Subscriptions, sub.Id
	if e.Data == nil {
		e.Data = map[string]any{}
	}
	e.Data["name"] = sub.GetString("plan")
	_, err := timeline.Write(tx, e)
	return err
}

// planMax is the length of a subscription's plan name (its field's max):
// a product's longer name is cut to fit.
const planMax = 120

// pause stops an active subscription, until a future day when one is
// given: a calendar day of the customer's (loc), the pause ending as that
// day starts where they live, so it shows as the day they chose.
func pause(sub *core.Record, until string, now time.Time, loc *time.Location) error {
	if sub.GetString("status") != StatusActive {
		return badField("action", "validation_not_active", "Only an active subscription can be paused.")
	}
	var day time.Time
	if until != "" { // checked before anything is set: a refusal leaves sub as it was
		var ok bool
		day, ok = DayStart(until, loc)
		if !ok {
			return badField("until", "validation_invalid_date", "Give the date as YYYY-MM-DD.")
		}
		if !civilDay(day, loc).After(civilDay(now, loc)) {
			return badField("until", "validation_past_date", "Choose a date in the future.")
		}
	}
	sub.Set("status", StatusPaused)
	sub.Set("paused_until", "")
	if !day.IsZero() {
		sub.Set("paused_until", day.UTC())
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

// cancel ends a subscription at once, or at the end of its period (it
// stays as it is until then: the daily job cancels it as the period ends),
// keeping the reason for the churn figures. Online the reason is required,
// and words with "other".
func cancel(sub *core.Record, req Request, online bool, now time.Time) ([]timeline.Entry, error) {
	if sub.GetString("status") == StatusCancelled {
		return nil, badField("action", "validation_already_cancelled", "This subscription is already cancelled.")
	}
	when := req.When
	if when == "" {
		when = CancelNow
	}
	if when != CancelNow && when != CancelPeriodEnd {
		return nil, badField("when", "validation_invalid_when", "Choose now or at the end of the period.")
	}
	reason, words := strings.TrimSpace(req.Reason), strings.TrimSpace(req.Note)
	switch {
	case reason != "" && !slices.Contains(crm.CancelReasons, reason):
		return nil, badField("reason", "validation_invalid_reason", "Choose one of the reasons listed.")
	case reason == "" && online:
		return nil, badField("reason", "validation_required", "Tell us why you are cancelling.")
	case reason == "other" && words == "" && online:
		return nil, badField("note", "validation_required", "Tell us in a few words why you are cancelling.")
	case len([]rune(words)) > crm.SubCancelNoteMax:
		return nil, badField("note", "validation_too_long", fmt.Sprintf("Keep it under %d characters.", crm.SubCancelNoteMax))
	}
	end := sub.GetDateTime("renews_at").Time()
	if when == CancelPeriodEnd && (end.IsZero() || !end.After(now)) {
		return nil, badField("when", "validation_no_period_end", "This subscription has no period to end: cancel it now.")
	}
	if !sub.GetDateTime(crm.SubCancelAt).IsZero() && when == CancelPeriodEnd {
		return nil, badField("when", "validation_already_scheduled", "This subscription already ends with its period.")
	}
	sub.Set(crm.SubCancelReason, reason)
	sub.Set(crm.SubCancelNote, words)
	sub.Set(crm.SubCancelAskedAt, now.UTC())
	if when == CancelPeriodEnd {
		sub.Set(crm.SubCancelAt, end.UTC())
		return []timeline.Entry{{Event: EventCancelScheduled, Body: words,
			Data: map[string]any{"at": end.UTC().Format(time.RFC3339), "reason": reason}}}, nil
	}
	sub.Set("status", StatusCancelled)
	sub.Set("cancelled_at", now.UTC())
	sub.Set("paused_until", "")
	sub.Set(crm.SubCancelAt, "")
	return nil, nil
}

// changePlan moves a subscription to another product on offer; plan and
// price become that product's, priced with the customer's options in the
// subscription's interval. Online, the product must allow it and be billed
// the same way, and the customer confirms the prorated difference they
// were shown (Request.Expect, from Preview): an upgrade's is charged now,
// a downgrade's is a credit taken off the next period's invoice.
func changePlan(app core.App, cfg *crm.Config, sub, product *core.Record, req Request, online bool, now time.Time) (*Proration, []timeline.Entry, error) {
	pv, next, err := preview(app, cfg, sub, product, req, online, now)
	if err != nil {
		return nil, nil, err
	}
	if online {
		if req.Expect == nil {
			return nil, nil, badField("expect", "validation_required", "Look at the difference for the rest of the period first.")
		}
		if cents(*req.Expect) != cents(pv.Proration.Amount) {
			msg := fmt.Sprintf("The difference is now %.2f %s: look at it again before you confirm.", pv.Proration.Amount, pv.Currency)
			return nil, nil, router.NewApiError(http.StatusConflict, msg, validation.Errors{"expect": validation.NewError("validation_preview_stale", msg).
				SetParams(map[string]any{"amount": pv.Proration.Amount, "currency": pv.Currency})})
		}
	}
	sub.Set("currency", next.GetString("currency"))
	sub.Set("product", next.Id)
	sub.Set("price", pv.Proration.NewPrice)
	sub.Set("plan", crm.Clip(next.GetString("name"), planMax))
	if !online {
		return nil, nil, nil
	}
	if pv.Proration.Amount < 0 {
		sub.Set(crm.SubCredit, money(cents(sub.GetFloat(crm.SubCredit))-cents(pv.Proration.Amount)))
	}
	data := map[string]any{"amount": pv.Proration.Amount, "currency": pv.Currency,
		"days_left": pv.Proration.DaysLeft, "days": pv.Proration.DaysInPeriod}
	return &pv.Proration, []timeline.Entry{{Event: EventProrated, Data: data}}, nil
}

// changeInterval: from the next period on, the subscription is billed
// every interval, at the plan's price for it.
func changeInterval(sub, product *core.Record, interval string) ([]timeline.Entry, error) {
	if sub.GetString("status") == StatusCancelled || !sub.GetDateTime(crm.SubCancelAt).IsZero() {
		return nil, badField("action", "validation_ending", "This subscription is ending: its billing no longer changes.")
	}
	if !intervalOK(interval) {
		return nil, badField("interval", "validation_invalid_interval", "Choose how often to be billed.")
	}
	price, ok := priceIn(product, choicesOf(sub), int(max(sub.GetFloat("quantity"), 1)), interval)
	if !ok {
		return nil, badField("interval", "validation_interval_not_offered", "This plan is not billed that way.")
	}
	current := intervalOf(sub, product)
	if interval == current {
		sub.Set(crm.SubNextInterval, "")
		sub.Set(crm.SubNextPrice, 0)
		return nil, nil
	}
	sub.Set(crm.SubNextInterval, interval)
	sub.Set(crm.SubNextPrice, price)
	return []timeline.Entry{{Event: EventIntervalChanged, Data: map[string]any{"from": current, "to": interval,
		"price": price, "currency": sub.GetString("currency"), "at": sub.GetDateTime("renews_at").Time().UTC().Format(time.RFC3339)}}}, nil
}

// changeMethod: the next payments are made with method, one the business
// enables.
func changeMethod(app core.App, sub *core.Record, method string) ([]timeline.Entry, error) {
	if sub.GetString("status") == StatusCancelled {
		return nil, badField("action", "validation_cancelled", "A cancelled subscription is not paid any more.")
	}
	if !methodEnabled(app, method) {
		return nil, badField("method", "validation_payment_method", "Choose one of the ways of paying on offer.")
	}
	from := sub.GetString(crm.SubMethod)
	sub.Set(crm.SubMethod, method)
	return []timeline.Entry{{Event: EventMethodChanged, Data: map[string]any{"from": from, "to": method}}}, nil
}
