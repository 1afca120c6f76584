package hooksapi

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dop251/goja"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cast"

	"vinculo/crm"
	"vinculo/plugins/orders"
)

// Payment providers in hooks: $crm.registerPaymentProvider({method, label,
// start, notify}) adds a way of paying (orders.RegisterProvider). start and
// notify are compiled like handlers and run on a runtime the pool lends:
// start(payment) outside any transaction (it may call the provider with
// $http.send) returns {redirect, reference, instructions}; notify({method,
// body, headers}) runs inside the transaction that applies what it returns
// ({id, payment or reference, outcome "paid" or "failed", reason, amount,
// currency}); what it throws refuses the notification and writes nothing.
// The method's secret stays in Go: paymentSignature signs with it,
// checkPaymentSignature checks a provider's signature with it (once).
func (en *engine) bindPayments(vm *goja.Runtime, set setFunc) {
	set("registerPaymentProvider", func(spec *goja.Object) error {
		if spec == nil {
			return errors.New("registerPaymentProvider: give {method, label, start, notify}")
		}
		return en.registerPaymentProvider(vm, spec)
	})
	set("paymentSignature", func(method, body string) (string, error) {
		secret, err := orders.MethodSecret(en.appFor(vm, nil), method)
		if err != nil || secret == "" {
			return "", fmt.Errorf("paymentSignature: no secret saved for %s (Settings > Payments)", method)
		}
		return Sign(secret, []byte(body), time.Now()), nil
	})
	// checkPaymentSignature answers "" when the provider signed body (the
	// X-Vinculo-Signature scheme, keyed with the method's secret), else
	// unsigned, mismatch, stale or replayed.
	set("checkPaymentSignature", func(method, body, header string) (string, error) {
		app := en.appFor(vm, nil)
		secret, err := orders.MethodSecret(app, method)
		if err != nil {
			return "", err
		}
		reason := refusal(Accept(app, secret, []byte(body), header, DefaultTolerance, time.Now()))
		if reason == "error" {
			return "", errors.New("checkPaymentSignature: the signatures accepted before could not be read")
		}
		return reason, nil
	})
}

func (en *engine) registerPaymentProvider(vm *goja.Runtime, obj *goja.Object) error {
	spec, _ := obj.Export().(map[string]any)
	method := strings.TrimSpace(cast.ToString(spec["method"]))
	if en.pool == nil {
		return fmt.Errorf("registerPaymentProvider: call it from a hook file (%s)", en.dir)
	}
	fn := func(name string) goja.Value {
		v := obj.Get(name)
		if _, ok := goja.AssertFunction(v); !ok {
			panic(vm.NewTypeError("registerPaymentProvider %s: %s must be a function", method, name))
		}
		return v
	}
	start := en.compile(vm, "payment start "+method, fn("start"), plainProgram)
	var notify *handler
	offline := cast.ToBool(spec["offline"])
	if !offline || spec["notify"] != nil {
		notify = en.compile(vm, "payment notify "+method, fn("notify"), plainProgram)
	}
	p := orders.Provider{Method: method, Label: cast.ToStringMapString(spec["label"]), Offline: offline,
		Start: func(app core.App, r orders.StartRequest) (orders.Started, error) {
			var out orders.Started
			err := en.pool.run(func(vm *goja.Runtime) error {
				res, err := en.call(vm, start, app, startArg(r))
				if err != nil {
					return err
				}
				m, _ := exported(res)
				out = orders.Started{Redirect: cast.ToString(m["redirect"]), Reference: cast.ToString(m["reference"]),
					Instructions: cast.ToString(m["instructions"])}
				return nil
			})
			return out, err
		}}
	if notify != nil {
		p.Notify = func(tx core.App, n orders.NotifyRequest) (orders.Notification, error) {
			var out orders.Notification
			headers := map[string]string{}
			for k := range n.Header {
				headers[strings.ToLower(k)] = n.Header.Get(k)
			}
			err := en.pool.run(func(vm *goja.Runtime) error {
				res, err := en.call(vm, notify, tx, map[string]any{"method": n.Method, "body": string(n.Body), "headers": headers})
				if err != nil {
					return err
				}
				m, ok := exported(res)
				if !ok {
					return fmt.Errorf("payment notify %s: return {id, payment or reference, outcome}", method)
				}
				out = notificationOf(m)
				return nil
			})
			return out, err
		}
	}
	return orders.RegisterProvider(en.app, p)
}

func exported(v goja.Value) (map[string]any, bool) {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return map[string]any{}, false
	}
	m, ok := v.Export().(map[string]any)
	return m, ok
}

func startArg(r orders.StartRequest) map[string]any {
	pay := r.Payment
	arg := map[string]any{
		"id": pay.Id, "method": pay.GetString(crm.PayMethod), "amount": pay.GetFloat(crm.PayAmount),
		"currency": pay.GetString(crm.PayCurrency), "returnUrl": r.ReturnURL, "notifyUrl": r.NotifyURL,
		"providerUrl": r.ProviderURL, "details": r.Details,
	}
	if r.Order != nil {
		arg["order"] = map[string]any{"id": r.Order.Id, "number": r.Order.GetString("number")}
	}
	return arg
}

func notificationOf(m map[string]any) orders.Notification {
	n := orders.Notification{ID: cast.ToString(m["id"]), Payment: cast.ToString(m["payment"]),
		Reference: cast.ToString(m["reference"]), Outcome: cast.ToString(m["outcome"]),
		Reason: cast.ToString(m["reason"]), Currency: cast.ToString(m["currency"])}
	if v, ok := m["amount"]; ok && v != nil {
		a := cast.ToFloat64(v)
		n.Amount = &a
	}
	return n
}
