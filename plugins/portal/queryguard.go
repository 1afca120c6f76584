package portal

import (
	"encoding/json/v2"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/ganigeorgiev/fexpr"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/search"
	"github.com/pocketbase/pocketbase/tools/subscriptions"

	"vinculo/crm"
)

// bindQueryGuard refuses a customer's filter, sort or expand that would
// find out a hidden field (CustomerHiddenFields) or cost more than a
// customer's query may (querycost.go), before any query runs: record routes
// in a router middleware, realtime subscriptions before they are stored
// (their filters run only when a record is written).
func bindQueryGuard(app core.App) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		// After the auth token is read (the caller is known) and after the
		// rate limiter (a refused query still counts), before every route.
		se.Router.Bind(&hook.Handler[*core.RequestEvent]{
			Id:       "vinculo.portal.queryguard",
			Priority: apis.DefaultRateLimitMiddlewarePriority + 1,
			Func:     guardRecordQuery,
		})
		return se.Next()
	})
	app.OnRealtimeSubscribeRequest().Bind(&hook.Handler[*core.RealtimeSubscribeRequestEvent]{
		Id:       "vinculo.portal.topicguard",
		Priority: -1000,
		Func: func(e *core.RealtimeSubscribeRequestEvent) error {
			if !isCustomer(e.Auth) {
				return e.Next()
			}
			// One customer's connections subscribing at once are counted
			// one after the other (MaxCostlyTopicsCustomer).
			topicsMu.Lock()
			defer topicsMu.Unlock()
			if err := CheckCustomerTopics(e.App, e.Client, e.Auth, e.Subscriptions); err != nil {
				return refusal(e.RequestEvent, err)
			}
			return e.Next()
		},
	})
}

var topicsMu sync.Mutex

// guardRecordQuery checks the filter, sort and expand of a customer's
// request to a collection route (list, view, create, update, delete, and
// the auth routes, whose answers take expand) before its handler runs.
func guardRecordQuery(e *core.RequestEvent) error {
	if !strings.Contains(e.Request.Pattern, "/api/collections/{collection}/") {
		return e.Next()
	}
	name := e.Request.PathValue("collection")
	collection, err := e.App.FindCachedCollectionByNameOrId(name)
	if err != nil {
		return e.Next() // the route answers 404
	}
	// A guest signing in to the portal asks for expands of the account.
	if !isCustomer(e.Auth) && (e.Auth != nil || collection.Name != crm.Customers) {
		return e.Next()
	}
	q := e.Request.URL.Query()
	if err := CheckCustomerRequest(e.App, collection, q.Get(search.FilterQueryParam), q.Get(search.SortQueryParam), q.Get(expandParam), false); err != nil {
		return refusal(e, err)
	}
	if isCustomer(e.Auth) {
		narrowToCustomerScope(e, collection)
	}
	return e.Next()
}

// refusal is the 400 answer to a refused query, naming the parameter
// (filter, sort, expand or subscriptions) at fault.
func refusal(e *core.RequestEvent, err error) error {
	var qe *QueryError
	if !errors.As(err, &qe) {
		qe = &QueryError{Param: search.FilterQueryParam, Code: codeHidden, Reason: err.Error()}
	}
	return e.BadRequestError(qe.Message(), validation.Errors{qe.Param: validation.NewError(qe.Code, qe.Reason)})
}

// CheckCustomerTopic refuses a customer's realtime topic whose options
// PocketBase would read as a filter, sort or expand on a hidden field, or
// as one costing more than querycost.go allows. The options are read as
// PocketBase's subscriptions client reads them (it is used here); anything
// it would half-read (a bad %-escape, bad JSON) is refused.
func CheckCustomerTopic(app core.App, topic string) error {
	opts, collection, err := readTopic(app, topic)
	if err != nil {
		return &QueryError{Param: subscriptionsParam, Code: codeInvalid, Reason: err.Error()}
	}
	if collection == nil {
		return nil // no record collection: PocketBase applies no filter to it
	}
	err = CheckCustomerRequest(app, collection, opts.Query[search.FilterQueryParam],
		opts.Query[search.SortQueryParam], opts.Query[expandParam], true)
	var qe *QueryError
	if errors.As(err, &qe) {
		return &QueryError{Param: subscriptionsParam, Code: qe.Code, Reason: qe.Param + ": " + qe.Reason}
	}
	return err
}

// readTopic reads a topic's options as PocketBase does, and the record
// collection it names (nil for none).
func readTopic(app core.App, topic string) (subscriptions.SubscriptionOptions, *core.Collection, error) {
	var none subscriptions.SubscriptionOptions
	u, err := url.Parse(topic)
	if err != nil {
		return none, nil, fmt.Errorf("the topic is not a valid URL: %w", err)
	}
	values, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return none, nil, fmt.Errorf("the topic's query is not valid: %w", err)
	}
	if raw := values.Get("options"); raw != "" {
		if len(raw) > MaxTopicOptions {
			return none, nil, fmt.Errorf("a subscription's options may be at most %d characters", MaxTopicOptions)
		}
		var probe struct {
			Query   map[string]any `json:"query"`
			Headers map[string]any `json:"headers"`
		}
		if err := json.Unmarshal([]byte(raw), &probe); err != nil {
			return none, nil, fmt.Errorf("the subscription options are not valid: %w", err)
		}
	}
	scratch := subscriptions.NewDefaultClient()
	scratch.Subscribe(topic)
	opts, ok := scratch.Subscriptions()[topic]
	if !ok {
		return none, nil, nil
	}
	// PocketBase matches a record's topics by prefix: "name/", "id/",
	// "name?" or "id?" (the old wildcard form).
	name := topic
	if i := strings.IndexAny(name, "/?"); i >= 0 {
		name = name[:i]
	}
	collection, err := app.FindCachedCollectionByNameOrId(name)
	if err != nil {
		return opts, nil, nil
	}
	return opts, collection, nil
}

// CheckCustomerQuery refuses a customer's list filter or sort on
// collection as CheckCustomerRequest does.
func CheckCustomerQuery(app core.App, collection *core.Collection, filter, sort string) error {
	return CheckCustomerRequest(app, collection, filter, sort, "", false)
}

// CheckCustomerRequest refuses a customer's filter, sort or expand on
// collection that names a hidden field (CustomerHiddenFields), on the
// collection itself or reached through relations, back-relations
// (x_via_y), @collection joins or @request.auth; a filter PocketBase's
// parser (fexpr) would not read; and any of them costing more than
// querycost.go allows (realtime: the bounds of a realtime topic).
func CheckCustomerRequest(app core.App, collection *core.Collection, filter, sort, expand string, realtime bool) error {
	if err := checkFilter(app, collection, filter, realtime); err != nil {
		return err
	}
	sorts := search.ParseSortFromString(sort)
	if err := checkSortCost(sorts); err != nil {
		return err
	}
	for _, s := range sorts {
		if err := checkIdentifier(app, collection, s.Name); err != nil {
			return hidden(search.SortQueryParam, err)
		}
	}
	paths := expandPaths(expand)
	if err := checkExpandCost(paths); err != nil {
		return err
	}
	for _, p := range paths {
		if err := checkIdentifier(app, collection, p); err != nil {
			return hidden(expandParam, err)
		}
	}
	return nil
}

func checkFilter(app core.App, collection *core.Collection, filter string, realtime bool) error {
	if strings.TrimSpace(filter) == "" {
		return nil
	}
	if n := utf8.RuneCountInString(filter); n > MaxFilterLength {
		return tooCostly(search.FilterQueryParam, "a filter may be at most %d characters long, this one has %d", MaxFilterLength, n)
	}
	groups, err := fexpr.Parse(filter)
	if err != nil {
		return &QueryError{Param: search.FilterQueryParam, Code: codeInvalid, Reason: "the filter is not valid: " + err.Error()}
	}
	if err := checkGroups(app, collection, groups); err != nil {
		return hidden(search.FilterQueryParam, err)
	}
	cost := &filterCost{app: app, collection: collection, realtime: realtime}
	return cost.groups(groups)
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
