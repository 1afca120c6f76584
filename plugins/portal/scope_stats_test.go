package portal_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	"vinculo/crm"
	"vinculo/plugins/storage"
	"vinculo/testkit"
)

// A company admin's lists of what has a contact and a company (their own
// rows or their company's: one OR of two indexed columns) are led by those two indexes once the planner's
// statistics know the table is big. The business here has grown since the
// statistics were taken (thousands of other customers' rows written behind
// the app's back, as an import or the months do); the refresh the server
// runs at start and after an import brings them up to date, and the lists
// then read only the admin's rows. Without the refresh SQLite plans these
// lists as for a small table and reads all of it.
func TestCompanyAdminsListsAreLedByTheIndexes(t *testing.T) {
	w := portalWorld(t)
	openCase(t, w, "cuB", "ctB", "Bruno's shared", true)
	w.Make(t, "", crm.Orders, map[string]any{"contact": w.ID("ctB"), "currency": "BRL",
		"items": []map[string]any{{"name": "Fibra 600", "quantity": 1, "unit_price": 149.9}}})

	collections, err := w.App.FindAllCollections()
	if err != nil {
		t.Fatal(err)
	}
	var admins []string
	for _, c := range collections {
		if c.ListRule != nil && !c.IsView() && strings.Contains(*c.ListRule, "company_role = 'admin'") &&
			c.Fields.GetByName("contact") != nil && c.Fields.GetByName("company") != nil {
			admins = append(admins, c.Name)
		}
	}
	if len(admins) < 5 {
		t.Fatalf("only %d collections with a company admin's branch: %v", len(admins), admins)
	}

	before := map[string][]string{}
	for _, name := range admins {
		before[name] = adminList(t, w, name)
	}
	for _, name := range admins {
		fillOthers(t, w, name, 3000)
	}
	if err := storage.RefreshStatistics(w.App); err != nil {
		t.Fatal(err)
	}

	log := testkit.LogSQL(t, w.App)
	for _, name := range admins {
		log.Take()
		got := adminList(t, w, name)
		if !sameIDs(got, before[name]) {
			t.Errorf("cuB lists %s: %v after the other customers' rows, %v before", name, got, before[name])
		}
		for _, stmt := range log.Take() {
			if !strings.HasPrefix(stmt, "SELECT") || !strings.Contains(stmt, "`"+name+"`") {
				continue
			}
			if plan := testkit.QueryPlan(t, w.App, stmt, nil); scansTable(plan, name) {
				t.Errorf("cuB lists %s: the query reads the whole table:\n%s", name, plan)
			}
		}
	}
}

func adminList(t *testing.T, w *testkit.World, name string) []string {
	t.Helper()
	res := must(t, w.Do(t, http.MethodGet, "/api/collections/"+name+"/records?perPage=500", "cuB", nil), http.StatusOK, "cuB lists "+name)
	var page struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	res.JSON(t, &page)
	ids := []string{}
	for _, it := range page.Items {
		ids = append(ids, it.ID)
	}
	return ids
}

// fillOthers writes n rows of other customers (300 companies, 2,000
// contacts) straight into the table; every column a unique index covers gets
// a value of its own.
func fillOthers(t *testing.T, w *testkit.World, table string, n int) {
	t.Helper()
	cols := map[string]string{"contact": "'other-contact-' || (i % 2000)", "company": "'other-company-' || (i % 300)"}
	var idx []struct {
		Name   string `db:"name"`
		Unique int    `db:"unique"`
	}
	if err := w.App.DB().NewQuery("SELECT name, [[unique]] FROM pragma_index_list({:t})").Bind(dbx.Params{"t": table}).All(&idx); err != nil {
		t.Fatal(err)
	}
	for _, ix := range idx {
		if ix.Unique == 0 {
			continue
		}
		var names []string
		if err := w.App.DB().NewQuery("SELECT name FROM pragma_index_info({:i})").Bind(dbx.Params{"i": ix.Name}).Column(&names); err != nil {
			t.Fatal(err)
		}
		for _, c := range names {
			if _, ok := cols[c]; !ok && c != "id" {
				cols[c] = fmt.Sprintf("'%s-%s-' || i", table, c)
			}
		}
	}
	var names, values []string
	for c, v := range cols {
		names = append(names, "[["+c+"]]")
		values = append(values, v)
	}
	sql := fmt.Sprintf("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) INSERT INTO {{%s}} (%s) SELECT %s FROM n",
		n, table, strings.Join(names, ", "), strings.Join(values, ", "))
	if _, err := w.App.DB().NewQuery(sql).Execute(); err != nil {
		t.Fatalf("%s: %v", table, err)
	}
}
