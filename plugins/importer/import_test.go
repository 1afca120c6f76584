package importer_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/importer"
	"vinculo/testkit"
)

// set changes *v to value until the test ends.
func set[T any](t *testing.T, v *T, value T) {
	old := *v
	*v = value
	t.Cleanup(func() { *v = old })
}

// people is a contacts file: the header name,email and n rows of row, a
// format of the row's number (twice).
func people(n int, row string) *strings.Builder {
	file := &strings.Builder{}
	file.WriteString("name,email\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(file, row+"\n", i, i)
	}
	return file
}

func runFile(t *testing.T, w *testkit.World, name string, opts importer.Options) *importer.Result {
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
	res, err := importer.Run(context.Background(), w.App, f, opts)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return res
}

func contactBy(t *testing.T, w *testkit.World, email string) *core.Record {
	t.Helper()
	r, err := w.App.FindFirstRecordByData(crm.Contacts, crm.FieldEmail, email)
	if err != nil {
		t.Fatalf("no contact %s: %v", email, err)
	}
	return r
}

// searchIDs finds records through the search index (which the import's
// writes feed through its triggers).
func searchIDs(t *testing.T, w *testkit.World, word string) []string {
	t.Helper()
	var ids []string
	err := w.App.DB().NewQuery("SELECT m.record FROM _crm_search s JOIN _crm_search_map m ON m.id = s.rowid WHERE _crm_search MATCH {:q}").
		Bind(dbx.Params{"q": word}).Column(&ids)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestImportContactsEveryLayout(t *testing.T) {
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All))
	w.Make(t, "owner", crm.Staff, map[string]any{"email": "owner@staff.test", "name": "Owner Person", "role": crm.RoleAgent})
	// In this order: the vCard's João is the Excel file's (same phones).
	files := []struct {
		file string
		n    int64
	}{
		{"google_contacts.csv", 3}, {"outlook.csv", 2}, {"hubspot.csv", 3}, {"excel_pt_windows1252.csv", 3},
		{"tab_separated.tsv", 2}, {"utf8_bom.csv", 2}, {"multiline.csv", 2}, {"vcard3.vcf", 2}, {"vcard4.vcf", 3},
	}
	total := 0
	for _, f := range files {
		file, n := f.file, f.n
		res := runFile(t, w, file, importer.Options{})
		if res.Counts.Errors != 0 || res.Created != n || !res.Written {
			t.Errorf("%s: %+v, errors %v; want %d created", file, res.Counts, res.Errors, n)
		}
		total += int(res.Created)
	}
	if got := w.Count(t, crm.Contacts, ""); got != total {
		t.Errorf("%d contacts, want %d", got, total)
	}

	// Normalised: E.164 phones, lower-cased emails, trimmed names, companies
	// found or created and linked, tags, stages and owners.
	m := contactBy(t, w, "mariana.albuquerque@paodoce.com.br")
	if m.GetString("name") != "Mariana Albuquerque" || m.GetString("mobile") != "+5511987651111" || m.GetString("phone") != "+551134561111" {
		t.Errorf("google row: %v", m.PublicExport())
	}
	if tags := m.GetStringSlice("tags"); !slices.Equal(tags, []string{"Clientes"}) {
		t.Errorf("tags %v", tags)
	}
	company, err := w.App.FindRecordById(crm.Companies, m.GetString("company"))
	if err != nil || company.GetString("name") != "Padaria Pão Doce Ltda" {
		t.Fatalf("company of Mariana: %v %v", company, err)
	}
	// The Portuguese Excel file's "Padaria Pão Doce" is the same company.
	j := contactBy(t, w, "joao.conceicao@padaria.com.br")
	if j.GetString("name") != "João Conceição" || j.GetString("company") != company.Id || j.GetString("mobile") != "+5511987654321" {
		t.Errorf("Windows-1252 row: %v", j.PublicExport())
	}
	p := contactBy(t, w, "pedro.almeida@globex.com")
	owner := w.R("owner")
	if p.GetString("stage") != "prospect" || p.GetString("owner") != owner.Id {
		t.Errorf("hubspot row: %v", p.PublicExport())
	}
	f := contactBy(t, w, "fernanda@initech.com") // owner given by name
	if f.GetString("owner") != owner.Id || f.GetString("stage") != "customer" {
		t.Errorf("hubspot owner by name: %v", f.PublicExport())
	}
	if l := contactBy(t, w, "luisa@fabrikam.pt"); l.GetString("phone") != "+351211234567" {
		t.Errorf("Portuguese number: %v", l.GetString("phone"))
	}
	// The vCard's João (another email) has the Excel file's João's phones: a
	// duplicate, skipped. (Name and company alone would not make him one.)
	if n := w.Count(t, crm.Contacts, "name = {:name}", dbx.Params{"name": "João Conceição"}); n != 1 {
		t.Errorf("%d João Conceição, want 1 (the vCard's is a duplicate)", n)
	}

	// Search is right after the import: the triggers indexed every row.
	if ids := searchIDs(t, w, "conceicao"); !slices.Contains(ids, j.Id) {
		t.Errorf("search for conceicao: %v, want %s", ids, j.Id)
	}
	if ids := searchIDs(t, w, "leticia"); len(ids) != 1 {
		t.Errorf("search for leticia: %v", ids)
	}
}

func TestImportDuplicates(t *testing.T) {
	for _, c := range []struct {
		policy                           string
		created, updated, skipped, dupes int64
		check                            func(t *testing.T, w *testkit.World)
	}{
		{importer.DupSkip, 2, 0, 5, 5, nil},
		{importer.DupFill, 2, 1, 4, 5, func(t *testing.T, w *testkit.World) {
			// Line 4 fills Rita's empty job title, not her name.
			if r := contactBy(t, w, "rita@exemplo.com"); r.GetString("name") != "Rita Moreira" || r.GetString("job_title") != "Gerente" {
				t.Errorf("fill: %v", r.PublicExport())
			}
		}},
		{importer.DupOverwrite, 2, 4, 1, 5, func(t *testing.T, w *testkit.World) {
			if r := contactBy(t, w, "rita@exemplo.com"); r.GetString("name") != "MOREIRA Rita" {
				t.Errorf("overwrite: Rita is named %q, want the last duplicate's name", r.GetString("name"))
			}
		}},
		{importer.DupCreate, 7, 0, 0, 5, nil},
	} {
		t.Run(c.policy, func(t *testing.T) {
			w := testkit.NewWorld(t, testkit.Plugins(plugins.All))
			ana := w.Make(t, "ana", crm.Contacts, map[string]any{"name": "Ana A", "email": "a@cust.test"})
			res := runFile(t, w, "duplicates.csv", importer.Options{OnDuplicate: c.policy})
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
			if got := int64(w.Count(t, crm.Contacts, "")); got != 1+c.created {
				t.Errorf("%d contacts, want %d", got, 1+c.created)
			}
			if c.check != nil {
				c.check(t, w)
			}
		})
	}
}

// A bad row late in the file: all or nothing writes nothing (the rows
// before it were written in the transaction and rolled back); valid only
// writes the others; a dry run writes nothing and says what would happen.
func TestImportAllOrNothingRollback(t *testing.T) {
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All))
	before := w.Count(t, crm.Contacts, "")
	searchBefore := len(searchIDs(t, w, "cliente"))

	res := runFile(t, w, "late_failure.csv", importer.Options{Mode: importer.ModeAllOrNothing})
	if res.Written || res.Counts.Errors != 1 || res.Created != 69 {
		t.Fatalf("all or nothing: %+v written=%v", res.Counts, res.Written)
	}
	if e := res.Errors[0]; e.Line != 61 || e.Field != "email" || !strings.Contains(e.Reason, "not an email") {
		t.Errorf("error %+v, want line 61 email", e)
	}
	if got := w.Count(t, crm.Contacts, ""); got != before {
		t.Fatalf("all or nothing left %d contacts, want %d", got, before)
	}
	if got := len(searchIDs(t, w, "cliente")); got != searchBefore {
		t.Errorf("the search index kept %d rolled back rows", got-searchBefore)
	}
	// The writer connection is handed back as PocketBase set it up.
	var tempStore int
	if err := w.App.NonconcurrentDB().NewQuery("PRAGMA temp_store").Row(&tempStore); err != nil || tempStore != 2 {
		t.Errorf("temp_store = %d (%v), want 2 (memory) again", tempStore, err)
	}

	res = runFile(t, w, "late_failure.csv", importer.Options{Mode: importer.ModeDryRun})
	if res.Written || res.Created != 69 || res.Counts.Errors != 1 || w.Count(t, crm.Contacts, "") != before {
		t.Fatalf("dry run: %+v written=%v", res.Counts, res.Written)
	}

	res = runFile(t, w, "late_failure.csv", importer.Options{Mode: importer.ModeValidOnly})
	if !res.Written || res.Created != 69 || res.Counts.Errors != 1 || w.Count(t, crm.Contacts, "") != before+69 {
		t.Fatalf("valid only: %+v written=%v", res.Counts, res.Written)
	}
	// Run again: every row is now a duplicate of the database.
	res = runFile(t, w, "late_failure.csv", importer.Options{Mode: importer.ModeValidOnly})
	if res.Created != 0 || res.Duplicate != 69 {
		t.Errorf("second run: %+v", res.Counts)
	}
}

func TestImportCompanies(t *testing.T) {
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All))
	res := runFile(t, w, "companies.csv", importer.Options{Kind: importer.KindCompanies, Mode: importer.ModeValidOnly})
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
	c, err := w.App.FindFirstRecordByData(crm.Companies, "domain", "paodoce.com.br")
	if err != nil || c.GetString("country") != "BR" || c.GetString("phone") != "+551134567890" || c.GetString("city") != "São Paulo" {
		t.Fatalf("company: %v %v", c, err)
	}
}

// Mapping by hand: columns named as nobody guesses.
func TestImportMapping(t *testing.T) {
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All))
	path := filepath.Join(t.TempDir(), "odd.csv")
	os.WriteFile(path, []byte("Cliente|Correio|Fone\nZé Ninguém|ze@exemplo.com|11 4000-1000\n"), 0o644)
	_, err := importer.Run(context.Background(), w.App, strings.NewReader("Cliente,Correio\nZé,ze@x.com\n"),
		importer.Options{Kind: importer.KindContacts, Mode: importer.ModeAllOrNothing, OnDuplicate: importer.DupSkip})
	if err == nil || !strings.Contains(err.Error(), "no column holds a name or an email") {
		t.Errorf("unknown columns: %v", err)
	}
	res, err := importer.Run(context.Background(), w.App, strings.NewReader("Cliente;Correio;Fone\nZé Ninguém;ze@exemplo.com;11 4000-1000\n"),
		importer.Options{Kind: importer.KindContacts, Mode: importer.ModeAllOrNothing, OnDuplicate: importer.DupSkip, Country: "BR",
			Mapping: map[string]string{"Cliente": "name", "Correio": "email", "Fone": "phone"}})
	if err != nil || res.Created != 1 || res.Layout != importer.LayoutMapped {
		t.Fatalf("%v %+v", err, res)
	}
	if z := contactBy(t, w, "ze@exemplo.com"); z.GetString("phone") != "+551140001000" {
		t.Errorf("mapped row: %v", z.PublicExport())
	}
	_, err = importer.Run(context.Background(), w.App, strings.NewReader("A,B\n1,2\n"),
		importer.Options{Kind: importer.KindContacts, Mode: importer.ModeAllOrNothing, OnDuplicate: importer.DupSkip, Mapping: map[string]string{"A": "salary"}})
	if err == nil || !strings.Contains(err.Error(), "salary") {
		t.Errorf("a mapping to no field: %v", err)
	}
}
