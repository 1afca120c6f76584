// Package migrations holds Vinculo's schema as Go migrations, compiled into the
// binary. A released migration is never edited: a change is a new migration.
package migrations

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Field constructors, so each collection below reads as a list of its fields.

func text(name string, required bool, max int) *core.TextField {
	return &core.TextField{Name: name, Required: required, Max: max}
}

func pattern(name string, required bool, max int, re string) *core.TextField {
	return &core.TextField{Name: name, Required: required, Max: max, Pattern: re}
}

func email(name string, required bool) *core.EmailField {
	return &core.EmailField{Name: name, Required: required}
}

func number(name string, required bool, min, max float64, onlyInt bool) *core.NumberField {
	return &core.NumberField{Name: name, Required: required, Min: types.Pointer(min), Max: types.Pointer(max), OnlyInt: onlyInt}
}

func boolean(name string) *core.BoolField { return &core.BoolField{Name: name} }

func date(name string, required bool) *core.DateField {
	return &core.DateField{Name: name, Required: required}
}

func choice(name string, required bool, values ...string) *core.SelectField {
	return &core.SelectField{Name: name, Required: required, Values: values, MaxSelect: 1}
}

func choices(name string, values ...string) *core.SelectField {
	return &core.SelectField{Name: name, Values: values, MaxSelect: len(values)}
}

func jsonField(name string, required bool, maxBytes int64) *core.JSONField {
	return &core.JSONField{Name: name, Required: required, MaxSize: maxBytes}
}

func files(name string, maxFiles int) *core.FileField {
	return &core.FileField{Name: name, MaxSelect: maxFiles, MaxSize: 10 << 20}
}

// relation points at one record of another collection, already created.
func relation(app core.App, name, target string, required, cascade bool) *core.RelationField {
	c, err := app.FindCollectionByNameOrId(target)
	if err != nil {
		panic(fmt.Sprintf("relation %s -> %s: %v", name, target, err))
	}
	return &core.RelationField{Name: name, CollectionId: c.Id, Required: required, CascadeDelete: cascade, MaxSelect: 1}
}

func timestamps() []core.Field {
	return []core.Field{
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	}
}

// index adds a plain (or unique) index named after the collection and columns.
func index(c *core.Collection, unique bool, columns ...string) {
	name := "idx_" + c.Name + "_" + strings.Join(columns, "_")
	name = strings.NewReplacer(" ", "_", "`", "").Replace(name)
	quoted := make([]string, len(columns))
	for i, col := range columns {
		quoted[i] = "`" + col + "`" // some columns, like `case`, are SQL keywords
	}
	c.AddIndex(name, unique, strings.Join(quoted, ", "), "")
}

// Rules. PocketBase resolves an auth field the other auth collection lacks
// (a customer's `role`, a staff member's `contact`) to NULL, so staff and
// customer conditions can share one rule.
const (
	isStaff    = "@request.auth.collectionName = 'staff'"
	isWriter   = "(@request.auth.collectionName = 'staff' && (@request.auth.role = 'manager' || @request.auth.role = 'agent'))"
	isManager  = "(@request.auth.collectionName = 'staff' && @request.auth.role = 'manager')"
	isCustomer = "@request.auth.collectionName = 'customers'"
)

func rule(s string) *string { return &s }

func or(parts ...string) *string { return rule(strings.Join(parts, " || ")) }

// ownRecord: the customer's own record, through the given contact field.
func ownRecord(contactField string) string {
	return fmt.Sprintf("(%s && @request.auth.contact != '' && %s = @request.auth.contact)", isCustomer, contactField)
}

// companyShared: a record of the customer's company, seen only by customers
// whose company role is admin (and only when they have a company at all).
func companyShared(companyField string) string {
	return fmt.Sprintf("(%s && @request.auth.company_role = 'admin' && @request.auth.contact.company != '' && %s = @request.auth.contact.company)", isCustomer, companyField)
}

// agentOwns: managers delete anything, agents only what is theirs.
func agentOwns(ownerFields ...string) string {
	var own []string
	for _, f := range ownerFields {
		own = append(own, f+" = @request.auth.id")
	}
	return fmt.Sprintf("%s || (%s && (%s))", isManager, isWriter, strings.Join(own, " || "))
}

// onlyBodyFields forbids every field of c in the request body except allowed:
// what a customer may write is a list of what is theirs, so a field added to
// the collection later is internal until someone says otherwise.
func onlyBodyFields(c *core.Collection, allowed ...string) string {
	var forbidden []string
	for _, f := range c.Fields {
		name := f.GetName()
		if slices.Contains(allowed, name) {
			continue
		}
		forbidden = append(forbidden, "@request.body."+name+":isset = false")
	}
	return strings.Join(forbidden, " && ")
}
