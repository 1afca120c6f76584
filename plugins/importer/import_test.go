package importer_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/importer"
	"vinculo/testkit"
)

func newApp(t *testing.T) *tests.TestApp {
	t.Helper()
	app := testkit.NewApp(t)
	if err := plugins.All(app, testkit.Config(t)); err != nil {
		t.Fatal(err)
	}
	return app
}

func runFile(t *testing.T, app core.App, name string, opts importer.Options) *importer.Result {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if opts.Kind == "" {
		opts.Kind = importer.KindContacts
	}
	if opts.Mode == "" {
		opts.Mode = importer.ModeAllOrNothing
	}
	if opts.OnDuplicate == "" {
		opts.OnDuplicate = importer.DupSkip
	}
	if opts.Country == "" {
		opts.Country = "BR"
	}
	res, err := importer.Run(context.Background(), app, f, opts)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return res
}

func count(t *testing.T, app core.App, collection string) int64 {
	t.Helper()
	n, err := app.CountRecords(collection)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func contactBy(t *testing.T, app core.App, email string) *core.Record {
	t.Helper()
	r, err := app.FindFirstRecordByData(crm.Contacts, crm.FieldEmail, email)
	if err != nil {
		t.Fatalf("no contact %s: %v", email, err)
	}
	return r
}

// searchIDs finds records through the search index (which the import's
// writes feed through its triggers).
func searchIDs(t *testing.T, app core.App, word string) []string {
	t.Helper()
	var ids []string
	err := app.DB().NewQuery("SELECT m.record FROM _crm_search s JOIN _crm_search_map m ON m.id = s.rowid WHERE _crm_search MATCH {:q}").
		Bind(dbx.Params{"q": word}).Column(&ids)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestImportContactsEveryLayout(t *testing.T) {
	app := newApp(t)
	testkit.Save(t, app, crm.Staff, map[string]any{"email": "owner@staff.test", "name": "Owner Person", "role": crm.RoleAgent})
	// In this order: the vCard's João is the Excel file's (same name and company).
	files := []struct {
		file string
		n    int64
	}{
		{"google_contacts.csv", 3}, {"outlook.csv", 2}, {"hubspot.csv", 3}, {"excel_pt_windows1252.csv", 3},
		{"tab_separated.tsv", 2}, {"utf8_bom.csv", 2}, {"multiline.csv", 2}, {"vcard3.vcf", 2}, {"vcard4.vcf", 3},
	}
	total := int64(0)
	for _, f := range files {
		file, n := f.file, f.n
		res := runFile(t, app, file, importer.Options{})
		if res.Counts.Errors != 0 || res.Created != n || !res.Written {
			t.Errorf("%s: %+v, errors %v; want %d created", file, res.Counts, res.Errors, n)
		}
		total += res.Created
	}
	if got := count(t, app, crm.Contacts); got != total {
		t.Errorf("%d contacts, want %d", got, total)
	}

	// Normalised: E.164 phones, lower-cased emails, trimmed names, companies
	// found or created and linked, tags, stages and owners.
	m := contactBy(t, app, "mariana.albuquerque@paodoce.com.br")
	if m.GetString("name") != "Mariana Albuquerque" || m.GetString("mobile") != "+5511987651111" || m.GetString("phone") != "+551134561111" {
		t.Errorf("google row: %v", m.PublicExport())
	}
	if tags := m.GetStringSlice("tags"); !slices.Equal(tags, []string{"Clientes"}) {
		t.Errorf("tags %v", tags)
	}
	company, err := app.FindRecordById(crm.Companies, m.GetString("company"))
	if err != nil || company.GetString("name") != "Padaria Pão Doce Ltda" {
		t.Fatalf("company of Mariana: %v %v", company, err)
	}
	// The Portuguese Excel file's "Padaria Pão Doce" is the same company.
	j := contactBy(t, app, "joao.conceicao@padaria.com.br")
	if j.GetString("name") != "João Conceição" || j.GetString("company") != company.Id || j.GetString("mobile") != "+5511987654321" {
		t.Errorf("Windows-1252 row: %v", j.PublicExport())
	}
	p := contactBy(t, app, "pedro.almeida@globex.com")
	owner, _ := app.FindAuthRecordByEmail(crm.Staff, "owner@staff.test")
	if p.GetString("stage") != "prospect" || p.GetString("owner") != owner.Id {
		t.Errorf("hubspot row: %v", p.PublicExport())
	}
	f := contactBy(t, app, "fernanda@initech.com") // owner given by name
	if f.GetString("owner") != owner.Id || f.GetString("stage") != "customer" {
		t.Errorf("hubspot owner by name: %v", f.PublicExport())
	}
	if l := contactBy(t, app, "luisa@fabrikam.pt"); l.GetString("phone") != "+351211234567" {
		t.Errorf("Portuguese number: %v", l.GetString("phone"))
	}
	// The vCard's João (another email) shares the name and company of the
	// Excel file's João: a duplicate, skipped.
	if n, _ := app.CountRecords(crm.Contacts, dbx.HashExp{"name": "João Conceição"}); n != 1 {
		t.Errorf("%d João Conceição, want 1 (the vCard's is a duplicate)", n)
	}

	// Search is right after the import: the triggers indexed every row.
	if ids := searchIDs(t, app, "conceicao"); !slices.Contains(ids, j.Id) {
		t.Errorf("search for conceicao: %v, want %s", ids, j.Id)
	}
	if ids := searchIDs(t, app, "leticia"); len(ids) != 1 {
		t.Errorf("search for leticia: %v", ids)
	}
}

func TestImportDuplicates(t *testing.T) {
	for _, c := range []struct {
		policy                           string
		created, updated, skipped, dupes int64
		check                            func(t *testing.T, app core.App)
	}{
		{importer.DupSkip, 2, 0, 5, 5, nil},
		{importer.DupFill, 2, 1, 4, 5, func(t *testing.T, app core.App) {
			// Line 4 fills Rita's empty job title, not her name.
			if r := contactBy(t, app, "rita@exemplo.com"); r.GetString("name") != "Rita Moreira" || r.GetString("job_title") != "Gerente" {
				t.Errorf("fill: %v", r.PublicExport())
			}
		}},
		{importer.DupOverwrite, 2, 4, 1, 5, func(t *testing.T, app core.App) {
			if r := contactBy(t, app, "rita@exemplo.com"); r.GetString("name") != "MOREIRA Rita" {
				t.Errorf("overwrite: Rita is named %q, want the last duplicate's name", r.GetString("name"))
			}
		}},
		{importer.DupCreate, 7, 0, 0, 5, nil},
	} {
		t.Run(c.policy, func(t *testing.T) {
			app := newApp(t)
			ana := testkit.Save(t, app, crm.Contacts, map[string]any{"name": "Ana A", "email": "a@cust.test"})
			res := runFile(t, app, "duplicates.csv", importer.Options{OnDuplicate: c.policy})
			got := [4]int64{res.Created, res.Updated, res.Skipped, res.Duplicate}
			if want := [4]int64{c.created, c.updated, c.skipped, c.dupes}; got != want || res.Counts.Errors != 0 {
				t.Errorf("created, updated, skipped, duplicates = %v, want %v (errors %v, duplicates %v)", got, want, res.Errors, res.Duplicates)
			}
			var lines []int
			for _, d := range res.Duplicates {
				lines = append(lines, d.Line)
			}
			if !slices.Equal(lines, []int{2, 4, 5, 6, 8}) {
				t.Errorf("duplicates on lines %v: %v", lines, res.Duplicates)
			}
			if d := res.Duplicates[0]; !strings.Contains(d.Reason, ana.Id) || d.Field != "email" {
				t.Errorf("line 2 should be the existing Ana by email: %+v", d)
			}
			if d := res.Duplicates[2]; d.Field != "phone" || !strings.Contains(d.Reason, "line 3") {
				t.Errorf("line 5 should be line 3's phone: %+v", d)
			}
			if d := res.Duplicates[4]; d.Field != "name and company" || !strings.Contains(d.Reason, "line 7") {
				t.Errorf("line 8 should be line 7 by name and company: %+v", d)
			}
			if got := count(t, app, crm.Contacts); got != 1+c.created {
				t.Errorf("%d contacts, want %d", got, 1+c.created)
			}
			if c.check != nil {
				c.check(t, app)
			}
		})
	}
}

// A bad row late in the file: all or nothing writes nothing (the rows
// before it were written in the transaction and rolled back); valid only
// writes the others; a dry run writes nothing and says what would happen.
func TestImportAllOrNothingRollback(t *testing.T) {
	app := newApp(t)
	before := count(t, app, crm.Contacts)
	searchBefore := len(searchIDs(t, app, "cliente"))

	res := runFile(t, app, "late_failure.csv", importer.Options{Mode: importer.ModeAllOrNothing})
	if res.Written || res.Counts.Errors != 1 || res.Created != 69 {
		t.Fatalf("all or nothing: %+v written=%v", res.Counts, res.Written)
	}
	if e := res.Errors[0]; e.Line != 61 || e.Field != "email" || !strings.Contains(e.Reason, "not an email") {
		t.Errorf("error %+v, want line 61 email", e)
	}
	if got := count(t, app, crm.Contacts); got != before {
		t.Fatalf("all or nothing left %d contacts, want %d", got, before)
	}
	if got := len(searchIDs(t, app, "cliente")); got != searchBefore {
		t.Errorf("the search index kept %d rolled back rows", got-searchBefore)
	}
	// The writer connection is handed back as PocketBase set it up.
	var tempStore int
	if err := app.NonconcurrentDB().NewQuery("PRAGMA temp_store").Row(&tempStore); err != nil || tempStore != 2 {
		t.Errorf("temp_store = %d (%v), want 2 (memory) again", tempStore, err)
	}

	res = runFile(t, app, "late_failure.csv", importer.Options{Mode: importer.ModeDryRun})
	if res.Written || res.Created != 69 || res.Counts.Errors != 1 || count(t, app, crm.Contacts) != before {
		t.Fatalf("dry run: %+v written=%v", res.Counts, res.Written)
	}

	res = runFile(t, app, "late_failure.csv", importer.Options{Mode: importer.ModeValidOnly})
	if !res.Written || res.Created != 69 || res.Counts.Errors != 1 || count(t, app, crm.Contacts) != before+69 {
		t.Fatalf("valid only: %+v written=%v", res.Counts, res.Written)
	}
	// Run again: every row is now a duplicate of the database.
	res = runFile(t, app, "late_failure.csv", importer.Options{Mode: importer.ModeValidOnly})
	if res.Created != 0 || res.Duplicate != 69 {
		t.Errorf("second run: %+v", res.Counts)
	}
}

func TestImportCompanies(t *testing.T) {
	app := newApp(t)
	res := runFile(t, app, "companies.csv", importer.Options{Kind: importer.KindCompanies, Mode: importer.ModeValidOnly})
	if res.Created != 2 || res.Duplicate != 1 || res.Counts.Errors != 1 {
		t.Fatalf("%+v %v %v", res.Counts, res.Errors, res.Duplicates)
	}
	var fields []string
	for _, e := range res.Errors {
		fields = append(fields, e.Field)
	}
	if !slices.Equal(fields, []string{"domain", "country"}) || res.Errors[0].Line != 5 {
		t.Errorf("errors %+v", res.Errors)
	}
	c, err := app.FindFirstRecordByData(crm.Companies, "domain", "paodoce.com.br")
	if err != nil || c.GetString("country") != "BR" || c.GetString("phone") != "+551134567890" || c.GetString("city") != "São Paulo" {
		t.Fatalf("company: %v %v", c, err)
	}
}

// Mapping by hand: columns named as nobody guesses.
func TestImportMapping(t *testing.T) {
	app := newApp(t)
	path := filepath.Join(t.TempDir(), "odd.csv")
	os.WriteFile(path, []byte("Cliente|Correio|Fone\nZé Ninguém|ze@exemplo.com|11 4000-1000\n"), 0o644)
	_, err := importer.Run(context.Background(), app, strings.NewReader("Cliente,Correio\nZé,ze@x.com\n"),
		importer.Options{Kind: importer.KindContacts, Mode: importer.ModeAllOrNothing, OnDuplicate: importer.DupSkip})
	if err == nil || !strings.Contains(err.Error(), "no column holds a name or an email") {
		t.Errorf("unknown columns: %v", err)
	}
	res, err := importer.Run(context.Background(), app, strings.NewReader("Cliente;Correio;Fone\nZé Ninguém;ze@exemplo.com;11 4000-1000\n"),
		importer.Options{Kind: importer.KindContacts, Mode: importer.ModeAllOrNothing, OnDuplicate: importer.DupSkip, Country: "BR",
			Mapping: map[string]string{"Cliente": "name", "Correio": "email", "Fone": "phone"}})
	if err != nil || res.Created != 1 || res.Layout != importer.LayoutMapped {
		t.Fatalf("%v %+v", err, res)
	}
	if z := contactBy(t, app, "ze@exemplo.com"); z.GetString("phone") != "+551140001000" {
		t.Errorf("mapped row: %v", z.PublicExport())
	}
	_, err = importer.Run(context.Background(), app, strings.NewReader("A,B\n1,2\n"),
		importer.Options{Kind: importer.KindContacts, Mode: importer.ModeAllOrNothing, OnDuplicate: importer.DupSkip, Mapping: map[string]string{"A": "salary"}})
	if err == nil || !strings.Contains(err.Error(), "salary") {
		t.Errorf("a mapping to no field: %v", err)
	}
}
