// Package exporter streams contacts, companies, deals and cases out as CSV,
// vCard 4.0 (contacts) or JSON:
//
//	GET /api/crm/export/{contacts|companies|deals|cases}?format=csv|vcf|json
//	    &filter=<PocketBase filter>&q=<search text>&segment=<segment id>
//
// Staff only. The collection's list rule and the filter are applied exactly
// as the record API's list applies them, with the requester's own auth, so
// an export never shows more than the list would; a filter the list refuses
// (@collection. or @request. for non-superusers) is refused too. One SELECT is read row by
// row and written and flushed every PageSize rows: memory stays flat
// whatever the size of the export.
package exporter

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	pbsearch "github.com/pocketbase/pocketbase/tools/search"

	"vinculo/crm"
	"vinculo/crm/guard"
	"vinculo/plugins/accesslog"
	"vinculo/plugins/search"
	"vinculo/plugins/segments/segdef"
)

// Kinds are the collections that can be exported.
var Kinds = []string{crm.Contacts, crm.Companies, crm.Deals, crm.Cases}

// PageSize is how many rows are written between flushes (and share one
// query for their companies' names).
const PageSize = 500

// Formats.
const (
	CSV   = "csv"
	VCard = "vcf"
	JSON  = "json"
)

// Register adds the route.
func Register(app core.App, cfg *crm.Config) error {
	app.OnServe().Bind(&hook.Handler[*core.ServeEvent]{Id: "vinculo.exporter.routes", Func: func(se *core.ServeEvent) error {
		se.Router.GET("/api/crm/export/{kind}", handle).Bind(guard.Staff())
		return se.Next()
	}})
	return nil
}

// Params are an export's parameters, as read from the query string.
type Params struct {
	Kind, Format, Filter, Q, Segment string
}

func invalid(field, code, msg string) validation.Errors {
	return validation.Errors{field: validation.NewError(code, msg)}
}

// ParseParams reads and checks the parameters; it does not touch the database.
func ParseParams(kind string, v url.Values) (Params, validation.Errors) {
	p := Params{Kind: kind, Format: strings.ToLower(strings.TrimSpace(v.Get("format"))),
		Filter: strings.TrimSpace(v.Get("filter")), Q: strings.TrimSpace(v.Get("q")), Segment: strings.TrimSpace(v.Get("segment"))}
	errs := validation.Errors{}
	known := false
	for _, k := range Kinds {
		known = known || k == kind
	}
	if !known {
		errs["kind"] = validation.NewError("validation_invalid_kind", "Export contacts, companies, deals or cases.")
	}
	switch p.Format {
	case "":
		p.Format = CSV
	case CSV, JSON:
	case VCard, "vcard":
		p.Format = VCard
		if kind != crm.Contacts {
			errs["format"] = validation.NewError("validation_invalid_format", "vCard is for contacts; use csv or json.")
		}
	default:
		errs["format"] = validation.NewError("validation_invalid_format", "Use csv, vcf or json.")
	}
	if p.Segment != "" && kind != crm.Contacts {
		errs["segment"] = validation.NewError("validation_invalid_segment", "Segments are lists of contacts.")
	}
	if len(p.Filter) > 5000 {
		errs["filter"] = validation.NewError("validation_invalid_filter", "The filter is too long.")
	}
	if v.Has("q") {
		if _, err := search.Match(p.Q); err != nil {
			errs["q"] = validation.NewError("validation_invalid_q", err.Error())
		}
	}
	if len(errs) > 0 {
		return p, errs
	}
	return p, nil
}

func handle(e *core.RequestEvent) error {
	p, errs := ParseParams(e.Request.PathValue("kind"), e.Request.URL.Query())
	if errs != nil {
		return e.BadRequestError("Invalid export.", errs)
	}
	info, err := e.RequestInfo()
	if err != nil {
		return e.BadRequestError("", err)
	}
	ex, err := newExport(e.App, info, p)
	if err != nil {
		if ve, ok := err.(validation.Errors); ok {
			return e.BadRequestError("Invalid export.", ve)
		}
		if err == errForbidden {
			return e.ForbiddenError("You cannot list these records.", nil)
		}
		if so, ok := err.(*superuserOnlyError); ok {
			return e.ForbiddenError(so.message, invalid(so.field, "validation_superuser_only_filter", so.message))
		}
		return e.InternalServerError("The export could not start.", err)
	}

	w := e.Response
	h := w.Header()
	h.Set("Content-Type", contentTypes[p.Format])
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s.%s"`, p.Kind, time.Now().UTC().Format("2006-01-02"), p.Format))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	err = ex.Stream(e.Request.Context(), w, func() { _ = e.Flush() })
	// What was sent left with the export, whole or cut short: each customer
	// in it sees it on their log (plugins/accesslog, after the answer).
	audit(e, p, ex.members)
	if err != nil {
		// The status is sent: cut the connection so the client sees a
		// broken download rather than a file that looks complete.
		e.App.Logger().Error("export failed mid-stream", "kind", p.Kind, "error", err)
		panic(http.ErrAbortHandler)
	}
	return nil
}

var contentTypes = map[string]string{
	CSV:   "text/csv; charset=utf-8",
	VCard: "text/vcard; charset=utf-8",
	JSON:  "application/json; charset=utf-8",
}

// audit records who exported what: an export takes customers' data out.
// One row with the filter and the count, and the customers it held (members)
// so each one's log lists it.
func audit(e *core.RequestEvent, p Params, members []string) {
	reason := fmt.Sprintf("format=%s filter=%q q=%q segment=%q", p.Format, p.Filter, p.Q, p.Segment)
	if err := accesslog.Export(e, p.Kind, crm.Truncate(reason, 500), members); err != nil {
		e.App.Logger().Warn("export: audit entry not written", "error", err)
	}
}

var errForbidden = fmt.Errorf("forbidden")

// superuserOnlyFields are what PocketBase's record list refuses in a
// non-superuser's filter or sort (apis/record_helpers.go, v0.40:
// superuserOnlyRuleFields): @collection. joins any collection without its
// rules, @request. reads the requester's hidden fields.
var superuserOnlyFields = []string{"@collection.", "@request."}

// superuserOnlyError is a filter the record list would refuse: 403.
type superuserOnlyError struct{ field, message string }

func (e *superuserOnlyError) Error() string { return e.message }

// checkSuperuserOnly refuses, for a non-superuser, a filter using what the
// record list keeps for superusers; the same loose substring test as
// PocketBase's checkForSuperuserOnlyRuleFields, so both refuse alike.
func checkSuperuserOnly(info *core.RequestInfo, field, filter string) error {
	if info.HasSuperuserAuth() {
		return nil
	}
	for _, f := range superuserOnlyFields {
		if strings.Contains(filter, f) {
			msg := "Only superusers can filter by " + f
			if field == "segment" {
				msg = "This segment's filter uses " + f + ", which only superusers can filter by."
			}
			return &superuserOnlyError{field: field, message: msg}
		}
	}
	return nil
}

// export is one export: what it reads and the columns it writes.
type export struct {
	app        core.App
	info       *core.RequestInfo
	p          Params
	collection *core.Collection
	segment    string // the segment's stored filter
	// segmentExpr is a segment built from conditions (segdef), compiled.
	segmentExpr dbx.Expression
	columns     []string
	members     []string // the customers the rows written belong to (plugins/accesslog)
}

func newExport(app core.App, info *core.RequestInfo, p Params) (*export, error) {
	c, err := app.FindCachedCollectionByNameOrId(p.Kind)
	if err != nil {
		return nil, err
	}
	if !info.HasSuperuserAuth() && c.ListRule == nil {
		return nil, errForbidden
	}
	ex := &export{app: app, info: info, p: p, collection: c}
	if err := checkSuperuserOnly(info, "filter", p.Filter); err != nil {
		return nil, err
	}
	if p.Segment != "" {
		seg, err := app.FindRecordById(crm.Segments, p.Segment)
		if err != nil {
			return nil, invalid("segment", "validation_not_found", "No such segment.")
		}
		if segdef.Has(seg) { // built in the workspace: its compiled conditions
			c, err := segdef.Of(app, seg, time.Now(), "exseg")
			if err != nil {
				return nil, invalid("segment", "validation_invalid_segment", err.Error())
			}
			ex.segmentExpr = c.Expression("[[" + crm.Contacts + ".id]]")
		}
		ex.segment = seg.GetString("filter")
		// A segment's filter is any staff writer's text: the list would get
		// it as a filter, so it meets the same refusal.
		if err := checkSuperuserOnly(info, "segment", ex.segment); err != nil {
			return nil, err
		}
	}
	// Build the query before anything is sent: a filter that does not
	// parse is the requester's mistake, answered with a 400.
	if _, err := ex.query(); err != nil {
		return nil, err
	}
	ex.columns = []string{"id"}
	for _, f := range c.Fields {
		if f.GetHidden() || f.GetName() == "id" || f.Type() == core.FieldTypePassword {
			continue
		}
		ex.columns = append(ex.columns, f.GetName())
	}
	return ex, nil
}

// query is the export's SELECT: the list rule, the filter, the segment and
// the search applied, in id order.
func (ex *export) query() (*dbx.SelectQuery, error) {
	table := ex.collection.Name
	q := ex.app.RecordQuery(ex.collection)
	resolver := core.NewRecordFieldResolver(ex.app, ex.collection, ex.info, true)
	if !ex.info.HasSuperuserAuth() && ex.collection.ListRule != nil && *ex.collection.ListRule != "" {
		expr, err := pbsearch.FilterData(*ex.collection.ListRule).BuildExpr(resolver)
		if err != nil {
			return nil, err
		}
		q.AndWhere(expr)
	}
	resolver.SetAllowHiddenFields(ex.info.HasSuperuserAuth())
	for _, f := range []struct{ field, filter string }{{"filter", ex.p.Filter}, {"segment", ex.segment}} {
		if f.filter == "" {
			continue
		}
		expr, err := pbsearch.FilterData(f.filter).BuildExpr(resolver)
		if err != nil {
			return nil, invalid(f.field, "validation_invalid_filter", "The filter does not parse: "+err.Error())
		}
		q.AndWhere(expr)
	}
	if ex.segmentExpr != nil {
		q.AndWhere(ex.segmentExpr)
	}
	if ex.p.Q != "" {
		match, err := search.Match(ex.p.Q)
		if err != nil {
			return nil, invalid("q", "validation_invalid_q", err.Error())
		}
		q.AndWhere(dbx.NewExp(fmt.Sprintf(
			"[[%[3]s.id]] IN (SELECT m.record FROM `%[1]s` JOIN `%[2]s` m ON m.id = `%[1]s`.rowid WHERE `%[1]s` MATCH {:exportMatch} AND m.collection = {:exportCollection})",
			search.Table, search.MapTable, table),
			dbx.Params{"exportMatch": match, "exportCollection": table}))
	}
	if err := resolver.UpdateQuery(q); err != nil {
		return nil, err
	}
	q.OrderBy(fmt.Sprintf("[[%s.id]] ASC", table))
	return q, nil
}
