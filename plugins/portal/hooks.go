package portal

import (
	"encoding/json/v2"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/ganigeorgiev/fexpr"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/search"
	"github.com/pocketbase/pocketbase/tools/subscriptions"
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

// CustomerHiddenFields are, per collection, the fields that are the
// business's own: customers never receive them (REST, expand, realtime, my
// data) nor filter or sort on them.
var CustomerHiddenFields = map[string][]string{
	crm.Cases:      InternalCaseFields,
	crm.Orders:     {"internal_notes"},
	crm.Activities: {"edits"},            // earlier wordings of a staff note
	crm.AuditLog:   {"ip", "user_agent"}, // where the team member who read it was
}

func bindHooks(app core.App) {
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

	// Hidden fields must not be found out through filters and sorts either.
	app.OnRecordsListRequest().BindFunc(func(e *core.RecordsListRequestEvent) error {
		if isCustomer(e.Auth) {
			q := e.Request.URL.Query()
			if err := CheckCustomerQuery(e.App, e.Collection, q.Get(search.FilterQueryParam), q.Get(search.SortQueryParam)); err != nil {
				return e.BadRequestError("That filter or sort uses a field that is not shown to customers.",
					validation.Errors{"filter": validation.NewError("validation_hidden_field", err.Error())})
			}
		}
		return e.Next()
	})
	app.OnRealtimeSubscribeRequest().BindFunc(func(e *core.RealtimeSubscribeRequestEvent) error {
		if isCustomer(e.Auth) {
			for _, topic := range e.Subscriptions {
				if err := CheckCustomerTopic(e.App, topic); err != nil {
					return e.BadRequestError("That subscription filters on a field that is not shown to customers.",
						validation.Errors{"subscriptions": validation.NewError("validation_hidden_field", err.Error())})
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

// CheckCustomerTopic refuses a customer's realtime topic whose options
// PocketBase would read as a filter or sort on a hidden field. The options
// are read as PocketBase's subscriptions client reads them (it is used
// here); anything it would half-read (a bad %-escape, bad JSON) is refused.
func CheckCustomerTopic(app core.App, topic string) error {
	u, err := url.Parse(topic)
	if err != nil {
		return fmt.Errorf("the topic is not a valid URL: %w", err)
	}
	values, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return fmt.Errorf("the topic's query is not valid: %w", err)
	}
	if raw := values.Get("options"); raw != "" {
		var probe struct {
			Query   map[string]any `json:"query"`
			Headers map[string]any `json:"headers"`
		}
		if err := json.Unmarshal([]byte(raw), &probe); err != nil {
			return fmt.Errorf("the subscription options are not valid: %w", err)
		}
	}
	scratch := subscriptions.NewDefaultClient()
	scratch.Subscribe(topic)
	opts, ok := scratch.Subscriptions()[topic]
	if !ok {
		return nil
	}
	filter, sort := opts.Query[search.FilterQueryParam], opts.Query[search.SortQueryParam]
	if filter == "" && sort == "" {
		return nil
	}
	// PocketBase matches a record's topics by prefix: "name/", "id/",
	// "name?" or "id?" (the old wildcard form).
	name := topic
	if i := strings.IndexAny(name, "/?"); i >= 0 {
		name = name[:i]
	}
	collection, err := app.FindCachedCollectionByNameOrId(name)
	if err != nil {
		return nil // no record collection: PocketBase applies no filter to it
	}
	return CheckCustomerQuery(app, collection, filter, sort)
}

// CheckCustomerQuery refuses a customer's filter or sort on collection that
// names a hidden field (CustomerHiddenFields), on the collection itself or
// reached through relations, back-relations (x_via_y), @collection joins or
// @request.auth; and a filter PocketBase's parser (fexpr) would not read.
func CheckCustomerQuery(app core.App, collection *core.Collection, filter, sort string) error {
	if strings.TrimSpace(filter) != "" {
		groups, err := fexpr.Parse(filter)
		if err != nil {
			return fmt.Errorf("the filter is not valid: %w", err)
		}
		if err := checkGroups(app, collection, groups); err != nil {
			return err
		}
	}
	for _, s := range search.ParseSortFromString(sort) {
		if err := checkIdentifier(app, collection, s.Name); err != nil {
			return err
		}
	}
	return nil
}

func checkGroups(app core.App, collection *core.Collection, groups []fexpr.ExprGroup) error {
	for _, g := range groups {
		var err error
		switch item := g.Item.(type) {
		case fexpr.Expr:
			if err = checkToken(app, collection, item.Left); err == nil {
				err = checkToken(app, collection, item.Right)
			}
		case fexpr.ExprGroup:
			err = checkGroups(app, collection, []fexpr.ExprGroup{item})
		case []fexpr.ExprGroup:
			err = checkGroups(app, collection, item)
		default:
			err = fmt.Errorf("unsupported expression %T", item)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func checkToken(app core.App, collection *core.Collection, t fexpr.Token) error {
	switch t.Type {
	case fexpr.TokenIdentifier:
		return checkIdentifier(app, collection, t.Literal)
	case fexpr.TokenFunction:
		args, _ := t.Meta.([]fexpr.Token)
		for _, a := range args {
			if err := checkToken(app, collection, a); err != nil {
				return err
			}
		}
	}
	return nil
}

var backRelation = regexp.MustCompile(`^(\w+)_via_(\w+)$`)

// checkIdentifier follows a field path as PocketBase's record field
// resolver does and refuses it when any step is a hidden field.
func checkIdentifier(app core.App, collection *core.Collection, ident string) error {
	parts := strings.Split(ident, ".")
	switch {
	case strings.HasPrefix(ident, "@request.auth."):
		c, err := app.FindCachedCollectionByNameOrId(crm.Customers)
		if err != nil {
			return err
		}
		collection, parts = c, parts[2:]
	case strings.HasPrefix(ident, "@request."):
		return nil // a value of the request, not a field
	case strings.HasPrefix(ident, "@collection."):
		if len(parts) < 3 {
			return nil
		}
		name, _, _ := strings.Cut(parts[1], ":") // @collection.name:alias
		c, err := app.FindCachedCollectionByNameOrId(name)
		if err != nil {
			return nil // PocketBase refuses it
		}
		collection, parts = c, parts[2:]
	case strings.HasPrefix(ident, "@"):
		return nil // @random, @rowid, date macros
	}
	for _, part := range parts {
		name, _, _ := strings.Cut(part, ":") // modifiers: :isset, :length, :each, :lower...
		if m := backRelation.FindStringSubmatch(name); m != nil {
			c, err := app.FindCachedCollectionByNameOrId(m[1])
			if err != nil {
				return nil
			}
			if isHidden(c.Name, m[2]) {
				return fmt.Errorf("%s is not shown to customers", ident)
			}
			collection = c
			continue
		}
		if isHidden(collection.Name, name) {
			return fmt.Errorf("%s is not shown to customers", ident)
		}
		rel, ok := collection.Fields.GetByName(name).(*core.RelationField)
		if !ok {
			return nil // a plain field, a JSON path or no field (PocketBase refuses that)
		}
		next, err := app.FindCachedCollectionByNameOrId(rel.CollectionId)
		if err != nil {
			return nil
		}
		collection = next
	}
	return nil
}

func isHidden(collection, field string) bool {
	for _, f := range CustomerHiddenFields[collection] {
		if strings.EqualFold(f, field) {
			return true
		}
	}
	return false
}
