// Package customer360 serves the customer's whole picture to the team in one
// answer: GET /api/crm/contacts/{id}/360 returns the contact, their company,
// open deals, open and recent requests, the newest page of the timeline,
// open tasks, orders, subscriptions, consents, preferences and the segments
// they are in; GET /api/crm/contacts/{id}/timeline?cursor=... pages further
// back. Staff only, and every read is written to the audit log, which the
// customer can see.
//
// Each section is read with its collection's list rule for the requester, as
// the record API would: the route is a shortcut, not a side door. Every query
// is led by an index on the contact, so a contact with thousands of entries
// costs what one with ten does.
package customer360

import (
	"database/sql"
	"errors"
	"net/http"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/search"

	"vinculo/crm"
	"vinculo/crm/guard"
	"vinculo/plugins/accesslog"
	"vinculo/plugins/timeline"
)

// Limits of the lists of one answer.
const (
	recentClosedCases = 10
	maxOpen           = 100 // open deals, cases, tasks: more is a UI for lists, not a page
	maxOrders         = 20
	maxSubscriptions  = 50
	// A segment's filter is the business's own and may be slow; one that
	// takes longer than this is reported instead of holding the page.
	segmentBudget = time.Second
)

// Register adds the routes.
func Register(app core.App, cfg *crm.Config) error {
	// The id makes Register idempotent: a route added twice would panic.
	app.OnServe().Bind(&hook.Handler[*core.ServeEvent]{Id: "vinculo.customer360.routes", Func: func(se *core.ServeEvent) error {
		se.Router.GET("/api/crm/contacts/{id}/360", view).Bind(guard.Staff())
		se.Router.GET("/api/crm/contacts/{id}/timeline", timelinePage).Bind(guard.Staff())
		return se.Next()
	}})
	return nil
}

// View is the answer of /360.
type View struct {
	Contact       *core.Record     `json:"contact"`
	Company       *core.Record     `json:"company"`
	Preferences   map[string]any   `json:"preferences"`
	OpenCases     int              `json:"open_cases"`
	Deals         []*core.Record   `json:"deals"`
	Cases         []*core.Record   `json:"cases"` // open first, then the most recent closed
	Timeline      *timeline.Page   `json:"timeline"`
	Tasks         []*core.Record   `json:"tasks"`
	Orders        []*core.Record   `json:"orders"`
	Subscriptions []*core.Record   `json:"subscriptions"`
	Consents      []*core.Record   `json:"consents"`
	Segments      []SegmentRef     `json:"segments"`
	SegmentErrors []SegmentProblem `json:"segment_errors"`
}

// SegmentRef is a segment the contact is in.
type SegmentRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// SegmentProblem is a segment whose filter could not be evaluated.
type SegmentProblem struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Error string `json:"error"`
}

// reader checks who may read and holds what every section needs.
type reader struct {
	app  core.App
	info *core.RequestInfo
}

// newReader reads for the requester. Only the team comes in (the routes'
// guard); customers read their own records through the portal's rules,
// never this.
func newReader(e *core.RequestEvent) (*reader, error) {
	info, err := e.RequestInfo()
	if err != nil {
		return nil, err
	}
	return &reader{app: e.App, info: info}, nil
}

// query is a query of collection with its list (or view) rule for the
// requester applied, as the record API applies it. ok is false when the rule
// lets only superusers in.
func (r *reader) query(collection string, view bool) (q *dbx.SelectQuery, ok bool, err error) {
	c, err := r.app.FindCachedCollectionByNameOrId(collection)
	if err != nil {
		return nil, false, err
	}
	q = r.app.RecordQuery(c)
	if r.info.HasSuperuserAuth() {
		return q, true, nil
	}
	rule := c.ListRule
	if view {
		rule = c.ViewRule
	}
	if rule == nil {
		return nil, false, nil
	}
	if *rule != "" {
		resolver := core.NewRecordFieldResolver(r.app, c, r.info, true)
		expr, err := search.FilterData(*rule).BuildExpr(resolver)
		if err != nil {
			return nil, false, err
		}
		q.AndWhere(expr)
		if err := resolver.UpdateQuery(q); err != nil {
			return nil, false, err
		}
	}
	return q, true, nil
}

// list runs build on the rule-checked query of collection; a collection the
// requester may not list gives an empty list.
func (r *reader) list(collection string, build func(q *dbx.SelectQuery)) ([]*core.Record, error) {
	out := []*core.Record{}
	q, ok, err := r.query(collection, false)
	if err != nil || !ok {
		return out, err
	}
	build(q)
	return out, q.All(&out)
}

// one is the record of collection with id that the requester may view, or
// nil.
func (r *reader) one(collection, id string) (*core.Record, error) {
	if id == "" {
		return nil, nil
	}
	q, ok, err := r.query(collection, true)
	if err != nil || !ok {
		return nil, err
	}
	rec := &core.Record{}
	err = q.AndWhere(dbx.HashExp{collection + ".id": id}).Limit(1).One(rec)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// readContact is a reader for the request and the contact its path names;
// an error is the answer to send (the contact is not there, say).
func readContact(e *core.RequestEvent) (*reader, *core.Record, error) {
	r, err := newReader(e)
	if err != nil {
		return nil, nil, err
	}
	contact, err := r.one(crm.Contacts, e.Request.PathValue("id"))
	if err != nil {
		return nil, nil, e.InternalServerError("", err)
	}
	if contact == nil {
		return nil, nil, e.NotFoundError("No contact with that id.", nil)
	}
	return r, contact, nil
}

func view(e *core.RequestEvent) error {
	r, contact, err := readContact(e)
	if err != nil {
		return err
	}
	v, err := r.gather(e.Request.Context(), contact)
	if err != nil {
		return e.InternalServerError("", err)
	}
	if err := audit(e, crm.Contacts, contact.Id); err != nil {
		return e.InternalServerError("", err) // no read goes unrecorded
	}
	return e.JSON(http.StatusOK, v)
}

// timelinePage is the page of the timeline after ?cursor=.
func timelinePage(e *core.RequestEvent) error {
	r, contact, err := readContact(e)
	if err != nil {
		return err
	}
	page, err := r.timeline(contact.Id, e.Request.URL.Query().Get("cursor"))
	if errors.Is(err, timeline.ErrBadCursor) {
		return e.BadRequestError("Invalid cursor.", map[string]any{
			"cursor": map[string]string{"code": "validation_cursor", "message": err.Error()},
		})
	}
	if err != nil {
		return e.InternalServerError("", err)
	}
	if err := audit(e, crm.Activities, contact.Id); err != nil {
		return e.InternalServerError("", err)
	}
	return e.JSON(http.StatusOK, page)
}

// timeline reads a page with the activities list rule applied.
func (r *reader) timeline(contactID, after string) (*timeline.Page, error) {
	q, ok, err := r.query(crm.Activities, false)
	if err != nil {
		return nil, err
	}
	if !ok {
		return &timeline.Page{Items: []*core.Record{}}, nil
	}
	if q, err = timeline.PageQuery(q, contactID, after); err != nil {
		return nil, err
	}
	return timeline.FetchPage(q)
}

// audit records the read: the customer sees who looked at their record
// (plugins/accesslog queues it; a full disk is logged, never refuses a read).
func audit(e *core.RequestEvent, collection, contactID string) error {
	screen := crm.ScreenCustomer360
	if collection == crm.Activities {
		screen = crm.ScreenTimeline
	}
	return accesslog.Record(e, accesslog.Look{Contact: contactID, Collection: collection, Record: contactID,
		Screen: accesslog.Screen(e, screen)})
}
