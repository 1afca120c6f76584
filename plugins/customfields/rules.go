package customfields

import (
	"database/sql"
	"errors"
	"slices"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// A customer's write rules (contacts update, requests create and update)
// were written with the fields the collection had then
// (pb_migrations' onlyBodyFields): a field added later is not in them. Every
// change of the custom fields therefore rewrites the collection's create and
// update rules with one more clause, kept at their end:
//
//	(<the rule>) && (@request.auth.collectionName != 'customers' || (@request.body.cf_x:isset = false && ...))
//
// naming every internal custom field. Staff and superusers are untouched;
// a customer sending an internal field is refused by PocketBase itself, on
// every door that checks the rules (record API, batch, $crm in hooks).
const guardHead = "(@request.auth.collectionName != '" + crm.Customers + "' || ("

// guarded is rule with the clause for internal; nil stays nil (superusers only).
func guarded(rule *string, internal []string) *string {
	if rule == nil {
		return nil
	}
	base := unguarded(*rule)
	if len(internal) == 0 {
		return &base
	}
	parts := make([]string, len(internal))
	for i, name := range internal {
		parts[i] = "@request.body." + name + ":isset = false"
	}
	clause := guardHead + strings.Join(parts, " && ") + "))"
	if base == "" {
		return &clause
	}
	out := "(" + base + ") && " + clause
	return &out
}

// unguarded is the rule without the clause guarded added.
func unguarded(rule string) string {
	i := strings.LastIndex(rule, guardHead)
	if i < 0 || !strings.HasSuffix(rule, "))") {
		return rule
	}
	if i == 0 {
		return ""
	}
	head := rule[:i]
	if !strings.HasPrefix(head, "(") || !strings.HasSuffix(head, ") && ") {
		return rule
	}
	return head[1 : len(head)-len(") && ")]
}

// internalFields are c's custom fields customers may not see or write: all
// but those a row of custom_fields marks as the customer's (a cf_ field
// added from the dashboard, without a row, is internal).
func internalFields(app core.App, c *core.Collection) ([]string, error) {
	var theirs []string
	err := app.DB().Select("name").From(crm.CustomFields).
		Where(dbx.HashExp{"collection": c.Name, "customer": true}).Column(&theirs)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	var out []string
	for _, f := range c.Fields {
		if name := f.GetName(); crm.IsCustomField(name) && !slices.Contains(theirs, name) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out, nil
}

// guardCollection puts the clause for c's internal fields on its create and
// update rules; it tells whether they changed.
func guardCollection(app core.App, c *core.Collection) (bool, error) {
	internal, err := internalFields(app, c)
	if err != nil {
		return false, err
	}
	create, update := guarded(c.CreateRule, internal), guarded(c.UpdateRule, internal)
	changed := !sameRule(create, c.CreateRule) || !sameRule(update, c.UpdateRule)
	c.CreateRule, c.UpdateRule = create, update
	return changed, nil
}

func sameRule(a, b *string) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

// SyncRules brings the rules of every collection that can hold custom
// fields up to date with them; it saves nothing when they already are, so
// it runs at every start.
func SyncRules(app core.App) error {
	if _, err := app.FindCachedCollectionByNameOrId(crm.CustomFields); err != nil {
		return nil // before the migration
	}
	for _, name := range crm.CustomFieldCollections {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			continue
		}
		changed, err := guardCollection(app, c)
		if err != nil {
			return err
		}
		if changed {
			if err := app.Save(c); err != nil {
				return err
			}
		}
	}
	return nil
}
