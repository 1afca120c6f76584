package orders

import (
	"errors"
	"io"
	"net/http"
	"strings"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"vinculo/crm"
	"vinculo/crm/guard"
)

// The doors of paying:
//
//	GET  /api/crm/portal/payment-methods      the methods on offer (customer)
//	POST /api/crm/portal/orders/{id}/pay      {method}: start paying an order (customer)
//	GET  /api/crm/portal/invoices/{id}[/pdf]  the customer's invoice, HTML or PDF (?lang=)
//	POST /api/crm/payment-notifications/{method}    a provider's signed notification (public)
//	POST /api/crm/payments/{id}/received      staff record an offline payment's money (writers)
//	GET  /api/crm/invoices/{id}[/pdf]         any invoice, for staff
//	PUT  /api/crm/payment-settings/{key}      a method's settings, its secret included (managers)

// maxNotification is the largest notification body read.
const maxNotification = 256 << 10

func bindPayments(app core.App, cfg *crm.Config) {
	for _, p := range shippedProviders() {
		if _, ok := ProviderOf(app, p.Method); !ok {
			if err := RegisterProvider(app, p); err != nil {
				panic(err)
			}
		}
	}
	bindPaidOrders(app, cfg)
	// Payments and invoices are the server's to write: a payment's state
	// comes from its provider or staff's "received", an invoice's number
	// from the numbering. Through the record API nobody writes them, the
	// dashboard's superusers included.
	serverWritten := func(e *core.RecordRequestEvent) error {
		return e.ForbiddenError("Payments and invoices are written by Vinculo as money arrives, not through the API.", nil)
	}
	for _, c := range []string{crm.Payments, crm.Invoices} {
		app.OnRecordCreateRequest(c).BindFunc(serverWritten)
		app.OnRecordUpdateRequest(c).BindFunc(serverWritten)
		app.OnRecordDeleteRequest(c).BindFunc(serverWritten)
	}
	app.OnRecordEnrich(crm.PaymentSettings).BindFunc(func(e *core.RecordEnrichEvent) error {
		e.Record.WithCustomData(true)
		e.Record.Set("has_secret", e.Record.GetString(crm.PsSecret) != "")
		if err := e.Next(); err != nil {
			return err
		}
		e.Record.Hide(crm.PsSecret) // after PocketBase shows hidden fields to superusers: nobody reads it back
		return nil
	})
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		r := se.Router
		r.GET("/api/crm/portal/payment-methods", asCustomer(func(e *core.RequestEvent, _ Customer) error {
			methods, err := EnabledMethods(e.App)
			if err != nil {
				return err
			}
			return e.JSON(http.StatusOK, methods)
		}))
		r.POST("/api/crm/portal/orders/{id}/pay", asCustomer(func(e *core.RequestEvent, c Customer) error { return payOrder(e, cfg, c) }))
		r.GET("/api/crm/portal/invoices/{id}", asCustomer(func(e *core.RequestEvent, c Customer) error { return customerInvoice(e, cfg, c, false) }))
		r.GET("/api/crm/portal/invoices/{id}/pdf", asCustomer(func(e *core.RequestEvent, c Customer) error { return customerInvoice(e, cfg, c, true) }))
		r.POST("/api/crm/payment-notifications/{method}", func(e *core.RequestEvent) error { return notify(e, cfg) })
		r.POST("/api/crm/payments/{id}/received", func(e *core.RequestEvent) error {
			pay, err := ConfirmReceived(e.App, cfg, e.Request.PathValue("id"), e.Auth.Id)
			if err != nil {
				return err
			}
			return e.JSON(http.StatusOK, pay)
		}).Bind(guard.Writer())
		r.PUT("/api/crm/payment-settings/{key}", saveSettings).Bind(guard.Manager())
		r.GET("/api/crm/invoices/{id}", func(e *core.RequestEvent) error { return staffInvoice(e, cfg, false) }).Bind(guard.Staff())
		r.GET("/api/crm/invoices/{id}/pdf", func(e *core.RequestEvent) error { return staffInvoice(e, cfg, true) }).Bind(guard.Staff())
		return se.Next()
	})
}

// asCustomer runs fn for the customer signed in to the portal.
func asCustomer(fn func(e *core.RequestEvent, c Customer) error) func(e *core.RequestEvent) error {
	return func(e *core.RequestEvent) error {
		if e.Auth == nil {
			return e.UnauthorizedError("Sign in to the portal first.", nil)
		}
		if e.Auth.Collection().Name != crm.Customers {
			return e.ForbiddenError("This is for customers signed in to the portal.", nil)
		}
		contact, err := e.App.FindRecordById(crm.Contacts, e.Auth.GetString(crm.FieldContact))
		if err != nil {
			return e.ForbiddenError("Your portal account is not linked to a contact.", nil)
		}
		return fn(e, Customer{Account: e.Auth, Contact: contact, CompanyAdmin: e.Auth.GetString(crm.FieldCompanyRole) == crm.CompanyAdmin})
	}
}

// payOrder: the customer starts paying an order. Answer: the payment
// (state, redirect_url, instructions).
func payOrder(e *core.RequestEvent, cfg *crm.Config, c Customer) error {
	order, err := e.App.FindRecordById(crm.Orders, e.Request.PathValue("id"))
	if err != nil {
		return e.NotFoundError("We could not find that order.", nil)
	}
	if err := MayPay(order, c); err != nil {
		return err
	}
	var body struct {
		Method string `json:"method"`
	}
	if err := e.BindBody(&body); err != nil {
		return e.BadRequestError("The request body is not valid JSON.", err)
	}
	pay, err := StartPayment(e.App, cfg, order, c, body.Method)
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, pay)
}

// notify: a provider's notification. Refused (unsigned, forged, stale,
// replayed): 401 and nothing written; seen before: 200, nothing changed.
func notify(e *core.RequestEvent, cfg *crm.Config) error {
	body, err := io.ReadAll(io.LimitReader(e.Request.Body, maxNotification+1))
	if err != nil || len(body) > maxNotification {
		return e.BadRequestError("The notification is too large.", nil)
	}
	out, err := Notify(e.App, cfg, NotifyRequest{Method: e.Request.PathValue("method"), Body: body, Header: e.Request.Header})
	if errors.Is(err, ErrRefused) {
		e.App.Logger().Warn("A payment notification was refused", "method", e.Request.PathValue("method"), "error", err.Error())
		return e.UnauthorizedError("The notification is not signed by the provider.", nil)
	}
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, out)
}

// customerInvoice: the signed-in customer's invoice (their own, or their
// company's as its admin).
func customerInvoice(e *core.RequestEvent, cfg *crm.Config, c Customer, pdf bool) error {
	inv, err := e.App.FindRecordById(crm.Invoices, e.Request.PathValue("id"))
	if err != nil {
		return e.NotFoundError("We could not find that invoice.", nil)
	}
	if err := MayPay(inv, c); err != nil {
		return router.NewForbiddenError("This invoice is not one of yours.", nil)
	}
	return writeInvoice(e, cfg, inv, pdf)
}

func staffInvoice(e *core.RequestEvent, cfg *crm.Config, pdf bool) error {
	inv, err := e.App.FindRecordById(crm.Invoices, e.Request.PathValue("id"))
	if err != nil {
		return e.NotFoundError("No such invoice.", nil)
	}
	return writeInvoice(e, cfg, inv, pdf)
}

func writeInvoice(e *core.RequestEvent, cfg *crm.Config, inv *core.Record, pdf bool) error {
	doc := LoadInvoiceDoc(e.App, cfg, inv, e.Request.URL.Query().Get("lang"))
	name := doc.Number
	var out []byte
	var err error
	kind := "text/html; charset=utf-8"
	if pdf {
		out, err = doc.PDF()
		kind, name = "application/pdf", name+".pdf"
	} else {
		out, err = doc.HTML()
		name += ".html"
	}
	if err != nil {
		return err
	}
	e.Response.Header().Set("Content-Disposition", `inline; filename="`+name+`"`)
	e.Response.Header().Set("Cache-Control", "private, no-store")
	return e.Blob(http.StatusOK, kind, out)
}

// saveSettings is PUT /api/crm/payment-settings/{key} {active, details,
// provider_url, secret}: a manager turns a method on or off and sets what
// it needs. The secret is hidden from the record API (PocketBase ignores a
// hidden field in a manager's body), so it is saved here; sent empty or not
// at all, the saved one stays. Answer: the row, without the secret.
func saveSettings(e *core.RequestEvent) error {
	key := e.Request.PathValue("key")
	if !methodPattern.MatchString(key) {
		return e.NotFoundError("No such payment method.", nil)
	}
	var body struct {
		Active      *bool   `json:"active"`
		Details     *string `json:"details"`
		ProviderURL *string `json:"provider_url"`
		Secret      string  `json:"secret"`
	}
	if err := e.BindBody(&body); err != nil {
		return e.BadRequestError("The body is not valid JSON.", err)
	}
	r, err := methodSettings(e.App, key)
	if err != nil {
		return err
	}
	if r == nil {
		coll, err := e.App.FindCachedCollectionByNameOrId(crm.PaymentSettings)
		if err != nil {
			return err
		}
		r = core.NewRecord(coll)
		r.Set(crm.PsKey, key)
	}
	if body.Active != nil {
		r.Set(crm.PsActive, *body.Active)
	}
	if body.Details != nil {
		r.Set(crm.PsDetails, strings.TrimSpace(*body.Details))
	}
	if body.ProviderURL != nil {
		r.Set(crm.PsProviderURL, strings.TrimSpace(*body.ProviderURL))
	}
	if s := strings.TrimSpace(body.Secret); s != "" {
		r.Set(crm.PsSecret, s)
	}
	if p, ok := ProviderOf(e.App, key); ok && !p.Offline && r.GetBool(crm.PsActive) {
		errs := validation.Errors{}
		if r.GetString(crm.PsProviderURL) == "" {
			errs[crm.PsProviderURL] = validation.NewError("validation_required", "Needed to turn this method on.")
		}
		if r.GetString(crm.PsSecret) == "" {
			errs[crm.PsSecret] = validation.NewError("validation_required", "Needed to turn this method on.")
		}
		if len(errs) > 0 {
			return e.BadRequestError("To turn this method on, fill in what it needs.", errs)
		}
	}
	if err := e.App.Save(r); err != nil {
		return e.BadRequestError("Please check the form.", err)
	}
	return e.JSON(http.StatusOK, map[string]any{"id": r.Id, crm.PsKey: key, crm.PsActive: r.GetBool(crm.PsActive),
		crm.PsDetails: r.GetString(crm.PsDetails), crm.PsProviderURL: r.GetString(crm.PsProviderURL),
		"has_secret": r.GetString(crm.PsSecret) != ""})
}
