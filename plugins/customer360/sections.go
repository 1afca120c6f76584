package customer360

import (
	"context"
	"database/sql"
	"errors"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/search"

	"vinculo/crm"
	"vinculo/plugins/segments/segdef"
	"vinculo/plugins/timeline"
)

// section is one list of the page: which collection, narrowed how. Each is
// led by an index on the contact (see plan_test.go).
type section struct {
	name       string
	collection string
	build      func(q *dbx.SelectQuery, contactID string)
}

func byContact(collection, contactID string, more dbx.HashExp) dbx.HashExp {
	exp := dbx.HashExp{collection + ".contact": contactID}
	for k, v := range more {
		exp[collection+"."+k] = v
	}
	return exp
}

var (
	openDeals = section{"deals", crm.Deals, func(q *dbx.SelectQuery, id string) {
		q.AndWhere(byContact(crm.Deals, id, dbx.HashExp{"status": "open"})).
			OrderBy("[[deals.created]] DESC").Limit(maxOpen)
	}}
	openCases = section{"open cases", crm.Cases, func(q *dbx.SelectQuery, id string) {
		q.AndWhere(byContact(crm.Cases, id, dbx.HashExp{"closed": false})).
			OrderBy("[[cases.created]] DESC").Limit(maxOpen)
	}}
	closedCases = section{"recent closed cases", crm.Cases, func(q *dbx.SelectQuery, id string) {
		q.AndWhere(byContact(crm.Cases, id, dbx.HashExp{"closed": true})).
			OrderBy("[[cases.closed_at]] DESC", "[[cases.created]] DESC").Limit(recentClosedCases)
	}}
	openTasks = section{"tasks", crm.Tasks, func(q *dbx.SelectQuery, id string) {
		q.AndWhere(byContact(crm.Tasks, id, dbx.HashExp{"status": "open"})).
			OrderBy("[[tasks.due]] ASC").Limit(maxOpen)
	}}
	orders = section{"orders", crm.Orders, func(q *dbx.SelectQuery, id string) {
		q.AndWhere(byContact(crm.Orders, id, nil)).OrderBy("[[orders.placed_at]] DESC").Limit(maxOrders)
	}}
	subscriptions = section{"subscriptions", crm.Subscriptions, func(q *dbx.SelectQuery, id string) {
		q.AndWhere(byContact(crm.Subscriptions, id, nil)).OrderBy("[[subscriptions.created]] DESC").Limit(maxSubscriptions)
	}}
	consents = section{"consents", crm.Consents, func(q *dbx.SelectQuery, id string) {
		q.AndWhere(byContact(crm.Consents, id, nil)).OrderBy("[[consents.purpose]] ASC", "[[consents.channel]] ASC")
	}}
)

// sections lists every list of the page, for the query-plan test.
var sections = []section{openDeals, openCases, closedCases, openTasks, orders, subscriptions, consents}

func (r *reader) section(s section, contactID string) ([]*core.Record, error) {
	return r.list(s.collection, func(q *dbx.SelectQuery) { s.build(q, contactID) })
}

// gather reads every section of contact's page.
func (r *reader) gather(ctx context.Context, contact *core.Record) (*View, error) {
	v := &View{Contact: contact, Preferences: map[string]any{}}
	for _, f := range timeline.PreferenceFields {
		v.Preferences[f] = contact.Get(f)
	}
	var err error
	if v.Company, err = r.one(crm.Companies, contact.GetString(crm.FieldCompany)); err != nil {
		return nil, err
	}
	lists := []struct {
		s   section
		out *[]*core.Record
	}{
		{openDeals, &v.Deals}, {openTasks, &v.Tasks}, {orders, &v.Orders},
		{subscriptions, &v.Subscriptions}, {consents, &v.Consents},
	}
	for _, l := range lists {
		if *l.out, err = r.section(l.s, contact.Id); err != nil {
			return nil, err
		}
	}
	open, err := r.section(openCases, contact.Id)
	if err != nil {
		return nil, err
	}
	closed, err := r.section(closedCases, contact.Id)
	if err != nil {
		return nil, err
	}
	v.Cases = append(open, closed...)
	if v.OpenCases, err = r.countOpenCases(contact.Id); err != nil {
		return nil, err
	}
	if v.Timeline, err = r.timeline(contact.Id, ""); err != nil {
		return nil, err
	}
	v.Segments, v.SegmentErrors, err = r.segments(ctx, contact.Id)
	return v, err
}

// countOpenCases counts all open cases (the list stops at maxOpen).
func (r *reader) countOpenCases(contactID string) (int, error) {
	q, ok, err := r.query(crm.Cases, false)
	if err != nil || !ok {
		return 0, err
	}
	var n int
	openCases.build(q, contactID)
	err = q.Select("COUNT(DISTINCT [[cases.id]])").OrderBy().Limit(-1).Row(&n)
	return n, err
}

// segments evaluates every segment's filter on this contact alone. The
// filter is parsed and joined to "id = contact" as an expression, never as
// text, so a filter cannot widen itself to other contacts. A filter that does
// not parse or run is reported, not fatal.
func (r *reader) segments(ctx context.Context, contactID string) ([]SegmentRef, []SegmentProblem, error) {
	in, broken := []SegmentRef{}, []SegmentProblem{}
	list, err := r.list(crm.Segments, func(q *dbx.SelectQuery) { q.OrderBy("[[segments.name]] ASC", "[[segments.id]] ASC") })
	if err != nil {
		return nil, nil, err
	}
	contacts, err := r.app.FindCachedCollectionByNameOrId(crm.Contacts)
	if err != nil {
		return nil, nil, err
	}
	for _, s := range list {
		var ok bool
		if segdef.Has(s) { // built in the workspace: its compiled conditions
			ok, err = segdef.Contains(ctx, r.app, s, contactID)
		} else {
			ok, err = inSegment(ctx, r.app, contacts, contactID, s.GetString("filter"))
		}
		switch {
		case err != nil:
			broken = append(broken, SegmentProblem{ID: s.Id, Name: s.GetString("name"), Error: err.Error()})
		case ok:
			in = append(in, SegmentRef{ID: s.Id, Name: s.GetString("name")})
		}
	}
	return in, broken, nil
}

var errSegmentSlow = errors.New("the filter took too long to evaluate; narrow it")

// inSegment tells whether the contact matches filter.
func inSegment(ctx context.Context, app core.App, contacts *core.Collection, contactID, filter string) (bool, error) {
	resolver := core.NewRecordFieldResolver(app, contacts, nil, true)
	expr, err := search.FilterData(filter).BuildExpr(resolver)
	if err != nil {
		return false, err
	}
	ctx, cancel := context.WithTimeout(ctx, segmentBudget)
	defer cancel()
	q := app.RecordQuery(contacts).
		AndWhere(dbx.HashExp{"contacts.id": contactID}).
		AndWhere(expr).
		WithContext(ctx)
	if err := resolver.UpdateQuery(q); err != nil {
		return false, err
	}
	var found core.Record
	err = q.Limit(1).One(&found)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case ctx.Err() != nil:
		return false, errSegmentSlow
	}
	return false, err
}
