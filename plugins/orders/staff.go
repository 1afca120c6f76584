package orders

import (
	"net/http"
	"strings"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
	"vinculo/crm/guard"
	"vinculo/plugins/timeline"
)

// Product kinds and billing intervals (fields `kind` and `interval` of products).
const (
	KindOneOff       = "one_off"
	KindSubscription = "subscription"
)

// intervalMonths is how many months each billing interval lasts.
var intervalMonths = map[string]int{"month": 1, "quarter": 3, "year": 12}

// staffActionRoute is where staff take an action on a customer's
// subscription: POST {action, product, until}, as the portal's route takes.
const staffActionRoute = "/api/crm/subscriptions/{id}/action"

// bindStaff binds what staff do through the record API and the action route.
func bindStaff(app core.App) {
	app.OnRecordCreateRequest(crm.Subscriptions).BindFunc(func(e *core.RecordRequestEvent) error {
		if err := startSubscription(e); err != nil {
			return err
		}
		return e.Next()
	})
	product := func(e *core.RecordRequestEvent) error {
		if err := checkProduct(e); err != nil {
			return err
		}
		return e.Next()
	}
	app.OnRecordCreateRequest(crm.Products).BindFunc(product)
	app.OnRecordUpdateRequest(crm.Products).BindFunc(product)
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.POST(staffActionRoute, staffAction).Bind(guard.Writer())
		return se.Next()
	})
}

// staffAction takes a member of staff's action on a subscription (StaffAct).
func staffAction(e *core.RequestEvent) error {
	sub, err := e.App.FindRecordById(crm.Subscriptions, e.Request.PathValue("id"))
	if err != nil {
		return e.NotFoundError("We could not find that subscription.", nil)
	}
	var req Request
	if err := e.BindBody(&req); err != nil {
		return e.BadRequestError("The request body is not valid JSON.", err)
	}
	if err := StaffAct(e.App, sub, timeline.FromRequest(e), req); err != nil {
		return err
	}
	return e.JSON(http.StatusOK, sub)
}

// startSubscription: a subscription started through the record API is to a
// plan on offer, whose name, price and currency it takes unless the body
// gives them; it starts today unless a day is given, is pending until a
// later start, and renews one billing interval after it starts.
func startSubscription(e *core.RecordRequestEvent) error {
	r := e.Record
	product, err := e.App.FindRecordById(crm.Products, r.GetString("product"))
	if err != nil || !product.GetBool("active") || product.GetString("kind") != KindSubscription {
		return badField("product", "validation_unknown_product", "Choose one of the plans on offer.")
	}
	info, err := e.RequestInfo()
	if err != nil {
		return err
	}
	given := func(f string) bool { _, ok := info.Body[f]; return ok }
	if strings.TrimSpace(r.GetString("plan")) == "" {
		r.Set("plan", crm.Clip(product.GetString("name"), planMax))
	}
	if !given("price") {
		r.Set("price", product.GetFloat("price"))
	}
	if r.GetString("currency") == "" {
		r.Set("currency", product.GetString("currency"))
	}
	if r.GetInt("quantity") == 0 {
		r.Set("quantity", 1)
	}
	now := time.Now().UTC()
	start := r.GetDateTime("started_at")
	if start.IsZero() { // no day given: it starts now, the same instant as now
		start, _ = types.ParseDateTime(now)
		r.Set("started_at", start)
	}
	if r.GetString("status") == "" {
		r.Set("status", StatusActive)
		if start.Time().After(now) {
			r.Set("status", StatusPending)
		}
	}
	if months := intervalMonths[product.GetString("interval")]; months > 0 && r.GetDateTime("renews_at").IsZero() {
		renews, _ := types.ParseDateTime(start.Time().AddDate(0, months, 0))
		r.Set("renews_at", renews)
	}
	return nil
}

// checkProduct: a subscription product says how often it is billed; a
// one-off product is billed once. Checked when a body sets either.
func checkProduct(e *core.RecordRequestEvent) error {
	info, err := e.RequestInfo()
	if err != nil {
		return err
	}
	_, kind := info.Body["kind"]
	_, interval := info.Body["interval"]
	if !kind && !interval && !e.Record.IsNew() {
		return nil
	}
	switch e.Record.GetString("kind") {
	case KindSubscription:
		if intervalMonths[e.Record.GetString("interval")] == 0 {
			return fieldError("interval", validation.NewError("validation_interval_required", "Choose how often the plan is billed."))
		}
	case KindOneOff:
		e.Record.Set("interval", "")
	}
	return nil
}
