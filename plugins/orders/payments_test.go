package orders_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/orders"
	"vinculo/testkit"
)

// payWorld is ordersWorld with bank transfer and Pix on offer (Pix off),
// and an order of Ana's (orA, 2 x 100 + 49.90) and of Carla's (orC).
func payWorld(t *testing.T) *testkit.World {
	t.Helper()
	w := ordersWorld(t)
	w.Make(t, "psTransfer", crm.PaymentSettings, map[string]any{crm.PsKey: crm.MethodBankTransfer, crm.PsActive: true,
		crm.PsDetails: "Banco 001, agência 1234, conta 56789-0"})
	w.Make(t, "psPix", crm.PaymentSettings, map[string]any{crm.PsKey: crm.MethodPix, crm.PsActive: false, crm.PsDetails: "pix@padaria.test"})
	w.Make(t, "psIssuer", crm.PaymentSettings, map[string]any{crm.PsKey: crm.PsKeyIssuer, crm.PsDetails: "Vinculo Demo Ltda\nCNPJ 12.345.678/0001-90"})
	order := func(label, contact string) {
		w.Make(t, label, crm.Orders, map[string]any{"contact": w.ID(contact), "currency": "BRL", "items": []map[string]any{
			{"product": "F300", "name": "Fibre 300", "quantity": 2, "unit_price": 100}, {"name": "Instalação", "quantity": 1, "unit_price": 49.9}}})
	}
	order("orA", "ctA")
	order("orC", "ctC")
	return w
}

func payments(t *testing.T, w *testkit.World, order string) []*core.Record {
	t.Helper()
	rows, err := w.App.FindRecordsByFilter(crm.Payments, "order = {:o}", "created", 0, 0, dbx.Params{"o": order})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func decode(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return m
}

// A transfer: the customer is offered the methods that are on, chooses
// one, reads its instructions; the order stays unpaid until staff record
// the money received; then the order is paid and its invoice issued. Who
// may do what is checked at each step, and a method that is off, another's
// order and a second "received" are refused with nothing changed.
func TestTransferConfirmedByStaff(t *testing.T) {
	w := payWorld(t)
	res := testkit.Must(t, w.Do(t, http.MethodGet, "/api/crm/portal/payment-methods", "cuA", nil), http.StatusOK, "methods")
	if !contains(res.Body, `"bank_transfer"`) || contains(res.Body, `"pix"`) || !contains(res.Body, "agência 1234") {
		t.Fatalf("methods on offer: %s", res.Body)
	}
	pay := func(who, order, method string) testkit.Response {
		return w.Do(t, http.MethodPost, "/api/crm/portal/orders/"+w.ID(order)+"/pay", who, map[string]any{"method": method})
	}
	if r := pay("cuA", "orA", crm.MethodPix); r.Status != http.StatusBadRequest || !contains(r.Body, `"method"`) {
		t.Errorf("a method that is off: %d %s", r.Status, r.Body)
	}
	if r := pay("cuC", "orA", crm.MethodBankTransfer); r.Status != http.StatusForbidden {
		t.Errorf("another's order: %d %s", r.Status, r.Body)
	}
	if r := pay("agent", "orA", crm.MethodBankTransfer); r.Status != http.StatusForbidden {
		t.Errorf("staff through the portal's route: %d", r.Status)
	}
	if n := len(payments(t, w, w.ID("orA"))); n != 0 {
		t.Fatalf("refused attempts wrote %d payments", n)
	}
	p := decode(t, testkit.Must(t, pay("cuA", "orA", crm.MethodBankTransfer), http.StatusOK, "pay").Body)
	if p["state"] != crm.PaymentPending || p["amount"] != 249.9 || p["currency"] != "BRL" || !strings.Contains(fmt.Sprint(p["instructions"]), "56789-0") {
		t.Fatalf("payment started: %v", p)
	}
	if s := w.Reload(t, w.R("orA")).GetString("status"); s != orders.OrderPlaced {
		t.Fatalf("order after choosing a transfer: %s", s)
	}
	id := fmt.Sprint(p["id"])
	if r := w.Do(t, http.MethodPost, "/api/crm/payments/"+id+"/received", "readonly", nil); r.Status != http.StatusForbidden {
		t.Errorf("readonly staff received: %d", r.Status)
	}
	if r := w.Do(t, http.MethodPost, "/api/crm/payments/"+id+"/received", "cuA", nil); r.Status != http.StatusForbidden {
		t.Errorf("the customer received: %d", r.Status)
	}
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/payments/"+id+"/received", "agent", nil), http.StatusOK, "received")
	got := w.Find(t, crm.Payments, id)
	if got.GetString(crm.PayState) != crm.PaymentPaid || got.GetString(crm.PayConfirmedBy) != w.ID("agent") || got.GetDateTime(crm.PayPaidAt).IsZero() {
		t.Errorf("payment after received: %v", got.FieldsData())
	}
	if s := w.Reload(t, w.R("orA")).GetString("status"); s != orders.OrderPaid {
		t.Errorf("order after received: %s", s)
	}
	inv := w.Find(t, crm.Invoices, got.GetString(crm.PayInvoice))
	want := fmt.Sprintf("INV-%d-00001", time.Now().Year())
	if inv.GetString(crm.InvNumber) != want || inv.GetFloat(crm.InvTotal) != 249.9 || inv.GetString(crm.InvContact) != w.ID("ctA") ||
		inv.GetDateTime(crm.InvPaidAt).IsZero() || !strings.Contains(inv.GetString(crm.InvSeller), "CNPJ") || !strings.Contains(inv.GetString(crm.InvBuyer), "Ana Souza") {
		t.Errorf("invoice: %v", inv.FieldsData())
	}
	if r := w.Do(t, http.MethodPost, "/api/crm/payments/"+id+"/received", "agent", nil); r.Status != http.StatusBadRequest {
		t.Errorf("received twice: %d", r.Status)
	}
	if r := pay("cuA", "orA", crm.MethodBankTransfer); r.Status != http.StatusBadRequest {
		t.Errorf("paying a paid order: %d %s", r.Status, r.Body)
	}
	if n := w.Count(t, crm.Invoices, ""); n != 1 {
		t.Errorf("%d invoices, want 1", n)
	}
}

// testProvider is a provider as an integration would register it in Go:
// notifications are "<hex HMAC-SHA256 of the body>" in X-Test-Signature.
const testSecret = "test-provider-secret"

func testProvider(app core.App) error {
	return orders.RegisterProvider(app, orders.Provider{Method: "testpay",
		Start: func(_ core.App, p orders.StartRequest) (orders.Started, error) {
			return orders.Started{Redirect: "https://pay.example/" + p.Payment.Id, Reference: "ref-" + p.Payment.Id}, nil
		},
		Notify: func(_ core.App, n orders.NotifyRequest) (orders.Notification, error) {
			if !hmac.Equal([]byte(n.Header.Get("X-Test-Signature")), []byte(sign(n.Body))) {
				return orders.Notification{}, errors.New("wrong signature")
			}
			var note orders.Notification
			err := json.Unmarshal(n.Body, &note)
			return note, err
		}})
}

func sign(body []byte) string {
	h := hmac.New(sha256.New, []byte(testSecret))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

func notifyTest(t *testing.T, w *testkit.World, note map[string]any, forge bool) testkit.Response {
	t.Helper()
	body, _ := json.Marshal(note)
	sig := sign(body)
	if forge {
		sig = sign([]byte("something else"))
	}
	res, raw := w.Request(t, http.MethodPost, orders.NotifyPath("testpay"), "", bytes.NewReader(body), map[string]string{"X-Test-Signature": sig})
	return testkit.Response{Status: res.StatusCode, Body: raw}
}

// A provider's notifications: a forged one is refused and writes nothing;
// a failed payment leaves the order unpaid with the reason; a paid one
// pays the order and issues the invoice once, however often it comes.
func TestProviderNotifications(t *testing.T) {
	w := payWorld(t)
	if err := testProvider(w.App); err != nil {
		t.Fatal(err)
	}
	w.Make(t, "", crm.PaymentSettings, map[string]any{crm.PsKey: "testpay", crm.PsActive: true})
	start := func() map[string]any {
		return decode(t, testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/portal/orders/"+w.ID("orA")+"/pay", "cuA",
			map[string]any{"method": "testpay"}), http.StatusOK, "pay").Body)
	}
	first := start()
	if first["redirect_url"] != "https://pay.example/"+fmt.Sprint(first["id"]) || first["state"] != crm.PaymentPending {
		t.Fatalf("started: %v", first)
	}
	snapshot := func() string {
		p := w.Find(t, crm.Payments, fmt.Sprint(first["id"]))
		return fmt.Sprint(p.FieldsData(), w.Count(t, crm.Invoices, ""), w.Reload(t, w.R("orA")).GetString("status"))
	}
	before := snapshot()
	forged := notifyTest(t, w, map[string]any{"ID": "evt-1", "Payment": first["id"], "Outcome": "paid"}, true)
	if forged.Status != http.StatusUnauthorized || snapshot() != before {
		t.Fatalf("forged: %d %s; changed: %v", forged.Status, forged.Body, snapshot() != before)
	}
	// failed: the order stays unpaid, the reason kept
	testkit.Must(t, notifyTest(t, w, map[string]any{"ID": "evt-2", "Payment": first["id"], "Outcome": "failed", "Reason": "card declined"}, false), http.StatusOK, "failed")
	failed := w.Find(t, crm.Payments, fmt.Sprint(first["id"]))
	if failed.GetString(crm.PayState) != crm.PaymentFailed || failed.GetString(crm.PayFailure) != "card declined" ||
		w.Reload(t, w.R("orA")).GetString("status") != orders.OrderPlaced || w.Count(t, crm.Invoices, "") != 0 {
		t.Fatalf("after failed: %v", failed.FieldsData())
	}
	// a late "paid" about the failed attempt does not pay it
	testkit.Must(t, notifyTest(t, w, map[string]any{"ID": "evt-3", "Payment": first["id"], "Outcome": "paid"}, false), http.StatusOK, "late")
	if w.Find(t, crm.Payments, fmt.Sprint(first["id"])).GetString(crm.PayState) != crm.PaymentFailed {
		t.Error("a failed payment became paid")
	}
	second := start()
	paid := map[string]any{"ID": "evt-4", "Reference": "ref-" + fmt.Sprint(second["id"]), "Outcome": "paid", "Amount": 249.9, "Currency": "BRL"}
	for i := range 3 { // the provider retries: paid once
		r := testkit.Must(t, notifyTest(t, w, paid, false), http.StatusOK, "paid")
		if dup := decode(t, r.Body)["duplicate"]; dup != (i > 0) {
			t.Errorf("notification %d: duplicate %v", i+1, dup)
		}
	}
	p := w.Find(t, crm.Payments, fmt.Sprint(second["id"]))
	var seen []string
	_ = p.UnmarshalJSONField(crm.PayNotifications, &seen)
	if p.GetString(crm.PayState) != crm.PaymentPaid || len(seen) != 1 || w.Count(t, crm.Invoices, "") != 1 ||
		w.Reload(t, w.R("orA")).GetString("status") != orders.OrderPaid {
		t.Fatalf("after paid three times: %v, %d invoices", p.FieldsData(), w.Count(t, crm.Invoices, ""))
	}
	// an amount that is not the one due fails the payment instead of paying it
	third := decode(t, testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/portal/orders/"+w.ID("orC")+"/pay", "cuC",
		map[string]any{"method": "testpay"}), http.StatusOK, "pay C").Body)
	testkit.Must(t, notifyTest(t, w, map[string]any{"ID": "evt-5", "Payment": third["id"], "Outcome": "paid", "Amount": 1, "Currency": "BRL"}, false), http.StatusOK, "short")
	if p := w.Find(t, crm.Payments, fmt.Sprint(third["id"])); p.GetString(crm.PayState) != crm.PaymentFailed || !strings.Contains(p.GetString(crm.PayFailure), "249.90") {
		t.Errorf("short payment: %v", p.FieldsData())
	}
	// a notification about another method's payment is not applied
	if r := notifyTest(t, w, map[string]any{"ID": "evt-6", "Payment": w.ID("orC"), "Outcome": "paid"}, false); r.Status != http.StatusNotFound {
		t.Errorf("unknown payment: %d", r.Status)
	}
}

// Invoices are numbered without gaps and without duplicates while many
// payments are recorded at once, and refused notifications among them take
// no number.
func TestInvoiceNumbersUnderConcurrentPayments(t *testing.T) {
	w := payWorld(t)
	if err := testProvider(w.App); err != nil {
		t.Fatal(err)
	}
	const n = 16
	var ids []string
	for i := range n {
		o := w.Make(t, "", crm.Orders, map[string]any{"contact": w.ID("ctA"), "currency": "BRL",
			"items": []map[string]any{{"name": fmt.Sprintf("Bolo %d", i), "quantity": 1, "unit_price": 10 + i}}})
		p, err := orders.StartPayment(w.App, w.Cfg, o, orders.Customer{Account: w.R("cuA"), Contact: w.R("ctA")}, crm.MethodBankTransfer)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.Id)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i, id := range ids {
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, err := orders.ConfirmReceived(w.App, w.Cfg, id, w.ID("agent"))
			errs <- err
		}()
		go func() { // a forged notification at the same time: refused, no number taken
			defer wg.Done()
			_, err := orders.Notify(w.App, w.Cfg, orders.NotifyRequest{Method: "testpay", Body: []byte(fmt.Sprint(i)), Header: http.Header{}})
			if !errors.Is(err, orders.ErrRefused) {
				errs <- fmt.Errorf("forged: %v", err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	invs, err := w.App.FindRecordsByFilter(crm.Invoices, "", "seq", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(invs) != n {
		t.Fatalf("%d invoices, want %d", len(invs), n)
	}
	seenPay := map[string]bool{}
	for i, inv := range invs {
		if want := fmt.Sprintf("INV-%d-%05d", inv.GetInt(crm.InvYear), i+1); inv.GetString(crm.InvNumber) != want || inv.GetInt(crm.InvSeq) != i+1 {
			t.Errorf("invoice %d: %s seq %d, want %s", i, inv.GetString(crm.InvNumber), inv.GetInt(crm.InvSeq), want)
		}
		seenPay[inv.GetString(crm.InvPayment)] = true
	}
	if len(seenPay) != n {
		t.Errorf("invoices for %d payments, want %d", len(seenPay), n)
	}
}

// The invoice as the customer reads it: HTML and PDF through the portal's
// routes for its customer, never another's; staff read every invoice.
func TestInvoiceDocuments(t *testing.T) {
	w := payWorld(t)
	p, err := orders.StartPayment(w.App, w.Cfg, w.R("orA"), orders.Customer{Account: w.R("cuA"), Contact: w.R("ctA")}, crm.MethodBankTransfer)
	if err != nil {
		t.Fatal(err)
	}
	p, err = orders.ConfirmReceived(w.App, w.Cfg, p.Id, w.ID("agent"))
	if err != nil {
		t.Fatal(err)
	}
	inv := w.Find(t, crm.Invoices, p.GetString(crm.PayInvoice))
	number := inv.GetString(crm.InvNumber)
	base := "/api/crm/portal/invoices/" + inv.Id
	html := testkit.Must(t, w.Do(t, http.MethodGet, base+"?lang=pt-BR", "cuA", nil), http.StatusOK, "html")
	for _, s := range []string{"<title>Fatura " + number, "Instalação", "BRL 249,90", "CNPJ 12.345.678/0001-90", "Ana Souza"} {
		if !contains(html.Body, s) {
			t.Errorf("HTML lacks %q", s)
		}
	}
	pdf := testkit.Must(t, w.Do(t, http.MethodGet, base+"/pdf?lang=en", "cuA", nil), http.StatusOK, "pdf")
	body := pdf.Body
	if !bytes.HasPrefix(body, []byte("%PDF-1.")) || !bytes.Contains(body[len(body)-32:], []byte("%%EOF")) ||
		!bytes.Contains(body, []byte("xref")) || !bytes.Contains(body, []byte("("+"Invoice "+number+")")) || !bytes.Contains(body, []byte("/Title")) {
		t.Errorf("PDF (%d bytes) is not the invoice's: %.200q", len(body), body)
	}
	// the Portuguese PDF writes its accents in the PDF's own encoding
	pt := testkit.Must(t, w.Do(t, http.MethodGet, base+"/pdf?lang=pt-BR", "cuA", nil), http.StatusOK, "pdf pt").Body
	if !bytes.Contains(pt, []byte("Instala\xe7\xe3o")) {
		t.Error("the Portuguese PDF lacks Instalação in cp1252")
	}
	for who, want := range map[string]int{"cuC": http.StatusForbidden, "": http.StatusUnauthorized, "agent": http.StatusForbidden} {
		if r := w.Do(t, http.MethodGet, base+"/pdf", who, nil); r.Status != want {
			t.Errorf("%q reads A's invoice through the portal: %d, want %d", who, r.Status, want)
		}
	}
	testkit.Must(t, w.Do(t, http.MethodGet, "/api/crm/portal/invoices/"+inv.Id, "cuB", nil), http.StatusForbidden, "B: not for the company") // orA is Ana's own
	testkit.Must(t, w.Do(t, http.MethodGet, "/api/crm/invoices/"+inv.Id+"/pdf", "readonly", nil), http.StatusOK, "staff pdf")
}

// Staff marking an order paid themselves ("Mark as paid") records its
// payment — the pending transfer the customer chose — and its invoice.
func TestMarkAsPaidRecordsThePayment(t *testing.T) {
	w := payWorld(t)
	p, err := orders.StartPayment(w.App, w.Cfg, w.R("orA"), orders.Customer{Account: w.R("cuA"), Contact: w.R("ctA")}, crm.MethodBankTransfer)
	if err != nil {
		t.Fatal(err)
	}
	testkit.Must(t, w.Do(t, http.MethodPatch, "/api/collections/orders/records/"+w.ID("orA"), "agent", map[string]any{"status": "paid"}), http.StatusOK, "mark paid")
	p = w.Find(t, crm.Payments, p.Id)
	if p.GetString(crm.PayState) != crm.PaymentPaid || p.GetString(crm.PayConfirmedBy) != w.ID("agent") || p.GetString(crm.PayInvoice) == "" {
		t.Errorf("the transfer after Mark as paid: %v", p.FieldsData())
	}
	testkit.Must(t, w.Do(t, http.MethodPatch, "/api/collections/orders/records/"+w.ID("orC"), "manager", map[string]any{"status": "paid"}), http.StatusOK, "mark C paid")
	rows := payments(t, w, w.ID("orC"))
	if len(rows) != 1 || rows[0].GetString(crm.PayMethod) != orders.MethodManual || rows[0].GetString(crm.PayState) != crm.PaymentPaid {
		t.Fatalf("C's payment: %d rows", len(rows))
	}
	if w.Count(t, crm.Invoices, "") != 2 {
		t.Errorf("%d invoices, want 2", w.Count(t, crm.Invoices, ""))
	}
}
