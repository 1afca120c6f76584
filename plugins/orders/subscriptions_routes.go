package orders

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// The portal's doors to the services a customer runs (the action itself
// is POST /api/crm/portal/subscriptions/{id}/action, plugins/portal):
//
//	GET  /api/crm/portal/services                        the subscriptions they manage, with what each offers
//	POST /api/crm/portal/services                        {product, choices, quantity, interval, start, method, total}: start one
//	POST /api/crm/portal/services/quote                  {product, choices, quantity}: its price in each interval
//	POST /api/crm/portal/subscriptions/{id}/preview      {product}: the prorated difference of a change of plan
const (
	servicesRoute = "/api/crm/portal/services"
	serviceQuote  = "/api/crm/portal/services/quote"
	previewRoute  = "/api/crm/portal/subscriptions/{id}/preview"
)

const configKey = "vinculo.orders.config"

// configOf is the configuration the orders capability was registered with.
func configOf(app core.App) *crm.Config {
	if c, ok := app.Store().Get(configKey).(*crm.Config); ok {
		return c
	}
	return &crm.Config{}
}

// bindServices registers the services' routes and the period job.
func bindServices(app core.App, cfg *crm.Config) {
	app.Store().Set(configKey, cfg)
	app.Cron().MustAdd("services_periods", "11 * * * *", func() {
		run, err := RunPeriods(app, cfg, time.Now())
		if err != nil {
			app.Logger().Error("The period job failed", "error", err.Error())
		} else if run != (PeriodRun{}) {
			app.Logger().Info("Subscriptions moved on", "started", run.Started, "resumed", run.Resumed,
				"cancelled", run.Cancelled, "billed", run.Billed, "failed", run.Failed)
		}
	})
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.GET(servicesRoute, withBuyer(func(e *core.RequestEvent, b *Buyer) error { return listServices(e, cfg, b) }))
		se.Router.POST(servicesRoute, withBuyer(func(e *core.RequestEvent, b *Buyer) error { return startService(e, cfg, b) }))
		se.Router.POST(serviceQuote, withBuyer(quoteService))
		se.Router.POST(previewRoute, withBuyer(func(e *core.RequestEvent, b *Buyer) error { return previewChange(e, cfg, b) }))
		return se.Next()
	})
}

// ServicesAnswer is the services page: each subscription the customer
// manages with what it offers, and the ways of paying on offer.
type ServicesAnswer struct {
	Services []Offer  `json:"services"`
	Methods  []Method `json:"methods"`
}

func listServices(e *core.RequestEvent, cfg *crm.Config, b *Buyer) error {
	where := dbx.HashExp{crm.FieldContact: b.Contact.Id}
	var cond dbx.Expression = where
	if b.CompanyAdmin {
		cond = dbx.Or(where, dbx.HashExp{crm.FieldCompany: b.Company()})
	}
	subs, err := e.App.FindAllRecords(crm.Subscriptions, cond)
	if err != nil {
		return err
	}
	sortNewest(subs)
	out := ServicesAnswer{Services: []Offer{}}
	for _, s := range subs {
		o, err := OfferOf(e.App, cfg, s)
		if err != nil {
			return err
		}
		out.Services = append(out.Services, o)
	}
	if out.Methods, err = EnabledMethods(e.App); err != nil {
		return err
	}
	return e.JSON(http.StatusOK, out)
}

func sortNewest(subs []*core.Record) {
	slices.SortStableFunc(subs, func(a, b *core.Record) int {
		return b.GetDateTime("created").Time().Compare(a.GetDateTime("created").Time())
	})
}

func startService(e *core.RequestEvent, cfg *crm.Config, b *Buyer) error {
	m, err := body(e, startKeys)
	if err != nil {
		return err
	}
	var req ServiceRequest
	raw, _ := json.Marshal(m)
	if err := json.Unmarshal(raw, &req); err != nil {
		return badField("quantity", "validation_shape", "Give the product, its options, how many, the interval, the start day and the way of paying.")
	}
	started, err := StartService(e.App, cfg, *b, req, time.Now())
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, started)
}

func previewChange(e *core.RequestEvent, cfg *crm.Config, b *Buyer) error {
	sub, err := e.App.FindRecordById(crm.Subscriptions, e.Request.PathValue("id"))
	if err != nil {
		return e.NotFoundError("We could not find that subscription.", nil)
	}
	var req Request
	if err := e.BindBody(&req); err != nil {
		return e.BadRequestError("The request body is not valid JSON.", err)
	}
	pv, err := Preview(e.App, cfg, sub, Customer{Account: b.Account, Contact: b.Contact, CompanyAdmin: b.CompanyAdmin}, req, time.Now())
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, pv)
}

// ServiceQuote is a service as the customer shapes it, priced by the
// server: its line, and its price per period in each interval offered.
type ServiceQuote struct {
	Line      PricedLine      `json:"line"`
	Intervals []IntervalPrice `json:"intervals"`
}

func quoteService(e *core.RequestEvent, b *Buyer) error {
	m, err := body(e, lineKeys)
	if err != nil {
		return err
	}
	req, err := lineOf(m, "")
	if err != nil {
		return err
	}
	product, err := OfferedProduct(e.App, req.Product, "product")
	if err != nil {
		return err
	}
	if product.GetString("kind") != KindSubscription {
		return badField("product", "validation_not_a_service", "This product is ordered from the cart, not started as a service.")
	}
	line, err := Price(product, req, b.Lang, "")
	if err != nil {
		return err
	}
	out := ServiceQuote{Line: line, Intervals: []IntervalPrice{}}
	for _, i := range Intervals(product) {
		if p, ok := priceIn(product, line.Choices, line.Quantity, i.Interval); ok {
			out.Intervals = append(out.Intervals, IntervalPrice{Interval: i.Interval, Price: p})
		}
	}
	return e.JSON(http.StatusOK, out)
}
