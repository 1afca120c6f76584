package orders

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// What a customer is offered for a subscription: exactly the actions the
// business and the product allow (and that make sense in its state), the
// plans they may move to, the intervals the plan is billed in; and the
// preview of a change of plan, the one function the confirmation runs too.

// Timeline events of a subscription written here (the timeline plugin
// writes paused, resumed, changed and cancelled itself).
const (
	EventStarted         = "subscription.started"
	EventProrated        = "subscription.prorated"
	EventIntervalChanged = "subscription.interval_changed"
	EventMethodChanged   = "subscription.method_changed"
	EventCancelScheduled = "subscription.cancel_scheduled"
	EventRenewed         = "subscription.renewed"
)

// Plan is a plan a customer may move to, priced for them.
type Plan struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	Price    float64 `json:"price"`
	Currency string  `json:"currency"`
}

// IntervalPrice is a billing interval a plan is offered in, and its price.
type IntervalPrice struct {
	Interval string  `json:"interval"`
	Price    float64 `json:"price"`
}

// Offer is a subscription as its customer sees it in the portal.
type Offer struct {
	Subscription *core.Record    `json:"subscription"`
	Interval     string          `json:"interval"`
	Actions      []string        `json:"actions"`
	Plans        []Plan          `json:"plans"`
	Intervals    []IntervalPrice `json:"intervals"`
}

// ChangePreview is what moving to another plan costs for the rest of the
// period, as the server works it out.
type ChangePreview struct {
	Product   string    `json:"product"`
	Plan      string    `json:"plan"`
	Currency  string    `json:"currency"`
	Interval  string    `json:"interval"`
	Proration Proration `json:"proration"`
}

// intervalOf is how often sub is billed: its own interval, else its plan's.
func intervalOf(sub, product *core.Record) string {
	if i := sub.GetString(crm.SubInterval); i != "" {
		return i
	}
	return product.GetString("interval")
}

// choicesOf are the options the customer chose for sub.
func choicesOf(sub *core.Record) map[string]any {
	out := map[string]any{}
	raw, _ := json.Marshal(sub.Get(crm.SubChoices))
	_ = json.Unmarshal(raw, &out)
	return out
}

// intervalBase is the plan's own price for interval: its price for its own
// interval, or the one the business set for another (interval_prices).
func intervalBase(product *core.Record, interval string) (float64, bool) {
	if interval == product.GetString("interval") {
		return product.GetFloat("price"), true
	}
	prices := map[string]float64{}
	raw, _ := json.Marshal(product.Get(crm.ProductIntervalPx))
	_ = json.Unmarshal(raw, &prices)
	p, ok := prices[interval]
	return p, ok && intervalOK(interval) && p >= 0
}

// Intervals are the billing intervals product is offered in, shortest
// first, with its base price in each.
func Intervals(product *core.Record) []IntervalPrice {
	out := []IntervalPrice{}
	for _, i := range crm.Intervals {
		if p, ok := intervalBase(product, i); ok {
			out = append(out, IntervalPrice{Interval: i, Price: p})
		}
	}
	return out
}

// priceIn is the price per period of quantity of product with choices,
// billed every interval: the interval's base price plus the options'
// effects, which the business sets for the plan's own interval and which
// scale with the interval's length. Choices the product does not have are
// left out (a plan moved to may not have the same options).
func priceIn(product *core.Record, choices map[string]any, quantity int, interval string) (float64, bool) {
	base, ok := intervalBase(product, interval)
	if !ok {
		return 0, false
	}
	known := map[string]any{}
	for _, o := range OptionsOf(product) {
		if v, ok := choices[o.Key]; ok {
			known[o.Key] = v
		}
	}
	line, err := Price(product, LineRequest{Product: product.Id, Choices: known, Quantity: 1}, "en", "")
	if err != nil {
		line, err = Price(product, LineRequest{Product: product.Id, Quantity: 1}, "en", "")
		if err != nil {
			return 0, false
		}
	}
	own := intervalMonths[product.GetString("interval")]
	extra := cents(line.UnitPrice) - cents(line.Base)
	if own > 0 {
		extra = extra * int64(intervalMonths[interval]) / int64(own)
	}
	unit := max(cents(base)+extra, 0)
	return money(unit * int64(max(quantity, 1))), true
}

// currentPeriod is sub's billing period now: from its period's start (its
// start when it has none) to its renewal.
func currentPeriod(sub *core.Record) Period {
	start := sub.GetDateTime(crm.SubPeriodStart).Time()
	if start.IsZero() {
		start = sub.GetDateTime("started_at").Time()
	}
	return Period{Start: start, End: sub.GetDateTime("renews_at").Time()}
}

// preview works out a move of sub to req.Product at now: the same checks
// as the move itself, the new plan's price for the customer's options in
// the subscription's interval, and the prorated difference.
func preview(app core.App, cfg *crm.Config, sub, product *core.Record, req Request, online bool, now time.Time) (ChangePreview, *core.Record, error) {
	var pv ChangePreview
	if sub.GetString("status") == StatusCancelled {
		return pv, nil, badField("action", "validation_cancelled", "A cancelled subscription can't change plan.")
	}
	// The plan is a product on offer, never words of the customer's.
	if req.Plan != "" {
		return pv, nil, badField("plan", "validation_plan_from_product", "Choose the new plan from the list of plans on offer.")
	}
	productID := strings.TrimSpace(req.Product)
	if productID == "" {
		return pv, nil, badField("product", "validation_required", "Choose the new plan.")
	}
	if productID == sub.GetString("product") {
		return pv, nil, badField("product", "validation_same_plan", "That is already your plan.")
	}
	next, err := app.FindRecordById(crm.Products, productID)
	if err != nil || !next.GetBool("active") || next.GetString("kind") != KindSubscription {
		return pv, nil, badField("product", "validation_unknown_product", "Choose one of the plans on offer.")
	}
	interval := intervalOf(sub, product)
	if online && !next.GetBool(productSwitch[ChangePlan]) {
		return pv, nil, forbidden(fmt.Sprintf("Moving to %s can't be done online: please get in touch with us and we will do it for you.", next.GetString("name")))
	}
	price, ok := priceIn(next, choicesOf(sub), int(max(sub.GetFloat("quantity"), 1)), interval)
	if online && (!ok || next.GetString("currency") != sub.GetString("currency")) {
		return pv, nil, badField("product", "validation_billing", "That plan is billed differently: please get in touch with us.")
	}
	if !ok {
		price = next.GetFloat("price")
	}
	loc := customerZone(app, cfg, sub.GetString(crm.FieldContact))
	pv = ChangePreview{Product: next.Id, Plan: next.GetString("name"), Currency: next.GetString("currency"), Interval: interval,
		Proration: Prorate(currentPeriod(sub), now, loc, sub.GetFloat("price"), price)}
	return pv, next, nil
}

// Preview is what moving sub to req.Product costs now, for the customer by
// who may make that move online: the function the confirmation runs too.
func Preview(app core.App, cfg *crm.Config, sub *core.Record, by Customer, req Request, now time.Time) (ChangePreview, error) {
	if err := MayManage(sub, by); err != nil {
		return ChangePreview{}, err
	}
	req.Action = ChangePlan
	product, err := actionProduct(app, sub, req)
	if err != nil {
		return ChangePreview{}, err
	}
	if strings.TrimSpace(req.Product) == "" {
		return ChangePreview{}, badField("product", "validation_required", "Choose the new plan.")
	}
	if !permitted(app, cfg, product, ChangePlan) {
		return ChangePreview{}, forbidden("Changing plan can't be done online: please get in touch with us and we will do it for you.")
	}
	pv, _, err := preview(app, cfg, sub, product, req, true, now)
	return pv, err
}

// plansFor are the plans sub may move to online: active subscription
// products that allow the move, in its currency and interval, priced with
// the customer's options.
func plansFor(app core.App, sub, product *core.Record) []Plan {
	rows, err := app.FindRecordsByFilter(crm.Products, "active = true && kind = {:k} && customer_can_change_plan = true && id != {:id} && currency = {:c}",
		"price", 100, 0, map[string]any{"k": KindSubscription, "id": product.Id, "c": sub.GetString("currency")})
	if err != nil {
		return nil
	}
	out := []Plan{}
	interval := intervalOf(sub, product)
	for _, p := range rows {
		if price, ok := priceIn(p, choicesOf(sub), int(max(sub.GetFloat("quantity"), 1)), interval); ok {
			out = append(out, Plan{ID: p.Id, Name: p.GetString("name"), Price: price, Currency: p.GetString("currency")})
		}
	}
	return out
}

// permitted tells whether the business lets customers take action online
// on a subscription to product: the business and the product allow it
// (Allows); another interval needs the plan billed in more than one, another
// way of paying a method the business enables.
func permitted(app core.App, cfg *crm.Config, product *core.Record, action string) bool {
	switch action {
	case ChangeInterval:
		return len(Intervals(product)) > 1
	case ChangeMethod:
		methods, err := EnabledMethods(app)
		return err == nil && len(methods) > 0
	}
	return Allows(cfg, product, action)
}

// offered tells whether the portal offers action on sub now: permitted,
// meaningful in the subscription's state, and with something to choose
// (another plan, another way of paying).
func offered(app core.App, cfg *crm.Config, sub, product *core.Record, action string) bool {
	if !permitted(app, cfg, product, action) {
		return false
	}
	status := sub.GetString("status")
	live := (status == StatusActive || status == StatusPaused) && sub.GetDateTime(crm.SubCancelAt).IsZero()
	switch action {
	case Pause:
		return live && status == StatusActive
	case Resume:
		return status == StatusPaused
	case Cancel:
		return live || status == StatusPending
	case ChangePlan:
		return live && len(plansFor(app, sub, product)) > 0
	case ChangeInterval:
		return live
	case ChangeMethod:
		methods, _ := EnabledMethods(app)
		return status != StatusCancelled && (len(methods) > 1 || methods[0].Method != sub.GetString(crm.SubMethod))
	}
	return false
}

// OfferOf is sub as its customer sees it: the actions offered, the plans
// and intervals to choose from.
func OfferOf(app core.App, cfg *crm.Config, sub *core.Record) (Offer, error) {
	product, err := app.FindRecordById(crm.Products, sub.GetString("product"))
	if err != nil {
		return Offer{}, err
	}
	o := Offer{Subscription: sub, Interval: intervalOf(sub, product), Actions: []string{}, Plans: []Plan{}, Intervals: []IntervalPrice{}}
	for _, a := range allActions {
		if offered(app, cfg, sub, product, a) {
			o.Actions = append(o.Actions, a)
		}
	}
	if slices.Contains(o.Actions, ChangePlan) {
		o.Plans = plansFor(app, sub, product)
	}
	if slices.Contains(o.Actions, ChangeInterval) {
		for _, i := range Intervals(product) {
			if p, ok := priceIn(product, choicesOf(sub), int(max(sub.GetFloat("quantity"), 1)), i.Interval); ok {
				o.Intervals = append(o.Intervals, IntervalPrice{Interval: i.Interval, Price: p})
			}
		}
	}
	return o, nil
}

// methodEnabled tells whether the business offers method.
func methodEnabled(app core.App, method string) bool {
	methods, err := EnabledMethods(app)
	if err != nil {
		return false
	}
	return slices.ContainsFunc(methods, func(m Method) bool { return m.Method == method })
}
