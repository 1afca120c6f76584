package demo_test

import (
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/demo"
	"vinculo/testkit"
)

var now = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

func counts(t *testing.T, app core.App) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, name := range crm.AllCollections {
		n, err := app.CountRecords(name)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = n
	}
	return out
}

// validateAll runs PocketBase's record validation on the records of
// collection matching where (every record when where is nil). The bulk path
// writes rows with SQL, so only this shows they are records PocketBase accepts.
func validateAll(t *testing.T, app core.App, collection string, where dbx.Expression) int {
	t.Helper()
	c, err := app.FindCollectionByNameOrId(collection)
	if err != nil {
		t.Fatal(err)
	}
	var records []*core.Record
	q := app.RecordQuery(c).OrderBy("id")
	if where != nil {
		q = q.AndWhere(where)
	}
	if err := q.All(&records); err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, r := range records {
		if err := app.Validate(r); err != nil {
			failed++
			if failed <= 5 {
				t.Errorf("%s %s is not a valid record: %v", collection, r.Id, err)
			}
		}
	}
	if failed > 5 {
		t.Errorf("%s: %d of %d records invalid", collection, failed, len(records))
	}
	return len(records)
}

func newApp(t *testing.T) *tests.TestApp {
	app, _ := newAppConfig(t, nil)
	return app
}

// newAppConfig: as in the binary, every plugin's hooks are active while the
// demo is written.
func newAppConfig(t *testing.T, tune func(*crm.Config)) (*tests.TestApp, *crm.Config) {
	t.Helper()
	app := testkit.NewApp(t)
	cfg := testkit.Config(t)
	if tune != nil {
		tune(cfg)
	}
	if err := plugins.All(app, cfg); err != nil {
		t.Fatal(err)
	}
	return app, cfg
}

func TestGenerateDemoBusiness(t *testing.T) {
	app := newApp(t)

	sum, err := demo.Generate(app, demo.Options{Contacts: 300, ActivitiesPerContact: 5, Now: now})
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	if sum.NewContacts != 300 {
		t.Fatalf("NewContacts = %d, want 300", sum.NewContacts)
	}
	got := counts(t, app)
	exact := map[string]int64{
		crm.Companies: 50, crm.Contacts: 300, crm.Staff: 4 /* with Paulo, the partner */, crm.Customers: 2, crm.Pipelines: 2,
		crm.CaseTypes: 5, crm.Products: 6,
	}
	for name, want := range exact {
		if got[name] != want {
			t.Errorf("%s: %d records, want %d", name, got[name], want)
		}
	}
	for _, name := range []string{crm.Deals, crm.Cases, crm.CaseMessages, crm.Tasks, crm.Orders, crm.Subscriptions, crm.Consents, crm.PipelineStages} {
		if got[name] == 0 {
			t.Errorf("%s: none generated", name)
		}
	}
	// Five interactions logged per contact, and the system's entries of the
	// deals, requests, orders, subscriptions and surveys.
	var logged, system int64
	if err := app.DB().NewQuery("SELECT COUNT(*) FROM activities WHERE event = ''").Row(&logged); err != nil {
		t.Fatal(err)
	}
	if err := app.DB().NewQuery("SELECT COUNT(*) FROM activities WHERE event != ''").Row(&system); err != nil {
		t.Fatal(err)
	}
	if logged != 1500 || system == 0 {
		t.Errorf("activities: %d logged, %d system entries; want 1500 and some", logged, system)
	}
	// past requests are history: nothing is queued to their customers
	if got[crm.Outbox] != 0 {
		t.Errorf("the demo queued %d messages to customers", got[crm.Outbox])
	}
	if got[crm.Consents] < 600 {
		t.Errorf("consents: %d, want at least service and marketing for each of 300 contacts", got[crm.Consents])
	}

	// The team: one of each role.
	staff, err := app.FindAllRecords(crm.Staff)
	if err != nil {
		t.Fatal(err)
	}
	roles := map[string]int{}
	for _, s := range staff {
		roles[s.GetString(crm.FieldRole)]++
	}
	if roles[crm.RoleManager] != 1 || roles[crm.RoleAgent] != 1 || roles[crm.RoleReadonly] != 1 {
		t.Errorf("staff roles: %v", roles)
	}

	// Two portal customers of one company: a member and an admin.
	customers, err := app.FindAllRecords(crm.Customers)
	if err != nil {
		t.Fatal(err)
	}
	companyRoles := map[string]bool{}
	companies := map[string]bool{}
	for _, cu := range customers {
		companyRoles[cu.GetString(crm.FieldCompanyRole)] = true
		contact, err := app.FindRecordById(crm.Contacts, cu.GetString(crm.FieldContact))
		if err != nil {
			t.Fatalf("customer %s: contact: %v", cu.Id, err)
		}
		companies[contact.GetString(crm.FieldCompany)] = true
	}
	if !companyRoles[crm.CompanyMember] || !companyRoles[crm.CompanyAdmin] {
		t.Errorf("customer company roles: %v", companyRoles)
	}
	if len(companies) != 1 || companies[""] {
		t.Errorf("the portal customers are not in one company: %v", companies)
	}

	// Deals in both pipelines; cases of all five types, a licence among them.
	var pipelines []struct {
		Pipeline string `db:"pipeline"`
	}
	if err := app.DB().NewQuery("SELECT DISTINCT pipeline FROM deals").All(&pipelines); err != nil {
		t.Fatal(err)
	}
	if len(pipelines) != 2 {
		t.Errorf("deals in %d pipelines, want 2", len(pipelines))
	}
	var types []struct {
		Code string `db:"code"`
	}
	if err := app.DB().NewQuery("SELECT DISTINCT case_types.code AS code FROM cases JOIN case_types ON case_types.id = cases.type").All(&types); err != nil {
		t.Fatal(err)
	}
	codes := map[string]bool{}
	for _, ty := range types {
		codes[ty.Code] = true
	}
	if len(codes) != 5 || !codes["LIC"] {
		t.Errorf("case types used: %v, want all 5 including LIC", codes)
	}

	// Names are Brazilian Portuguese, accents included.
	if _, err := app.FindFirstRecordByData(crm.Contacts, "name", "João Conceição"); err != nil {
		t.Errorf("no contact named João Conceição: %v", err)
	}
	contacts, err := app.FindAllRecords(crm.Contacts)
	if err != nil {
		t.Fatal(err)
	}
	accented := 0
	for _, c := range contacts {
		if strings.IndexFunc(c.GetString("name"), func(r rune) bool { return r > unicode.MaxASCII }) >= 0 {
			accented++
		}
	}
	if accented < len(contacts)/3 {
		t.Errorf("only %d of %d contact names have accents", accented, len(contacts))
	}

	// Every generated record is one PocketBase accepts.
	for _, name := range crm.AllCollections {
		validateAll(t, app, name, nil)
	}

	// A second run adds nothing.
	sum, err = demo.Generate(app, demo.Options{Contacts: 300, ActivitiesPerContact: 5, Now: now})
	if err != nil {
		t.Fatalf("second Generate: %v", err)
	}
	if sum.NewContacts != 0 || sum.NewRows != 0 {
		t.Errorf("second run: %d new contacts, %d new rows", sum.NewContacts, sum.NewRows)
	}
	if again := counts(t, app); !equal(again, got) {
		t.Errorf("second run changed the counts:\nbefore %v\nafter  %v", got, again)
	}
}

func TestGenerateGrows(t *testing.T) {
	app := newApp(t)
	if _, err := demo.Generate(app, demo.Options{Contacts: 300, ActivitiesPerContact: 5, Now: now}); err != nil {
		t.Fatal(err)
	}
	before := counts(t, app)

	sum, err := demo.Generate(app, demo.Options{Contacts: 1000, ActivitiesPerContact: 5, Now: now})
	if err != nil {
		t.Fatalf("Generate 1000: %v", err)
	}
	after := counts(t, app)
	if sum.NewContacts != 700 || after[crm.Contacts]-before[crm.Contacts] != 700 {
		t.Fatalf("contacts: %d -> %d (summary: %d new), want exactly 700 more", before[crm.Contacts], after[crm.Contacts], sum.NewContacts)
	}
	if after[crm.Activities]-before[crm.Activities] != 700*5 {
		t.Errorf("activities: %d -> %d, want 3500 more", before[crm.Activities], after[crm.Activities])
	}
	if after[crm.Consents] <= before[crm.Consents] {
		t.Errorf("the new contacts got no consents")
	}
	// The rest of the business does not grow with the contacts.
	for _, name := range []string{crm.Companies, crm.Staff, crm.Customers, crm.Deals, crm.Cases, crm.Orders} {
		if after[name] != before[name] {
			t.Errorf("%s: %d -> %d", name, before[name], after[name])
		}
	}

	// The new rows are valid records too: a sample of them.
	newContacts := dbx.NewExp("id > {:from} AND (CAST(substr(id, 3) AS INTEGER) % 7) = 0", dbx.Params{"from": "ct0000000000300"})
	if n := validateAll(t, app, crm.Contacts, newContacts); n < 90 {
		t.Errorf("validated only %d new contacts", n)
	}
	if n := validateAll(t, app, crm.Activities, dbx.NewExp("contact > {:from} AND (CAST(substr(id, 3) AS INTEGER) % 11) = 0", dbx.Params{"from": "ct0000000000300"})); n < 300 {
		t.Errorf("validated only %d new activities", n)
	}
	if n := validateAll(t, app, crm.Consents, dbx.NewExp("contact > {:from} AND (CAST(substr(id, 3) AS INTEGER) % 5) = 0", dbx.Params{"from": "ct0000000000300"})); n < 200 {
		t.Errorf("validated only %d new consents", n)
	}

	// And growing is idempotent as well.
	sum, err = demo.Generate(app, demo.Options{Contacts: 1000, ActivitiesPerContact: 5, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if again := counts(t, app); sum.NewContacts != 0 || !equal(again, after) {
		t.Errorf("third run changed the counts:\nbefore %v\nafter  %v", after, again)
	}
}

func equal(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
