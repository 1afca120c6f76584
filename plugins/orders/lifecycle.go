package orders

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
)

// Statuses of an order (field `status` of orders).
const (
	OrderPlaced    = "placed"
	OrderConfirmed = "confirmed" // staff took it on (a time kept, stock set aside)
	OrderPaid      = "paid"
	OrderShipped   = "shipped"
	OrderDelivered = "delivered"
	OrderCancelled = "cancelled"
)

// OrderMoves are the moves an order's status may make: paid or not, it is
// shipped (or, once paid, handed over at once) and delivered; it is
// cancelled only before it leaves. Staff may confirm a placed order first
// (an order placed in the portal waits for it); a confirmed order may be
// handed over and paid on delivery. Delivered and cancelled are the end.
var OrderMoves = map[string][]string{
	OrderPlaced:    {OrderConfirmed, OrderPaid, OrderShipped, OrderCancelled},
	OrderConfirmed: {OrderPaid, OrderShipped, OrderDelivered, OrderCancelled},
	OrderPaid:      {OrderShipped, OrderDelivered, OrderCancelled},
	OrderShipped:   {OrderDelivered},
}

// OrderOpen tells whether an order's lines and currency may still change:
// until it is shipped.
func OrderOpen(status string) bool {
	return status == OrderPlaced || status == OrderConfirmed || status == OrderPaid
}

// orderTerms are what an order that is no longer open keeps as it was.
var orderTerms = []string{"items", "currency"}

// Line is one line of an order (field `items`): a product (its code, for
// lines that name one), what it is called on the order, how many, and the
// price of one.
type Line struct {
	Product   string   `json:"product,omitempty"`
	Name      string   `json:"name"`
	Quantity  *float64 `json:"quantity,omitempty"`
	UnitPrice *float64 `json:"unit_price,omitempty"`
	Discount  float64  `json:"discount,omitempty"` // off the line's price, as a quote gave it (quotes.go)
}

// bindOrders keeps every order, whatever door it comes through, to the
// order's rules: a number, the status's moves, the terms of a shipped order,
// lines that make sense, and the total of priced lines.
func bindOrders(app core.App) {
	app.OnRecordCreate(crm.Orders).BindFunc(func(e *core.RecordEvent) error {
		if err := newOrder(e.App, e.Record); err != nil {
			return err
		}
		return e.Next()
	})
	app.OnRecordUpdate(crm.Orders).BindFunc(func(e *core.RecordEvent) error {
		prev, err := e.App.FindRecordById(crm.Orders, e.Record.Id)
		if err != nil {
			return err
		}
		if err := changedOrder(prev, e.Record); err != nil {
			return err
		}
		return e.Next()
	})
}

// newOrder fills what a new order leaves out (number, status, day placed)
// and checks its lines.
func newOrder(app core.App, r *core.Record) error {
	if r.GetString("status") == "" {
		r.Set("status", OrderPlaced)
	}
	if r.GetDateTime("placed_at").IsZero() {
		r.Set("placed_at", types.NowDateTime())
	}
	if r.GetString("status") == OrderCancelled && r.GetDateTime("cancelled_at").IsZero() {
		r.Set("cancelled_at", types.NowDateTime())
	}
	if err := checkLines(r); err != nil {
		return err
	}
	if strings.TrimSpace(r.GetString("number")) == "" {
		n, err := nextNumber(app)
		if err != nil {
			return err
		}
		r.Set("number", n)
	}
	return nil
}

// changedOrder refuses a move of status the order cannot make and a change
// of the terms of an order that has left; it dates a cancellation.
func changedOrder(prev, r *core.Record) error {
	from, to := prev.GetString("status"), r.GetString("status")
	if from != to && !slices.Contains(OrderMoves[from], to) {
		msg := fmt.Sprintf("An order that is %s can't become %s.", from, to)
		if len(OrderMoves[from]) > 0 {
			msg += " It can become: " + strings.Join(OrderMoves[from], ", ") + "."
		}
		return fieldError("status", validation.NewError("validation_order_move", msg).
			SetParams(map[string]any{"from": from, "to": to}))
	}
	for _, f := range orderTerms {
		if !OrderOpen(from) && !sameJSON(prev.Get(f), r.Get(f)) {
			return fieldError(f, validation.NewError("validation_order_closed",
				fmt.Sprintf("An order that is %s can't be changed.", from)).SetParams(map[string]any{"status": from}))
		}
	}
	if to == OrderCancelled && from != OrderCancelled {
		r.Set("cancelled_at", types.NowDateTime())
	}
	if !sameJSON(prev.Get("items"), r.Get("items")) {
		return checkLines(r)
	}
	return nil
}

func fieldError(field string, err validation.Error) error {
	return router.NewBadRequestError(err.Message(), validation.Errors{field: err})
}

func sameJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// checkLines: at least one line, each with a name or a product, a quantity
// above 0 and a price of 0 or more where given. When every line is priced,
// the order's total is theirs (lines from elsewhere may carry only names,
// and keep the total they came with).
func checkLines(r *core.Record) error {
	var lines []Line
	raw, _ := json.Marshal(r.Get("items"))
	if err := json.Unmarshal(raw, &lines); err != nil || len(lines) == 0 {
		return fieldError("items", validation.NewError("validation_order_lines", "Add at least one line."))
	}
	total, priced := 0.0, true
	for i, l := range lines {
		bad := func(msg string) error {
			return fieldError("items", validation.NewError("validation_order_line",
				fmt.Sprintf("Line %d: %s", i+1, msg)).SetParams(map[string]any{"line": i + 1}))
		}
		switch {
		case strings.TrimSpace(l.Name) == "" && strings.TrimSpace(l.Product) == "":
			return bad("name the product.")
		case l.Quantity != nil && (*l.Quantity <= 0 || *l.Quantity > 1e6):
			return bad("the quantity must be more than 0.")
		case l.UnitPrice != nil && (*l.UnitPrice < 0 || *l.UnitPrice > 1e12):
			return bad("the price can't be below 0.")
		}
		if l.UnitPrice == nil {
			priced = false
			continue
		}
		qty := 1.0
		if l.Quantity != nil {
			qty = *l.Quantity
		}
		if l.Discount < 0 || l.Discount > qty**l.UnitPrice+0.005 {
			return bad("the discount is more than the line's price.")
		}
		total += qty**l.UnitPrice - l.Discount
	}
	if priced {
		r.Set("total", math.Round(total*100)/100)
	}
	return nil
}

// numberPattern is an order number with a prefix: PED-00042.
var numberPattern = regexp.MustCompile(`^([A-Z]+-)(\d+)$`)

// defaultPrefix begins the numbers of a business's first order.
const defaultPrefix = "ORD-"

// nextNumber continues the numbering of the latest order (its prefix, the
// highest number with it, plus one), in five digits at least.
func nextNumber(app core.App) (string, error) {
	prefix := defaultPrefix
	var latest struct {
		Number string `db:"number"`
	}
	// Imported history keeps numbers of its own (IMP-...): not the business's numbering.
	err := app.DB().Select("number").From(crm.Orders).Where(dbx.NewExp("IFNULL(source, '') != 'import'")).
		OrderBy("created DESC").Limit(1).One(&latest)
	if m := numberPattern.FindStringSubmatch(latest.Number); err == nil && m != nil {
		prefix = m[1]
	}
	var last struct {
		N int `db:"n"`
	}
	err = app.DB().NewQuery(
		"SELECT COALESCE(MAX(CAST(substr(number, {:skip}) AS INTEGER)), 0) AS n FROM orders WHERE number >= {:from} AND number < {:to}",
	).Bind(dbx.Params{"skip": len(prefix) + 1, "from": prefix, "to": prefix[:len(prefix)-1] + "."}).One(&last)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s%05d", prefix, last.N+1), nil
}
