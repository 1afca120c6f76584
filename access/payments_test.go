package access_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/testkit"
)

// Paying (plugins/orders: payments.go, invoices.go): payments and invoices
// are written by the server alone — nobody, superusers included, creates,
// changes or deletes one through the API, so no customer sets a payment's
// state or an invoice's number; the customer reads their own (and their
// company's as its admin), staff read all. The payment methods' settings:
// staff read, managers write, customers nothing (the portal offers the
// methods that are on through its route); the secret is never read back.
func init() {
	moreSpecFiles = append(moreSpecFiles, func() []spec { return paymentSpecs(false) })
	moreRoutes = append(moreRoutes,
		route{http.MethodGet, "/api/crm/portal/payment-methods", nil, customers3, http.StatusOK},
		route{http.MethodPost, "/api/crm/portal/orders/{orA}/pay", map[string]any{"method": "nope"}, []string{custA}, http.StatusBadRequest},
		route{http.MethodGet, "/api/crm/portal/invoices/nosuchinvoice00", nil, customers3, http.StatusNotFound},
		route{http.MethodGet, "/api/crm/portal/invoices/nosuchinvoice00/pdf", nil, customers3, http.StatusNotFound},
		route{http.MethodPost, "/api/crm/payments/nosuchpayment00/received", nil, writers, http.StatusNotFound},
		route{http.MethodGet, "/api/crm/invoices/nosuchinvoice00", nil, staffAll, http.StatusNotFound},
		route{http.MethodGet, "/api/crm/invoices/nosuchinvoice00/pdf", nil, staffAll, http.StatusNotFound},
		route{http.MethodPut, "/api/crm/payment-settings/pix", map[string]any{"details": "chave@pix.test"}, managers, http.StatusOK},
	)
}

func paymentRow(w *testkit.World, order, contact, company string) map[string]any {
	return map[string]any{crm.PayOrder: w.ID(order), crm.PayContact: w.ID(contact), crm.PayCompany: company,
		crm.PayMethod: crm.MethodBankTransfer, crm.PayAmount: 100, crm.PayCurrency: "BRL", crm.PayState: crm.PaymentPending}
}

func invoiceRow(w *testkit.World, pay, contact, company string) map[string]any {
	n := w.Unique()
	return map[string]any{crm.InvNumber: fmt.Sprintf("INV-2099-%05d", n), crm.InvYear: 2099, crm.InvSeq: n,
		crm.InvPayment: w.ID(pay), crm.InvContact: w.ID(contact), crm.InvCompany: company,
		crm.InvLines: []map[string]any{{"name": "Fibre", "quantity": 1, "unit_price": 100, "amount": 100}},
		crm.InvTotal: 100, crm.InvCurrency: "BRL", crm.InvIssuedAt: "2099-01-01 10:00:00.000Z"}
}

func paymentSpecs(withLabels bool) []spec {
	pays := spec{
		collection: crm.Payments, sees: map[string][]string{},
		create: func(w *testkit.World, _ string) map[string]any { return paymentRow(w, "orA", "ctA", "") },
		update: func(w *testkit.World, actor string) (string, map[string]any) {
			paymentFixtures(w)
			return "payA", map[string]any{crm.PayState: crm.PaymentPaid}
		},
		remove: func(w *testkit.World) map[string]any { paymentFixtures(w); return paymentRow(w, "orA", "ctA", "") },
	}
	invs := spec{
		collection: crm.Invoices, sees: map[string][]string{},
		create: func(w *testkit.World, _ string) map[string]any {
			paymentFixtures(w)
			return invoiceRow(w, "payA", "ctA", "")
		},
		update: func(w *testkit.World, actor string) (string, map[string]any) {
			paymentFixtures(w)
			return "invA", map[string]any{crm.InvNumber: "INV-2099-99999", crm.InvTotal: 1}
		},
		remove: func(w *testkit.World) map[string]any { paymentFixtures(w); return invoiceRow(w, "payA", "ctA", "") },
	}
	settings := spec{
		collection: crm.PaymentSettings, sees: map[string][]string{},
		create: func(w *testkit.World, _ string) map[string]any {
			return map[string]any{crm.PsKey: fmt.Sprintf("method_%d", w.Unique()), crm.PsActive: false}
		},
		canCreate: managers,
		update: func(w *testkit.World, actor string) (string, map[string]any) {
			paymentFixtures(w)
			return "psTransfer", map[string]any{crm.PsDetails: "Banco 001 " + actor}
		},
		canUpdate: managers,
		remove: func(w *testkit.World) map[string]any {
			return map[string]any{crm.PsKey: fmt.Sprintf("gone_%d", w.Unique())}
		},
		canDelete: managers,
	}
	if withLabels {
		// A's own payment, A's company's (B, its admin, sees it too), C's.
		sees := with(with(with(staffOnly("payA", "payAco", "payC"), custA, "payA", "payAco"), custB, "payAco"), custC, "payC")
		pays.labels, pays.sees = []string{"payA", "payAco", "payC"}, sees
		invs.labels = []string{"invA", "invAco", "invC"}
		invs.sees = with(with(with(staffOnly("invA", "invAco", "invC"), custA, "invA", "invAco"), custB, "invAco"), custC, "invC")
		settings.labels, settings.sees = []string{"psTransfer"}, staffOnly("psTransfer")
	}
	return []spec{pays, invs, settings}
}

// paymentFixtures labels payments and invoices of A, of A's company and of C,
// and the transfer's settings with a secret.
func paymentFixtures(w *testkit.World) {
	if w.Has("payA") {
		return
	}
	make := func(label, collection string, fields map[string]any) {
		c, err := w.App.FindCachedCollectionByNameOrId(collection)
		if err != nil {
			panic(err)
		}
		r := core.NewRecord(c)
		r.Load(fields)
		if err := w.App.Save(r); err != nil {
			panic(fmt.Sprintf("%s: %v", label, err))
		}
		w.Keep(label, r)
	}
	make("payA", crm.Payments, paymentRow(w, "orA", "ctA", ""))
	make("payAco", crm.Payments, paymentRow(w, "orAco", "ctA", w.ID("coA")))
	make("payC", crm.Payments, paymentRow(w, "orC", "ctC", w.ID("coC")))
	make("invA", crm.Invoices, invoiceRow(w, "payA", "ctA", ""))
	make("invAco", crm.Invoices, invoiceRow(w, "payAco", "ctA", w.ID("coA")))
	make("invC", crm.Invoices, invoiceRow(w, "payC", "ctC", w.ID("coC")))
	make("psTransfer", crm.PaymentSettings, map[string]any{crm.PsKey: crm.MethodBankTransfer, crm.PsActive: true,
		crm.PsDetails: "Banco 001", crm.PsSecret: "never-shown-secret-77"})
}

// TestPaymentsReads: the list, view and realtime rows of payments, invoices
// and the methods' settings; the settings' secret is never read back; the
// portal's invoice routes give a customer only their own.
func TestPaymentsReads(t *testing.T) {
	w := newWorld(t)
	paymentFixtures(w)
	for _, s := range paymentSpecs(true) {
		t.Run(s.collection, func(t *testing.T) {
			for _, actor := range actors {
				checkListAndView(t, w, s, actor)
			}
			checkRealtime(t, w, s)
		})
	}
	for _, actor := range actors {
		res := w.Do(t, http.MethodGet, "/api/collections/payment_settings/records/"+w.ID("psTransfer"), actor, nil)
		if strings.Contains(string(res.Body), "never-shown-secret-77") {
			t.Errorf("%s read the secret: %s", actor, res.Body)
		}
	}
	for actor, want := range map[string]int{custA: http.StatusOK, custB: http.StatusForbidden, custC: http.StatusForbidden} {
		if res := w.Do(t, http.MethodGet, "/api/crm/portal/invoices/"+w.ID("invA"), actor, nil); res.Status != want {
			t.Errorf("%s reads A's invoice: %d, want %d", actor, res.Status, want)
		}
		if res := w.Do(t, http.MethodGet, "/api/crm/portal/invoices/"+w.ID("invC")+"/pdf", actor, nil); (res.Status == http.StatusOK) != (actor == custC) {
			t.Errorf("%s reads C's invoice PDF: %d", actor, res.Status)
		}
	}
}
