package importer_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"vinculo/plugins/importer"
)

func readFile(t *testing.T, name, kind string, mapping map[string]string) (*importer.Result, []importer.Row, error) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []importer.Row
	res, err := importer.Read(f, kind, mapping, func(r importer.Row) error {
		rows = append(rows, r)
		return nil
	})
	return res, rows, err
}

// Every supported layout and dialect, read from a real-shaped file: the
// detected format, layout, delimiter and encoding, and the values of a row.
func TestImportReadLayouts(t *testing.T) {
	cases := []struct {
		file, layout, delimiter, encoding string
		rows                              int
		row                               int // which row to check
		want                              importer.Values
	}{
		{"google_contacts.csv", importer.LayoutGoogle, "comma", importer.EncodingUTF8, 3, 0, importer.Values{
			"first_name": "Mariana", "last_name": "Albuquerque", "email": "Mariana.Albuquerque@PaoDoce.com.br",
			"mobile": "(11) 98765-1111", "phone": "+55 11 3456-1111", "company": "Padaria Pão Doce Ltda", "job_title": "Gerente",
			"address": "Rua das Flores, 123\nApto 45\nSão Paulo - SP\n01234-000", "tags": "* myContacts ::: Clientes"}},
		{"google_contacts.csv", importer.LayoutGoogle, "comma", importer.EncodingUTF8, 3, 1, importer.Values{
			"first_name": "Carlos Eduardo", "last_name": "Menezes", "email": "carlos.menezes@example.com",
			"mobile": "+55 21 99876-5432", "company": "Oficina Menezes", "job_title": "Dono", "tags": "* myContacts",
			// Their other address and phone: not stored, but they tell duplicates.
			importer.AlsoEmails: "carlos@oficinamenezes.com.br", importer.AlsoPhones: "+55 21 99999-0000"}},
		{"outlook.csv", importer.LayoutOutlook, "comma", importer.EncodingUTF8, 2, 0, importer.Values{
			"name": "Rafael Souza", "email": "rafael.souza@contoso.com", "phone": "(11) 2222-3333", "mobile": "11 91234-5678",
			"job_title": "Comprador", "company": "Contoso Brasil", "tags": "Clientes;VIP",
			"address": "Av. Paulista, 1000, São Paulo, SP, 01310-100, Brasil"}},
		{"hubspot.csv", importer.LayoutHubSpot, "comma", importer.EncodingUTF8, 3, 0, importer.Values{
			"name": "Pedro Almeida", "email": "pedro.almeida@globex.com", "phone": "+55 11 4002-8922", "job_title": "CTO",
			"company": "Globex", "stage": "Opportunity", "owner": "owner@staff.test", "address": "Rua A 10, Campinas, SP, 13000-000, Brazil"}},
		{"excel_pt_windows1252.csv", importer.LayoutGeneric, "semicolon", importer.EncodingWindows1252, 3, 0, importer.Values{
			"name": "João Conceição", "email": "joao.conceicao@padaria.com.br", "phone": "(11) 3456-7890", "mobile": "(11) 98765-4321",
			"company": "Padaria Pão Doce", "job_title": "Padeiro-chefe", "address": "Rua São João, 45"}},
		{"excel_pt_windows1252.csv", importer.LayoutGeneric, "semicolon", importer.EncodingWindows1252, 3, 2, importer.Values{
			"name": "Sebastião Araújo", "phone": "0800 123 4567", "job_title": "Técnico", "address": "Av. Brasil; 500"}},
		{"tab_separated.tsv", importer.LayoutGeneric, "tab", importer.EncodingUTF8, 2, 0, importer.Values{
			"name": "Olivia Smith", "email": "olivia@example.co.uk", "phone": "+44 20 7946 0958", "company": "Acme Ltd", "tags": "newsletter, b2b"}},
		{"utf8_bom.csv", importer.LayoutGeneric, "comma", importer.EncodingUTF8BOM, 2, 0, importer.Values{
			"name": "Ângela Ferraz", "email": "angela@exemplo.com.br", "phone": "11 3030-4040", "company": "Café Três Corações"}},
		{"multiline.csv", importer.LayoutGeneric, "comma", importer.EncodingUTF8, 2, 0, importer.Values{
			"name": `Beatriz "Bia" Costa`, "email": "bia@exemplo.com.br", "address": "Rua Um, 1\nBloco B\nRecife - PE", "company": "Costa & Filhos"}},
		{"vcard3.vcf", importer.LayoutVCard, "comma", importer.EncodingUTF8, 3, 0, importer.Values{
			"name": "João Conceição", "email": "joao@padaria.com.br", "mobile": "+55 11 98765-4321", "phone": "(11) 3456-7890",
			"company": "Padaria Pão Doce", "job_title": "Padeiro", "address": "Rua São João, 45, São Paulo, SP, 01000-000, Brasil", "tags": "Clientes,Padarias"}},
		{"vcard4.vcf", importer.LayoutVCard, "comma", importer.EncodingUTF8, 3, 0, importer.Values{
			"name": "Letícia Moura", "email": "leticia@moura.adv.br", "mobile": "+55-31-99777-6655", "company": "Moura Advocacia", "job_title": "Advogada"}},
		{"vcard4.vcf", importer.LayoutVCard, "comma", importer.EncodingUTF8, 3, 1, importer.Values{
			"name": "Marcos Teixeira", "email": "marcos@teixeira.eng.br", "phone": "+55-41-3222-1100", "address": "Rua XV de Novembro, 700, Curitiba, PR, 80020-310, Brasil"}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			res, rows, err := readFile(t, c.file, importer.KindContacts, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Layout != c.layout || res.Dialect.DelimiterName() != c.delimiter || res.Dialect.Encoding != c.encoding {
				t.Errorf("layout %s, %s, %s; want %s, %s, %s", res.Layout, res.Dialect.DelimiterName(), res.Dialect.Encoding, c.layout, c.delimiter, c.encoding)
			}
			if len(rows) != c.rows {
				t.Fatalf("%d rows, want %d: %+v", len(rows), c.rows, rows)
			}
			got := rows[c.row]
			if len(got.Problems) > 0 {
				t.Fatalf("row %d has problems: %v", c.row, got.Problems)
			}
			for k, v := range c.want {
				if got.Values[k] != v {
					t.Errorf("row %d %s = %q, want %q", c.row, k, got.Values[k], v)
				}
			}
			for k, v := range got.Values {
				if _, ok := c.want[k]; !ok {
					t.Errorf("row %d has %s = %q, not expected", c.row, k, v)
				}
			}
		})
	}
}

// problems lists "line N: reason" of every bad row.
func problems(rows []importer.Row) []importer.Problem {
	var out []importer.Problem
	for _, r := range rows {
		out = append(out, r.Problems...)
	}
	return out
}

func problemLines(ps []importer.Problem) []int {
	var out []int
	for _, p := range ps {
		out = append(out, p.Line)
	}
	return out
}

// Broken files: each fault reported with its line, the good rows still read.
func TestImportReadBrokenFiles(t *testing.T) {
	cases := []struct {
		file      string
		good      int
		lines     []int
		reasonHas string
	}{
		{"ragged.csv", 3, []int{3, 5}, "fields where the header has 3"},
		{"unbalanced_quote.csv", 1, []int{3}, "never closed"},
		{"bad_encoding_late.csv", 2000, []int{2001}, "not valid UTF-8"},
		{"vcard_missing_end.vcf", 2, []int{6, 15}, "no END:VCARD"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			_, rows, err := readFile(t, c.file, importer.KindContacts, nil)
			if err != nil {
				t.Fatal(err)
			}
			ps := problems(rows)
			if got := problemLines(ps); !slices.Equal(got, c.lines) {
				t.Fatalf("problems on lines %v, want %v: %v", got, c.lines, ps)
			}
			for _, p := range ps {
				if !strings.Contains(p.Reason, c.reasonHas) {
					t.Errorf("reason %q does not say %q", p.Reason, c.reasonHas)
				}
			}
			if good := len(rows) - len(ps); good != c.good {
				t.Errorf("%d good rows, want %d", good, c.good)
			}
		})
	}

	// Files that are no table at all: a clear error, no rows.
	for name, data := range map[string][]byte{
		"utf-16":  mustRead(t, "utf16.csv"),
		"binary":  {0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x08, 0x00},
		"empty":   {},
		"no name": []byte("foo,bar\n1,2\n"),
	} {
		_, err := importer.Read(bytes.NewReader(data), importer.KindContacts, nil, func(importer.Row) error { return nil })
		var fileErr *importer.ErrFile
		if !errors.As(err, &fileErr) || err.Error() == "" {
			t.Errorf("%s: error %v, want a file error", name, err)
		}
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestImportNormalize(t *testing.T) {
	phones := map[string]string{
		"(11) 98765-4321": "+5511987654321", "+55 11 3456-7890": "+551134567890", "0055 21 99876 5432": "+5521998765432",
		"+44 20 7946 0958": "+442079460958", "": "",
	}
	for in, want := range phones {
		got, err := importer.NormalizePhone(in, "BR")
		if err != nil || got != want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"12", "call me", "+55 11"} {
		if _, err := importer.NormalizePhone(bad, "BR"); err == nil {
			t.Errorf("NormalizePhone(%q) gave no error", bad)
		}
	}
	if got, err := importer.NormalizeEmail("  Ana.Souza@Example.COM "); err != nil || got != "ana.souza@example.com" {
		t.Errorf("NormalizeEmail = %q, %v", got, err)
	}
	for _, bad := range []string{"ana", "ana@", "Ana <ana@x.com>", "ana@localhost", "a b@x.com"} {
		if _, err := importer.NormalizeEmail(bad); err == nil {
			t.Errorf("NormalizeEmail(%q) gave no error", bad)
		}
	}
	if a, b := importer.NameKey("João  Conceição", "Padaria Pão Doce Ltda."), importer.NameKey("CONCEICAO, joao", "padaria pao doce"); a != b || a == "" {
		t.Errorf("NameKey: %q != %q", a, b)
	}
	if importer.NameKey("Ana", "Padaria") != "" || importer.NameKey("José Silva", "") != "" {
		t.Error("a one-word name, or a name without a company, must give no key")
	}
	if got := importer.CleanName("  Maria   da  Graça "); got != "Maria da Graça" {
		t.Errorf("CleanName = %q", got)
	}
}

// Quotes gone wrong in the middle of a file: the row is reported, reading
// goes on.
func TestImportReadQuoteFaults(t *testing.T) {
	for name, c := range map[string]struct {
		data, reason string
	}{
		"text after a closing quote": {"name,email\n\"Ana\"x,a@x.com\nBia Lima,b@x.com\n", "must be doubled"},
		"bare quote":                 {"name,email\nAna \"A\",a@x.com\nBia Lima,b@x.com\n", "not quoted"},
	} {
		var rows []importer.Row
		_, err := importer.Read(strings.NewReader(c.data), importer.KindContacts, nil, func(r importer.Row) error {
			rows = append(rows, r)
			return nil
		})
		ps := problems(rows)
		if err != nil || len(rows) != 2 || len(ps) != 1 || ps[0].Line != 2 || !strings.Contains(ps[0].Reason, c.reason) ||
			rows[1].Values["email"] != "b@x.com" {
			t.Errorf("%s: %v %+v", name, err, rows)
		}
	}
}
