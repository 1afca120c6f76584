package orders

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
	"vinculo/plugins/timeline"
)

// Billing periods. A subscription's period runs from period_start to
// renews_at. Each period is paid like an order: a payment with the
// subscription's way of paying (instructions to follow, or the provider's
// page), its invoice issued when it is paid (or when the method is chosen,
// for "on invoice"), numbered with the orders' invoices. The period job
// (RunPeriods, every hour) moves every subscription whose moment came: a
// pending one starts, a pause ends on its day, a cancellation asked for
// the end of the period takes effect then, and a period that ends opens the
// next one (with the interval asked for it) and bills it, minus any credit
// the customer is owed. A paused period is not billed.

// MethodCredit is the method of a period paid in full by the customer's
// credit.
const MethodCredit = "credit"

// customerZone is the time zone of contact: theirs, else the business's.
func customerZone(app core.App, cfg *crm.Config, contact string) *time.Location {
	if c, err := app.FindRecordById(crm.Contacts, contact); err == nil {
		if loc, err := time.LoadLocation(c.GetString("timezone")); err == nil && c.GetString("timezone") != "" {
			return loc
		}
	}
	return cfg.BusinessNow().Location()
}

// periodKey names a period by its first day in the customer's zone.
func periodKey(start time.Time, loc *time.Location) string {
	return start.In(loc).Format(time.DateOnly)
}

// payLines are the invoice lines a payment carries (a change of plan, a
// period with a credit); false when it carries none.
func payLines(pay *core.Record) ([]InvoiceLine, bool) {
	var lines []InvoiceLine
	raw, _ := json.Marshal(pay.Get(crm.PayLines))
	if err := json.Unmarshal(raw, &lines); err != nil || len(lines) == 0 {
		return nil, false
	}
	return lines, true
}

// StartSubscriptionPayment starts paying amount for sub (purpose: a period
// or a change), with the subscription's way of paying: written in one
// transaction (an invoice first for "on invoice"; paid at once by credit
// when there is nothing to pay), then the provider asked outside it, as
// for an order. The payment is returned.
func StartSubscriptionPayment(app core.App, cfg *crm.Config, sub *core.Record, purpose, period string, amount float64, lines []InvoiceLine) (*core.Record, error) {
	var pay *core.Record
	err := app.RunInTransaction(func(tx core.App) error {
		var err error
		pay, err = newSubPayment(tx, cfg, sub, purpose, period, amount, lines)
		return err
	})
	if err != nil || pay.GetString(crm.PayState) != crm.PaymentPending {
		return pay, err
	}
	return pay, askProvider(app, cfg, pay)
}

// newSubPayment writes a payment of sub in tx (see StartSubscriptionPayment).
func newSubPayment(tx core.App, cfg *crm.Config, sub *core.Record, purpose, period string, amount float64, lines []InvoiceLine) (*core.Record, error) {
	coll, err := tx.FindCachedCollectionByNameOrId(crm.Payments)
	if err != nil {
		return nil, err
	}
	method := sub.GetString(crm.SubMethod)
	if amount <= 0 {
		method, amount = MethodCredit, 0
	}
	if method == "" {
		method = MethodManual // a subscription staff started: staff record the money
	}
	pay := core.NewRecord(coll)
	pay.Load(map[string]any{
		crm.PaySubscription: sub.Id, crm.PayPeriod: period, crm.PayPurpose: purpose,
		crm.PayContact: sub.GetString(crm.FieldContact), crm.PayCompany: sub.GetString(crm.FieldCompany),
		crm.PayMethod: method, crm.PayAmount: amount, crm.PayCurrency: sub.GetString("currency"),
		crm.PayState: crm.PaymentPending, crm.PayNotifications: []string{},
	})
	if len(lines) > 0 {
		pay.Set(crm.PayLines, lines)
	}
	if err := tx.Save(pay); err != nil {
		return nil, err
	}
	if method == MethodCredit {
		return pay, markPaid(tx, cfg, pay, "")
	}
	if p, ok := ProviderOf(tx, method); ok && p.InvoiceFirst {
		_, err = issueInvoice(tx, cfg, pay, time.Now())
	}
	return pay, err
}

// askProvider starts pay with its method's provider, outside any
// transaction, and keeps its answer (or fails the payment with its error).
func askProvider(app core.App, cfg *crm.Config, pay *core.Record) error {
	method := pay.GetString(crm.PayMethod)
	p, ok := ProviderOf(app, method)
	settings, err := methodSettings(app, method)
	if err != nil || !ok || settings == nil {
		return err // no provider: staff record the money when it arrives
	}
	base := strings.TrimRight(cfg.PublicURL, "/")
	started, err := p.Start(app, StartRequest{Payment: pay, ReturnURL: base + "/portal/services?payment=" + pay.Id,
		NotifyURL: base + NotifyPath(method), ProviderURL: settings.GetString(crm.PsProviderURL), Details: settings.GetString(crm.PsDetails)})
	if err != nil {
		app.Logger().Warn("A subscription's payment could not be started", "method", method, "payment", pay.Id, "error", err.Error())
		failPayment(pay, err.Error())
	} else {
		pay.Set(crm.PayRedirect, started.Redirect)
		pay.Set(crm.PayInstructions, crm.Clip(started.Instructions, 5000))
		pay.Set(crm.PayReference, crm.Clip(started.Reference, 200))
	}
	return app.Save(pay)
}

// PeriodRun counts what one run of the period job did.
type PeriodRun struct {
	Started, Resumed, Cancelled, Billed int
	Failed                              int // subscriptions left for the next run (logged)
}

// maxCatchUp is the most periods one run opens for a subscription (a
// server that was off for long catches up over several runs).
const maxCatchUp = 24

// RunPeriods moves every subscription whose moment came by now (see the
// package's comment on billing periods). Each subscription is moved in a
// transaction of its own; the providers are asked after it.
func RunPeriods(app core.App, cfg *crm.Config, now time.Time) (PeriodRun, error) {
	var run PeriodRun
	at, _ := types.ParseDateTime(now.UTC())
	due, err := app.FindRecordsByFilter(crm.Subscriptions,
		"(status = 'pending' && started_at <= {:now}) || (status = 'paused' && paused_until != '' && paused_until <= {:now}) || "+
			"(status != 'cancelled' && cancel_at != '' && cancel_at <= {:now}) || (status != 'cancelled' && renews_at != '' && renews_at <= {:now})",
		"renews_at", 500, 0, dbx.Params{"now": at.String()})
	if err != nil {
		return run, err
	}
	for _, sub := range due {
		var bills []*core.Record
		err := app.RunInTransaction(func(tx core.App) error {
			fresh, err := tx.FindRecordById(crm.Subscriptions, sub.Id)
			if err != nil {
				return err
			}
			bills, err = moveSubscription(tx, cfg, fresh, now, &run)
			return err
		})
		if err != nil {
			run.Failed++
			app.Logger().Error("A subscription's period could not be moved on", "subscription", sub.Id, "error", err.Error())
			continue
		}
		for _, pay := range bills {
			if pay.GetString(crm.PayState) == crm.PaymentPending {
				if err := askProvider(app, cfg, pay); err != nil {
					app.Logger().Warn("A period's payment was not started with its provider", "payment", pay.Id, "error", err.Error())
				}
			}
		}
	}
	return run, nil
}

// moveSubscription moves sub on to now in tx; it returns the payments of
// the periods it billed.
func moveSubscription(tx core.App, cfg *crm.Config, sub *core.Record, now time.Time, run *PeriodRun) ([]*core.Record, error) {
	product, err := tx.FindRecordById(crm.Products, sub.GetString("product"))
	if err != nil {
		return nil, err
	}
	loc := customerZone(tx, cfg, sub.GetString(crm.FieldContact))
	due := func(f string) bool { d := sub.GetDateTime(f); return !d.IsZero() && !d.Time().After(now) }
	timeline.SetActor(sub, timeline.System)
	if sub.GetString("status") == StatusPending && due("started_at") {
		sub.Set("status", StatusActive)
		run.Started++
	}
	if sub.GetString("status") == StatusPaused && due("paused_until") {
		sub.Set("status", StatusActive)
		sub.Set("paused_until", "")
		run.Resumed++
	}
	var bills []*core.Record
	for i := 0; i < maxCatchUp && due("renews_at") && sub.GetString("status") != StatusCancelled; i++ {
		end := sub.GetDateTime("renews_at").Time()
		if cancelAt := sub.GetDateTime(crm.SubCancelAt); !cancelAt.IsZero() && !cancelAt.Time().After(end) {
			break // it ends with this period
		}
		pay, err := nextPeriod(tx, cfg, sub, product, end, loc)
		if err != nil {
			return nil, err
		}
		if pay != nil {
			bills = append(bills, pay)
			run.Billed++
		}
	}
	if due(crm.SubCancelAt) && sub.GetString("status") != StatusCancelled {
		sub.Set("status", StatusCancelled)
		sub.Set("cancelled_at", sub.GetDateTime(crm.SubCancelAt))
		sub.Set("paused_until", "")
		run.Cancelled++
	}
	return bills, tx.Save(sub)
}

// nextPeriod opens the period that starts at start (the one that ended's
// end) with the interval and price asked for it, and bills it unless the
// subscription is paused: the price minus the customer's credit, once per
// period (a period already billed is not billed again).
func nextPeriod(tx core.App, cfg *crm.Config, sub, product *core.Record, start time.Time, loc *time.Location) (*core.Record, error) {
	if next := sub.GetString(crm.SubNextInterval); next != "" {
		sub.Set(crm.SubInterval, next)
		sub.Set("price", sub.GetFloat(crm.SubNextPrice))
		sub.Set(crm.SubNextInterval, "")
		sub.Set(crm.SubNextPrice, 0)
	}
	anchor := sub.GetDateTime("started_at").Time().In(loc).Day()
	sub.Set(crm.SubPeriodStart, start.UTC())
	sub.Set("renews_at", AddInterval(start, intervalOf(sub, product), anchor, loc).UTC())
	if sub.GetString("status") != StatusActive {
		return nil, nil
	}
	period := periodKey(start, loc)
	billed, err := tx.FindRecordsByFilter(crm.Payments, "subscription = {:s} && period = {:p} && purpose = {:k} && state != {:f}", "", 1, 0,
		dbx.Params{"s": sub.Id, "p": period, "k": crm.PurposePeriod, "f": crm.PaymentFailed})
	if err != nil || len(billed) > 0 {
		return nil, err
	}
	price, credit := cents(sub.GetFloat("price")), cents(sub.GetFloat(crm.SubCredit))
	used := min(price, credit)
	sub.Set(crm.SubCredit, money(credit-used))
	lines := []InvoiceLine{{Name: sub.GetString("plan"), Quantity: 1, UnitPrice: money(price), Amount: money(price)}}
	if used > 0 {
		lines = append(lines, InvoiceLine{Name: "Credit", Kind: LineCredit, Quantity: 1, UnitPrice: -money(used), Amount: -money(used)})
	}
	pay, err := newSubPayment(tx, cfg, sub, crm.PurposePeriod, period, money(price-used), lines)
	if err != nil {
		return nil, err
	}
	_, err = timeline.Write(tx, timeline.Entry{Event: EventRenewed, Public: true, Actor: timeline.System, Subject: sub.GetString("plan"),
		Contact: sub.GetString(crm.FieldContact), Company: sub.GetString(crm.FieldCompany), RefCollection: crm.Subscriptions, RefID: sub.Id,
		Data: map[string]any{"name": sub.GetString("plan"), "period": period, "amount": money(price - used), "currency": sub.GetString("currency"),
			"credit": money(used)}})
	return pay, err
}
