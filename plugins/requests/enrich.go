package requests

import (
	"encoding/json"
	"regexp"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/crm/guard"
)

// OpenCasesKey is the read-only number added to every contact and company in
// API answers (list, view, expand, realtime): its open requests. It is not a
// field, so it can be neither written nor filtered on.
const OpenCasesKey = "open_cases"

func enrichOpenCases(e *core.RecordEnrichEvent) error {
	if e.RequestInfo == nil || e.RequestInfo.Context == core.RequestInfoContextExpand {
		// Expanded records get their own nested expands after this hook
		// returns, and those would leak through WithCustomData (see below).
		return e.Next()
	}
	var n int
	var ok bool
	var countErr error
	if counted, isInt := e.Record.Get(pageCountKey).(int); isInt {
		n, ok = counted, true // counted for the whole page by countPage
	} else {
		n, ok, countErr = OpenCases(e.App, e.Record, e.RequestInfo.Auth)
	}
	if countErr != nil {
		// A count is not worth failing the answer for.
		e.App.Logger().Warn("requests: counting open cases failed", "record", e.Record.Id, "error", countErr)
	}
	// e.Next runs the default enriching, expands included.
	if err := e.Next(); err != nil {
		return err
	}
	if countErr == nil && ok {
		// WithCustomData exports every custom key, and PocketBase's expand
		// leaves the unfiltered ids of back-relations (cases_via_contact)
		// as custom keys: hide those, which the expand answers properly.
		// Without an expand there are none to hide.
		if e.RequestInfo.Query["expand"] != "" {
			for key := range e.Record.CustomData() {
				if relationPath.MatchString(key) {
					e.Record.Hide(key)
				}
			}
		}
		e.Record.WithCustomData(true)
		e.Record.Set(OpenCasesKey, n)
	}
	return nil
}

// relationPath matches the custom keys expand writes: x_via_y (and the
// older x(y)).
var relationPath = regexp.MustCompile(`_via_|\(`)

// OpenCases counts the open cases of a contact or company that auth may
// see: all of them for staff and superusers; for a customer, the same cases
// the cases list rule shows them (their own, and their company's shared ones
// when they are its admin). ok is false for anyone else.
func OpenCases(app core.App, r *core.Record, auth *core.Record) (n int, ok bool, err error) {
	q, ok := openCasesQuery(app, r, auth)
	if !ok {
		return 0, false, nil
	}
	err = q.Row(&n)
	return n, err == nil, err
}

// openCasesQuery is served by the (contact, closed) or (company, closed) index.
func openCasesQuery(app core.App, r *core.Record, auth *core.Record) (*dbx.SelectQuery, bool) {
	var field string
	switch r.Collection().Name {
	case crm.Contacts:
		field = crm.FieldContact
	case crm.Companies:
		field = crm.FieldCompany
	default:
		return nil, false
	}
	q := app.DB().Select("COUNT(*)").From(crm.Cases).
		Where(dbx.NewExp("[["+field+"]] = {:id} AND [[closed]] = FALSE", dbx.Params{"id": r.Id}))
	switch {
	case auth == nil:
		return nil, false
	case guard.IsStaff(auth):
		return q, true
	case auth.Collection().Name == crm.Customers:
		// the cases list rule, for this customer
		own := auth.GetString(crm.FieldContact)
		visible := dbx.NewExp("[[contact]] = {:own} AND [[contact]] != ''", dbx.Params{"own": own})
		if auth.GetString(crm.FieldCompanyRole) == crm.CompanyAdmin {
			if company := companyOf(app, own); company != "" {
				visible = dbx.Or(visible, dbx.NewExp("([[shared]] = TRUE AND [[company]] = {:company})", dbx.Params{"company": company}))
			}
		}
		return q.AndWhere(visible), true
	default:
		return nil, false
	}
}

func companyOf(app core.App, contactID string) string {
	var company string
	_ = app.DB().Select(crm.FieldCompany).From(crm.Contacts).Where(dbx.HashExp{"id": contactID}).Row(&company)
	return company
}

// pageCountQuery counts the open cases of each of records (contacts or
// companies, by field) in one grouped query, led by the (field, closed)
// index. The ids travel as one JSON parameter: binding one parameter per
// row costs more than the count.
func pageCountQuery(app core.App, field string, records []*core.Record) *dbx.SelectQuery {
	ids := make([]string, len(records))
	for i, r := range records {
		ids[i] = r.Id
	}
	list, _ := json.Marshal(ids)
	return app.DB().Select("[["+field+"]] AS id", "COUNT(*) AS n").From(crm.Cases).
		Where(dbx.NewExp("[["+field+"]] IN (SELECT [[value]] FROM json_each({:ids}))", dbx.Params{"ids": string(list)})).
		AndWhere(dbx.NewExp("[[closed]] = FALSE")).
		GroupBy(field)
}

// pageCountKey holds a count made for a whole list page. PocketBase never
// exports custom keys with the @pbInternal prefix.
const pageCountKey = "@pbInternalOpenCases"

// countPage counts the open cases of a staff member's whole list page in one
// grouped query, instead of one query per row in enrichOpenCases. Customers
// list only their own contact and company, so they keep the per-record path.
func countPage(e *core.RecordsListRequestEvent) error {
	auth := e.Auth
	if len(e.Records) < 2 || !guard.IsStaff(auth) {
		return e.Next()
	}
	field := crm.FieldContact
	if e.Collection.Name == crm.Companies {
		field = crm.FieldCompany
	}
	var rows []struct {
		ID string `db:"id"`
		N  int    `db:"n"`
	}
	err := pageCountQuery(e.App, field, e.Records).All(&rows)
	if err != nil {
		e.App.Logger().Warn("requests: counting a page's open cases failed", "error", err)
		return e.Next() // the per-record path still answers
	}
	counts := make(map[string]int, len(rows))
	for _, row := range rows {
		counts[row.ID] = row.N
	}
	for _, r := range e.Records {
		r.Set(pageCountKey, counts[r.Id])
	}
	return e.Next()
}
