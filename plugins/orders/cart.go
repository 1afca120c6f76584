package orders

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"vinculo/crm"
)

// A customer's cart holds only what they chose (product, answers, how
// many); it is priced again each time it is shown, from the products as
// they are then, so a price changed in Settings shows at once and nothing
// the browser kept can lower it.

// maxCartLines is the most lines a cart holds.
const maxCartLines = 50

// CartLine is one line of the priced cart: its place, what the customer
// asked, and the line as priced now, or why it can no longer be ordered
// (the product left the catalogue, its options changed).
type CartLine struct {
	Index   int         `json:"index"`
	Request LineRequest `json:"request"`
	PricedLine
	Problem       string         `json:"problem,omitempty"`
	ProblemCode   string         `json:"problem_code,omitempty"` // the page words it from this
	ProblemParams map[string]any `json:"problem_params,omitempty"`
}

// problem keeps why a line cannot be ordered: the message and, for the
// page to word it, the first field problem's code and params.
func (cl *CartLine) problem(err error) {
	cl.Problem = err.Error()
	var api *router.ApiError
	if !errors.As(err, &api) {
		return
	}
	for _, item := range api.Data {
		if m, ok := item.(map[string]any); ok {
			cl.ProblemCode, _ = m["code"].(string)
			cl.ProblemParams, _ = m["params"].(map[string]any)
			return
		}
	}
}

// CartView is the cart as the portal shows it.
type CartView struct {
	Lines      []CartLine `json:"lines"`
	Total      float64    `json:"total"`
	Currency   string     `json:"currency"`
	NeedsTime  string     `json:"needs_time"`  // appointment, delivery or "" (the strictest of the lines)
	ForCompany bool       `json:"for_company"` // the buyer may order for their company
	LeftOut    []CartLine `json:"left_out,omitempty"`
}

// cartOf is the buyer's cart record, or a new unsaved one.
func cartOf(app core.App, b *Buyer) (*core.Record, error) {
	r, err := app.FindFirstRecordByFilter(crm.Carts, crm.CartCustomer+" = {:c}", dbx.Params{"c": b.Account.Id})
	if err == nil {
		return r, nil
	}
	c, err := app.FindCachedCollectionByNameOrId(crm.Carts)
	if err != nil {
		return nil, err
	}
	r = core.NewRecord(c)
	r.Set(crm.CartCustomer, b.Account.Id)
	r.Set(crm.CartLines, []LineRequest{})
	return r, nil
}

// cartLines reads a cart's stored lines.
func cartLines(r *core.Record) []LineRequest {
	var lines []LineRequest
	raw, _ := json.Marshal(r.Get(crm.CartLines))
	_ = json.Unmarshal(raw, &lines)
	return lines
}

// priceCart prices every line of a cart as the products are now.
func priceCart(app core.App, b *Buyer, lines []LineRequest) CartView {
	v := CartView{Lines: []CartLine{}, ForCompany: b.CompanyAdmin}
	var total int64
	for i, req := range lines {
		cl := CartLine{Index: i, Request: req}
		product, err := OfferedProduct(app, req.Product, "product")
		if err == nil {
			cl.PricedLine, err = Price(product, req, b.Lang, "")
		} else if p, e2 := app.FindRecordById(crm.Products, req.Product); e2 == nil {
			cl.Name = p.GetString("name")
		}
		if err != nil {
			cl.problem(err)
			v.Lines = append(v.Lines, cl)
			continue
		}
		if v.Currency == "" {
			v.Currency = cl.Currency
		} else if v.Currency != cl.Currency {
			cl.Problem = fmt.Sprintf("This is priced in %s and the rest of the cart in %s: order it separately.", cl.Currency, v.Currency)
			cl.ProblemCode, cl.ProblemParams = "validation_cart_currency", map[string]any{"currency": cl.Currency, "other": v.Currency}
			v.Lines = append(v.Lines, cl)
			continue
		}
		total += cents(cl.Total)
		if cl.NeedsTime == crm.NeedsAppointment || (cl.NeedsTime == crm.NeedsDelivery && v.NeedsTime == "") {
			v.NeedsTime = cl.NeedsTime
		}
		v.Lines = append(v.Lines, cl)
	}
	v.Total = money(total)
	return v
}

// saveCart keeps lines as the buyer's cart.
func saveCart(app core.App, r *core.Record, lines []LineRequest) error {
	if lines == nil {
		lines = []LineRequest{}
	}
	r.Set(crm.CartLines, lines)
	return app.Save(r)
}

// checkedLine prices one line the buyer sends, so a cart never holds a
// line that cannot be ordered as it was sent; the line kept is the one the
// server read (its answers, a quantity of at least 1).
func checkedLine(app core.App, b *Buyer, m map[string]any, at string) (LineRequest, error) {
	req, err := lineOf(m, at)
	if err != nil {
		return req, err
	}
	product, err := OfferedProduct(app, req.Product, at+"product")
	if err != nil {
		return req, err
	}
	line, err := Price(product, req, b.Lang, at)
	if err != nil {
		return req, err
	}
	return LineRequest{Product: product.Id, Choices: line.Choices, Quantity: line.Quantity}, nil
}

// showCart is GET /api/crm/cart.
func showCart(e *core.RequestEvent, b *Buyer) error {
	r, err := cartOf(e.App, b)
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, priceCart(e.App, b, cartLines(r)))
}

// replaceCart is PUT /api/crm/cart {lines}: the cart as the customer
// edited it (quantities, lines removed).
func replaceCart(e *core.RequestEvent, b *Buyer) error {
	m, err := body(e, []string{"lines"})
	if err != nil {
		return err
	}
	items, ok := m["lines"].([]any)
	if !ok && m["lines"] != nil {
		return badField("lines", "validation_cart_lines", "The cart's lines must be a list.")
	}
	if len(items) > maxCartLines {
		return badField("lines", "validation_cart_full", fmt.Sprintf("A cart holds at most %d lines.", maxCartLines))
	}
	lines := make([]LineRequest, 0, len(items))
	for i, it := range items {
		obj, ok := it.(map[string]any)
		at := fmt.Sprintf("lines.%d.", i)
		if !ok {
			return badField(at+"product", "validation_line_shape", "A line is a product, its options and how many.")
		}
		line, err := checkedLine(e.App, b, obj, at)
		if err != nil {
			return err
		}
		lines = append(lines, line)
	}
	r, err := cartOf(e.App, b)
	if err != nil {
		return err
	}
	if err := saveCart(e.App, r, lines); err != nil {
		return err
	}
	return e.JSON(http.StatusOK, priceCart(e.App, b, lines))
}

// addToCart is POST /api/crm/cart/lines {product, choices, quantity}.
func addToCart(e *core.RequestEvent, b *Buyer) error {
	m, err := body(e, lineKeys)
	if err != nil {
		return err
	}
	line, err := checkedLine(e.App, b, m, "")
	if err != nil {
		return err
	}
	r, err := cartOf(e.App, b)
	if err != nil {
		return err
	}
	lines := cartLines(r)
	if len(lines) >= maxCartLines {
		return badField("product", "validation_cart_full", fmt.Sprintf("A cart holds at most %d lines.", maxCartLines))
	}
	lines = append(lines, line)
	if err := saveCart(e.App, r, lines); err != nil {
		return err
	}
	return e.JSON(http.StatusOK, priceCart(e.App, b, lines))
}
