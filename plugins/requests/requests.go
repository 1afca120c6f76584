// Package requests keeps customer requests (cases) consistent whoever creates
// them: a reference code, the status along the type's workflow with its
// public label, the fields the customer fills in, the SLA times counted in
// business hours, the overdue flag, a message to the customer for every
// step, the read state of the conversation, and the number of open requests
// shown on every contact and company.
//
// The rules:
//   - A type with no transitions allows any move, reopening included. A type
//     with transitions lists every allowed move: a status that is not a key
//     of the map has no way out, so a closed status reopens only when the
//     map says so. Creating a case may start at any status of its type.
//   - SLA due times are computed on create from `created` when they are not
//     given (an import or the demo brings its own). Reopening continues the
//     resolution clock: the business time left when it closed is added from
//     the moment it reopens (none left: due at the next opening).
//   - Only open cases are overdue: closing ends both clocks.
//   - A rating is set only on a closed case; reopening keeps it. rated_at is
//     written by the server whenever the rating changes.
//   - A change of type re-files the request: transitions do not apply, the
//     status and the data must fit the new type.
//   - A request staff open for a customer (who phoned, wrote, came in) is
//     like any other: same status, SLA, reference and message to the
//     customer; `channel` says how the customer asked and `opened_by`, which
//     only the server writes, who opened it (opened.go).
//   - A request that closes, changes type or is deleted lets the outbox
//     decide its contact's waiting marketing again at once (it may have been
//     held while the request was open).
package requests

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/types"

	validation "github.com/pocketbase/ozzo-validation/v4"

	"vinculo/crm"
	"vinculo/plugins/outbox"
)

// Status is one step of a request type's workflow. Its public label is
// stored as a plain string (PublicLabel, for every language) or per
// language (PublicLabels); labels.go reads and writes both shapes.
type Status struct {
	Key          string
	Label        string // the team's name for it
	PublicLabel  string // what customers see, in every language
	PublicLabels map[string]string
	Closed       bool
}

// Statuses reads a request type's ordered statuses.
func Statuses(caseType *core.Record) ([]Status, error) {
	var list []Status
	if err := json.Unmarshal([]byte(caseType.GetString("statuses")), &list); err != nil {
		return nil, err
	}
	return list, nil
}

// now is the clock of every SLA computation; tests replace it.
var now = time.Now

type clockKey struct{}

// withClock makes the hooks of saves done with ctx compute at t, so that
// RefreshOverdue(app, t) and the hooks agree on what "now" is.
func withClock(ctx context.Context, t time.Time) context.Context {
	if ctx == nil {
		ctx = context.Background()
	}
	return context.WithValue(ctx, clockKey{}, t)
}

func clockFrom(ctx context.Context) time.Time {
	if ctx != nil {
		if t, ok := ctx.Value(clockKey{}).(time.Time); ok {
			return t
		}
	}
	return now()
}

// Register binds the hooks, the staff's read route and the overdue cron job.
func Register(app core.App, cfg *crm.Config) error {
	app.OnRecordValidate(crm.CaseTypes).BindFunc(func(e *core.RecordEvent) error {
		if err := CheckCaseType(e.Record); err != nil {
			return err
		}
		return e.Next()
	})
	bindCases(app, cfg)
	bindTypeCheck(app)
	bindMessages(app)
	bindOpenedBy(app)
	app.OnRecordEnrich(crm.Contacts, crm.Companies).BindFunc(enrichOpenCases)
	app.OnRecordsListRequest(crm.Contacts, crm.Companies).BindFunc(countPage)
	bindRead(app)

	app.Cron().MustAdd("requests_overdue", "* * * * *", func() {
		if _, err := RefreshOverdue(app, now()); err != nil {
			app.Logger().Error("requests: refreshing overdue flags failed", "error", err)
		}
	})
	return nil
}

// bindCases keeps every case consistent however it is saved, and tells its
// customer of its opening and of every change of status.
func bindCases(app core.App, cfg *crm.Config) {
	app.OnRecordCreate(crm.Cases).Bind(&hook.Handler[*core.RecordEvent]{
		Func: func(e *core.RecordEvent) error {
			// The case and its message to the customer commit together.
			return inTransaction(e, func(tx core.App) error {
				biz := cfg.BusinessNow()
				caseType, err := prepareNewCase(tx, biz.Calendar(), readerLanguage(tx, e.Record, biz.Language), e.Record, clockFrom(e.Context))
				if err != nil {
					return err
				}
				if err := e.Next(); err != nil {
					return err
				}
				return queueMessage(tx, e.Context, e.Record, caseType, TemplateOpened)
			})
		},
		Priority: -10, // before the default validation and other plugins' hooks
	})
	app.OnRecordUpdate(crm.Cases).Bind(&hook.Handler[*core.RecordEvent]{
		Func: func(e *core.RecordEvent) error {
			return inTransaction(e, func(tx core.App) error {
				// The stored row, not Original(): a record saved twice keeps
				// its first loaded state as original.
				prev, err := tx.FindRecordById(crm.Cases, e.Record.Id)
				if err != nil {
					return err
				}
				biz := cfg.BusinessNow()
				caseType, err := prepareUpdatedCase(tx, biz.Calendar(), readerLanguage(tx, e.Record, biz.Language), prev, e.Record, clockFrom(e.Context))
				if err != nil {
					return err
				}
				if err := e.Next(); err != nil {
					return err
				}
				if err := releaseHeld(tx, prev, e.Record); err != nil {
					return err
				}
				if prev.GetString("status") == e.Record.GetString("status") {
					return nil
				}
				return queueMessage(tx, e.Context, e.Record, caseType, TemplateStatus)
			})
		},
		Priority: -10,
	})
	app.OnRecordDelete(crm.Cases).BindFunc(func(e *core.RecordEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		return outbox.Release(e.App, crm.PurposeMarketing, e.Record.GetString(crm.FieldContact))
	})
}

// bindMessages: the author of a message is whoever sends it, and the first
// public answer by staff meets the first-response SLA.
func bindMessages(app core.App) {
	app.OnRecordCreateRequest(crm.CaseMessages).BindFunc(func(e *core.RecordRequestEvent) error {
		if e.Auth != nil {
			switch e.Auth.Collection().Name {
			case crm.Staff:
				e.Record.Set("author_staff", e.Auth.Id)
			case crm.Customers:
				e.Record.Set("author_customer", e.Auth.Id)
				e.Record.Set("internal", false)
			}
		}
		return e.Next()
	})
	for _, bind := range []func(...string) *hook.TaggedHook[*core.RecordEvent]{app.OnRecordCreate, app.OnRecordUpdate} {
		bind(crm.CaseMessages).BindFunc(func(e *core.RecordEvent) error {
			if !crm.IsStaffAnswer(e.Record) {
				return e.Next()
			}
			return inTransaction(e, func(tx core.App) error {
				if err := e.Next(); err != nil {
					return err
				}
				return markFirstResponse(tx, e.Context, e.Record.GetString("case"))
			})
		})
	}
}

// inTransaction runs fn, and the rest of the hook chain it calls through
// e.Next, in one transaction (or in the one already open).
func inTransaction(e *core.RecordEvent, fn func(tx core.App) error) error {
	original := e.App
	defer func() { e.App = original }()
	return e.App.RunInTransaction(func(tx core.App) error {
		e.App = tx
		return fn(tx)
	})
}

func unknownType() error {
	return validation.Errors{"type": validation.NewError("validation_unknown_type", "Choose one of the request types offered.")}
}

// prepareNewCase fills in what the business decides on a new case and
// checks what the customer or staff gave.
func prepareNewCase(app core.App, cal crm.Calendar, lang string, c *core.Record, at time.Time) (*core.Record, error) {
	caseType, err := app.FindRecordById(crm.CaseTypes, c.GetString("type"))
	if err != nil {
		return nil, unknownType()
	}
	statuses, err := Statuses(caseType)
	if err != nil || len(statuses) == 0 {
		return nil, fmt.Errorf("request type %s has no statuses", caseType.Id)
	}
	if c.GetString("status") == "" {
		c.Set("status", statuses[0].Key)
	}
	if c.GetString("priority") == "" {
		c.Set("priority", "normal")
	}
	if c.GetString(crm.FieldCompany) == "" && c.GetString(crm.FieldContact) != "" {
		if contact, err := app.FindRecordById(crm.Contacts, c.GetString(crm.FieldContact)); err == nil {
			c.Set(crm.FieldCompany, contact.GetString(crm.FieldCompany))
		}
	}

	errs := validation.Errors{}
	if err := applyStatus(statuses, c, at, lang); err != nil {
		errs["status"] = err
	}
	if err := ValidateData(caseType, c.Get("data")); err != nil {
		errs["data"] = err
	}
	if err := checkRating(nil, c, at); err != nil {
		errs["rating"] = err
	}
	if len(errs) > 0 {
		return nil, errs
	}

	if c.GetString("reference") == "" {
		ref, err := nextReference(app, caseType.GetString("code"))
		if err != nil {
			return nil, err
		}
		c.Set("reference", ref)
	}
	// created is the SLA's start: set it here so both agree to the millisecond.
	if c.GetDateTime("created").IsZero() {
		c.SetRaw("created", dateTime(at))
	}
	setDueTimes(cal, caseType, c)
	c.Set("overdue", IsOverdue(c, at))
	return caseType, nil
}

// prepareUpdatedCase checks a change against the stored case prev.
func prepareUpdatedCase(app core.App, cal crm.Calendar, lang string, prev, c *core.Record, at time.Time) (*core.Record, error) {
	caseType, err := app.FindRecordById(crm.CaseTypes, c.GetString("type"))
	if err != nil {
		return nil, unknownType()
	}
	statuses, _ := Statuses(caseType)
	sameType := prev.GetString("type") == c.GetString("type")

	errs := validation.Errors{}
	from, to := prev.GetString("status"), c.GetString("status")
	if err := applyStatus(statuses, c, at, lang); err != nil {
		errs["status"] = err
	} else if sameType && from != to {
		if err := checkTransition(caseType, statuses, from, to); err != nil {
			errs["status"] = err
		}
	}
	// Data is checked when it changes, so a field the type gained later does
	// not block staff from moving old requests along.
	if !sameType || !sameJSON(prev.Get("data"), c.Get("data")) {
		if err := ValidateData(caseType, c.Get("data")); err != nil {
			errs["data"] = err
		}
	}
	if err := checkRating(prev, c, at); err != nil {
		errs["rating"] = err
	}
	if len(errs) > 0 {
		return nil, errs
	}

	if prev.GetBool("closed") && !c.GetBool("closed") {
		continueResolution(cal, prev, c, at)
	}
	c.Set("overdue", IsOverdue(c, at))
	return caseType, nil
}

// applyStatus accepts only a status of the request's type and keeps the
// public label (in lang, the customer's language), the closed flag and the
// closing time in step with it.
func applyStatus(statuses []Status, c *core.Record, at time.Time, lang string) error {
	i := slices.IndexFunc(statuses, func(s Status) bool { return s.Key == c.GetString("status") })
	if i < 0 {
		return validation.NewError("validation_unknown_status",
			fmt.Sprintf("%q is not a status of this request type.", c.GetString("status")))
	}
	c.Set("status_label", statuses[i].PublicIn(lang))
	c.Set("closed", statuses[i].Closed)
	switch {
	case statuses[i].Closed && c.GetDateTime("closed_at").IsZero():
		c.Set("closed_at", dateTime(at))
	case !statuses[i].Closed:
		c.Set("closed_at", "")
	}
	return nil
}

// checkRating: a rating is given to a closed request only, whoever writes
// it; rated_at follows the rating and nothing else.
func checkRating(prev, c *core.Record, at time.Time) error {
	var prevRating float64
	var prevRatedAt types.DateTime
	if prev != nil {
		prevRating, prevRatedAt = prev.GetFloat("rating"), prev.GetDateTime("rated_at")
	}
	rating := c.GetFloat("rating")
	if rating == prevRating {
		c.Set("rated_at", prevRatedAt)
		return nil
	}
	if rating != 0 && !c.GetBool("closed") {
		return validation.NewError("validation_rating_open", "A request can be rated only once it is closed.")
	}
	if rating == 0 {
		c.Set("rated_at", "")
	} else {
		c.Set("rated_at", dateTime(at))
	}
	return nil
}

func sameJSON(a, b any) bool {
	var x, y any
	_ = json.Unmarshal(jsonBytes(a), &x)
	_ = json.Unmarshal(jsonBytes(b), &y)
	ra, _ := json.Marshal(x)
	rb, _ := json.Marshal(y)
	return string(ra) == string(rb)
}

func jsonBytes(v any) []byte {
	switch v := v.(type) {
	case types.JSONRaw:
		return v
	case []byte:
		return v
	case string:
		return []byte(v)
	case nil:
		return nil
	default:
		raw, _ := json.Marshal(v)
		return raw
	}
}

func dateTime(t time.Time) types.DateTime {
	d, _ := types.ParseDateTime(t.UTC())
	return d
}

// readerLanguage is the language the request's customer reads (the
// contact's, else the business's): its status label, shown in the portal,
// on the tracking page and in the status mail, is in that language.
func readerLanguage(app core.App, c *core.Record, business string) string {
	if id := c.GetString(crm.FieldContact); id != "" {
		if contact, err := app.FindRecordById(crm.Contacts, id); err == nil && slices.Contains(crm.Languages, contact.GetString("language")) {
			return contact.GetString("language")
		}
	}
	if slices.Contains(crm.Languages, business) {
		return business
	}
	return "en"
}

// nextReference numbers requests per type: SUP-0001, SUP-0002, ...
func nextReference(app core.App, code string) (string, error) {
	var last struct {
		N int `db:"n"`
	}
	err := app.DB().NewQuery(
		"SELECT COALESCE(MAX(CAST(substr(reference, {:skip}) AS INTEGER)), 0) AS n FROM cases WHERE reference >= {:from} AND reference < {:to}",
	).Bind(dbx.Params{"skip": len(code) + 2, "from": code + "-", "to": code + "."}).One(&last)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s-%04d", code, last.N+1), nil
}
