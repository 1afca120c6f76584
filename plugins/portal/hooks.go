package portal

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
)

// InternalCaseFields are the fields of a request that are the business's
// own: the workflow key (customers see status_label), the assignee, the
// priority and the SLA clocks. Customers never receive them, by REST or
// realtime; they get next_answer_by instead.
var InternalCaseFields = []string{"status", "assignee", "priority", "overdue", "first_response_due", "resolution_due"}

var relationPath = regexp.MustCompile(`_via_|\(`)

// NextAnswerKey is the read-only value added to every request a customer
// receives: when the team's next answer is expected.
const NextAnswerKey = "next_answer_by"

func bindHooks(app core.App) {
	app.OnRecordEnrich(crm.Cases).BindFunc(func(e *core.RecordEnrichEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		if e.RequestInfo == nil || e.RequestInfo.Auth == nil || e.RequestInfo.Auth.Collection().Name != crm.Customers {
			return nil
		}
		hideInternal(e.Record)
		return nil
	})

	// Hidden fields must not be found out through filters and sorts either.
	app.OnRecordsListRequest().BindFunc(func(e *core.RecordsListRequestEvent) error {
		if isCustomer(e.Auth) {
			q := e.Request.URL.Query()
			if mentionsInternal(e.Collection.Name, q.Get("filter")+" "+q.Get("sort")) {
				return e.BadRequestError("That filter or sort uses a field that is not shown to customers.", nil)
			}
		}
		return e.Next()
	})
	app.OnRealtimeSubscribeRequest().BindFunc(func(e *core.RealtimeSubscribeRequestEvent) error {
		if isCustomer(e.Auth) {
			for _, topic := range e.Subscriptions {
				collection, _, _ := strings.Cut(topic, "/")
				if decoded, err := url.QueryUnescape(topic); err == nil && strings.Contains(decoded, "?") && mentionsInternal(collection, decoded[strings.Index(decoded, "?"):]) {
					return e.BadRequestError("That subscription filters on a field that is not shown to customers.", nil)
				}
			}
		}
		return e.Next()
	})

	// A password set through PocketBase's password-reset flow counts as one.
	app.OnRecordConfirmPasswordResetRequest(crm.Customers).BindFunc(func(e *core.RecordConfirmPasswordResetRequestEvent) error {
		e.Record.Set("has_password", true)
		return e.Next()
	})

	// A password given through the record API (staff creating or managing
	// an account, a customer changing theirs) is one the person knows.
	knownPassword := func(e *core.RecordRequestEvent) error {
		if pw, ok := e.Record.GetRaw(core.FieldNamePassword).(*core.PasswordFieldValue); ok && pw.Plain != "" {
			e.Record.Set("has_password", true)
		}
		return e.Next()
	}
	app.OnRecordCreateRequest(crm.Customers).BindFunc(knownPassword)
	app.OnRecordUpdateRequest(crm.Customers).BindFunc(knownPassword)

	// The contact follows the portal account: a confirmed new email (the
	// email-change flow) and a new name.
	app.OnRecordUpdate(crm.Customers).BindFunc(func(e *core.RecordEvent) error {
		prev, err := e.App.FindRecordById(crm.Customers, e.Record.Id)
		if err != nil {
			return err
		}
		emailChanged := prev.Email() != e.Record.Email() && e.Record.Email() != ""
		nameChanged := prev.GetString("name") != e.Record.GetString("name") && e.Record.GetString("name") != ""
		if !emailChanged && !nameChanged {
			return e.Next()
		}
		return e.App.RunInTransaction(func(tx core.App) error {
			original := e.App
			e.App = tx
			defer func() { e.App = original }()
			if err := e.Next(); err != nil {
				return err
			}
			contact, err := tx.FindRecordById(crm.Contacts, e.Record.GetString(crm.FieldContact))
			if err != nil {
				return nil // an account without its contact has nothing to follow
			}
			if emailChanged {
				contact.Set(crm.FieldEmail, e.Record.Email())
			}
			if nameChanged {
				contact.Set("name", e.Record.GetString("name"))
			}
			return tx.Save(contact)
		})
	})
}

func isCustomer(auth *core.Record) bool {
	return auth != nil && auth.Collection().Name == crm.Customers
}

// internalName: an internal field of a request, on the request itself or
// reached through a relation to it.
var (
	internalAnywhere = regexp.MustCompile(`\b(assignee|priority|overdue|first_response_due|resolution_due)\b`)
	internalStatus   = regexp.MustCompile(`(^|[^\w.])status\b`)
	relatedStatus    = regexp.MustCompile(`\b(case|cases_via_\w+)\.status\b`)
)

// mentionsInternal: the filter or sort expression names an internal field
// of requests (status is also a field of orders and subscriptions, where
// it is the customer's to see).
func mentionsInternal(collection, expr string) bool {
	if strings.TrimSpace(expr) == "" {
		return false
	}
	if collection == crm.Cases && internalStatus.MatchString(expr) {
		return true
	}
	if relatedStatus.MatchString(expr) {
		return true
	}
	// assignee etc. exist only on cases and on staff-only collections
	return internalAnywhere.MatchString(expr)
}

// hideInternal keeps a request to what its customer sees.
func hideInternal(c *core.Record) {
	next := nextAnswerBy(c)
	c.Hide(InternalCaseFields...)
	// WithCustomData exports every custom key: hide the unfiltered ids of
	// back-relations an expand leaves there.
	for key := range c.CustomData() {
		if relationPath.MatchString(key) {
			c.Hide(key)
		}
	}
	c.WithCustomData(true)
	if next.IsZero() {
		c.Set(NextAnswerKey, nil)
	} else {
		c.Set(NextAnswerKey, next.String())
	}
}

// nextAnswerBy: the first-response due time until the team answers, then
// the resolution due time; nothing once closed or without an SLA.
func nextAnswerBy(c *core.Record) types.DateTime {
	if c.GetBool("closed") {
		return types.DateTime{}
	}
	if c.GetDateTime("first_response_at").IsZero() {
		if due := c.GetDateTime("first_response_due"); !due.IsZero() {
			return due
		}
	}
	return c.GetDateTime("resolution_due")
}
