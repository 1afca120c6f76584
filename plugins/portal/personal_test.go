package portal_test

import (
	"net/http"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/testkit"
)

// lastMessage is the newest outbox row of contact with template.
func lastMessage(t *testing.T, w *testkit.World, contact, template string) *core.Record {
	t.Helper()
	rows, err := w.App.FindRecordsByFilter(crm.Outbox, "contact = {:c} && template = {:t}", "-created", 1, 0, dbx.Params{"c": w.ID(contact), "t": template})
	if err != nil || len(rows) == 0 {
		t.Fatalf("no %s message to %s: %v", template, contact, err)
	}
	return rows[0]
}

// An order's new status, a failed payment and an invoice each tell the
// customer through the outbox, with the kind they choose about; once Ana
// turns orders off in the portal, the next status is refused for that reason
// while her invoices still go.
func TestOrdersPaymentsAndInvoicesTellTheCustomerByKind(t *testing.T) {
	w := portalWorld(t)
	order := w.Make(t, "order", crm.Orders, map[string]any{"number": "ORD-77", "contact": w.ID("ctA"), "currency": "BRL",
		"items": []map[string]any{{"name": "Bolo", "quantity": 1, "unit_price": 50}}, "status": "placed", "placed_at": "2026-11-01 10:00:00.000Z"})
	if n := w.Count(t, crm.Outbox, "contact = {:c}", dbx.Params{"c": w.ID("ctA")}); n != 0 {
		t.Fatalf("a new order told the customer %d times; only changes tell", n)
	}
	w.Update(t, order, map[string]any{"status": "confirmed"})
	m := lastMessage(t, w, "ctA", crm.TemplateOrderStatus)
	if m.GetString(crm.OutboxKind) != crm.KindOrders || m.GetString("state") == crm.OutboxRefused {
		t.Errorf("confirmed: kind %q state %q", m.GetString(crm.OutboxKind), m.GetString("state"))
	}

	pay := w.Make(t, "pay", crm.Payments, map[string]any{crm.PayOrder: order.Id, crm.PayContact: w.ID("ctA"), crm.PayMethod: crm.MethodBankTransfer,
		crm.PayAmount: 50, crm.PayCurrency: "BRL", crm.PayState: crm.PaymentPending})
	w.Update(t, pay, map[string]any{crm.PayState: crm.PaymentFailed, crm.PayFailure: "card_declined"})
	if m := lastMessage(t, w, "ctA", crm.TemplatePaymentFailed); m.GetString(crm.OutboxKind) != crm.KindOrders {
		t.Errorf("payment failed: kind %q", m.GetString(crm.OutboxKind))
	}

	must(t, w.Do(t, http.MethodPatch, "/api/crm/portal/personal", "cuA", map[string]any{
		"messages": map[string]any{crm.KindOrders: map[string]any{"on": false}}}), http.StatusOK, "turn orders off")
	w.Update(t, order, map[string]any{"status": "shipped"})
	m = lastMessage(t, w, "ctA", crm.TemplateOrderStatus)
	if m.GetString("state") != crm.OutboxRefused || m.GetString("reason_code") != "opted_out" {
		t.Errorf("shipped after opting out: state %q reason %q", m.GetString("state"), m.GetString("reason_code"))
	}

	inv := w.Make(t, "inv", crm.Invoices, map[string]any{crm.InvNumber: "INV-2099-00001", crm.InvYear: 2099, crm.InvSeq: 1, crm.InvPayment: pay.Id,
		crm.InvContact: w.ID("ctA"), crm.InvLines: []map[string]any{{"name": "Bolo", "quantity": 1, "unit_price": 50, "amount": 50}},
		crm.InvTotal: 50, crm.InvCurrency: "BRL", crm.InvIssuedAt: "2099-01-01 10:00:00.000Z"})
	m = lastMessage(t, w, "ctA", crm.TemplateInvoiceIssued)
	if m.GetString(crm.OutboxKind) != crm.KindInvoices || m.GetString("state") == crm.OutboxRefused {
		t.Errorf("invoice: kind %q state %q reason %q", m.GetString(crm.OutboxKind), m.GetString("state"), m.GetString("reason"))
	}
	_ = inv
}

// With nothing pinned the home shows open requests and active services;
// what may be pinned is what the customer may see: Bruno, his company's
// admin, may pin its service; Ana, a member, may not.
func TestHomeDefaultAndWhatMayBePinned(t *testing.T) {
	w := portalWorld(t)
	open := openCase(t, w, "cuA", "ctA", "Internet is down", false)
	w.Make(t, "sbA", crm.Subscriptions, map[string]any{"contact": w.ID("ctA"), "product": w.ID("prFibre"), "price": 100, "currency": "BRL", "status": "active"})
	w.Make(t, "sbCo", crm.Subscriptions, map[string]any{"contact": w.ID("ctB"), "company": w.ID("coA"), "product": w.ID("prFibre"), "price": 100, "currency": "BRL", "status": "active"})
	type view struct {
		Home     []struct{ Type, ID string } `json:"home"`
		Pinnable []struct{ Type, ID string } `json:"pinnable"`
	}
	has := func(list []struct{ Type, ID string }, id string) bool {
		for _, c := range list {
			if c.ID == id {
				return true
			}
		}
		return false
	}
	var ana view
	must(t, w.Do(t, http.MethodGet, "/api/crm/portal/personal", "cuA", nil), http.StatusOK, "Ana's home").JSON(t, &ana)
	if !has(ana.Home, open) || !has(ana.Home, w.ID("sbA")) || has(ana.Pinnable, w.ID("sbCo")) {
		t.Errorf("Ana's home %+v, pinnable %+v", ana.Home, ana.Pinnable)
	}
	var bruno view
	must(t, w.Do(t, http.MethodGet, "/api/crm/portal/personal", "cuB", nil), http.StatusOK, "Bruno's home").JSON(t, &bruno)
	if !has(bruno.Pinnable, w.ID("sbCo")) || has(bruno.Pinnable, open) {
		t.Errorf("Bruno's pinnable %+v", bruno.Pinnable)
	}
	res := w.Do(t, http.MethodPatch, "/api/crm/portal/personal", "cuA", map[string]any{"pins": []map[string]any{{"type": crm.PinService, "id": w.ID("sbCo")}}})
	if res.Status != http.StatusBadRequest || !contains(res.Body, `"pins.0.id"`) {
		t.Errorf("Ana pins her company's service she may not see: %d %s", res.Status, res.Body)
	}
}
