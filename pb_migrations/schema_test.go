package migrations_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/dbutils"

	"vinculo/crm"
	"vinculo/testkit"
)

// Every collection of the design exists, and every relation field and every
// field a rule filters on leads an index: an unindexed rule or relation costs
// 5–100× at a million rows.
func TestEveryRuleAndRelationFieldIsIndexed(t *testing.T) {
	app := testkit.NewApp(t)
	fieldInRule := regexp.MustCompile(`(?:^|[\s(|&])([a-z_]+)(?:\.[a-z_]+)*\s*(?:=|!=|\?=|~|>|<)`)
	for _, name := range crm.AllCollections {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			t.Errorf("collection %s is missing: %v", name, err)
			continue
		}
		leading := map[string]bool{"id": true}
		for _, raw := range c.Indexes {
			idx := dbutils.ParseIndex(raw)
			if len(idx.Columns) > 0 {
				leading[strings.Trim(idx.Columns[0].Name, "`[]\"")] = true
			}
		}
		for _, f := range c.Fields {
			if f.Type() == core.FieldTypeRelation && !leading[f.GetName()] {
				t.Errorf("%s.%s is a relation without an index it leads", name, f.GetName())
			}
		}
		for _, rule := range []*string{c.ListRule, c.ViewRule} {
			if rule == nil {
				continue
			}
			for _, m := range fieldInRule.FindAllStringSubmatch(*rule, -1) {
				field := m[1]
				if c.Fields.GetByName(field) == nil || leading[field] || field == "public" || field == "internal" || field == "shared" || field == "active" {
					continue // not a field here, or a flag checked on rows an indexed field already narrowed
				}
				t.Errorf("%s: the list/view rule filters on %s, which leads no index", name, field)
			}
		}
	}
}

// Customers sign in by code; a password works only for those who set one
// (the portal's route), and MFA only for those who asked for it and have a
// password. Staff use passwords. Both are auth collections with the role
// fields the rules read.
func TestAuthCollections(t *testing.T) {
	app := testkit.NewApp(t)
	customers, err := app.FindCollectionByNameOrId(crm.Customers)
	if err != nil {
		t.Fatal(err)
	}
	if !customers.IsAuth() || !customers.OTP.Enabled || !customers.PasswordAuth.Enabled || customers.MFA.Rule != "mfa = true && has_password = true" {
		t.Errorf("customers: auth %v, OTP %v, password %v, MFA rule %q; want OTP, passwords for those who set one, MFA for those who ask",
			customers.IsAuth(), customers.OTP.Enabled, customers.PasswordAuth.Enabled, customers.MFA.Rule)
	}
	staff, err := app.FindCollectionByNameOrId(crm.Staff)
	if err != nil {
		t.Fatal(err)
	}
	if !staff.IsAuth() || !staff.PasswordAuth.Enabled || staff.Fields.GetByName(crm.FieldRole) == nil {
		t.Errorf("staff must be an auth collection with password sign-in and a role")
	}
	contacts, _ := app.FindCollectionByNameOrId(crm.Contacts)
	if contacts.IsAuth() {
		t.Error("contacts must be a plain collection: a million imports cannot hash a password each")
	}
}
