package importer_test

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/testkit"
)

// The error list repeats what the file held: a cell a spreadsheet would run
// as a formula comes out as text, as in an export.
func TestErrorsCSVNeutralisesFormulaCells(t *testing.T) {
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All), testkit.Served())
	w.Make(t, "manager", crm.Staff, map[string]any{"email": "m@staff.test", "name": "Manager", "role": crm.RoleManager})

	file := "Nome;E-mail\n" +
		"Ana;\"=HYPERLINK(\"\"http://evil.test/\"\")\"\n" +
		"Beto;@SUM(1+1)\n" +
		"Caio;+5511999\n" +
		"Dora;-2+3\n" +
		"Eva;eva@exemplo.com.br\n"
	started := importValidOnly(t, w, "manager", "pessoas.csv", []byte(file))

	res := w.Do(t, http.MethodGet, "/api/crm/import/"+started.Job+"/errors.csv", "manager", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("errors.csv: %d %s", res.Status, res.Body)
	}
	rows, err := csv.NewReader(strings.NewReader(string(res.Body))).ReadAll()
	if err != nil {
		t.Fatalf("errors.csv is not CSV: %v\n%s", err, res.Body)
	}
	if len(rows) != 5 {
		t.Fatalf("%d rows, want the header and 4 errors:\n%s", len(rows), res.Body)
	}
	for _, row := range rows[1:] {
		for i, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("line %s, column %s: %q would run as a formula", row[0], rows[0][i], cell)
			}
		}
		if v := row[2]; !strings.HasPrefix(v, "'") {
			t.Errorf("line %s: value %q, want it kept as text with a leading apostrophe", row[0], v)
		}
	}
	if got := rows[1][2]; got != `'=HYPERLINK("http://evil.test/")` {
		t.Errorf("the first value %q, want the original after an apostrophe", got)
	}
}
