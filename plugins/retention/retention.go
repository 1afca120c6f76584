// Package retention runs the business's retention rules every night (leads
// with no activity anonymised, message contents cleared, access log entries
// and notifications deleted after a time), with a preview of the next run
// and a record of what each run did.
//
// One rule per kind of record (retention_rules), seeded off: removing data
// cannot be undone, and how long to keep what is the business's legal call
// (tax and contract law keep some records for years), so nothing goes until
// a manager turns a rule on. Each rule's due rows are found by one WHERE
// that the preview counts and the run walks, in batches, each batch in its
// own transaction so a large table never holds the write lock for long.
package retention

import (
	"errors"
	"net/http"
	"slices"
	"sync"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"vinculo/crm"
	"vinculo/crm/guard"
)

// Options tune the plugin of one app; the zero value is the shipping one.
type Options struct {
	Now func() time.Time // the business's clock (tests move it)
}

var (
	optsMu sync.Mutex
	opts   = map[core.App]Options{}
)

// Configure changes the options of the plugin registered on app.
func Configure(app core.App, o Options) {
	optsMu.Lock()
	defer optsMu.Unlock()
	opts[app] = o
}

func nowOf(app core.App) time.Time {
	optsMu.Lock()
	o := opts[app]
	optsMu.Unlock()
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// Register wires the rules' checks, their preview, the run on demand and the
// nightly run.
func Register(app core.App, cfg *crm.Config) error {
	app.OnRecordUpdateRequest(crm.RetentionRules).BindFunc(checkRule)
	// Every door: a rule does what its kind does.
	for _, on := range []func(...string) *hook.TaggedHook[*core.RecordEvent]{app.OnRecordCreate, app.OnRecordUpdate} {
		on(crm.RetentionRules).BindFunc(func(e *core.RecordEvent) error {
			if action, ok := crm.RetentionActionOf[e.Record.GetString(crm.RetentionKind)]; ok {
				e.Record.Set(crm.RetentionAction, action)
			}
			return e.Next()
		})
	}
	app.OnRecordUpdateRequest(crm.Outbox).Bind(&hook.Handler[*core.RecordRequestEvent]{Priority: -10, Func: keepCleared})
	// Hourly: the run starts in the business's nightly hour, whatever its
	// time zone (the cron's clock is UTC), once per business day.
	app.Cron().MustAdd("retention_nightly", "41 * * * *", func() {
		if _, err := RunNightly(app, cfg, nowOf(app)); err != nil {
			app.Logger().Error("retention: the nightly run failed", "error", err)
		}
	})
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		g := se.Router.Group("/api/crm/retention")
		g.GET("/preview", func(e *core.RequestEvent) error { return preview(e, cfg) }).Bind(guard.Manager())
		g.POST("/run", func(e *core.RequestEvent) error { return runNow(e, cfg) }).Bind(guard.Manager())
		return se.Next()
	})
	return nil
}

func preview(e *core.RequestEvent, cfg *crm.Config) error {
	now := nowOf(e.App)
	rules, err := Preview(e.App, cfg, now)
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, map[string]any{"at": now.UTC(), "rules": rules, "running": isRunning(e.App)})
}

func runNow(e *core.RequestEvent, cfg *crm.Config) error {
	by := ""
	if e.Auth.Collection().Name == crm.Staff {
		by = e.Auth.Id // a superuser is no one on the team
	}
	run, err := Run(e.App, cfg, crm.RetentionManual, by, nowOf(e.App))
	if errors.Is(err, ErrRunning) {
		return e.Error(http.StatusConflict, "The rules are running already: the run will be listed when it ends.", nil)
	}
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, run)
}

func isRunning(app core.App) bool {
	_, busy := running.Load(app)
	return busy
}

// checkRule lets a manager change a rule's months and switch; its kind is
// fixed and its action follows from its kind.
func checkRule(e *core.RecordRequestEvent) error {
	errs := validation.Errors{}
	kind := e.Record.GetString(crm.RetentionKind)
	if kind != e.Record.Original().GetString(crm.RetentionKind) {
		if !slices.Contains(crm.RetentionKinds, kind) {
			errs[crm.RetentionKind] = validation.NewError("validation_retention_kind_unknown",
				"Unknown kind of record: the rules cover leads, outbox, access_log and notifications.")
		} else {
			errs[crm.RetentionKind] = validation.NewError("validation_retention_kind_fixed",
				"A rule's kind is fixed: change its months or switch it on or off.")
		}
	}
	if action := e.Record.GetString(crm.RetentionAction); action != e.Record.Original().GetString(crm.RetentionAction) {
		errs[crm.RetentionAction] = validation.NewError("validation_retention_action_fixed",
			"A rule's action follows from its kind and cannot be changed.")
	}
	if raw, months := e.Record.Get(crm.RetentionMonths), e.Record.GetFloat(crm.RetentionMonths); raw == nil ||
		months < 1 || months > crm.RetentionMaxMonths || months != float64(int(months)) {
		errs[crm.RetentionMonths] = validation.NewError("validation_retention_months",
			"Months: a whole number from 1 to 600.").SetParams(map[string]any{"min": 1, "max": crm.RetentionMaxMonths})
	}
	if len(errs) > 0 {
		return e.BadRequestError("The rule was not changed: see the fields.", errs)
	}
	return e.Next()
}

// keepCleared refuses to send again a message whose content a retention
// rule removed: it would go out empty.
func keepCleared(e *core.RecordRequestEvent) error {
	if !e.Record.Original().GetDateTime(crm.OutboxClearedAt).IsZero() && e.Record.GetString("state") != e.Record.Original().GetString("state") {
		return e.BadRequestError("This message's content was removed by a retention rule: it cannot be sent again.", validation.Errors{
			"state": validation.NewError("validation_outbox_cleared", "Its content was removed by a retention rule: write a new message instead."),
		})
	}
	return e.Next()
}
