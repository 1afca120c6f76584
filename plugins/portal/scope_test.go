package portal_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/testkit"
)

// A customer's list of any collection is led by the indexes of what is
// theirs (their contact, company, account): SQLite never reads a whole table
// for it, whatever its size (cuA is a member of her company; cuB and cuC
// are their companies' admins). And the list is exactly what the collection's
// rule lets that customer see, row for row, with or without a filter of
// their own.
func TestCustomerListsAreLedByTheirScope(t *testing.T) {
	w := portalWorld(t)
	openCase(t, w, "cuA", "ctA", "Ana's own", false)
	openCase(t, w, "cuB", "ctB", "Bruno's shared", true)
	openCase(t, w, "cuC", "ctC", "Carla's", true)
	for _, ct := range []string{"ctA", "ctB", "ctC"} {
		w.Make(t, "", crm.Orders, map[string]any{"contact": w.ID(ct), "currency": "BRL",
			"items": []map[string]any{{"name": "Fibra 600", "quantity": 1, "unit_price": 149.9}}})
		w.Make(t, "", crm.Consents, map[string]any{"contact": w.ID(ct), "purpose": "marketing", "channel": "email", "state": "granted", "source": "portal"})
	}
	log := testkit.LogSQL(t, w.App)
	collections, err := w.App.FindAllCollections()
	if err != nil {
		t.Fatal(err)
	}
	narrowed := 0
	for _, who := range []string{"cuA", "cuB", "cuC"} {
		auth := w.R(who)
		for _, c := range collections {
			if c.ListRule == nil || c.IsView() || !strings.Contains(*c.ListRule, "'customers'") {
				continue
			}
			for _, own := range []string{"", "created != ''"} {
				path := "/api/collections/" + c.Name + "/records?perPage=500"
				if own != "" {
					path += "&filter=" + strings.ReplaceAll(own, " ", "%20")
				}
				want := visibleTo(t, w, c, auth)
				log.Take()
				res := must(t, w.Do(t, http.MethodGet, path, who, nil), http.StatusOK, who+" lists "+c.Name)
				var page struct {
					Items []struct {
						ID string `json:"id"`
					} `json:"items"`
				}
				res.JSON(t, &page)
				var got []string
				for _, it := range page.Items {
					got = append(got, it.ID)
				}
				stmts := log.Take()
				if !sameIDs(got, want) {
					t.Errorf("%s lists %s (filter %q): %v, the rule lets them see %v", who, c.Name, own, got, want)
				}
				for _, stmt := range stmts {
					if !strings.HasPrefix(stmt, "SELECT") || !strings.Contains(stmt, "`"+c.Name+"`") {
						continue
					}
					plan := testkit.QueryPlan(t, w.App, stmt, nil)
					if scansTable(plan, c.Name) && !smallCatalog(c.Name) && !adminsOr(who, c) {
						t.Errorf("%s lists %s: the query reads the whole table:\n%s\n%s", who, c.Name, stmt, plan)
					}
					if strings.Contains(stmt, "@request") {
						t.Errorf("unresolved %s", stmt)
					}
				}
				narrowed++
			}
		}
	}
	if narrowed < 30 {
		t.Fatalf("only %d customer lists checked", narrowed)
	}
}

// adminsOr: a company admin sees their own rows or their company's, one OR
// of two indexed columns. SQLite leads it by both indexes once its
// statistics say the table is big (TestCompanyAdminsListsAreLedByTheIndexes);
// this world has none, and SQLite may then read the small table instead.
func adminsOr(who string, c *core.Collection) bool {
	return who != "cuA" && strings.Contains(*c.ListRule, "company_role = 'admin'")
}

// The catalogs every customer sees whole (active types, products, topics):
// small, and what a customer sees of them is most of them.
func smallCatalog(name string) bool {
	return slices.Contains([]string{crm.CaseTypes, crm.Products, crm.NewsTopics}, name)
}

func scansTable(plan, table string) bool {
	for _, line := range strings.Split(plan, "\n") {
		line = strings.TrimLeft(line, "|-` ")
		if (line == "SCAN "+table || strings.HasPrefix(line, "SCAN "+table+" ")) && !strings.Contains(line, "USING INDEX") && !strings.Contains(line, "USING COVERING INDEX") {
			return true
		}
	}
	return false
}

// visibleTo is every row of c the list rule lets auth see, asked of
// PocketBase one row at a time.
func visibleTo(t *testing.T, w *testkit.World, c *core.Collection, auth *core.Record) []string {
	t.Helper()
	all, err := w.App.FindAllRecords(c)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range all {
		ok, err := w.App.CanAccessRecord(r, &core.RequestInfo{Auth: auth, Method: http.MethodGet}, c.ListRule)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if ok {
			ids = append(ids, r.Id)
		}
	}
	return ids
}

func sameIDs(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
