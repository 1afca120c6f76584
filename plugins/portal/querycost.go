package portal

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/ganigeorgiev/fexpr"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/search"
	"github.com/pocketbase/pocketbase/tools/subscriptions"
)

// What a customer's query may cost. The portal's pages send one condition
// (`case = 'id'`, `contact = 'id'`, `kind = 'subscription'`), sort by at
// most two fields, expand one relation and hold at most four realtime topics
// per tab, one of them with a filter. The bounds sit well above that and
// well below what ties up the server: a list query is one statement over the
// customer's own rows, and a realtime topic's filter runs once for every
// matching write, inside that write. So realtime filters are bounded more
// tightly and never search (~) a long text: a write matching every topic a
// customer may hold runs at most 30 filters of at most 5 short conditions
// each, over all their connections, and at most 30 access-rule checks per
// connection.
const (
	MaxFilterLength         = 1000 // characters of a filter
	MaxFilterTerms          = 10   // conditions (a = b) in a list filter
	MaxRealtimeFilterTerms  = 5    // conditions in a realtime topic's filter
	MaxPatternLength        = 64   // characters of the text after ~ or !~
	MaxPatternWildcards     = 2    // % signs in that text
	MaxPathSteps            = 4    // steps of a field or expand path (a.b.c.d)
	MaxSortFields           = 4    // fields of a sort
	MaxExpandPaths          = 6    // relations named in an expand
	MaxTopics               = 30   // topics of one realtime connection
	MaxCostlyTopics         = 10   // of them with a filter or expand
	MaxCostlyTopicsCustomer = 30   // with a filter or expand, over all of a customer's connections
	MaxTopicOptions         = 1500 // characters of a topic's options
	MaxRealtimeSearchField  = 1000 // a realtime ~ searches only fields at most this long
)

const (
	expandParam        = "expand"
	subscriptionsParam = "subscriptions"

	codeHidden  = "validation_hidden_field"
	codeCostly  = "validation_query_too_costly"
	codeInvalid = "validation_invalid_query"
)

// QueryError is a customer's filter, sort, expand or subscription refused:
// Param names the request parameter at fault.
type QueryError struct {
	Param  string // filter, sort, expand or subscriptions
	Code   string
	Reason string
}

func (e *QueryError) Error() string { return e.Param + ": " + e.Reason }

// Message is the answer's message: it names the parameter.
func (e *QueryError) Message() string {
	switch {
	case e.Code == codeHidden && e.Param == subscriptionsParam:
		return "That subscription filters on a field that is not shown to customers."
	case e.Code == codeHidden && e.Param == expandParam:
		return "That expand uses a field that is not shown to customers."
	case e.Code == codeHidden:
		return "That filter or sort uses a field that is not shown to customers."
	case e.Code == codeCostly:
		return "The " + e.Param + " parameter asks too much: " + e.Reason + "."
	default:
		return "The " + e.Param + " parameter is not valid: " + e.Reason + "."
	}
}

func hidden(param string, err error) error {
	return &QueryError{Param: param, Code: codeHidden, Reason: err.Error()}
}

func tooCostly(param, format string, args ...any) error {
	return &QueryError{Param: param, Code: codeCostly, Reason: fmt.Sprintf(format, args...)}
}

// filterCost walks a parsed filter and refuses it past the bounds above.
type filterCost struct {
	app        core.App
	collection *core.Collection
	realtime   bool
	terms      int
}

func (c *filterCost) groups(groups []fexpr.ExprGroup) error {
	for _, g := range groups {
		var err error
		switch item := g.Item.(type) {
		case fexpr.Expr:
			err = c.expr(item)
		case fexpr.ExprGroup:
			err = c.groups([]fexpr.ExprGroup{item})
		case []fexpr.ExprGroup:
			err = c.groups(item)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (c *filterCost) expr(e fexpr.Expr) error {
	c.terms++
	limit := MaxFilterTerms
	if c.realtime {
		limit = MaxRealtimeFilterTerms
	}
	if c.terms > limit {
		return tooCostly(search.FilterQueryParam, "a filter may have at most %d conditions", limit)
	}
	for _, t := range []fexpr.Token{e.Left, e.Right} {
		if err := c.token(t); err != nil {
			return err
		}
	}
	switch e.Op {
	case fexpr.SignLike, fexpr.SignNlike, fexpr.SignAnyLike, fexpr.SignAnyNlike:
		return c.search(e)
	}
	return nil
}

func (c *filterCost) token(t fexpr.Token) error {
	switch t.Type {
	case fexpr.TokenIdentifier:
		return checkPathSteps(search.FilterQueryParam, t.Literal)
	case fexpr.TokenFunction:
		args, _ := t.Meta.([]fexpr.Token)
		for _, a := range args {
			if err := c.token(a); err != nil {
				return err
			}
		}
	}
	return nil
}

// search bounds a ~ condition: a field searched for a short text written
// out in quotes, with few % signs (each one multiplies the work over a long
// text); in a realtime filter, only on a field that cannot hold a long text.
func (c *filterCost) search(e fexpr.Expr) error {
	if e.Left.Type != fexpr.TokenIdentifier || (e.Right.Type != fexpr.TokenText && e.Right.Type != fexpr.TokenNumber) {
		return tooCostly(search.FilterQueryParam, "%s searches a field for a text written in quotes", e.Op)
	}
	if n := utf8.RuneCountInString(e.Right.Literal); n > MaxPatternLength {
		return tooCostly(search.FilterQueryParam, "the text after %s may be at most %d characters long", e.Op, MaxPatternLength)
	}
	if strings.Count(e.Right.Literal, "%") > MaxPatternWildcards {
		return tooCostly(search.FilterQueryParam, "the text after %s may have at most %d %% signs", e.Op, MaxPatternWildcards)
	}
	if c.realtime && !shortField(finalField(c.app, c.collection, e.Left.Literal)) {
		return tooCostly(search.FilterQueryParam, "a subscription may search (%s) only short fields, and %s can hold a long text", e.Op, e.Left.Literal)
	}
	return nil
}

// shortField: a field whose values are at most MaxRealtimeSearchField
// characters long.
func shortField(f core.Field) bool {
	switch f := f.(type) {
	case *core.TextField:
		return f.Max > 0 && f.Max <= MaxRealtimeSearchField
	case *core.EmailField, *core.URLField, *core.SelectField, *core.RelationField,
		*core.NumberField, *core.BoolField, *core.DateField, *core.AutodateField:
		return true
	}
	return false
}

// finalField is the field a filter's field path ends at, following
// relations and back-relations; nil for anything else (a value of the
// request, a JSON path, @collection).
func finalField(app core.App, collection *core.Collection, ident string) core.Field {
	if strings.HasPrefix(ident, "@") {
		return nil
	}
	parts := strings.Split(ident, ".")
	var field core.Field
	for i, part := range parts {
		name, _, _ := strings.Cut(part, ":")
		if m := backRelation.FindStringSubmatch(name); m != nil {
			c, err := app.FindCachedCollectionByNameOrId(m[1])
			if err != nil {
				return nil
			}
			collection, field = c, nil
			continue
		}
		field = collection.Fields.GetByName(name)
		if i == len(parts)-1 {
			break
		}
		rel, ok := field.(*core.RelationField)
		if !ok {
			return nil // a JSON path, or no field
		}
		next, err := app.FindCachedCollectionByNameOrId(rel.CollectionId)
		if err != nil {
			return nil
		}
		collection = next
	}
	return field
}

func checkPathSteps(param, path string) error {
	steps := strings.Split(path, ".")
	switch {
	case strings.HasPrefix(path, "@request.auth."), strings.HasPrefix(path, "@collection."):
		steps = steps[2:]
	case strings.HasPrefix(path, "@"):
		return nil
	}
	if len(steps) > MaxPathSteps {
		return tooCostly(param, "a field path may have at most %d steps, %s has %d", MaxPathSteps, path, len(steps))
	}
	return nil
}

func checkSortCost(sorts []search.SortField) error {
	if len(sorts) > MaxSortFields {
		return tooCostly(search.SortQueryParam, "a sort may use at most %d fields", MaxSortFields)
	}
	for _, s := range sorts {
		if err := checkPathSteps(search.SortQueryParam, s.Name); err != nil {
			return err
		}
	}
	return nil
}

var oldBackRelation = regexp.MustCompile(`^(\w+)\((\w+)\)$`)

// expandPaths reads an expand parameter as PocketBase does (spaces and
// stray dots dropped), the old back-relation form "name(field)" written as
// "name_via_field".
func expandPaths(expand string) []string {
	var paths []string
	for _, p := range strings.Split(expand, ",") {
		p = strings.Trim(strings.ReplaceAll(p, " ", ""), ".")
		if p == "" {
			continue
		}
		steps := strings.Split(p, ".")
		for i, s := range steps {
			steps[i] = oldBackRelation.ReplaceAllString(s, "${1}_via_${2}")
		}
		paths = append(paths, strings.Join(steps, "."))
	}
	return paths
}

func checkExpandCost(paths []string) error {
	if len(paths) > MaxExpandPaths {
		return tooCostly(expandParam, "an expand may name at most %d relations", MaxExpandPaths)
	}
	for _, p := range paths {
		if strings.Count(p, ".")+1 > MaxPathSteps {
			return tooCostly(expandParam, "an expand may go at most %d relations deep, %s goes %d", MaxPathSteps, p, strings.Count(p, ".")+1)
		}
	}
	return nil
}

// CheckCustomerTopics refuses a customer's realtime subscriptions past the
// bounds above (counting those the customer holds on other connections),
// and any topic CheckCustomerTopic refuses. It runs before PocketBase
// stores the subscriptions: no filter of a refused topic ever runs.
func CheckCustomerTopics(app core.App, client subscriptions.Client, auth *core.Record, topics []string) error {
	unique := map[string]bool{}
	costly := 0
	for _, topic := range topics {
		if topic == "" || unique[topic] {
			continue
		}
		unique[topic] = true
		if err := CheckCustomerTopic(app, topic); err != nil {
			return err
		}
		if costlyTopic(topic) {
			costly++
		}
	}
	if len(unique) > MaxTopics {
		return tooCostly(subscriptionsParam, "a connection may hold at most %d subscriptions", MaxTopics)
	}
	if costly > MaxCostlyTopics {
		return tooCostly(subscriptionsParam, "a connection may hold at most %d subscriptions with a filter or expand", MaxCostlyTopics)
	}
	if costly == 0 {
		// Nothing costly added: the customer's other connections were
		// within the bound when they subscribed. Every portal page lands
		// here, so a subscription does not walk every connected client
		// (with 20,000 connected that walk made setting up quadratic).
		return nil
	}
	for id, other := range app.SubscriptionsBroker().Clients() {
		if client != nil && id == client.Id() {
			continue
		}
		if a, _ := other.Get(apis.RealtimeClientAuthKey).(*core.Record); a == nil || a.Id != auth.Id || a.Collection().Id != auth.Collection().Id {
			continue
		}
		for _, opts := range other.Subscriptions() {
			if costlyOptions(opts) {
				costly++
			}
		}
	}
	if costly > MaxCostlyTopicsCustomer {
		return tooCostly(subscriptionsParam, "you may hold at most %d subscriptions with a filter or expand over all your connections", MaxCostlyTopicsCustomer)
	}
	return nil
}

// costlyTopic: a topic whose options carry a filter or an expand, which run
// queries for every matching write.
func costlyTopic(topic string) bool {
	scratch := subscriptions.NewDefaultClient()
	scratch.Subscribe(topic)
	return costlyOptions(scratch.Subscriptions()[topic])
}

func costlyOptions(opts subscriptions.SubscriptionOptions) bool {
	return opts.Query[search.FilterQueryParam] != "" || opts.Query[expandParam] != ""
}
