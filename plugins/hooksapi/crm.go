package hooksapi

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dop251/goja"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/spf13/cast"

	"vinculo/crm"
	"vinculo/plugins/outbox"
	"vinculo/plugins/timeline"
)

// setFunc adds one function to the `$crm` object.
type setFunc func(name string, fn any)

// crmBinder adds one group of `$crm`'s functions.
type crmBinder func(en *engine, vm *goja.Runtime, set setFunc)

// crmBinders are `$crm`'s groups, in the order they are bound.
var crmBinders = []crmBinder{
	(*engine).bindTimeline,
	(*engine).bindTasks,
	(*engine).bindOutbox,
	(*engine).bindContacts,
	(*engine).bindRequests,
	(*engine).bindReadFor,
	(*engine).bindActors,
	(*engine).bindSettings,
	(*engine).bindCalendar,
	(*engine).bindSenders,
	(*engine).bindWebhooks,
	(*engine).bindLinks,
	(*engine).bindProviders,
	(*engine).bindPayments,
	(*engine).bindTransaction,
	(*engine).bindNotify,
}

// bindCRM sets `$crm` on vm. Every function is a closure over vm and en:
// vm is used by one goroutine at a time (the pool lends it), en's fields
// are read-only or synchronized, so the functions are safe wherever
// PocketBase runs hooks. hooks/types/crm.d.ts declares them; docs/hooks.md
// shows each with an example.
func (en *engine) bindCRM(vm *goja.Runtime) {
	c := vm.NewObject()
	set := func(name string, fn any) {
		if err := c.Set(name, fn); err != nil {
			panic(err)
		}
	}
	for _, bind := range crmBinders {
		bind(en, vm, set)
	}
	vm.Set("$crm", c)
}

// bindTimeline: addToTimeline.
func (en *engine) bindTimeline(vm *goja.Runtime, set setFunc) {
	set("addToTimeline", func(entry map[string]any, opts map[string]any) (*core.Record, error) {
		app := en.appFor(vm, opts)
		e, err := entryOf(app, entry)
		if err != nil {
			return nil, err
		}
		r, err := timeline.Write(app, e)
		return r, apiError(crm.Activities, err)
	})
}

// bindTasks: createTask.
func (en *engine) bindTasks(vm *goja.Runtime, set setFunc) {
	set("createTask", func(fields map[string]any, opts map[string]any) (*core.Record, error) {
		return en.create(vm, crm.Tasks, fields, opts, map[string]any{"status": crm.TaskOpen})
	})
}

// outboxDecisionFields are the outbox's to write: a hook never sets them.
var outboxDecisionFields = []string{"state", "reason", "reason_code", "reason_data", "not_before", "sent_at", "attempts", "last_error", "decided_at", "sent_channel", "claim", "claimed_at"}

// bindOutbox: queueMessage, which answers with the outbox's decision.
func (en *engine) bindOutbox(vm *goja.Runtime, set setFunc) {
	set("queueMessage", func(fields map[string]any, opts map[string]any) (map[string]any, error) {
		defaults := map[string]any{"purpose": crm.PurposeService}
		fields = withoutKeys(fields, outboxDecisionFields...)
		fields["state"] = crm.OutboxQueued
		if r, ok := opt(opts, "as").(*core.Record); ok && r.Collection().Name == crm.Staff && fields["created_by"] == nil {
			defaults["created_by"] = r.Id // as the API does for staff
		} else if m, ok := opt(opts, "as").(map[string]any); ok && m["staff"] != nil && fields["created_by"] == nil {
			defaults["created_by"] = m["staff"]
		}
		r, err := en.create(vm, crm.Outbox, fields, opts, defaults)
		if err != nil {
			return nil, err
		}
		notBefore := ""
		if t := r.GetDateTime("not_before"); !t.IsZero() && r.GetString("state") == crm.OutboxWaiting {
			notBefore = t.String()
		}
		return map[string]any{"id": r.Id, "state": r.GetString("state"), "reason": r.GetString("reason"),
			"notBefore": notBefore, "record": r}, nil
	})
}

// bindContacts: findContact, findContacts, createContact, updateContact.
func (en *engine) bindContacts(vm *goja.Runtime, set setFunc) {
	set("findContact", func(query any, opts map[string]any) (*core.Record, error) {
		return findContact(en.appFor(vm, opts), query)
	})
	set("findContacts", func(filter string, params map[string]any, opts map[string]any) ([]*core.Record, error) {
		app := en.appFor(vm, opts)
		as, err := resolveAs(app, opt(opts, "as"))
		if err != nil {
			return nil, err
		}
		return as.list(app, crm.Contacts, filter, params, cast.ToString(opt(opts, "sort")), limitOf(opts))
	})
	set("createContact", func(fields map[string]any, opts map[string]any) (*core.Record, error) {
		return en.create(vm, crm.Contacts, fields, opts, nil)
	})
	set("updateContact", func(contact any, fields map[string]any, opts map[string]any) (*core.Record, error) {
		return en.update(vm, crm.Contacts, contact, fields, opts)
	})
}

// bindRequests: moveCase, updateCase, addCaseMessage.
func (en *engine) bindRequests(vm *goja.Runtime, set setFunc) {
	set("moveCase", func(kase any, status string, opts map[string]any) (*core.Record, error) {
		if strings.TrimSpace(status) == "" {
			return nil, router.NewBadRequestError("moveCase: give the status to move to.", nil)
		}
		return en.update(vm, crm.Cases, kase, map[string]any{"status": status}, opts)
	})
	set("updateCase", func(kase any, fields map[string]any, opts map[string]any) (*core.Record, error) {
		return en.update(vm, crm.Cases, kase, fields, opts)
	})
	set("addCaseMessage", func(kase any, body string, opts map[string]any) (*core.Record, error) {
		fields := map[string]any{"case": idOf(kase), "body": body}
		if cast.ToBool(opt(opts, "internal")) {
			fields["internal"] = true
		}
		app := en.appFor(vm, opts)
		as, err := resolveAs(app, opt(opts, "as"))
		if err != nil {
			return nil, err
		}
		if as.auth != nil && as.auth.Id != "" {
			switch as.auth.Collection().Name {
			case crm.Staff:
				fields["author_staff"] = as.auth.Id
			case crm.Customers:
				fields["author_customer"] = as.auth.Id
			}
		}
		return en.create(vm, crm.CaseMessages, fields, opts, nil)
	})
}

// bindReadFor: findFor and listFor, reading for someone with the view and
// list rules.
func (en *engine) bindReadFor(vm *goja.Runtime, set setFunc) {
	set("findFor", func(as any, collection string, id string) (*core.Record, error) {
		app := en.appFor(vm, nil)
		if as == nil {
			return nil, router.NewBadRequestError("findFor: say whom it reads for (a record, {staff}, {customer} or {contact}).", nil)
		}
		who, err := resolveAs(app, as)
		if err != nil {
			return nil, err
		}
		r, err := app.FindRecordById(collection, id)
		if err != nil {
			return nil, router.NewNotFoundError("", nil)
		}
		if err := who.checkView(app, r); err != nil {
			return nil, err
		}
		return r, nil
	})
	set("listFor", func(as any, collection, filter string, params map[string]any, opts map[string]any) ([]*core.Record, error) {
		app := en.appFor(vm, opts)
		if as == nil {
			return nil, router.NewBadRequestError("listFor: say whom it reads for (a record, {staff}, {customer} or {contact}).", nil)
		}
		who, err := resolveAs(app, as)
		if err != nil {
			return nil, err
		}
		return who.list(app, collection, filter, params, cast.ToString(opt(opts, "sort")), limitOf(opts))
	})
}

// bindActors: actorOf and setActor, who did it.
func (en *engine) bindActors(vm *goja.Runtime, set setFunc) {
	set("actorOf", func(r *core.Record) map[string]any {
		a := timeline.ActorOf(r)
		return map[string]any{"type": a.Type, "staff": a.Staff, "customer": a.Customer, "channel": a.Channel}
	})
	set("setActor", func(r *core.Record, actor any) error {
		a, err := actorOf(actor)
		if err != nil {
			return err
		}
		timeline.SetActor(r, a)
		return nil
	})
}

// bindSettings: settings and enabled.
func (en *engine) bindSettings(vm *goja.Runtime, set setFunc) {
	set("settings", func() map[string]any { return en.settings() })
	set("enabled", func(name string) (bool, error) { return en.enabled(name) })
}

// bindCalendar: the business's opening hours.
func (en *engine) bindCalendar(vm *goja.Runtime, set setFunc) {
	set("businessHours", func() map[string]any { return en.businessHours() })
	set("isOpen", func(at goja.Value) (bool, error) {
		t, err := timeArg(at)
		if err != nil {
			return false, err
		}
		return en.cfg.BusinessNow().Calendar().IsOpen(t), nil
	})
	set("nextOpen", func(at goja.Value) (string, error) {
		t, err := timeArg(at)
		if err != nil {
			return "", err
		}
		next, ok := en.cfg.BusinessNow().Calendar().NextOpen(t)
		if !ok {
			return "", nil
		}
		return stamp(next), nil
	})
	set("addBusinessDays", func(at goja.Value, days int) (string, error) {
		t, err := timeArg(at)
		if err != nil {
			return "", err
		}
		return stamp(en.cfg.BusinessNow().Calendar().AddBusinessDays(t, days)), nil
	})
}

// bindSenders: registerSender, holdMessages and permanentError, the
// outbox's channels and holds written in JavaScript.
func (en *engine) bindSenders(vm *goja.Runtime, set setFunc) {
	set("registerSender", func(channel string, fn goja.Value) error {
		return en.registerSender(vm, channel, fn)
	})
	set("holdMessages", func(name string, fn goja.Value) error {
		return en.holdMessages(vm, name, fn)
	})
	set("permanentError", func(msg string) error { return fmt.Errorf("%s: %w", msg, outbox.ErrPermanent) })
}

// bindWebhooks: signWebhook, verifyWebhook, checkWebhook and postWebhook.
func (en *engine) bindWebhooks(vm *goja.Runtime, set setFunc) {
	set("signWebhook", func(body string, opts map[string]any) (string, error) {
		secret := cast.ToString(opt(opts, "secret"))
		if secret == "" {
			secret = en.cfg.Webhooks.Secret
		}
		if secret == "" {
			return "", errors.New("signWebhook: no secret (set webhooks.secret or pass {secret})")
		}
		at := time.Now()
		if v := opt(opts, "timestamp"); v != nil {
			at = time.Unix(cast.ToInt64(v), 0)
		}
		return Sign(secret, []byte(body), at), nil
	})
	// Both accept a signature once (Accept): verifyWebhook says whether the
	// request is accepted, checkWebhook why not ("" when it is, else
	// unsigned, mismatch, stale or replayed).
	check := func(body, header string, opts map[string]any) (string, error) {
		secret := cast.ToString(opt(opts, "secret"))
		if secret == "" {
			secret = en.cfg.Webhooks.InboundSecret
		}
		tolerance := DefaultTolerance
		if v := opt(opts, "tolerance"); v != nil {
			tolerance = time.Duration(cast.ToFloat64(v) * float64(time.Second))
		}
		reason := refusal(Accept(en.appFor(vm, opts), secret, []byte(body), header, tolerance, time.Now()))
		if reason == "error" {
			return "", errors.New("verifyWebhook: the signatures accepted before could not be read")
		}
		return reason, nil
	}
	set("verifyWebhook", func(body string, header string, opts map[string]any) (bool, error) {
		reason, err := check(body, header, opts)
		return reason == "" && err == nil, err
	})
	set("checkWebhook", check)
	set("postWebhook", func(event string, data any, opts map[string]any) (string, error) {
		return en.postWebhook(en.appFor(vm, opts), event, data, opts)
	})
}

// bindLinks: signLink and verifyLink.
func (en *engine) bindLinks(vm *goja.Runtime, set setFunc) {
	set("signLink", func(path string, days float64) (string, error) {
		return en.signLink(en.appFor(vm, nil), path, time.Duration(days*float64(24*time.Hour)), time.Now())
	})
	set("verifyLink", func(path, token string) bool {
		return en.verifyLink(en.appFor(vm, nil), path, token, time.Now()) == nil
	})
}

// bindTransaction: transaction, which runs a function with $app the
// transaction's and rolls everything back when it throws.
func (en *engine) bindTransaction(vm *goja.Runtime, set setFunc) {
	set("transaction", func(fn goja.Callable) (goja.Value, error) {
		if fn == nil {
			return nil, errors.New("transaction: give a function")
		}
		var result goja.Value
		err := en.appFor(vm, nil).RunInTransaction(func(tx core.App) error {
			old := vm.Get("$app")
			vm.Set("$app", tx)
			defer vm.Set("$app", old)
			v, err := fn(goja.Undefined())
			result = v
			if err != nil {
				return normalizeException(err)
			}
			return nil
		})
		return result, err
	})
}

// appFor is the app a call writes with: opts.app, else the runtime's $app
// (inside a handler: the event's, in its transaction), else the app.
func (en *engine) appFor(vm *goja.Runtime, opts map[string]any) core.App {
	if a, ok := opt(opts, "app").(core.App); ok && a != nil {
		return a
	}
	if v := vm.Get("$app"); v != nil {
		if a, ok := v.Export().(core.App); ok && a != nil {
			return a
		}
	}
	return en.app
}

func opt(opts map[string]any, key string) any {
	if opts == nil {
		return nil
	}
	return opts[key]
}

func limitOf(opts map[string]any) int {
	n := cast.ToInt(opt(opts, "limit"))
	if n <= 0 {
		return 50
	}
	return min(n, 1000)
}
