package importer_test

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/importer"
	"vinculo/plugins/importer/samplefiles"
	"vinculo/testkit"
)

func runBytes(t *testing.T, w *testkit.World, data []byte, opts importer.Options) *importer.Result {
	t.Helper()
	if opts.Kind == "" {
		opts.Kind = importer.KindContacts
	}
	if opts.OnDuplicate == "" {
		opts.OnDuplicate = importer.DupSkip
	}
	opts.Country = "BR"
	res, err := importer.Run(context.Background(), w.App, bytes.NewReader(data), opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

var possibleReason = regexp.MustCompile(`^possible duplicate \(same name and company\): row (\d+) ↔ (row (\d+)|record (\w+))$`)

// checkPossible checks that every possible duplicate listed names a row
// (or a stored record) of the same name and company as its own row.
func checkPossible(t *testing.T, w *testkit.World, f samplefiles.File, res *importer.Result) {
	t.Helper()
	rows := map[int]importer.Values{}
	if _, err := importer.Read(bytes.NewReader(f.Data), importer.KindContacts, nil, func(r importer.Row) error {
		rows[r.Line] = r.Values
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	name := func(v importer.Values) string {
		if v["name"] != "" {
			return importer.CleanName(v["name"])
		}
		return importer.CleanName(v["first_name"] + " " + v["last_name"])
	}
	key := func(v importer.Values) string { return importer.NameKey(name(v), v["company"]) }
	if len(res.PossibleDuplicates) != int(min(res.Possible, importer.MaxReportedProblems)) {
		t.Fatalf("%d possible duplicates listed of %d", len(res.PossibleDuplicates), res.Possible)
	}
	for _, p := range res.PossibleDuplicates {
		m := possibleReason.FindStringSubmatch(p.Reason)
		if m == nil || m[1] != strconv.Itoa(p.Line) || p.Code != "possible_duplicate" {
			t.Fatalf("%s: %+v", f.Name, p)
		}
		own := key(rows[p.Line])
		if own == "" || p.Value != name(rows[p.Line]) {
			t.Fatalf("%s line %d: %+v %v", f.Name, p.Line, p, rows[p.Line])
		}
		if m[3] != "" {
			other, _ := strconv.Atoi(m[3])
			if other >= p.Line || key(rows[other]) != own || p.Params["of_row"] != other {
				t.Errorf("%s: line %d ↔ line %d: %v / %v", f.Name, p.Line, other, rows[p.Line], rows[other])
			}
			continue
		}
		var stored struct{ Name, Company string }
		err := w.App.DB().NewQuery("SELECT c.name, IFNULL(co.name, '') AS company FROM contacts c LEFT JOIN companies co ON co.id = c.company WHERE c.id = {:id}").
			Bind(dbx.Params{"id": m[4]}).One(&stored)
		if err != nil || importer.NameKey(stored.Name, stored.Company) != own {
			t.Errorf("%s: line %d ↔ record %s: %v %v", f.Name, p.Line, m[4], stored, err)
		}
	}
}

// Exports of a business whose customers share common names, imported one
// after another: people of the same name at the same company with emails
// and phones of their own are created (and listed as possible duplicates),
// true duplicates are not. The same counts in a dry run and a real run.
func TestImportNamesakes(t *testing.T) {
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All))
	contacts := w.Count(t, crm.Contacts, "")
	for _, f := range []samplefiles.File{samplefiles.Google(), samplefiles.Outlook(), samplefiles.HubSpot()} {
		for _, mode := range []string{importer.ModeDryRun, importer.ModeAllOrNothing} {
			res := runBytes(t, w, f.Data, importer.Options{Mode: mode})
			got := samplefiles.Want{Rows: res.Processed, Created: res.Created, Duplicate: res.Duplicate, Possible: res.Possible}
			if got != f.Want || res.Counts.Errors != 0 || res.Skipped != f.Want.Duplicate || res.Updated != 0 {
				t.Fatalf("%s, %s: %+v, want %+v (errors %v)", f.Name, mode, res.Counts, f.Want, res.Errors)
			}
			checkPossible(t, w, f, res)
			if mode == importer.ModeDryRun {
				if n := w.Count(t, crm.Contacts, ""); n != contacts || res.Written {
					t.Fatalf("%s: the dry run wrote %d contacts", f.Name, n-contacts)
				}
				continue
			}
			contacts += int(f.Want.Created)
			if n := w.Count(t, crm.Contacts, ""); n != contacts || !res.Written {
				t.Fatalf("%s: %d contacts, want %d", f.Name, n, contacts)
			}
		}
	}
	// Three Maria Silva at the bakery (Google's two and Outlook's), each
	// with her own email, each found by search.
	bakery := contactBy(t, w, "maria.silva.0@paodoce.com.br").GetString("company")
	var emails []string
	w.App.DB().NewQuery("SELECT email FROM contacts WHERE name = 'Maria Silva' AND company = {:c} ORDER BY email").
		Bind(dbx.Params{"c": bakery}).Column(&emails)
	if len(emails) != 3 || emails[0] == emails[1] || emails[1] == emails[2] {
		t.Errorf("Maria Silva at the bakery: %v", emails)
	}
	if n := len(searchIDs(t, w, "maria silva")); n < 3 {
		t.Errorf("search for maria silva: %d", n)
	}
	// A phone in another spelling finds its person, once.
	var mobile string
	w.App.DB().NewQuery("SELECT mobile FROM contacts WHERE email = 'maria.silva.0@paodoce.com.br'").Row(&mobile)
	if mobile != "+5511910000000" || w.Count(t, crm.Contacts, "mobile = '+5511910000000' OR phone = '+5511910000000'") != 1 {
		t.Errorf("Maria's mobile %q", mobile)
	}
	// Every row read once more: all duplicates now, but for the Google rows
	// whose only address was a person's second one (a contact keeps one
	// email: the second was known only while its file was imported), which
	// meet the person by name and company now: created, and listed.
	for _, f := range []samplefiles.File{samplefiles.Outlook(), samplefiles.HubSpot()} {
		res := runBytes(t, w, f.Data, importer.Options{Mode: importer.ModeDryRun})
		if res.Created != 0 || res.Duplicate != f.Want.Rows || res.Possible != 0 {
			t.Errorf("%s again: %+v", f.Name, res.Counts)
		}
	}
	f := samplefiles.Google()
	res := runBytes(t, w, f.Data, importer.Options{Mode: importer.ModeDryRun})
	if res.Created != res.Possible || res.Created+res.Duplicate != f.Want.Rows || res.Created > 100 {
		t.Errorf("%s again: %+v", f.Name, res.Counts)
	}
	second := map[int]bool{}
	importer.Read(bytes.NewReader(f.Data), importer.KindContacts, nil, func(r importer.Row) error {
		second[r.Line] = strings.HasSuffix(r.Values["email"], "@gmail.com") && r.Values[importer.AlsoEmails] == "" && r.Values["mobile"] == ""
		return nil
	})
	for _, p := range res.PossibleDuplicates {
		if !second[p.Line] {
			t.Errorf("%s again: line %d created: %+v", f.Name, p.Line, p)
		}
	}
}

// Against stored records: a name and company is an identity only when one
// side has neither email nor phone; a stored phone in another spelling
// still matches; a record that gets an email from a duplicate row (fill)
// is no longer matched by name alone.
func TestImportNamesakesOfRecords(t *testing.T) {
	const file = "name,company,email,phone\n" +
		"Maria Silva,Padaria Pão Doce,maria.silva@outra.com,(11) 98888-0001\n" + // 2: another Maria: created, possible
		"Maria Silva,PADARIA PAO DOCE,,+55 11 3456 0000\n" + // 3: the stored Maria's phone
		"José Santos,Padaria Pão Doce,jose@padaria.com,\n" + // 4: the stored José has neither: him
		"Maria Silva,Padaria Pão Doce,,\n" + // 5: neither: a Maria stored
		"Ana Costa,Padaria Pão Doce,ana@padaria.com,\n" + // 6: the stored Ana has a phone only: another Ana
		"Pedro Lima,Padaria Pão Doce,pedro@a.com,\n" + // 7: new
		"Pedro Lima,Padaria Pão Doce,pedro@b.com,\n" + // 8: another Pedro: created, possible (line 7)
		"Pedro Lima,Padaria Pão Doce Ltda,,\n" + // 9: neither: line 7
		"José Santos,Padaria Pão Doce,jose.santos@outro.com,\n" // 10: skip: José still has neither; fill: he has line 4's email now, another José
	for _, c := range []struct {
		policy                                      string
		created, updated, skipped, dupes, possibles int64
		lines                                       []int
	}{
		{importer.DupSkip, 4, 0, 5, 5, 3, []int{2, 6, 8}},
		{importer.DupFill, 5, 1, 3, 4, 4, []int{2, 6, 8, 10}},
	} {
		t.Run(c.policy, func(t *testing.T) {
			w := testkit.NewWorld(t, testkit.Plugins(plugins.All))
			bakery := w.Make(t, "bakery", crm.Companies, map[string]any{"name": "Padaria Pão Doce Ltda"})
			maria := w.Make(t, "maria", crm.Contacts, map[string]any{"name": "Maria Silva", "company": bakery.Id, "email": "maria@paodoce.com.br", "phone": "(11) 3456-0000"})
			jose := w.Make(t, "jose", crm.Contacts, map[string]any{"name": "José Santos", "company": bakery.Id})
			ana := w.Make(t, "ana", crm.Contacts, map[string]any{"name": "Ana Costa", "company": bakery.Id, "mobile": "+5511977770000"})
			before := w.Count(t, crm.Contacts, "")
			for _, mode := range []string{importer.ModeDryRun, importer.ModeValidOnly} {
				res := runBytes(t, w, []byte(file), importer.Options{Mode: mode, OnDuplicate: c.policy})
				got := [5]int64{res.Created, res.Updated, res.Skipped, res.Duplicate, res.Possible}
				if want := [5]int64{c.created, c.updated, c.skipped, c.dupes, c.possibles}; got != want || res.Counts.Errors != 0 {
					t.Fatalf("%s: created, updated, skipped, duplicates, possible = %v, want %v (%v)", mode, got, want, res.Duplicates)
				}
				var lines []int
				for _, p := range res.PossibleDuplicates {
					lines = append(lines, p.Line)
				}
				if !slicesEqual(lines, c.lines) {
					t.Errorf("%s: possible duplicates on lines %v, want %v", mode, lines, c.lines)
				}
				for i, want := range map[int]string{0: "record " + maria.Id, 1: "record " + ana.Id, 2: "row 7"} {
					if p := res.PossibleDuplicates[i]; !strings.HasSuffix(p.Reason, "↔ "+want) {
						t.Errorf("%s: %q, want ↔ %s", mode, p.Reason, want)
					}
				}
				if c.policy == importer.DupFill {
					// José, whom line 4 gave an email.
					if p := res.PossibleDuplicates[3]; !strings.HasSuffix(p.Reason, "↔ row 4") || p.Params["record"] != nil {
						t.Errorf("%s: %q, want ↔ row 4", mode, p.Reason)
					}
				}
				var dupLines []int
				for _, d := range res.Duplicates {
					dupLines = append(dupLines, d.Line)
				}
				wantDup := []int{3, 4, 5, 9, 10}[:c.dupes]
				if !slicesEqual(dupLines, wantDup) || res.Duplicates[0].Field != "phone" || !strings.Contains(res.Duplicates[0].Reason, maria.Id) ||
					res.Duplicates[1].Field != "name and company" || !strings.Contains(res.Duplicates[1].Reason, jose.Id) {
					t.Errorf("%s: duplicates %+v", mode, res.Duplicates)
				}
			}
			if n := w.Count(t, crm.Contacts, ""); n != before+int(c.created) {
				t.Errorf("%d contacts, want %d", n, before+int(c.created))
			}
			if n := w.Count(t, crm.Contacts, "name = 'Maria Silva'"); n != 2 {
				t.Errorf("%d Maria Silva, want 2", n)
			}
		})
	}
}

func slicesEqual(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// The search index of imported rows is built in bulk before each commit:
// in batches (valid only) and in one transaction, every contact and company
// made is in the index when the import ends, found by its email, and the
// insert triggers are back; a rolled back run leaves them as they were.
func TestImportIndexesInBulk(t *testing.T) {
	set(t, &importer.BatchRows, 400)
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All))
	triggers := func() int {
		var n int
		w.App.DB().NewQuery("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ('_crm_search_contacts_ai', '_crm_search_companies_ai')").Row(&n)
		return n
	}
	indexed := func(collection string) int {
		var n int
		w.App.DB().NewQuery("SELECT count(*) FROM _crm_search_map m JOIN _crm_search s ON s.rowid = m.id WHERE m.collection = {:c}").
			Bind(dbx.Params{"c": collection}).Row(&n)
		return n
	}
	check := func(when string) {
		t.Helper()
		if triggers() != 2 {
			t.Fatalf("%s: the insert triggers are not back", when)
		}
		for _, c := range []string{crm.Contacts, crm.Companies} {
			if n, want := indexed(c), w.Count(t, c, ""); n != want {
				t.Errorf("%s: %d %s in the index, want %d", when, n, c, want)
			}
		}
	}
	f := samplefiles.Google()
	res := runBytes(t, w, f.Data, importer.Options{Mode: importer.ModeValidOnly})
	if res.Created != f.Want.Created || res.CompaniesCreated != 5 {
		t.Fatalf("%+v", res.Counts)
	}
	check("valid only, in batches of 400")
	for _, email := range []string{"maria.silva.0@paodoce.com.br", "leticia.moreira.999@rapido.com.br"} {
		if ids := searchIDs(t, w, `"`+email+`"`); len(ids) != 1 {
			t.Errorf("search for %s: %v", email, ids)
		}
	}
	res = runBytes(t, w, append([]byte(nil), samplefiles.Outlook().Data...), importer.Options{Mode: importer.ModeAllOrNothing})
	if !res.Written {
		t.Fatalf("%+v", res.Counts)
	}
	check("all or nothing")
	bad := []byte("name,email\nBoa Pessoa,boa@exemplo.com\nMá Pessoa,not-an-email\n")
	if res := runBytes(t, w, bad, importer.Options{Mode: importer.ModeAllOrNothing}); res.Written || res.Counts.Errors != 1 {
		t.Fatalf("%+v", res.Counts)
	}
	check("rolled back")
	w.Make(t, "after", crm.Contacts, map[string]any{"name": "Depois Daimportacao"})
	if ids := searchIDs(t, w, "daimportacao"); len(ids) != 1 {
		t.Errorf("a contact saved after the imports is not indexed: %v", ids)
	}
}
