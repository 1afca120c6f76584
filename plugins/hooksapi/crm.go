package hooksapi

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	validation "github.com/pocketbase/ozzo-validation/v4"

	"github.com/dop251/goja"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/types"
	"github.com/spf13/cast"

	"vinculo/crm"
	"vinculo/plugins/outbox"
	"vinculo/plugins/timeline"
)

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

	// The timeline, tasks and the outbox.
	set("addToTimeline", func(entry map[string]any, opts map[string]any) (*core.Record, error) {
		app := en.appFor(vm, opts)
		e, err := entryOf(app, entry)
		if err != nil {
			return nil, err
		}
		r, err := timeline.Write(app, e)
		return r, apiError(crm.Activities, err)
	})
	set("createTask", func(fields map[string]any, opts map[string]any) (*core.Record, error) {
		return en.create(vm, crm.Tasks, fields, opts, map[string]any{"status": "open"})
	})
	set("queueMessage", func(fields map[string]any, opts map[string]any) (map[string]any, error) {
		defaults := map[string]any{"purpose": "service"}
		fields = withoutKeys(fields, "state", "reason", "not_before", "sent_at", "attempts", "last_error", "decided_at", "sent_channel", "claim", "claimed_at")
		fields["state"] = outbox.StateQueued
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
		if t := r.GetDateTime("not_before"); !t.IsZero() && r.GetString("state") == outbox.StateWaiting {
			notBefore = t.String()
		}
		return map[string]any{"id": r.Id, "state": r.GetString("state"), "reason": r.GetString("reason"),
			"notBefore": notBefore, "record": r}, nil
	})

	// Contacts.
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

	// Requests.
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

	// Reading for someone, with the view and list rules.
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

	// Who did it.
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

	// Settings and the business calendar.
	set("settings", func() map[string]any { return en.settings() })
	set("enabled", func(name string) (bool, error) { return en.enabled(name) })
	set("businessHours", func() map[string]any { return en.businessHours() })
	set("isOpen", func(at goja.Value) (bool, error) {
		t, err := timeArg(at)
		if err != nil {
			return false, err
		}
		return en.cfg.Business.Calendar().IsOpen(t), nil
	})
	set("nextOpen", func(at goja.Value) (string, error) {
		t, err := timeArg(at)
		if err != nil {
			return "", err
		}
		next, ok := en.cfg.Business.Calendar().NextOpen(t)
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
		return stamp(timeline.AddBusinessDays(en.cfg.Business.Calendar(), t, days)), nil
	})

	// Senders, webhooks, signed links, transactions.
	set("registerSender", func(channel string, fn goja.Value) error {
		return en.registerSender(vm, channel, fn)
	})
	set("holdMessages", func(name string, fn goja.Value) error {
		return en.holdMessages(vm, name, fn)
	})
	set("permanentError", func(msg string) error { return fmt.Errorf("%s: %w", msg, outbox.ErrPermanent) })
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
	set("verifyWebhook", func(body string, header string, opts map[string]any) bool {
		secret := cast.ToString(opt(opts, "secret"))
		if secret == "" {
			secret = en.cfg.Webhooks.InboundSecret
		}
		tolerance := DefaultTolerance
		if v := opt(opts, "tolerance"); v != nil {
			tolerance = time.Duration(cast.ToFloat64(v) * float64(time.Second))
		}
		return Verify(secret, []byte(body), header, tolerance, time.Now()) == nil
	})
	set("postWebhook", func(event string, data any, opts map[string]any) (string, error) {
		return en.postWebhook(en.appFor(vm, opts), event, data, opts)
	})
	set("signLink", func(path string, days float64) (string, error) {
		return en.signLink(en.appFor(vm, nil), path, time.Duration(days*float64(24*time.Hour)), time.Now())
	})
	set("verifyLink", func(path, token string) bool {
		return en.verifyLink(en.appFor(vm, nil), path, token, time.Now()) == nil
	})
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

	vm.Set("$crm", c)
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

func withoutKeys(m map[string]any, keys ...string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	for _, k := range keys {
		delete(out, k)
	}
	return out
}

// create saves a new record of collection with fields (defaults filling
// what is missing), for opts.as when given, marked with its actor.
func (en *engine) create(vm *goja.Runtime, collection string, fields, opts, defaults map[string]any) (*core.Record, error) {
	app := en.appFor(vm, opts)
	as, err := resolveAs(app, opt(opts, "as"))
	if err != nil {
		return nil, err
	}
	c, err := app.FindCachedCollectionByNameOrId(collection)
	if err != nil {
		return nil, err
	}
	body := plainFields(fields)
	for k, v := range defaults {
		if _, ok := body[k]; !ok {
			body[k] = v
		}
	}
	r := core.NewRecord(c)
	r.Load(body)
	if err := as.checkCreate(app, r, body); err != nil {
		return nil, err
	}
	if err := en.markActor(r, as, opts); err != nil {
		return nil, err
	}
	if err := app.Save(r); err != nil {
		return nil, apiError(collection, err)
	}
	return r, nil
}

// update changes the record of collection named by ref (a record or an
// id) with fields, for opts.as when given.
func (en *engine) update(vm *goja.Runtime, collection string, ref any, fields, opts map[string]any) (*core.Record, error) {
	app := en.appFor(vm, opts)
	as, err := resolveAs(app, opt(opts, "as"))
	if err != nil {
		return nil, err
	}
	id := idOf(ref)
	stored, err := app.FindRecordById(collection, id)
	if err != nil {
		return nil, router.NewNotFoundError(fmt.Sprintf("No %s record %q.", collection, id), nil)
	}
	body := plainFields(fields)
	if err := as.checkUpdate(app, stored, body); err != nil {
		return nil, err
	}
	stored.Load(body)
	if err := en.markActor(stored, as, opts); err != nil {
		return nil, err
	}
	if err := app.Save(stored); err != nil {
		return nil, apiError(collection, err)
	}
	return stored, nil
}

// markActor: opts.actor, else who it acts as (the system when nobody).
func (en *engine) markActor(r *core.Record, as *acting, opts map[string]any) error {
	a := as.actor
	if v := opt(opts, "actor"); v != nil {
		var err error
		if a, err = actorOf(v); err != nil {
			return err
		}
	}
	timeline.SetActor(r, a)
	return nil
}

// apiError makes a save's field errors a 400 that names the fields.
func apiError(collection string, err error) error {
	if err == nil {
		return nil
	}
	var apiErr *router.ApiError
	if errors.As(err, &apiErr) {
		return err
	}
	var fieldErrs validation.Errors
	if errors.As(err, &fieldErrs) {
		return router.NewBadRequestError(fmt.Sprintf("Invalid %s record.", collection), fieldErrs)
	}
	return err
}

// plainFields turns what JavaScript passed into values records load:
// records become their ids, dates become DateTimes.
func plainFields(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = plainValue(v)
	}
	return out
}

func plainValue(v any) any {
	switch x := v.(type) {
	case *core.Record:
		return x.Id
	case time.Time:
		d, _ := types.ParseDateTime(x)
		return d
	case []any:
		list := make([]any, len(x))
		for i, item := range x {
			if r, ok := item.(*core.Record); ok {
				list[i] = r.Id
			} else {
				list[i] = item
			}
		}
		return list
	}
	return v
}

// idOf: a record's id, an object's id, or the string itself.
func idOf(v any) string {
	switch x := v.(type) {
	case *core.Record:
		return x.Id
	case map[string]any:
		return cast.ToString(x["id"])
	}
	return cast.ToString(v)
}

// actorOf reads an actor: "system", "integration", {type, staff, customer,
// channel}, or a staff or customers record.
func actorOf(v any) (timeline.Actor, error) {
	switch x := v.(type) {
	case string:
		if x != timeline.ActorSystem && x != timeline.ActorIntegration {
			return timeline.Actor{}, router.NewBadRequestError(`actor: "system", "integration", {type, staff, customer, channel} or a staff or customers record`, nil)
		}
		return timeline.ActorOf(withActor(x)), nil
	case map[string]any:
		return timeline.ActorOf(withActor(x)), nil
	case *core.Record:
		a, err := actingRecord(x)
		if err != nil {
			return timeline.Actor{}, err
		}
		return a.actor, nil
	}
	return timeline.Actor{}, router.NewBadRequestError(`actor: "system", "integration", {type, staff, customer, channel} or a staff or customers record`, nil)
}

// withActor reads an actor mark the way the timeline reads one.
func withActor(mark any) *core.Record {
	r := core.NewRecord(core.NewBaseCollection("actor"))
	r.SetRaw(timeline.ActorKey, mark)
	return r
}

// entryOf reads a timeline entry written in JavaScript.
func entryOf(app core.App, m map[string]any) (timeline.Entry, error) {
	e := timeline.Entry{
		Event: cast.ToString(m["event"]), Type: cast.ToString(m["type"]),
		Subject: cast.ToString(m["subject"]), Body: cast.ToString(m["body"]),
		Public: cast.ToBool(m["public"]), Direction: cast.ToString(m["direction"]), Channel: cast.ToString(m["channel"]),
		Contact: idOf(m["contact"]), Company: idOf(m["company"]), Deal: idOf(m["deal"]), Case: idOf(m["case"]),
		RefCollection: cast.ToString(m["refCollection"]), RefID: cast.ToString(m["refId"]),
		Actor: timeline.System,
	}
	if v, ok := m["actor"]; ok && v != nil {
		a, err := actorOf(v)
		if err != nil {
			return e, err
		}
		e.Actor = a
	}
	if v, ok := m["occurredAt"]; ok && v != nil {
		t, err := toTime(v)
		if err != nil {
			return e, router.NewBadRequestError("occurredAt: "+err.Error(), nil)
		}
		e.OccurredAt = t
	}
	if e.Contact == "" && e.Company == "" && e.Deal == "" && e.Case == "" {
		return e, router.NewBadRequestError("addToTimeline: link the entry to a contact, company, deal or case.", nil)
	}
	if e.Case != "" && e.Contact == "" {
		if c, err := app.FindRecordById(crm.Cases, e.Case); err == nil {
			e.Contact = c.GetString(crm.FieldContact)
		}
	}
	return e, nil
}

// findContact finds one contact by id, email or phone: a string is tried
// as each in turn; an object names which ({id}, {email}, {phone}).
func findContact(app core.App, query any) (*core.Record, error) {
	var id, email, phone string
	switch q := query.(type) {
	case string:
		q = strings.TrimSpace(q)
		switch {
		case strings.Contains(q, "@"):
			email = q
		case strings.IndexFunc(q, unicode.IsLetter) < 0:
			phone = q
		default:
			id = q
		}
		if phone != "" && len(q) == 15 {
			id = q // ids are 15 characters; some are all digits
		}
	case map[string]any:
		id, email, phone = cast.ToString(q["id"]), cast.ToString(q["email"]), cast.ToString(q["phone"])
	default:
		return nil, router.NewBadRequestError("findContact: give an id, an email, a phone, or {id, email, phone}", nil)
	}
	first := func(filter string, params dbx.Params) (*core.Record, error) {
		r, err := app.FindFirstRecordByFilter(crm.Contacts, filter, params)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		return r, err
	}
	if id != "" {
		if r, err := first("id = {:v}", dbx.Params{"v": id}); r != nil || err != nil {
			return r, err
		}
	}
	if email = strings.ToLower(strings.TrimSpace(email)); email != "" {
		if r, err := first("email = {:v}", dbx.Params{"v": email}); r != nil || err != nil {
			return r, err
		}
	}
	if phone = strings.TrimSpace(phone); phone != "" {
		digits := strings.Map(func(r rune) rune {
			if unicode.IsDigit(r) {
				return r
			}
			return -1
		}, phone)
		for _, v := range uniq(phone, "+"+digits, digits) {
			if v == "" || v == "+" {
				continue
			}
			if r, err := first("phone = {:v} || mobile = {:v}", dbx.Params{"v": v}); r != nil || err != nil {
				return r, err
			}
		}
	}
	return nil, nil
}

func uniq(values ...string) []string {
	var out []string
	for _, v := range values {
		dup := false
		for _, o := range out {
			dup = dup || o == v
		}
		if !dup {
			out = append(out, v)
		}
	}
	return out
}

// timeArg reads an optional time: undefined is now.
func timeArg(v goja.Value) (time.Time, error) {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return time.Now(), nil
	}
	return toTime(v.Export())
}

// toTime reads a JavaScript Date, a DateTime, a date string or unix
// milliseconds.
func toTime(v any) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x, nil
	case types.DateTime:
		return x.Time(), nil
	case *types.DateTime:
		return x.Time(), nil
	case string:
		d, err := types.ParseDateTime(x)
		if err != nil || d.IsZero() {
			return time.Time{}, fmt.Errorf("%q is not a date and time like 2026-12-01 15:00:00.000Z", x)
		}
		return d.Time(), nil
	case int64, float64, int:
		return time.UnixMilli(cast.ToInt64(x)), nil
	}
	return time.Time{}, fmt.Errorf("%v is not a date", v)
}

func stamp(t time.Time) string { return t.UTC().Format(types.DefaultDateLayout) }

// settings is what hooks may read of the configuration; secrets stay out.
func (en *engine) settings() map[string]any {
	b := en.cfg.Business
	return map[string]any{
		"business": map[string]any{
			"name": b.Name, "country": b.Country, "language": b.Language, "timezone": b.Timezone,
			"hours": b.Hours.String(), "holidays": append([]string{}, b.Holidays...),
		},
		"publicUrl": en.cfg.PublicURL,
		"followups": map[string]any{"enabled": en.cfg.FollowUps, "dueDays": en.cfg.FollowUpDays},
		"automations": map[string]any{
			"notifyOwner": en.cfg.Automations.NotifyOwner, "ratingRequest": en.cfg.Automations.RatingRequest,
			"ratingPage": en.cfg.Automations.RatingPage, "holdMarketing": en.cfg.Automations.HoldMarketing,
		},
		"webhooks": map[string]any{
			"enabled": en.cfg.Webhooks.URL != "", "events": append([]string{}, en.cfg.Webhooks.Events...),
			"inbound": en.cfg.Webhooks.InboundSecret != "",
		},
		"hooks": map[string]any{"poolSize": en.cfg.HooksPoolSize},
	}
}

// Switches hooks test with $crm.enabled(name).
var switchNames = []string{"notify_owner", "rating_request", "rating_page", "hold_marketing", "webhooks", "inbound_webhooks", "followups"}

func (en *engine) enabled(name string) (bool, error) {
	switch name {
	case "notify_owner":
		return en.cfg.Automations.NotifyOwner, nil
	case "rating_request":
		return en.cfg.Automations.RatingRequest, nil
	case "rating_page":
		return en.cfg.Automations.RatingPage, nil
	case "hold_marketing":
		return en.cfg.Automations.HoldMarketing, nil
	case "webhooks":
		return en.cfg.Webhooks.URL != "", nil
	case "inbound_webhooks":
		return en.cfg.Webhooks.InboundSecret != "", nil
	case "followups":
		return en.cfg.FollowUps, nil
	}
	return false, fmt.Errorf("enabled: unknown switch %q (one of %s)", name, strings.Join(switchNames, ", "))
}

var weekdayKeys = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// businessHours: the opening hours per weekday, the holidays and the zone.
func (en *engine) businessHours() map[string]any {
	b := en.cfg.Business
	days := map[string]any{}
	for d, spans := range b.Hours {
		list := []map[string]string{}
		for _, s := range spans {
			list = append(list, map[string]string{
				"start": fmt.Sprintf("%02d:%02d", s.Start/60, s.Start%60), "end": fmt.Sprintf("%02d:%02d", s.End/60, s.End%60)})
		}
		days[weekdayKeys[d]] = list
	}
	return map[string]any{"timezone": b.Timezone, "text": b.Hours.String(), "days": days, "holidays": append([]string{}, b.Holidays...)}
}
