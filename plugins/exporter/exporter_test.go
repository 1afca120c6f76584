package exporter_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/accesslog"
	"vinculo/plugins/exporter"
	"vinculo/plugins/timeline"
	"vinculo/testkit"
)

// setup is an app with the timeline and the export, and these records:
// agent and readonly (staff), Ana (contact "ana", of a company with a
// hostile name) with her customer account ("cust"), and a superuser.
// Reading is enough to export: readonly is the usual requester.
func setup(t *testing.T) *testkit.World {
	t.Helper()
	w := testkit.NewWorld(t, testkit.Plugins(timeline.Register, exporter.Register), testkit.Served())
	w.Make(t, "agent", crm.Staff, map[string]any{"email": "g@staff.test", "name": "Agent", "role": crm.RoleAgent})
	w.Make(t, "readonly", crm.Staff, map[string]any{"email": "r@staff.test", "name": "Readonly", "role": crm.RoleReadonly})
	co := w.Make(t, "co", crm.Companies, map[string]any{"name": "=HYPERLINK(\"http://evil\")"})
	ana := w.Make(t, "ana", crm.Contacts, map[string]any{"name": "Ana Souza", "email": "ana@x.test", "company": co.Id, "stage": "customer"})
	w.Make(t, "cust", crm.Customers, map[string]any{"email": "ana@x.test", "contact": ana.Id, "company_role": crm.CompanyMember})
	w.Make(t, "superuser", core.CollectionNameSuperusers, map[string]any{"email": "root@staff.test"})
	return w
}

// get sends GET path as who (a label; "" for nobody) and reads the answer
// whole, headers included.
func get(t *testing.T, w *testkit.World, path, who string) (*http.Response, []byte) {
	t.Helper()
	return w.Request(t, http.MethodGet, path, who, nil, nil)
}

func readCSV(t *testing.T, body []byte) []map[string]string {
	t.Helper()
	if !bytes.HasPrefix(body, []byte("\uFEFF")) {
		t.Fatalf("CSV without a UTF-8 BOM: %q", body[:min(len(body), 20)])
	}
	rows, err := csv.NewReader(bytes.NewReader(body[3:])).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, body)
	}
	var out []map[string]string
	for _, row := range rows[1:] {
		m := map[string]string{}
		for i, col := range rows[0] {
			m[col] = row[i]
		}
		out = append(out, m)
	}
	return out
}

// Every cell a spreadsheet would run as a formula comes out as text; other
// cells are untouched.
func TestCSVNeutralisesFormulaCells(t *testing.T) {
	w := setup(t)
	hostile := []string{"=1+2", "+55 11 9999", "-2+3", "@SUM(A1:A2)", "\tTAB", "\rCR", "=cmd|' /C calc'!A0"}
	for i, name := range hostile {
		w.Make(t, "", crm.Contacts, map[string]any{"name": name, "job_title": "=job", "email": fmt.Sprintf("h%d@x.test", i)})
	}
	res, body := get(t, w, "/api/crm/export/contacts?format=csv", "readonly")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", res.StatusCode, body)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("content type %q", ct)
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, `filename="contacts-20`) || !strings.HasSuffix(cd, `.csv"`) {
		t.Errorf("content disposition %q, want a dated contacts-YYYY-MM-DD.csv", cd)
	}
	rows := readCSV(t, body)
	names := map[string]map[string]string{}
	for _, r := range rows {
		names[r["name"]] = r
	}
	for _, h := range hostile {
		r, ok := names["'"+h]
		if !ok {
			t.Errorf("%q: not exported as the neutralised '%q; names: %q", h, h, keys(names))
			continue
		}
		if r["job_title"] != "'=job" {
			t.Errorf("%q: job_title %q, want '=job", h, r["job_title"])
		}
	}
	ana := names["Ana Souza"]
	if ana == nil {
		t.Fatal("a plain name must be exported as it is")
	}
	if ana["company_name"] != `'=HYPERLINK("http://evil")` {
		t.Errorf("company_name %q: the company's name must be neutralised too", ana["company_name"])
	}
	if ana["email"] != "ana@x.test" || ana["stage"] != "customer" || ana["id"] != w.ID("ana") {
		t.Errorf("row %v", ana)
	}
	for _, c := range []string{"=x", "+x", "-x", "@x", "\tx", "\rx"} {
		if got := crm.NeutraliseCell(c); got != "'"+c {
			t.Errorf("NeutraliseCell(%q) = %q", c, got)
		}
	}
	for _, c := range []string{"", "x=1", "João", "'quoted", " =x"} {
		if got := crm.NeutraliseCell(c); got != c {
			t.Errorf("NeutraliseCell(%q) = %q, want it unchanged", c, got)
		}
	}
}

func keys(m map[string]map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// A filter that does not parse, an unknown format and the rest of bad input
// are 400s naming the parameter; customers and anonymous get nothing.
func TestExportRefusals(t *testing.T) {
	w := setup(t)
	cases := []struct {
		path, who string
		status    int
		names     string
	}{
		{"/api/crm/export/contacts?filter=" + url.QueryEscape("name = = 'x"), "readonly", 400, `"filter"`},
		{"/api/crm/export/contacts?filter=" + url.QueryEscape("nosuchfield = 1"), "readonly", 400, `"filter"`},
		{"/api/crm/export/contacts?format=xlsx", "readonly", 400, `"format"`},
		{"/api/crm/export/companies?format=vcf", "readonly", 400, `"format"`},
		{"/api/crm/export/outbox", "readonly", 400, `"kind"`},
		{"/api/crm/export/deals?segment=abc", "readonly", 400, `"segment"`},
		{"/api/crm/export/contacts?segment=nosuchsegment12", "readonly", 400, `"segment"`},
		{"/api/crm/export/contacts?q=" + url.QueryEscape("*** "), "readonly", 400, `"q"`},
		{"/api/crm/export/contacts", "cust", 403, ""},
		{"/api/crm/export/contacts", "", 401, ""},
	}
	for _, c := range cases {
		res, body := get(t, w, c.path, c.who)
		if res.StatusCode != c.status || !strings.Contains(string(body), c.names) {
			t.Errorf("%s: status %d, want %d naming %s: %s", c.path, res.StatusCode, c.status, c.names, body)
		}
		if strings.Contains(string(body), "ana@x.test") {
			t.Errorf("%s: a refusal leaked data: %s", c.path, body)
		}
	}
}

// Thousands of rows come out complete, each once, in every format, as a
// chunked stream (no Content-Length: the server never held the whole file).
func TestExportStreamsManyRows(t *testing.T) {
	w := setup(t)
	const n = 3*exporter.PageSize + 17
	err := w.App.RunInTransaction(func(tx core.App) error {
		c, _ := tx.FindCollectionByNameOrId(crm.Contacts)
		for i := range n {
			r := core.NewRecord(c)
			r.Load(map[string]any{"name": fmt.Sprintf("Bulk %05d", i), "stage": "lead"})
			if err := tx.Save(r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := n + 1 // and Ana

	res, body := get(t, w, "/api/crm/export/contacts", "readonly")
	if res.StatusCode != 200 || res.ContentLength != -1 || len(res.TransferEncoding) == 0 || res.TransferEncoding[0] != "chunked" {
		t.Errorf("status %d, length %d, transfer encoding %v: want a chunked 200", res.StatusCode, res.ContentLength, res.TransferEncoding)
	}
	rows := readCSV(t, body)
	seen := map[string]bool{}
	for _, r := range rows {
		seen[r["id"]] = true
	}
	if len(rows) != want || len(seen) != want {
		t.Errorf("csv: %d rows, %d distinct ids, want %d", len(rows), len(seen), want)
	}

	res, body = get(t, w, "/api/crm/export/contacts?format=json", "superuser")
	var items []map[string]any
	if err := json.Unmarshal(body, &items); err != nil || res.StatusCode != 200 {
		t.Fatalf("json: status %d, %v", res.StatusCode, err)
	}
	if len(items) != want || items[0]["collectionName"] != crm.Contacts {
		t.Errorf("json: %d items, want %d", len(items), want)
	}

	res, body = get(t, w, "/api/crm/export/contacts?format=vcf", "readonly")
	if got := strings.Count(string(body), "BEGIN:VCARD"); got != want || !strings.Contains(string(body), "VERSION:4.0") {
		t.Errorf("vcf: %d cards, want %d (status %d)", got, want, res.StatusCode)
	}
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/vcard") {
		t.Errorf("vcf content type %q", res.Header.Get("Content-Type"))
	}

	// A filter, a search and a segment narrow it.
	_, body = get(t, w, "/api/crm/export/contacts?format=json&filter="+url.QueryEscape("stage = 'customer'"), "readonly")
	if err := json.Unmarshal(body, &items); err != nil || len(items) != 1 || items[0]["id"] != w.ID("ana") {
		t.Errorf("filter stage=customer: %d items (%v), want Ana only", len(items), err)
	}
	_, body = get(t, w, "/api/crm/export/contacts?format=json&q=souza", "readonly")
	if err := json.Unmarshal(body, &items); err != nil || len(items) != 1 || items[0]["id"] != w.ID("ana") {
		t.Errorf("q=souza: %d items (%v), want Ana only: %s", len(items), err, body)
	}
	seg := w.Make(t, "", crm.Segments, map[string]any{"name": "Bulk 1xxx", "filter": "name ~ 'Bulk 001'"})
	_, body = get(t, w, "/api/crm/export/contacts?format=json&segment="+seg.Id, "readonly")
	if err := json.Unmarshal(body, &items); err != nil || len(items) != 100 {
		t.Errorf("segment: %d items (%v), want 100", len(items), err)
	}
	_, body = get(t, w, "/api/crm/export/contacts?format=json&segment="+seg.Id+"&filter="+url.QueryEscape("name ~ 'Bulk 0010'"), "readonly")
	if err := json.Unmarshal(body, &items); err != nil || len(items) != 10 {
		t.Errorf("segment and filter: %d items (%v), want 10", len(items), err)
	}

	// An export is audited.
	accesslog.Flush(w.App)
	n2, err := w.App.CountRecords(crm.AuditLog)
	if err != nil || n2 < 6 {
		t.Errorf("audit_log has %d rows (%v), want one per export", n2, err)
	}
}

// Companies, deals and cases export too.
func TestExportOtherKinds(t *testing.T) {
	w := setup(t)
	for _, kind := range []string{crm.Companies, crm.Deals, crm.Cases} {
		for _, format := range []string{"csv", "json"} {
			res, body := get(t, w, "/api/crm/export/"+kind+"?format="+format, "readonly")
			if res.StatusCode != 200 {
				t.Errorf("%s %s: status %d: %s", kind, format, res.StatusCode, body)
			}
		}
	}
	_, body := get(t, w, "/api/crm/export/companies", "readonly")
	if rows := readCSV(t, body); len(rows) != 1 || rows[0]["name"] != `'=HYPERLINK("http://evil")` {
		t.Errorf("companies: %v", rows)
	}
}

// The export refuses exactly the filters the record list refuses for the
// same requester (@collection. and @request. are superusers' only, hidden
// fields nobody's but theirs), and otherwise gives the rows the list gives.
func TestExportFilterIsRefusedLikeTheList(t *testing.T) {
	w := setup(t)
	cu, err := w.App.FindFirstRecordByData(crm.Customers, "email", "ana@x.test")
	if err != nil {
		t.Fatal(err)
	}
	tk := cu.TokenKey()
	w.Make(t, "", crm.AuditLog, map[string]any{"actor_type": "staff", "action": "read", "contact": w.ID("ana"), "ip": "10.9.8.7"})
	w.Make(t, "", crm.Contacts, map[string]any{"name": "Bruno", "email": "bruno@x.test"})
	filters := []string{
		"name = 'Ana Souza'", // control: allowed to all staff
		"@collection.customers.tokenKey = '" + tk + "'",
		"@collection.customers.password != ''",
		"@collection.customers.email = 'ana@x.test'",
		"@collection.customers.contact = id",
		"@collection._superusers.email != ''",
		"@collection.audit_log.ip = '10.9.8.7'",
		"@request.auth.tokenKey != ''",
		"@request.auth.id != ''",
		"customers_via_contact.tokenKey = '" + tk + "'",
		"customers_via_contact.password != ''",
		"customers_via_contact.email = 'ana@x.test'",
		"audit_log_via_contact.ip = '10.9.8.7'",
	}
	type answer struct {
		status int
		ids    []string
	}
	ids := func(t *testing.T, body []byte, key string) []string {
		var out []string
		var page struct{ Items []map[string]any }
		var rows []map[string]any
		if key == "items" {
			if err := json.Unmarshal(body, &page); err != nil {
				t.Fatalf("list: %v: %s", err, body)
			}
			rows = page.Items
		} else if err := json.Unmarshal(body, &rows); err != nil {
			t.Fatalf("export: %v: %s", err, body)
		}
		for _, r := range rows {
			out = append(out, fmt.Sprint(r["id"]))
		}
		return out
	}
	refused := 0
	for _, who := range []string{"readonly", "agent", "superuser"} {
		for _, flt := range filters {
			q := url.QueryEscape(flt)
			lres, lbody := get(t, w, "/api/collections/contacts/records?sort=id&perPage=500&filter="+q, who)
			list := answer{status: lres.StatusCode}
			if list.status == http.StatusOK {
				list.ids = ids(t, lbody, "items")
			}
			eres, ebody := get(t, w, "/api/crm/export/contacts?format=json&filter="+q, who)
			exp := answer{status: eres.StatusCode}
			if exp.status == http.StatusOK {
				exp.ids = ids(t, ebody, "")
			}
			if list.status != exp.status || strings.Join(list.ids, ",") != strings.Join(exp.ids, ",") {
				t.Errorf("%s %q: list %v, export %v: %s", who, flt, list, exp, ebody)
			}
			if exp.status != http.StatusOK {
				refused++
				if !strings.Contains(string(ebody), `"filter"`) {
					t.Errorf("%s %q: the refusal does not name filter: %s", who, flt, ebody)
				}
			}
			if who != "superuser" && strings.HasPrefix(flt, "@") && exp.status != http.StatusForbidden {
				t.Errorf("%s %q: export status %d, want 403 as the list", who, flt, exp.status)
			}
		}
	}
	if refused == 0 {
		t.Fatal("nothing was refused: the comparison proves nothing")
	}

	// A segment's stored filter meets the same refusal, naming segment.
	seg := w.Make(t, "", crm.Segments, map[string]any{"name": "Has an account", "filter": "@collection.customers.contact = id"})
	res, body := get(t, w, "/api/crm/export/contacts?format=json&segment="+seg.Id, "readonly")
	if res.StatusCode != http.StatusForbidden || !strings.Contains(string(body), `"segment"`) {
		t.Errorf("segment with @collection for staff: status %d: %s", res.StatusCode, body)
	}
	if res, body := get(t, w, "/api/crm/export/contacts?format=json&segment="+seg.Id, "superuser"); res.StatusCode != http.StatusOK || !strings.Contains(string(body), "ana@x.test") {
		t.Errorf("segment with @collection for a superuser: status %d: %s", res.StatusCode, body)
	}
}
