package portal

import (
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/ganigeorgiev/fexpr"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/search"
)

// A collection's list rule is one OR of the staff's conditions and the
// customers'. PocketBase binds `@request.auth.collectionName` as a
// parameter, so SQLite cannot see that a customer's request leaves only the
// customers' branches, and reads the whole table to answer an unfiltered
// list (at a million contacts, or five million timeline entries, one
// request from any signed-in customer). narrowToCustomerScope adds to a
// customer's list filter the rule's own customers' branches — the part of
// the rule that can hold for a customer — so SQLite leads with their
// indexes (the customer's contact, company, account). It only ever narrows:
// the rule still applies in full to every row, so a scope read wrongly
// could hide a customer's rows, never show another's.

// customerBranches are the parts of rule that may hold for a customer:
// its top-level OR branches that do not require
// `@request.auth.collectionName = 'staff'`; nil when there is nothing to
// narrow (no staff branch to leave out, or a rule not parsed).
func customerBranches(rule string) [][]fexpr.ExprGroup {
	if v, ok := scopes.Load(rule); ok {
		return v.([][]fexpr.ExprGroup)
	}
	var kept [][]fexpr.ExprGroup
	if groups, err := fexpr.Parse(rule); err == nil {
		branches := flatBranches(groups)
		for _, branch := range branches {
			if !branchRequiresStaff(branch) {
				kept = append(kept, branch)
			}
		}
		if len(kept) == len(branches) {
			kept = nil
		}
	}
	scopes.Store(rule, kept)
	return kept
}

var scopes sync.Map // rule text → its customers' branches

// customerScope writes the customers' branches of rule as a filter a
// customer may send: every `@request.auth.…` replaced by its value for
// auth (PocketBase refuses `@request` in a client's filter). ok is false
// when there is nothing to narrow or a branch is not written faithfully;
// scope "" with ok true: no branch holds for a customer.
func customerScope(app core.App, rule string, auth *core.Record) (scope string, ok bool) {
	branches := customerBranches(rule)
	if branches == nil {
		return "", false
	}
	w := scopeWriter{app: app, auth: auth}
	var kept []string
	for _, branch := range branches {
		p, ok := w.chain(branch)
		if !ok {
			return "", false
		}
		switch {
		case p.known && p.value:
			return "", false // a branch holds for every row: nothing to narrow
		case !p.known:
			kept = append(kept, "("+p.text+")")
		}
	}
	return strings.Join(kept, " || "), true
}

// orBranches splits groups as SQL reads PocketBase's output (AND binds
// tighter than OR): each branch is a run of items joined by AND.
func orBranches(groups []fexpr.ExprGroup) [][]fexpr.ExprGroup {
	var out [][]fexpr.ExprGroup
	for i, g := range groups {
		if i == 0 || g.Join == fexpr.JoinOr {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], g)
	}
	return out
}

// flatBranches are the OR branches of groups, a parenthesised OR standing
// alone in a branch opened into its own branches.
func flatBranches(groups []fexpr.ExprGroup) [][]fexpr.ExprGroup {
	var out [][]fexpr.ExprGroup
	for _, branch := range orBranches(groups) {
		if len(branch) == 1 {
			item := branch[0].Item
			if g, ok := item.(fexpr.ExprGroup); ok {
				item = []fexpr.ExprGroup{g}
			}
			if inner, ok := item.([]fexpr.ExprGroup); ok {
				out = append(out, flatBranches(inner)...)
				continue
			}
		}
		out = append(out, branch)
	}
	return out
}

func branchRequiresStaff(branch []fexpr.ExprGroup) bool {
	for _, g := range branch {
		if itemRequiresStaff(g.Item) {
			return true
		}
	}
	return false
}

func itemRequiresStaff(item any) bool {
	switch v := item.(type) {
	case fexpr.Expr:
		return isStaffCheck(v)
	case fexpr.ExprGroup:
		return itemRequiresStaff(v.Item)
	case []fexpr.ExprGroup:
		branches := orBranches(v)
		for _, b := range branches {
			if !branchRequiresStaff(b) {
				return false
			}
		}
		return len(branches) > 0
	}
	return false
}

func isStaffCheck(e fexpr.Expr) bool {
	if e.Op != fexpr.SignEq {
		return false
	}
	l, r := e.Left, e.Right
	if r.Type == fexpr.TokenIdentifier {
		l, r = r, l
	}
	return l.Type == fexpr.TokenIdentifier && l.Literal == "@request.auth.collectionName" &&
		r.Type == fexpr.TokenText && r.Literal == "staff"
}

// scopeWriter writes groups back as filter text; false for anything it
// does not write faithfully (functions, quotes inside a text, an auth path
// longer than two steps).
type scopeWriter struct {
	app  core.App
	auth *core.Record
}

// part is a piece of filter text, or its value when it is known without
// reading a row (it compares the reader's values only).
type part struct {
	text         string
	known, value bool
}

// chain writes groups joined as SQL reads them (AND before OR), leaving
// out what is known: a branch known false, a condition known true.
func (w scopeWriter) chain(groups []fexpr.ExprGroup) (part, bool) {
	var ors []string
	anyTrue := false
	for _, branch := range orBranches(groups) {
		var ands []string
		isFalse := false
		for _, g := range branch {
			p, ok := w.item(g.Item)
			if !ok {
				return part{}, false
			}
			if p.known && !p.value {
				isFalse = true
			} else if !p.known {
				ands = append(ands, p.text)
			}
		}
		switch {
		case isFalse:
		case len(ands) == 0:
			anyTrue = true
		default:
			ors = append(ors, strings.Join(ands, " && "))
		}
	}
	switch {
	case anyTrue:
		return part{known: true, value: true}, true
	case len(ors) == 0:
		return part{known: true, value: false}, true
	case len(ors) == 1:
		return part{text: ors[0]}, true
	}
	return part{text: "(" + strings.Join(ors, " || ") + ")"}, true
}

func (w scopeWriter) item(item any) (part, bool) {
	switch v := item.(type) {
	case fexpr.Expr:
		return w.expr(v)
	case fexpr.ExprGroup:
		return w.item(v.Item)
	case []fexpr.ExprGroup:
		p, ok := w.chain(v)
		if ok && !p.known {
			p.text = "(" + p.text + ")"
		}
		return p, ok
	}
	return part{}, false
}

func (w scopeWriter) expr(e fexpr.Expr) (part, bool) {
	l, lit1, ok1 := w.token(e.Left)
	r, lit2, ok2 := w.token(e.Right)
	if !ok1 || !ok2 {
		return part{}, false
	}
	if lit1 && lit2 && (e.Op == fexpr.SignEq || e.Op == fexpr.SignNeq) {
		return part{known: true, value: (l == r) == (e.Op == fexpr.SignEq)}, true
	}
	return part{text: l + " " + string(e.Op) + " " + r}, true
}

// token writes t; literal says it is a value, not a field of the row.
func (w scopeWriter) token(t fexpr.Token) (text string, literal, ok bool) {
	switch t.Type {
	case fexpr.TokenIdentifier:
		if path, ok := strings.CutPrefix(t.Literal, "@request.auth."); ok {
			text, ok := w.authValue(path)
			return text, true, ok
		}
		if strings.HasPrefix(t.Literal, "@") {
			return "", false, false
		}
		return t.Literal, false, true
	case fexpr.TokenNumber:
		return t.Literal, true, true
	case fexpr.TokenText:
		text, ok := quoted(t.Literal)
		return text, true, ok
	}
	return "", false, false
}

// authValue is the value of an auth path (`contact`, `contact.company`,
// `collectionName`) as a filter literal.
func (w scopeWriter) authValue(path string) (string, bool) {
	steps := strings.Split(path, ".")
	rec := w.auth
	if len(steps) > 2 {
		return "", false
	}
	if len(steps) == 2 {
		field, ok := rec.Collection().Fields.GetByName(steps[0]).(*core.RelationField)
		if !ok || field.MaxSelect != 1 {
			return "", false
		}
		if rec.GetString(steps[0]) == "" {
			return "''", true // PocketBase reads a path through an empty relation as ''
		}
		next, err := w.app.FindRecordById(field.CollectionId, rec.GetString(steps[0]))
		if err != nil {
			return "''", true
		}
		rec = next
	}
	name := steps[len(steps)-1]
	if name == "collectionName" {
		return quoted(rec.Collection().Name)
	}
	switch v := rec.Get(name).(type) {
	case string:
		return quoted(v)
	case bool:
		return fmt.Sprint(v), true
	}
	return "", false
}

func quoted(s string) (string, bool) {
	if strings.ContainsAny(s, `'"\`) {
		return "", false
	}
	return "'" + s + "'", true
}

// narrowToCustomerScope adds the collection's customers' scope to a
// customer's list request (GET of the records route), before PocketBase
// reads the filter.
func narrowToCustomerScope(e *core.RequestEvent, collection *core.Collection) {
	if e.Request.Method != http.MethodGet || e.Request.PathValue("id") != "" ||
		!strings.HasSuffix(e.Request.Pattern, "/records") || collection.ListRule == nil {
		return
	}
	scope, ok := customerScope(e.App, *collection.ListRule, e.Auth)
	if !ok || scope == "" {
		return
	}
	q := e.Request.URL.Query()
	filter := "(" + scope + ")"
	if own := strings.TrimSpace(q.Get(search.FilterQueryParam)); own != "" {
		filter += " && (" + own + ")"
	}
	q.Set(search.FilterQueryParam, filter)
	e.Request.URL.RawQuery = q.Encode()
}
