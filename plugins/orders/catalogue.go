package orders

import (
	"encoding/json"
	"net/http"
	"slices"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"vinculo/crm"
	"vinculo/crm/guard"
)

// Routes of the catalogue, the cart and ordering from the portal.
const (
	quoteRoute   = "/api/crm/catalogue/quote"   // POST {product, choices, quantity}: the price, computed
	cartRoute    = "/api/crm/cart"              // GET the priced cart; PUT {lines}
	cartAddRoute = "/api/crm/cart/lines"        // POST {product, choices, quantity}: one more line
	placeRoute   = "/api/crm/cart/order"        // POST {placed_for, scheduled_at, total}: the order
	reorderRoute = "/api/crm/cart/reorder/{id}" // POST: an earlier order's lines into the cart
)

// The keys each route takes. Anything else is refused with a 400 naming
// it: a price, a total of a line, a currency, a status are the server's.
var (
	lineKeys  = []string{"product", "choices", "quantity"}
	placeKeys = []string{"placed_for", "scheduled_at", "total"}
)

// bindCatalogue registers the catalogue's, the cart's and ordering's routes.
func bindCatalogue(app core.App, cfg *crm.Config) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.POST(quoteRoute, quote).Bind(apis.RequireAuth(crm.Staff, crm.Customers, core.CollectionNameSuperusers))
		se.Router.GET(cartRoute, withBuyer(showCart))
		se.Router.PUT(cartRoute, withBuyer(replaceCart))
		se.Router.POST(cartAddRoute, withBuyer(addToCart))
		se.Router.POST(placeRoute, withBuyer(func(e *core.RequestEvent, b *Buyer) error { return placeOrder(e, b, cfg) }))
		se.Router.POST(reorderRoute, withBuyer(reorder))
		return se.Next()
	})
}

// Buyer is a signed-in customer who shops: their account, their contact,
// whether they are the admin of the contact's company, and their language.
type Buyer struct {
	Account, Contact *core.Record
	CompanyAdmin     bool
	Lang             string
}

// Company is the id of the buyer's company ("" for none).
func (b *Buyer) Company() string { return b.Contact.GetString(crm.FieldCompany) }

// withBuyer lets only a signed-in customer with a contact through: 401 for
// nobody, 403 for staff (a cart is a customer's own).
func withBuyer(fn func(e *core.RequestEvent, b *Buyer) error) func(e *core.RequestEvent) error {
	return func(e *core.RequestEvent) error {
		if e.Auth == nil {
			return e.UnauthorizedError("Sign in to the portal first.", nil)
		}
		if e.Auth.Collection().Name != crm.Customers {
			return e.ForbiddenError("Carts and orders here are for customers, in the portal.", nil)
		}
		contact, err := e.App.FindRecordById(crm.Contacts, e.Auth.GetString(crm.FieldContact))
		if err != nil {
			return e.ForbiddenError("Your account is not linked to a customer record yet.", nil)
		}
		b := &Buyer{Account: e.Auth, Contact: contact, Lang: e.Auth.GetString("language")}
		b.CompanyAdmin = e.Auth.GetString(crm.FieldCompanyRole) == crm.CompanyAdmin && b.Company() != ""
		if !slices.Contains(crm.Languages, b.Lang) {
			b.Lang = contact.GetString("language")
		}
		return fn(e, b)
	}
}

// OfferedProduct is the product id names, if customers may order it from
// the catalogue (active and in the catalogue); else a 400 naming field.
func OfferedProduct(app core.App, id, field string) (*core.Record, error) {
	p, err := app.FindRecordById(crm.Products, id)
	if err != nil || !p.GetBool("active") || !p.GetBool(crm.ProductInCatalogue) {
		return nil, badField(field, "validation_not_offered", "This product is not on offer.")
	}
	return p, nil
}

// body is the request's JSON object, with every key outside allowed
// refused (400 naming it, under at: "lines.0.unit_price").
func body(e *core.RequestEvent, allowed []string) (map[string]any, error) {
	info, err := e.RequestInfo()
	if err != nil {
		return nil, e.BadRequestError("The request body is not valid JSON.", err)
	}
	return info.Body, refuseKeys(info.Body, allowed, "")
}

func refuseKeys(m map[string]any, allowed []string, at string) error {
	for k := range m {
		if !slices.Contains(allowed, k) {
			msg := "The server works out " + k + " itself: leave it out."
			return router.NewBadRequestError(msg, validation.Errors{at + k: validation.NewError("validation_server_owned", msg)})
		}
	}
	return nil
}

// lineOf reads one line's keys (checked) into a LineRequest.
func lineOf(m map[string]any, at string) (LineRequest, error) {
	var req LineRequest
	if err := refuseKeys(m, lineKeys, at); err != nil {
		return req, err
	}
	raw, _ := json.Marshal(m)
	if err := json.Unmarshal(raw, &req); err != nil {
		return req, badField(at+"quantity", "validation_line_shape", "A line is a product, its options and how many (a whole number).")
	}
	return req, nil
}

// QuoteAnswer is the price of a shaped product, as the server computes it.
type QuoteAnswer struct {
	PricedLine
}

// quote prices a product as the customer shapes it, on every change of the
// product page: customers may quote what the catalogue offers, staff any
// active product.
func quote(e *core.RequestEvent) error {
	m, err := body(e, lineKeys)
	if err != nil {
		return err
	}
	req, err := lineOf(m, "")
	if err != nil {
		return err
	}
	var product *core.Record
	lang := e.Auth.GetString("language")
	if guard.IsStaff(e.Auth) {
		product, err = e.App.FindRecordById(crm.Products, req.Product)
		if err != nil || !product.GetBool("active") {
			return badField("product", "validation_not_offered", "This product is not on offer.")
		}
	} else if product, err = OfferedProduct(e.App, req.Product, "product"); err != nil {
		return err
	}
	line, err := Price(product, req, lang, "")
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, QuoteAnswer{line})
}
