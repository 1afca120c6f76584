package orders

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
	"vinculo/plugins/timeline"
)

// How customers pay. A payment method is a Provider registered on the app:
// the shipped ones (transfers, Pix, boleto, on delivery, on invoice: money
// that staff see arrive and confirm) and those a provider's integration
// adds, in Go or in a hook ($crm.registerPaymentProvider). The business
// turns each on in Settings > Payments (payment_settings). A customer
// starts a payment of an order; a provider's signed notification, or staff
// recording the money received, pays it, moves the order to paid and
// issues its invoice, all in one transaction. Card numbers never come
// here: a card is paid on the provider's own page.

// Provider is one way of paying.
type Provider struct {
	// Method is its key: lower-case letters, digits and _.
	Method string
	// Label names it for customers when the UI has no words of its own for
	// it (a hook's provider): by language, "en" and "pt-BR".
	Label map[string]string
	// Offline: the money arrives outside Vinculo and staff confirm it.
	Offline bool
	// InvoiceFirst: the invoice is issued when the customer chooses the
	// method (they pay the invoice), not when the money arrives.
	InvoiceFirst bool
	// Start begins a payment outside any transaction: where to send the
	// customer (Redirect) or what to tell them (Instructions), and the
	// provider's reference. An error fails the payment with its message.
	Start func(app core.App, p StartRequest) (Started, error)
	// Notify reads a notification the provider sent to
	// /api/crm/payment-notifications/{method}, inside the transaction that
	// applies it. It checks the signature: an error refuses the
	// notification (401) and nothing is written. Nil for offline methods.
	Notify func(app core.App, n NotifyRequest) (Notification, error)
}

// StartRequest is what a provider is told of a payment to start.
type StartRequest struct {
	Payment     *core.Record
	Order       *core.Record // nil for a subscription period
	ReturnURL   string       // where the provider sends the customer back
	NotifyURL   string       // where the provider posts its notifications
	ProviderURL string       // the provider's address from the method's settings
	Details     string       // the method's instructions from its settings
}

// Started is a provider's answer to a payment started.
type Started struct {
	Redirect     string
	Instructions string
	Reference    string
}

// NotifyRequest is a provider's notification as it arrived.
type NotifyRequest struct {
	Method string
	Body   []byte
	Header http.Header
}

// Notification is what a provider's notification says.
type Notification struct {
	ID        string   // the notification's own id: seen twice, applied once
	Payment   string   // the payment's id, when the provider echoes it
	Reference string   // else the provider's reference of the payment
	Outcome   string   // crm.PaymentPaid or crm.PaymentFailed
	Reason    string   // why it failed
	Amount    *float64 // what was paid, when the provider says
	Currency  string
}

// ErrRefused is what a provider's Notify wraps for a notification it does
// not trust (no signature, a wrong one, a stale or replayed one).
var ErrRefused = errors.New("the notification is not signed by the provider")

const providersKey = "vinculo.orders.providers"

type registry struct {
	mu sync.RWMutex
	by map[string]Provider
}

func registryOf(app core.App) *registry {
	return app.Store().GetOrSet(providersKey, func() any { return &registry{by: map[string]Provider{}} }).(*registry)
}

var methodPattern = regexp.MustCompile(`^[a-z0-9_]{1,40}$`)

// RegisterProvider makes p a way of paying on app (a later one of the same
// method replaces it). Providers are per app: tests run many apps at once.
func RegisterProvider(app core.App, p Provider) error {
	if !methodPattern.MatchString(p.Method) {
		return fmt.Errorf("RegisterProvider: method %q: use lower-case letters, digits and _", p.Method)
	}
	if p.Start == nil {
		return fmt.Errorf("RegisterProvider %s: Start is required", p.Method)
	}
	if !p.Offline && p.Notify == nil {
		return fmt.Errorf("RegisterProvider %s: a provider that is not offline needs Notify", p.Method)
	}
	r := registryOf(app)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.by[p.Method] = p
	return nil
}

// UnregisterProvider removes method's provider from app.
func UnregisterProvider(app core.App, method string) {
	r := registryOf(app)
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.by, method)
}

// ProviderOf returns method's provider on app.
func ProviderOf(app core.App, method string) (Provider, bool) {
	r := registryOf(app)
	r.mu.RLock()
	defer r.mu.RUnlock()
	p, ok := r.by[method]
	return p, ok
}

// Method is a payment method as a customer is offered it.
type Method struct {
	Method       string            `json:"method"`
	Label        map[string]string `json:"label,omitempty"`
	Offline      bool              `json:"offline"`
	Instructions string            `json:"instructions,omitempty"`
}

// EnabledMethods are the methods the business turned on that have a
// provider, in the order of their keys.
func EnabledMethods(app core.App) ([]Method, error) {
	rows, err := app.FindRecordsByFilter(crm.PaymentSettings, "active = true", crm.PsKey, 100, 0)
	if err != nil {
		return nil, err
	}
	out := []Method{}
	for _, r := range rows {
		p, ok := ProviderOf(app, r.GetString(crm.PsKey))
		if !ok {
			continue
		}
		out = append(out, Method{Method: p.Method, Label: p.Label, Offline: p.Offline, Instructions: r.GetString(crm.PsDetails)})
	}
	return out, nil
}

// methodSettings is the settings row of method; nil when there is none.
func methodSettings(app core.App, method string) (*core.Record, error) {
	r, err := app.FindFirstRecordByData(crm.PaymentSettings, crm.PsKey, method)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return r, err
}

// MethodSecret is the signing secret a manager saved for method ("" when none).
func MethodSecret(app core.App, method string) (string, error) {
	r, err := methodSettings(app, method)
	if err != nil || r == nil {
		return "", err
	}
	return r.GetString(crm.PsSecret), nil
}

// shippedProviders are the methods Vinculo ships: the money arrives outside
// Vinculo and staff confirm it; their instructions are the business's.
func shippedProviders() []Provider {
	offline := func(method string, invoiceFirst bool) Provider {
		return Provider{Method: method, Offline: true, InvoiceFirst: invoiceFirst,
			Start: func(_ core.App, p StartRequest) (Started, error) {
				return Started{Instructions: p.Details}, nil
			}}
	}
	return []Provider{
		offline(crm.MethodBankTransfer, false), offline(crm.MethodPix, false), offline(crm.MethodBoleto, false),
		offline(crm.MethodOnDelivery, false), offline(crm.MethodOnInvoice, true),
	}
}

// MayPay refuses (403) a customer who may not pay order: its contact may,
// and an admin of the company it was bought for.
func MayPay(order *core.Record, by Customer) error {
	own := order.GetString(crm.FieldContact) == by.Contact.Id
	company := by.Contact.GetString(crm.FieldCompany)
	if !own && !(by.CompanyAdmin && company != "" && order.GetString(crm.FieldCompany) == company) {
		return router.NewForbiddenError("This order is not one of yours.", nil)
	}
	return nil
}

// StartPayment starts a customer's payment of order with method: the
// method must be on and the order still to pay. An earlier payment of the
// order still pending is given up (failed, "replaced"). The provider is
// asked outside the transaction; what it answers (or its error, failing
// the payment) is saved on the payment, which is returned.
func StartPayment(app core.App, cfg *crm.Config, order *core.Record, by Customer, method string) (*core.Record, error) {
	if err := MayPay(order, by); err != nil {
		return nil, err
	}
	p, ok := ProviderOf(app, method)
	settings, err := methodSettings(app, method)
	if err != nil {
		return nil, err
	}
	if !ok || settings == nil || !settings.GetBool(crm.PsActive) {
		return nil, fieldError(crm.PayMethod, validation.NewError("validation_payment_method", "Choose one of the ways of paying on offer."))
	}
	var pay *core.Record
	err = app.RunInTransaction(func(tx core.App) error {
		fresh, err := tx.FindRecordById(crm.Orders, order.Id)
		if err != nil {
			return err
		}
		if err := payable(tx, fresh); err != nil {
			return err
		}
		if err := giveUpPending(tx, fresh.Id); err != nil {
			return err
		}
		pay, err = newPayment(tx, fresh, method)
		if err != nil {
			return err
		}
		if p.InvoiceFirst {
			_, err = issueInvoice(tx, cfg, pay, time.Now())
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	started, err := p.Start(app, StartRequest{Payment: pay, Order: order,
		ReturnURL: strings.TrimRight(cfg.PublicURL, "/") + "/portal/orders/" + order.Id + "/pay?payment=" + pay.Id,
		NotifyURL: strings.TrimRight(cfg.PublicURL, "/") + NotifyPath(method), ProviderURL: settings.GetString(crm.PsProviderURL),
		Details: settings.GetString(crm.PsDetails)})
	if err != nil {
		app.Logger().Warn("A payment could not be started", "method", method, "payment", pay.Id, "error", err.Error())
		pay.Set(crm.PayState, crm.PaymentFailed)
		pay.Set(crm.PayFailure, crm.Clip(err.Error(), 500))
		pay.Set(crm.PayFailedAt, types.NowDateTime())
	} else {
		pay.Set(crm.PayRedirect, started.Redirect)
		pay.Set(crm.PayInstructions, crm.Clip(started.Instructions, 5000))
		pay.Set(crm.PayReference, crm.Clip(started.Reference, 200))
	}
	return pay, app.Save(pay)
}

// NotifyPath is where method's provider posts its notifications.
func NotifyPath(method string) string { return "/api/crm/payment-notifications/" + method }

// payable refuses an order that is not to pay: cancelled, paid, or gone
// past where it could become paid, or with nothing to pay.
func payable(tx core.App, order *core.Record) error {
	status := order.GetString("status")
	if !slices.Contains(OrderMoves[status], OrderPaid) {
		return router.NewBadRequestError(fmt.Sprintf("An order that is %s is not to pay.", status), nil)
	}
	if order.GetFloat("total") <= 0 {
		return router.NewBadRequestError("This order has no total to pay: we will be in touch.", nil)
	}
	paid, err := tx.FindRecordsByFilter(crm.Payments, "order = {:o} && state = {:s}", "", 1, 0,
		dbx.Params{"o": order.Id, "s": crm.PaymentPaid})
	if err != nil {
		return err
	}
	if len(paid) > 0 {
		return router.NewBadRequestError("This order is paid.", nil)
	}
	return nil
}

// giveUpPending fails the order's payments still pending: the customer
// chose again.
func giveUpPending(tx core.App, order string) error {
	pending, err := tx.FindRecordsByFilter(crm.Payments, "order = {:o} && state = {:s}", "", 0, 0,
		dbx.Params{"o": order, "s": crm.PaymentPending})
	if err != nil {
		return err
	}
	for _, p := range pending {
		p.Set(crm.PayState, crm.PaymentFailed)
		p.Set(crm.PayFailure, ReasonReplaced)
		p.Set(crm.PayFailedAt, types.NowDateTime())
		if err := tx.Save(p); err != nil {
			return err
		}
	}
	return nil
}

// ReasonReplaced is the failure reason of a payment the customer gave up
// for another.
const ReasonReplaced = "replaced"

func newPayment(tx core.App, order *core.Record, method string) (*core.Record, error) {
	coll, err := tx.FindCachedCollectionByNameOrId(crm.Payments)
	if err != nil {
		return nil, err
	}
	pay := core.NewRecord(coll)
	pay.Load(map[string]any{
		crm.PayOrder: order.Id, crm.PayContact: order.GetString(crm.FieldContact), crm.PayCompany: order.GetString(crm.FieldCompany),
		crm.PayMethod: method, crm.PayAmount: order.GetFloat("total"), crm.PayCurrency: order.GetString("currency"),
		crm.PayState: crm.PaymentPending, crm.PayNotifications: []string{},
	})
	return pay, tx.Save(pay)
}

// Applied is what a notification did.
type Applied struct {
	Payment   string `json:"payment"`
	State     string `json:"state"`
	Duplicate bool   `json:"duplicate"` // seen before: nothing written
}

// Notify reads a provider's notification with its provider and applies it,
// in one transaction: a notification the provider refuses (its signature)
// is an error wrapping ErrRefused and writes nothing; one seen before
// changes nothing; paid pays the payment, the order and issues the
// invoice; failed keeps the order unpaid with the reason.
func Notify(app core.App, cfg *crm.Config, n NotifyRequest) (Applied, error) {
	var out Applied
	p, ok := ProviderOf(app, n.Method)
	if !ok || p.Notify == nil {
		return out, router.NewNotFoundError("No such payment method.", nil)
	}
	err := app.RunInTransaction(func(tx core.App) error {
		note, err := p.Notify(tx, n)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrRefused, err)
		}
		return applyNotification(tx, cfg, n.Method, note, &out)
	})
	return out, err
}

func applyNotification(tx core.App, cfg *crm.Config, method string, note Notification, out *Applied) error {
	note.ID = strings.TrimSpace(note.ID)
	if note.ID == "" || (note.Outcome != crm.PaymentPaid && note.Outcome != crm.PaymentFailed) {
		return router.NewBadRequestError("A notification needs its id and an outcome, paid or failed.", nil)
	}
	pay, err := paymentOf(tx, method, note)
	if err != nil {
		return err
	}
	out.Payment = pay.Id
	var seen []string
	if err := pay.UnmarshalJSONField(crm.PayNotifications, &seen); err != nil {
		seen = nil
	}
	if slices.Contains(seen, note.ID) {
		out.State, out.Duplicate = pay.GetString(crm.PayState), true
		return nil
	}
	pay.Set(crm.PayNotifications, append(seen, crm.Clip(note.ID, 200)))
	if pay.GetString(crm.PayState) == crm.PaymentPending {
		switch {
		case note.Outcome == crm.PaymentFailed:
			failPayment(pay, note.Reason)
		case note.Amount != nil && (*note.Amount != pay.GetFloat(crm.PayAmount) ||
			(note.Currency != "" && !strings.EqualFold(note.Currency, pay.GetString(crm.PayCurrency)))):
			failPayment(pay, fmt.Sprintf("paid %.2f %s, not the %.2f %s due", *note.Amount, note.Currency,
				pay.GetFloat(crm.PayAmount), pay.GetString(crm.PayCurrency)))
		default:
			if err := tx.Save(pay); err != nil {
				return err
			}
			if err := markPaid(tx, cfg, pay, ""); err != nil {
				return err
			}
		}
	}
	out.State = pay.GetString(crm.PayState)
	return tx.Save(pay)
}

func failPayment(pay *core.Record, reason string) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		reason = "declined"
	}
	pay.Set(crm.PayState, crm.PaymentFailed)
	pay.Set(crm.PayFailure, crm.Clip(reason, 500))
	pay.Set(crm.PayFailedAt, types.NowDateTime())
}

// paymentOf finds the payment a notification is about, of that method.
func paymentOf(tx core.App, method string, note Notification) (*core.Record, error) {
	var pay *core.Record
	var err error
	switch {
	case note.Payment != "":
		pay, err = tx.FindRecordById(crm.Payments, note.Payment)
	case note.Reference != "":
		pay, err = tx.FindFirstRecordByFilter(crm.Payments, "method = {:m} && reference = {:r}",
			dbx.Params{"m": method, "r": note.Reference})
	default:
		err = sql.ErrNoRows
	}
	if err != nil || pay.GetString(crm.PayMethod) != method {
		return nil, router.NewNotFoundError("No payment of this method has that id or reference.", nil)
	}
	return pay, nil
}

// markPaid records pay as paid (by a staff member when staff is given) and
// what follows, in tx: the order moves to paid when it still can, and the
// invoice is issued (or, issued first, dated paid).
func markPaid(tx core.App, cfg *crm.Config, pay *core.Record, staff string) error {
	now := time.Now()
	pay.Set(crm.PayState, crm.PaymentPaid)
	pay.Set(crm.PayPaidAt, types.NowDateTime())
	pay.Set(crm.PayFailure, "")
	if staff != "" {
		pay.Set(crm.PayConfirmedBy, staff)
	}
	if id := pay.GetString(crm.PayOrder); id != "" {
		order, err := tx.FindRecordById(crm.Orders, id)
		if err != nil {
			return err
		}
		if slices.Contains(OrderMoves[order.GetString("status")], OrderPaid) {
			order.Set("status", OrderPaid)
			if staff != "" {
				timeline.SetActor(order, timeline.Actor{Type: timeline.ActorStaff, Staff: staff, Channel: timeline.ChannelWeb})
			} else {
				timeline.SetActor(order, timeline.Integration)
			}
			ours.Store(order, true)
			err = tx.Save(order)
			ours.Delete(order)
			if err != nil {
				return err
			}
		}
	}
	inv, err := invoiceOfPayment(tx, pay)
	if err != nil {
		return err
	}
	if inv == nil {
		inv, err = issueInvoice(tx, cfg, pay, now)
		if err != nil {
			return err
		}
	}
	inv.Set(crm.InvPaidAt, types.NowDateTime())
	if err := tx.Save(inv); err != nil {
		return err
	}
	pay.Set(crm.PayInvoice, inv.Id)
	return tx.Save(pay)
}

// ours marks the orders this file moves to paid, so bindPaidOrders does
// not record a payment for them a second time.
var ours sync.Map

// ConfirmReceived records the money of an offline payment as received by
// staff: it must be pending and of an offline method.
func ConfirmReceived(app core.App, cfg *crm.Config, paymentID, staff string) (*core.Record, error) {
	var pay *core.Record
	err := app.RunInTransaction(func(tx core.App) error {
		var err error
		pay, err = tx.FindRecordById(crm.Payments, paymentID)
		if err != nil {
			return router.NewNotFoundError("No such payment.", nil)
		}
		p, ok := ProviderOf(tx, pay.GetString(crm.PayMethod))
		if ok && !p.Offline {
			return router.NewBadRequestError("This payment is confirmed by its provider, not by hand.", nil)
		}
		if s := pay.GetString(crm.PayState); s != crm.PaymentPending {
			return router.NewBadRequestError(fmt.Sprintf("This payment is %s: only a pending payment can be received.", s), nil)
		}
		return markPaid(tx, cfg, pay, staff)
	})
	return pay, err
}

// MethodManual is the method of a payment staff recorded by moving an order
// to paid themselves (the order's "Mark as paid").
const MethodManual = "manual"

// bindPaidOrders: an order moved to paid any other way than by a payment
// (staff's "Mark as paid", a hook, an import) gets its payment recorded —
// the order's pending offline payment, else a manual one — and its
// invoice, in the same transaction. Every paid order has both.
func bindPaidOrders(app core.App, cfg *crm.Config) {
	paid := func(e *core.RecordEvent, before string) error {
		if _, mine := ours.Load(e.Record); mine || e.Record.GetString("status") != OrderPaid || before == OrderPaid {
			return nil
		}
		staff := timeline.ActorOf(e.Record).Staff
		pending, err := e.App.FindRecordsByFilter(crm.Payments, "order = {:o} && state = {:s}", "-created", 1, 0,
			dbx.Params{"o": e.Record.Id, "s": crm.PaymentPending})
		if err != nil {
			return err
		}
		var pay *core.Record
		if len(pending) > 0 {
			pay = pending[0]
		} else if pay, err = newPayment(e.App, e.Record, MethodManual); err != nil {
			return err
		}
		if crm.IsQuiet(e.Record) {
			crm.Quietly(pay) // history: its invoice tells nobody either
		}
		return markPaid(e.App, cfg, pay, staff)
	}
	app.OnRecordCreate(crm.Orders).BindFunc(func(e *core.RecordEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		return paid(e, "")
	})
	app.OnRecordUpdate(crm.Orders).BindFunc(func(e *core.RecordEvent) error {
		before := ""
		if prev, err := e.App.FindRecordById(crm.Orders, e.Record.Id); err == nil {
			before = prev.GetString("status")
		}
		if err := e.Next(); err != nil {
			return err
		}
		return paid(e, before)
	})
}
