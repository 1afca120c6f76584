package portal

import (
	"regexp"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
	"vinculo/plugins/orders"
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

// CustomerHiddenFields are, per collection, the fields that are the
// business's own: customers never receive them (REST, expand, realtime, my
// data) nor filter or sort on them.
var CustomerHiddenFields = map[string][]string{
	crm.Cases:      InternalCaseFields,
	crm.Orders:     orders.InternalFields,
	crm.Activities: {"edits"},            // earlier wordings of a staff note
	crm.AuditLog:   {"ip", "user_agent"}, // where the team member who read it was
	// staff's note of a request made by phone or letter, and who recorded and decided it
	crm.ErasureRequests: {crm.ErasureNote, crm.ErasureRecordedBy, crm.ErasureDecidedBy},
}

// bindHiddenFields keeps the business's own fields (CustomerHiddenFields)
// out of every record a customer receives, by REST, expand or realtime.
func bindHiddenFields(app core.App) {
	app.OnRecordEnrich(crm.Cases).BindFunc(func(e *core.RecordEnrichEvent) error {
		if e.RequestInfo == nil || !isCustomer(e.RequestInfo.Auth) {
			return e.Next()
		}
		if e.RequestInfo.Context == core.RequestInfoContextExpand {
			// An expanded request gets its own nested expands after this
			// hook returns: WithCustomData here would export their
			// unfiltered back-relation ids (internal notes, tasks).
			e.Record.Hide(InternalCaseFields...)
			return e.Next()
		}
		if err := e.Next(); err != nil {
			return err
		}
		hideInternal(e.Record)
		return nil
	})
	for collection, fields := range CustomerHiddenFields {
		if collection == crm.Cases {
			continue
		}
		app.OnRecordEnrich(collection).BindFunc(func(e *core.RecordEnrichEvent) error {
			if e.RequestInfo != nil && isCustomer(e.RequestInfo.Auth) {
				e.Record.Hide(fields...)
			}
			return e.Next()
		})
	}
}

func isCustomer(auth *core.Record) bool {
	return auth != nil && auth.Collection().Name == crm.Customers
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
