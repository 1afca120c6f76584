package orders

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/timeline"
)

// A customer starts a service from the catalogue: a subscription product
// on offer, shaped with its options, billed every interval it is offered
// in, from a start day (today or later, in their time zone), paid with one
// of the methods the business enables. The first period is paid like an
// order; the next ones by the period job.

// startKeys are what the start route takes; anything else (a price, a
// status, a plan's name) is the server's and refused naming it.
var startKeys = []string{"product", "choices", "quantity", "interval", "start", "method", "total"}

// maxStartAhead is how far ahead a service may be started.
const maxStartAhead = 366

// StartRequest of a service, as the customer sends it.
type ServiceRequest struct {
	Product  string         `json:"product"`
	Choices  map[string]any `json:"choices"`
	Quantity int            `json:"quantity"`
	Interval string         `json:"interval"`
	Start    string         `json:"start"` // YYYY-MM-DD in the customer's time zone; today when empty
	Method   string         `json:"method"`
	Total    *float64       `json:"total"` // the price per period the customer was shown
}

// Started is a service started: its subscription and the first period's
// payment (instructions, or the provider's page to go to).
type ServiceStarted struct {
	Subscription *core.Record `json:"subscription"`
	Payment      *core.Record `json:"payment"`
}

// StartService starts the service req asks for, for the customer by, at now.
func StartService(app core.App, cfg *crm.Config, by Buyer, req ServiceRequest, now time.Time) (ServiceStarted, error) {
	var out ServiceStarted
	product, err := OfferedProduct(app, req.Product, "product")
	if err != nil {
		return out, err
	}
	if product.GetString("kind") != KindSubscription {
		return out, badField("product", "validation_not_a_service", "This product is ordered from the cart, not started as a service.")
	}
	line, err := Price(product, LineRequest{Product: product.Id, Choices: req.Choices, Quantity: req.Quantity}, by.Lang, "")
	if err != nil {
		return out, err
	}
	interval := req.Interval
	if interval == "" {
		interval = product.GetString("interval")
	}
	price, ok := priceIn(product, line.Choices, line.Quantity, interval)
	if !ok {
		return out, badField("interval", "validation_interval_not_offered", "This plan is not billed that way.")
	}
	if req.Total != nil && (math.IsNaN(*req.Total) || cents(*req.Total) != cents(price)) {
		msg := fmt.Sprintf("The price is %.2f %s, worked out by us from today's prices: look at it again.", price, line.Currency)
		return out, fieldError("total", validation.NewError("validation_total_mismatch", msg).
			SetParams(map[string]any{"total": price, "currency": line.Currency}))
	}
	if !methodEnabled(app, req.Method) {
		return out, badField("method", "validation_payment_method", "Choose one of the ways of paying on offer.")
	}
	loc := customerZone(app, cfg, by.Contact.Id)
	start, err := startDay(req.Start, now, loc)
	if err != nil {
		return out, err
	}
	sub, err := newService(app, by, product, line, interval, price, req.Method, start, now, loc)
	if err != nil {
		return out, err
	}
	out.Subscription = sub
	out.Payment, err = StartSubscriptionPayment(app, cfg, sub, crm.PurposePeriod, periodKey(start, loc), price,
		[]InvoiceLine{{Name: sub.GetString("plan"), Quantity: float64(line.Quantity), UnitPrice: money(cents(price) / int64(line.Quantity)), Amount: price}})
	return out, err
}

// startDay is the moment a service asked to start on day begins: now for
// today (or no day), the day's first moment in the customer's zone for a
// later one.
func startDay(day string, now time.Time, loc *time.Location) (time.Time, error) {
	if strings.TrimSpace(day) == "" {
		return now, nil
	}
	t, ok := DayStart(day, loc)
	if !ok {
		return time.Time{}, badField("start", "validation_invalid_date", "Give the date as YYYY-MM-DD.")
	}
	days := daysBetween(now, t, loc)
	switch {
	case days < 0:
		return time.Time{}, badField("start", "validation_past_date", "Choose today or a later day.")
	case days > maxStartAhead:
		return time.Time{}, badField("start", "validation_too_far", "Choose a day within a year.")
	case days == 0:
		return now, nil
	}
	return t, nil
}

// newService saves the subscription and its "started" timeline entry, the
// customer's through the portal.
func newService(app core.App, by Buyer, product *core.Record, line PricedLine, interval string, price float64, method string,
	start, now time.Time, loc *time.Location) (*core.Record, error) {
	coll, err := app.FindCachedCollectionByNameOrId(crm.Subscriptions)
	if err != nil {
		return nil, err
	}
	sub := core.NewRecord(coll)
	status := StatusActive
	if start.After(now) {
		status = StatusPending
	}
	sub.Load(map[string]any{
		crm.FieldContact: by.Contact.Id, "product": product.Id, "plan": crm.Clip(product.GetString("name"), planMax),
		"quantity": line.Quantity, "price": price, "currency": line.Currency, "status": status,
		"started_at": start.UTC(), crm.SubPeriodStart: start.UTC(), crm.SubInterval: interval, crm.SubMethod: method,
		crm.SubChoices: line.Choices,
		"renews_at":    AddInterval(start, interval, start.In(loc).Day(), loc).UTC(),
	})
	actor := timeline.Actor{Type: timeline.ActorCustomer, Customer: by.Account.Id, Channel: timeline.ChannelPortal}
	err = app.RunInTransaction(func(tx core.App) error {
		if err := save(tx, sub, actor); err != nil {
			return err
		}
		return note(tx, sub, actor, timeline.Entry{Event: EventStarted, Data: map[string]any{"interval": interval, "price": price,
			"currency": line.Currency, "start": start.UTC().Format(time.RFC3339), "options": slices.Clone(line.Options)}})
	})
	return sub, err
}
