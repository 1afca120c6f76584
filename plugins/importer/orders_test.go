package importer_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/importer"
	"vinculo/testkit"
)

func runOrders(t *testing.T, w *testkit.World, file, mode string) *importer.Result {
	t.Helper()
	res, err := importer.Run(context.Background(), w.App, strings.NewReader(file), importer.Options{
		Kind: importer.KindOrders, Mode: mode, OnDuplicate: importer.DupSkip, Country: "BR", Currency: "BRL", Location: testkit.SaoPaulo()})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// ordersFile: Ana by email, Bruno by phone, Xavier by the id he had
// elsewhere, a product by code and one by a name the catalogue lacks, the
// business's currency when none is given; then a line for each mistake.
const ordersFile = `Order ID;Customer ID;E-mail;Telefone;Data;Valor;Moeda;SKU
A-1;;ana@a.test;;2025-03-01;1.234,50;BRL;F300
A-2;;ANA@a.test;;02/04/2025;99.90;;Cesta de Natal
B-1;;;(11) 98765-4321;2025-05-10 14:30;50;BRL;
X-1;CRM-77;;;2025-06-01T09:00:00Z;10;USD;f300
N-1;;nobody@n.test;;2025-03-01;10;BRL;
N-2;;ana@a.test;;someday;10;BRL;
N-3;;ana@a.test;;2025-03-01;ten;BRL;
;;ana@a.test;;2025-03-01;10;BRL;
N-5;;;;2025-03-01;10;BRL;
N-6;;ana@a.test;;2099-01-01;10;BRL;
N-7;;ana@a.test;;2025-03-01;10;REAIS;
A-1;;ana@a.test;;2025-03-01;1.234,50;BRL;F300
`

func ordersWorld(t *testing.T) *testkit.World {
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All)).Business(t)
	w.Update(t, w.R("ctB"), map[string]any{"mobile": "+5511987654321"})
	w.Update(t, w.R("ctX"), map[string]any{crm.ContactExternalID: "CRM-77"})
	return w
}

// A dry run reports every line's fault and writes nothing.
func TestOrdersDryRun(t *testing.T) {
	w := ordersWorld(t)
	res := runOrders(t, w, ordersFile, importer.ModeDryRun)
	if res.Layout != importer.LayoutGeneric || res.Processed != 12 || res.Created != 4 || res.Counts.Errors != 7 || res.Duplicate != 1 {
		t.Fatalf("report %+v", res.Counts)
	}
	want := map[int]string{6: "customer", 7: "date", 8: "amount", 9: "order_id", 10: "customer", 11: "date", 12: "currency"}
	for _, p := range res.Errors {
		if want[p.Line] != p.Field {
			t.Errorf("line %d: field %s (%s), want %s", p.Line, p.Field, p.Reason, want[p.Line])
		}
		delete(want, p.Line)
	}
	if len(want) > 0 {
		t.Errorf("no error reported for lines %v", want)
	}
	if d := res.Duplicates; len(d) != 1 || d[0].Line != 13 || !strings.Contains(d[0].Reason, "line 2") {
		t.Errorf("duplicates %+v", d)
	}
	if n := w.Count(t, crm.Orders, "1=1"); n != 0 {
		t.Errorf("a dry run wrote %d orders", n)
	}
}

// The valid rows are written as history, and the same file again adds nothing.
func TestOrdersImportIsHistoryAndIdempotent(t *testing.T) {
	w := ordersWorld(t)
	before := map[string]int{}
	quiet := []string{crm.Outbox, crm.Activities, crm.Payments, crm.Invoices, crm.Notifications}
	for _, c := range quiet {
		before[c] = w.Count(t, c, "1=1")
	}
	res := runOrders(t, w, ordersFile, importer.ModeValidOnly)
	if res.Created != 4 || !res.Written {
		t.Fatalf("report %+v", res.Counts)
	}
	a1, err := w.App.FindFirstRecordByData(crm.Orders, crm.OrderExternalID, "A-1")
	if err != nil {
		t.Fatal(err)
	}
	if a1.GetString("contact") != w.ID("ctA") || a1.GetFloat("total") != 1234.5 || a1.GetString("currency") != "BRL" ||
		a1.GetString("status") != "delivered" || a1.GetString(crm.OrderSource) != crm.OrderFromImport {
		t.Errorf("A-1: %v", a1.FieldsData())
	}
	// A day without a time is noon in the business's time zone.
	if got := a1.GetDateTime("placed_at").Time().In(testkit.SaoPaulo()).Format("2006-01-02 15:04"); got != "2025-03-01 12:00" {
		t.Errorf("A-1 placed at %s", got)
	}
	if items := a1.GetString("items"); !strings.Contains(items, `"product":"F300"`) || !strings.Contains(items, `"name":"Fibre 300"`) {
		t.Errorf("A-1 items %s", items)
	}
	a2, _ := w.App.FindFirstRecordByData(crm.Orders, crm.OrderExternalID, "A-2")
	if a2 == nil || !strings.Contains(a2.GetString("items"), `"name":"Cesta de Natal"`) || strings.Contains(a2.GetString("items"), `"product"`) {
		t.Errorf("A-2: %v", a2)
	}
	for label, ext := range map[string]string{"ctB": "B-1", "ctX": "X-1"} {
		r, err := w.App.FindFirstRecordByData(crm.Orders, crm.OrderExternalID, ext)
		if err != nil || r.GetString("contact") != w.ID(label) {
			t.Errorf("%s is not %s's: %v", ext, label, err)
		}
	}
	for _, c := range quiet {
		if n := w.Count(t, c, "1=1"); n != before[c] {
			t.Errorf("%s: %d rows after the import, %d before: imported orders are history", c, n, before[c])
		}
	}
	again := runOrders(t, w, ordersFile, importer.ModeValidOnly)
	if again.Created != 0 || again.Duplicate != 5 {
		t.Errorf("again: %+v", again.Counts)
	}
	if n := w.Count(t, crm.Orders, "1=1"); n != 4 {
		t.Errorf("%d orders after importing the file twice", n)
	}
	// The business's own numbering goes on as before.
	w.Make(t, "", crm.Orders, map[string]any{"number": "PED-00007", "contact": w.ID("ctA"), "currency": "BRL",
		"items": []map[string]any{{"name": "Pão", "quantity": 1, "unit_price": 5}}})
	runOrders(t, w, "order id,email,date,amount\nZ-1,ana@a.test,2025-01-01,1\n", importer.ModeValidOnly)
	next := w.Make(t, "", crm.Orders, map[string]any{"contact": w.ID("ctA"), "currency": "BRL",
		"items": []map[string]any{{"name": "Pão", "quantity": 1, "unit_price": 5}}})
	if got := next.GetString("number"); got != "PED-00008" {
		t.Errorf("the next order is %s, want PED-00008", got)
	}
}

// A file without the columns an order needs is refused as a whole.
func TestOrdersFileWithoutColumns(t *testing.T) {
	w := ordersWorld(t)
	_, err := importer.Run(context.Background(), w.App, strings.NewReader("email,amount\nana@a.test,3\n"), importer.Options{
		Kind: importer.KindOrders, Mode: importer.ModeDryRun, OnDuplicate: importer.DupSkip})
	if err == nil || !strings.Contains(err.Error(), "order_id") || !strings.Contains(err.Error(), "date") {
		t.Errorf("error %v", err)
	}
}

// Through the API: the import page's request for orders, and its job.
func TestOrdersImportAPI(t *testing.T) {
	w := ordersWorld(t)
	w.Serve(t)
	body, ct := testkit.Form(map[string]string{"kind": "orders", "mode": "valid_only"}, "file", "orders.csv", []byte(ordersFile))
	res, raw := w.Request(t, "POST", "/api/crm/import", "agent", body, map[string]string{"Content-Type": ct})
	if res.StatusCode != 202 {
		t.Fatalf("status %d: %s", res.StatusCode, raw)
	}
	importer.Wait(w.App)
	job, err := w.App.FindFirstRecordByFilter(crm.ImportJobs, "kind = 'orders'")
	if err != nil || job.GetString("status") != importer.StatusDone || job.GetInt("rows_created") != 4 || job.GetInt("rows_error") != 7 {
		t.Fatalf("job %v: %v", job, err)
	}
	if n := w.Count(t, crm.Activities, "event = {:e}", dbx.Params{"e": importer.EventImported}); n != 1 {
		t.Errorf("%d timeline entries of the import, want 1", n)
	}
	body, ct = testkit.Form(map[string]string{"kind": "invoices"}, "file", "orders.csv", []byte(ordersFile))
	res, raw = w.Request(t, "POST", "/api/crm/import", "agent", body, map[string]string{"Content-Type": ct})
	if res.StatusCode != 400 || !strings.Contains(string(raw), "orders") {
		t.Errorf("kind invoices: %d %s", res.StatusCode, raw)
	}
}

// 100,000 orders of 2,000 customers: the time it takes is reported (make
// it seen with -v); the test checks every order landed.
func TestOrdersImportSpeed(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 rows")
	}
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All))
	contacts := &strings.Builder{}
	contacts.WriteString("name,email\n")
	for i := range 2000 {
		fmt.Fprintf(contacts, "Customer %d,c%d@speed.test\n", i, i)
	}
	if res := runFileText(t, w, contacts.String(), importer.KindContacts); res.Created != 2000 {
		t.Fatalf("contacts: %+v", res.Counts)
	}
	file := &strings.Builder{}
	file.WriteString("order_id,email,date,amount,currency,product\n")
	day := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 100000 {
		fmt.Fprintf(file, "S-%d,c%d@speed.test,%s,%d.%02d,BRL,P%d\n", i, i%2000, day.AddDate(0, 0, i%1800).Format("2006-01-02"), 10+i%500, i%100, i%40)
	}
	start := time.Now()
	res := runOrders(t, w, file.String(), importer.ModeValidOnly)
	took := time.Since(start)
	if res.Created != 100000 || res.Counts.Errors != 0 {
		t.Fatalf("report %+v %v", res.Counts, res.Errors)
	}
	t.Logf("100,000 orders imported in %.2f s (%.0f rows/s)", took.Seconds(), 100000/took.Seconds())
	start = time.Now()
	again := runOrders(t, w, file.String(), importer.ModeDryRun)
	t.Logf("the same file again, as a dry run: %d duplicates found in %.2f s", again.Duplicate, time.Since(start).Seconds())
	if again.Duplicate != 100000 || again.Created != 0 {
		t.Errorf("again: %+v", again.Counts)
	}
}

func runFileText(t *testing.T, w *testkit.World, text, kind string) *importer.Result {
	t.Helper()
	res, err := importer.Run(context.Background(), w.App, strings.NewReader(text), importer.Options{
		Kind: kind, Mode: importer.ModeAllOrNothing, OnDuplicate: importer.DupSkip, Country: "BR"})
	if err != nil {
		t.Fatal(err)
	}
	return res
}
