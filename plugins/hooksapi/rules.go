package hooksapi

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/inflector"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/search"
	"github.com/pocketbase/pocketbase/tools/security"
	"github.com/spf13/cast"

	"vinculo/crm"
	"vinculo/plugins/timeline"
)

// Hooks that use $app or Go record APIs go around the API rules. A $crm
// function given {as: who} acts for that person instead: it checks the
// collection's API rule (create, update, view or list) with who as
// @request.auth and the fields given as @request.body, as the record API
// would, refuses with 403 when the rule says no, and marks the change with
// who as its actor on the timeline. Without `as` the call is the system's
// (or the integration's, see actor) and no rule is checked.

// acting is who a call acts for; auth nil means the system.
type acting struct {
	auth  *core.Record
	actor timeline.Actor
}

var system = &acting{actor: timeline.System}

// resolveAs reads the `as` option: an auth record (staff, customers or a
// superuser), {staff: id}, {customer: id}, or {contact: id} — the customer
// of that contact: their portal account when they have one, otherwise the
// contact without an account (rules that need the account then refuse).
func resolveAs(app core.App, v any) (*acting, error) {
	switch x := v.(type) {
	case nil:
		return system, nil
	case *core.Record:
		return actingRecord(x)
	case map[string]any:
		if id := cast.ToString(x["staff"]); id != "" {
			r, err := app.FindRecordById(crm.Staff, id)
			if err != nil {
				return nil, router.NewBadRequestError(fmt.Sprintf("as: no staff member %q", id), nil)
			}
			return actingRecord(r)
		}
		if id := cast.ToString(x["customer"]); id != "" {
			r, err := app.FindRecordById(crm.Customers, id)
			if err != nil {
				return nil, router.NewBadRequestError(fmt.Sprintf("as: no customer account %q", id), nil)
			}
			return actingRecord(r)
		}
		if id := cast.ToString(x["contact"]); id != "" {
			if _, err := app.FindRecordById(crm.Contacts, id); err != nil {
				return nil, router.NewBadRequestError(fmt.Sprintf("as: no contact %q", id), nil)
			}
			account, err := app.FindFirstRecordByFilter(crm.Customers, "contact = {:c}", dbx.Params{"c": id})
			if err == nil {
				return actingRecord(account)
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return nil, err
			}
			customers, err := app.FindCachedCollectionByNameOrId(crm.Customers)
			if err != nil {
				return nil, err
			}
			synthetic := core.NewRecord(customers)
			synthetic.Set(crm.FieldContact, id)
			synthetic.Set(crm.FieldCompanyRole, crm.CompanyMember)
			return &acting{auth: synthetic, actor: timeline.Actor{Type: timeline.ActorCustomer, Channel: timeline.ChannelPortal}}, nil
		}
	}
	return nil, router.NewBadRequestError("as: give an auth record, {staff: id}, {customer: id} or {contact: id}", nil)
}

func actingRecord(r *core.Record) (*acting, error) {
	switch {
	case r.IsSuperuser():
		return &acting{auth: r, actor: timeline.Integration}, nil
	case r.Collection().Name == crm.Staff:
		return &acting{auth: r, actor: timeline.Actor{Type: timeline.ActorStaff, Staff: r.Id, Channel: timeline.ChannelAPI}}, nil
	case r.Collection().Name == crm.Customers:
		return &acting{auth: r, actor: timeline.Actor{Type: timeline.ActorCustomer, Customer: r.Id, Channel: timeline.ChannelPortal}}, nil
	}
	return nil, router.NewBadRequestError(fmt.Sprintf("as: a %s record cannot act here", r.Collection().Name), nil)
}

func (a *acting) info(method string, body map[string]any) *core.RequestInfo {
	if body == nil {
		body = map[string]any{}
	}
	return &core.RequestInfo{Auth: a.auth, Body: body, Method: method, Context: core.RequestInfoContextDefault,
		Query: map[string]string{}, Headers: map[string]string{}}
}

func forbidden(action, collection string) error {
	return router.NewForbiddenError(fmt.Sprintf("The API rules do not let this %s %s.", action, collection), nil)
}

// checkCreate checks collection's create rule for the new record r and the
// body that filled it, as the record API does: against the record's values
// as a one-row table.
func (a *acting) checkCreate(app core.App, r *core.Record, body map[string]any) error {
	if a.auth == nil {
		return nil
	}
	info := a.info("POST", body)
	c := r.Collection()
	if info.HasSuperuserAuth() {
		return nil
	}
	if c.CreateRule == nil {
		return forbidden("create", c.Name)
	}
	if *c.CreateRule == "" {
		return nil
	}
	dummy := r.Clone()
	suffix := "__vinculo_create__" + security.PseudorandomString(6)
	if dummy.Id == "" {
		dummy.Id = "__temp_id__" + suffix
	}
	exported, err := dummy.DBExport(app)
	if err != nil {
		return err
	}
	params := make(dbx.Params, len(exported))
	selects := make([]string, 0, len(exported))
	for k, v := range exported {
		k = inflector.Columnify(k)
		params["__vc__"+k] = v
		selects = append(selects, "{:__vc__"+k+"} AS [["+k+"]]")
	}
	dummyCollection := *c
	dummyCollection.Id += suffix
	dummyCollection.Name += inflector.Columnify(suffix)
	query := app.DB().Select("(1)").
		PreFragment(fmt.Sprintf("WITH {{%s}} as (SELECT %s)", dummyCollection.Name, strings.Join(selects, ","))).
		From(dummyCollection.Name).AndBind(params)
	resolver := core.NewRecordFieldResolver(app, &dummyCollection, info, true)
	expr, err := search.FilterData(*c.CreateRule).BuildExpr(resolver)
	if err != nil {
		return err
	}
	query.AndWhere(expr)
	if err := resolver.UpdateQuery(query); err != nil {
		return err
	}
	var exists int
	if err := query.Limit(1).Row(&exists); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if exists == 0 {
		return forbidden("create", c.Name)
	}
	return nil
}

// checkUpdate checks the update rule of the stored record with body.
func (a *acting) checkUpdate(app core.App, stored *core.Record, body map[string]any) error {
	if a.auth == nil {
		return nil
	}
	ok, err := app.CanAccessRecord(stored, a.info("PATCH", body), stored.Collection().UpdateRule)
	if err != nil {
		return err
	}
	if !ok {
		return forbidden("update", stored.Collection().Name)
	}
	return nil
}

// checkView checks the view rule of r.
func (a *acting) checkView(app core.App, r *core.Record) error {
	if a.auth == nil {
		return nil
	}
	ok, err := app.CanAccessRecord(r, a.info("GET", nil), r.Collection().ViewRule)
	if err != nil {
		return err
	}
	if !ok {
		return router.NewNotFoundError("", nil) // as the API: what one may not see does not exist
	}
	return nil
}

// list is the records of collection matching filter that the list rule
// lets a see, sorted, at most limit.
func (a *acting) list(app core.App, collection, filter string, params dbx.Params, sort string, limit int) ([]*core.Record, error) {
	c, err := app.FindCachedCollectionByNameOrId(collection)
	if err != nil {
		return nil, err
	}
	info := a.info("GET", nil)
	var resolver *core.RecordFieldResolver
	if a.auth == nil {
		resolver = core.NewRecordFieldResolver(app, c, nil, true)
	} else {
		resolver = core.NewRecordFieldResolver(app, c, info, true)
	}
	q := app.RecordQuery(c)
	if a.auth != nil && !info.HasSuperuserAuth() {
		if c.ListRule == nil {
			return nil, forbidden("list", c.Name)
		}
		if *c.ListRule != "" {
			expr, err := search.FilterData(*c.ListRule).BuildExpr(resolver)
			if err != nil {
				return nil, err
			}
			q.AndWhere(expr)
		}
	}
	if filter != "" {
		expr, err := search.FilterData(filter).BuildExpr(resolver, params)
		if err != nil {
			return nil, router.NewBadRequestError("Invalid filter: "+err.Error(), nil)
		}
		q.AndWhere(expr)
	}
	if strings.TrimSpace(sort) == "" {
		sort = "-created"
	}
	for _, s := range search.ParseSortFromString(sort) {
		expr, err := s.BuildExpr(resolver)
		if err != nil {
			return nil, router.NewBadRequestError("Invalid sort: "+err.Error(), nil)
		}
		if expr != "" {
			q.AndOrderBy(expr)
		}
	}
	if err := resolver.UpdateQuery(q); err != nil {
		return nil, err
	}
	var out []*core.Record
	if err := q.Limit(int64(limit)).All(&out); err != nil {
		return nil, err
	}
	return out, nil
}
