package orders

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
	"vinculo/plugins/timeline"
)

// Timeline events of an order's later states (placed and cancelled are the
// timeline's own: timeline.OrderPlaced, timeline.OrderCancelled).
const (
	EventOrderConfirmed = "order.confirmed"
	EventOrderPaid      = "order.paid"
	EventOrderShipped   = "order.shipped"
	EventOrderDelivered = "order.delivered"
)

// stateEvents is the entry each state an order reaches writes.
var stateEvents = map[string]string{
	OrderConfirmed: EventOrderConfirmed, OrderPaid: EventOrderPaid,
	OrderShipped: EventOrderShipped, OrderDelivered: EventOrderDelivered,
}

// maxAhead is how far ahead a delivery or appointment may be booked.
const maxAhead = 366 * 24 * time.Hour

// PlacedLine is an order's line as placed from the portal: the lifecycle's
// Line (product code, name, quantity, price of one) plus the product's id,
// the answers the customer gave (kept to order it again) and the options
// as worded and priced when it was placed.
type PlacedLine struct {
	Product   string         `json:"product"`
	ProductID string         `json:"product_id"`
	Name      string         `json:"name"`
	Quantity  float64        `json:"quantity"`
	UnitPrice float64        `json:"unit_price"`
	Choices   map[string]any `json:"choices,omitempty"`
	Options   []Chosen       `json:"options,omitempty"`
	Discount  float64        `json:"discount,omitempty"` // off the line, as its quote gave it (quotes.go)
}

// bindOrderStates writes a timeline entry, public to the customer, for
// each state an order reaches after it is placed, whatever the door.
func bindOrderStates(app core.App) {
	app.OnRecordUpdate(crm.Orders).BindFunc(func(e *core.RecordEvent) error {
		prev, _ := e.App.FindRecordById(crm.Orders, e.Record.Id)
		if err := e.Next(); err != nil {
			return err
		}
		to := e.Record.GetString("status")
		event := stateEvents[to]
		if prev == nil || event == "" || prev.GetString("status") == to {
			return nil
		}
		number := e.Record.GetString("number")
		_, err := timeline.Write(e.App, timeline.Entry{
			Event: event, Public: true, Subject: number, Actor: timeline.ActorOf(e.Record),
			Data:    map[string]any{"number": number, "total": e.Record.GetFloat("total"), "currency": e.Record.GetString("currency")},
			Contact: e.Record.GetString(crm.FieldContact), Company: e.Record.GetString(crm.FieldCompany),
			RefCollection: crm.Orders, RefID: e.Record.Id,
		})
		return err
	})
}

// placeOrder is POST /api/crm/cart/order {placed_for, scheduled_at, total}:
// the cart becomes an order, priced by the server. A total sent must be
// the one the server computes now (else 400 naming total: a price changed,
// or someone tried to set it); the cart is emptied in the same transaction.
func placeOrder(e *core.RequestEvent, b *Buyer, cfg *crm.Config) error {
	m, err := body(e, placeKeys)
	if err != nil {
		return err
	}
	cart, err := cartOf(e.App, b)
	if err != nil {
		return err
	}
	view := priceCart(e.App, b, cartLines(cart))
	afterPricing()
	if err := orderable(view); err != nil {
		return err
	}
	if err := checkTotal(m["total"], view); err != nil {
		return err
	}
	forCompany, err := placedFor(m["placed_for"], b)
	if err != nil {
		return err
	}
	when, err := scheduledAt(m["scheduled_at"], view.NeedsTime, cfg.BusinessNow().Calendar(), time.Now())
	if err != nil {
		return err
	}
	order, err := newPortalOrder(e.App, b, view, forCompany, when)
	if err != nil {
		return err
	}
	err = e.App.RunInTransaction(func(tx core.App) error {
		// The cart was priced before the transaction: if it changed since
		// (another tab placed it, or changed a line), this order is not what
		// the customer saw, and nothing is written.
		if !cart.IsNew() {
			fresh, err := tx.FindRecordById(cart.Collection(), cart.Id)
			if err != nil || !fresh.GetDateTime("updated").Equal(cart.GetDateTime("updated")) {
				return errCartChanged
			}
		}
		if err := tx.Save(order); err != nil {
			return err
		}
		if cart.IsNew() {
			return nil
		}
		return saveCart(tx, cart, nil)
	})
	if errors.Is(err, errCartChanged) {
		return e.JSON(http.StatusConflict, map[string]any{"status": http.StatusConflict,
			"message": "The cart changed while the order was being placed: look at it again.",
			"data":    map[string]any{"cart": map[string]string{"code": "cart_changed", "message": "The cart changed."}}})
	}
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, order)
}

var errCartChanged = errors.New("the cart changed while the order was placed")

// afterPricing runs between pricing the cart and writing the order (tests
// change the cart there, as a second tab would).
var afterPricing = func() {}

// orderable refuses an empty cart and a cart with a line that can't be
// ordered as it is (400 naming the line).
func orderable(v CartView) error {
	if len(v.Lines) == 0 {
		return badField("lines", "validation_cart_empty", "Your cart is empty.")
	}
	for _, l := range v.Lines {
		if l.Problem != "" {
			return fieldError(fmt.Sprintf("lines.%d", l.Index), validation.NewError("validation_cart_line", l.Name+": "+l.Problem).
				SetParams(map[string]any{"name": l.Name}))
		}
	}
	return nil
}

// checkTotal: a total sent must be the server's, to the cent.
func checkTotal(sent any, v CartView) error {
	if sent == nil {
		return nil
	}
	f, ok := sent.(float64)
	if ok && !math.IsNaN(f) && cents(f) == cents(v.Total) {
		return nil
	}
	msg := fmt.Sprintf("The total is %.2f %s, worked out by us from today's prices: look at the cart again.", v.Total, v.Currency)
	return fieldError("total", validation.NewError("validation_total_mismatch", msg).
		SetParams(map[string]any{"total": v.Total, "currency": v.Currency}))
}

// placedFor reads who the order is for: the customer themselves (the
// default), or their company, which only its admin may order for (403
// naming placed_for otherwise).
func placedFor(v any, b *Buyer) (bool, error) {
	s, _ := v.(string)
	switch {
	case v == nil || s == crm.PlacedForSelf:
		return false, nil
	case s != crm.PlacedForCompany:
		return false, badField("placed_for", "validation_placed_for", "An order is for you or for your company.")
	case !b.CompanyAdmin:
		msg := "Only your company's admin orders for the company: order for yourself, or ask them."
		return false, router.NewForbiddenError(msg, validation.Errors{"placed_for": validation.NewError("validation_not_company_admin", msg)})
	}
	return true, nil
}

// scheduledAt reads the delivery or appointment time an order needs: a
// moment ahead (within a year) when the business is open. An order that
// needs none keeps none.
func scheduledAt(v any, needs string, cal crm.Calendar, now time.Time) (time.Time, error) {
	if needs == "" {
		return time.Time{}, nil
	}
	word := "delivery"
	if needs == crm.NeedsAppointment {
		word = "appointment"
	}
	s, _ := v.(string)
	if strings.TrimSpace(s) == "" {
		return time.Time{}, bad(crm.OrderScheduledAt, "validation_time_required", "Choose a time for the "+word+".", map[string]any{"needs": needs})
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		dt, err2 := types.ParseDateTime(s)
		if err2 != nil || dt.IsZero() {
			return time.Time{}, bad(crm.OrderScheduledAt, "validation_time_format", "Give the date and time of the "+word+".", map[string]any{"needs": needs})
		}
		t = dt.Time()
	}
	switch {
	case !t.After(now):
		return time.Time{}, bad(crm.OrderScheduledAt, "validation_time_past", "Choose a time ahead of now.", map[string]any{"needs": needs})
	case t.After(now.Add(maxAhead)):
		return time.Time{}, bad(crm.OrderScheduledAt, "validation_time_far", "Choose a time within a year.", map[string]any{"needs": needs})
	case !cal.IsOpen(t):
		params := map[string]any{"needs": needs}
		if next, ok := cal.NextOpen(t); ok {
			params["next"] = next.UTC().Format(time.RFC3339)
		}
		return time.Time{}, bad(crm.OrderScheduledAt, "validation_time_closed", "We are closed then: choose a time within our opening hours.", params)
	}
	return t.UTC(), nil
}

// newPortalOrder is the order the priced cart makes, placed by b through
// the portal (its timeline entry is the customer's).
func newPortalOrder(app core.App, b *Buyer, v CartView, forCompany bool, when time.Time) (*core.Record, error) {
	c, err := app.FindCachedCollectionByNameOrId(crm.Orders)
	if err != nil {
		return nil, err
	}
	items := make([]PlacedLine, 0, len(v.Lines))
	for _, l := range v.Lines {
		items = append(items, PlacedLine{Product: l.Code, ProductID: l.PricedLine.Product, Name: l.Name,
			Quantity: float64(l.Quantity), UnitPrice: l.UnitPrice, Choices: l.Choices, Options: l.Options})
	}
	order := core.NewRecord(c)
	order.Set(crm.FieldContact, b.Contact.Id)
	order.Set("items", items)
	order.Set("total", v.Total)
	order.Set("currency", v.Currency)
	order.Set("status", OrderPlaced)
	order.Set(crm.OrderPlacedBy, b.Account.Id)
	order.Set(crm.OrderPlacedFor, crm.PlacedForSelf)
	if forCompany {
		order.Set(crm.FieldCompany, b.Company())
		order.Set(crm.OrderPlacedFor, crm.PlacedForCompany)
	}
	if !when.IsZero() {
		order.Set(crm.OrderScheduledAt, when)
	}
	timeline.SetActor(order, timeline.Actor{Type: timeline.ActorCustomer, Customer: b.Account.Id, Channel: timeline.ChannelPortal})
	return order, nil
}

// MaySee tells whether b may see order: their own, or their company's when
// they are its admin.
func MaySee(order *core.Record, b *Buyer) bool {
	if order.GetString(crm.FieldContact) == b.Contact.Id {
		return true
	}
	return b.CompanyAdmin && order.GetString(crm.FieldCompany) == b.Company()
}

// reorder is POST /api/crm/cart/reorder/{id}: every line of an earlier
// order that can still be ordered goes into the cart with the same answers
// and quantity, priced as today; the rest is listed as left out, with why.
func reorder(e *core.RequestEvent, b *Buyer) error {
	order, err := e.App.FindRecordById(crm.Orders, e.Request.PathValue("id"))
	if err != nil || !MaySee(order, b) {
		return e.NotFoundError("We could not find that order.", nil)
	}
	var placed []PlacedLine
	raw, _ := json.Marshal(order.Get("items"))
	_ = json.Unmarshal(raw, &placed)
	cart, err := cartOf(e.App, b)
	if err != nil {
		return err
	}
	lines := cartLines(cart)
	var left []CartLine
	for _, p := range placed {
		req, err := againLine(e.App, b, p)
		if err == nil && len(lines) >= maxCartLines {
			err = badField("lines", "validation_cart_full", fmt.Sprintf("A cart holds at most %d lines.", maxCartLines))
		}
		if err != nil {
			cl := CartLine{Index: -1}
			cl.Name = p.Name
			cl.problem(err)
			left = append(left, cl)
			continue
		}
		lines = append(lines, req)
	}
	if err := saveCart(e.App, cart, lines); err != nil {
		return err
	}
	view := priceCart(e.App, b, lines)
	view.LeftOut = left
	return e.JSON(http.StatusOK, view)
}

// againLine is the cart line that orders p again: the same product (by id,
// else by code), answers and quantity, if it can still be ordered so.
func againLine(app core.App, b *Buyer, p PlacedLine) (LineRequest, error) {
	id := p.ProductID
	if id == "" && p.Product != "" {
		if r, err := app.FindFirstRecordByData(crm.Products, "code", p.Product); err == nil {
			id = r.Id
		}
	}
	product, err := OfferedProduct(app, id, "product")
	if err != nil {
		return LineRequest{}, err
	}
	qty := int(math.Round(p.Quantity))
	if qty < 1 {
		qty = 1
	}
	req := LineRequest{Product: product.Id, Choices: p.Choices, Quantity: qty}
	line, err := Price(product, req, b.Lang, "")
	if err != nil {
		return req, err
	}
	return LineRequest{Product: product.Id, Choices: line.Choices, Quantity: line.Quantity}, nil
}
