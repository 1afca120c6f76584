package hooksapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"vinculo/crm"
	"vinculo/plugins/orders"
	"vinculo/testkit"
)

// checkoutStandIn plays a hosted-checkout provider on loopback, as
// hooks/70_checkout.pb.js expects one: it opens a session when Vinculo asks
// (signed), shows its own payment page, and when the customer pays or is
// declined there, posts a signed notification to Vinculo and sends the
// customer back.
type checkoutStandIn struct {
	*httptest.Server
	secret string

	mu       sync.Mutex
	sessions map[string]map[string]any
	sent     []sentNotification // the notifications it posted, as posted
	events   int
}

type sentNotification struct {
	body   []byte
	header string
	status int
}

func newCheckoutStandIn(t *testing.T, secret string) *checkoutStandIn {
	s := &checkoutStandIn{secret: secret, sessions: map[string]map[string]any{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /sessions", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := Verify(secret, body, r.Header.Get("Checkout-Signature"), DefaultTolerance, time.Now()); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var session map[string]any
		if err := json.Unmarshal(body, &session); err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		id := fmt.Sprintf("cs_%d", len(s.sessions)+1)
		s.sessions[id] = session
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"id": id, "url": s.URL + "/pay/" + id})
	})
	mux.HandleFunc("GET /pay/{id}", func(w http.ResponseWriter, r *http.Request) {
		session := s.session(r.PathValue("id"))
		if session == nil {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintf(w, `<!doctype html><title>Stand-in checkout</title><h1>Pay %v %s</h1>
<form method="post" action="/pay/%[3]s/complete?outcome=paid"><label>Card number <input name="card" value="4242 4242 4242 4242"></label><button>Pay</button></form>
<form method="post" action="/pay/%[3]s/complete?outcome=failed"><button>Decline</button></form>`,
			session["amount_cents"], html.EscapeString(fmt.Sprint(session["currency"])), r.PathValue("id"))
	})
	mux.HandleFunc("POST /pay/{id}/complete", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		session := s.session(id)
		if session == nil {
			http.NotFound(w, r)
			return
		}
		if err := s.complete(id, session, r.URL.Query().Get("outcome")); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		http.Redirect(w, r, fmt.Sprint(session["return_url"]), http.StatusSeeOther)
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func (s *checkoutStandIn) session(id string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions[id]
}

// complete posts the signed notification of a session's outcome.
func (s *checkoutStandIn) complete(id string, session map[string]any, outcome string) error {
	s.mu.Lock()
	s.events++
	event := map[string]any{"id": fmt.Sprintf("evt_%d", s.events), "session": id, "reference": session["reference"],
		"amount_cents": session["amount_cents"], "currency": session["currency"], "type": "payment.succeeded"}
	s.mu.Unlock()
	if outcome != "paid" {
		event["type"], event["failure_reason"] = "payment.failed", "card_declined"
	}
	body, _ := json.Marshal(event)
	_, err := s.post(fmt.Sprint(session["notify_url"]), body, Sign(s.secret, body, time.Now()))
	return err
}

// post sends a notification to Vinculo and keeps it.
func (s *checkoutStandIn) post(url string, body []byte, header string) (int, error) {
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Checkout-Signature", header)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	res.Body.Close()
	s.mu.Lock()
	s.sent = append(s.sent, sentNotification{body: body, header: header, status: res.StatusCode})
	s.mu.Unlock()
	return res.StatusCode, nil
}

func (s *checkoutStandIn) last() sentNotification {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sent[len(s.sent)-1]
}

// The shipped hosted checkout against the stand-in: the manager turns it
// on (its secret never read back); the customer is sent to the provider's
// page (no card number comes to Vinculo) and back; the signed notification
// pays the order and issues its invoice. The same request replayed, a
// forged one and the same event again are answered without paying twice;
// a declined payment leaves the order unpaid with the reason.
func TestHostedCheckoutAgainstStandIn(t *testing.T) {
	const secret = "whsec_stand_in_9f3"
	w := newWorld(t, shippedHooks(t))
	provider := newCheckoutStandIn(t, secret)
	w.Cfg.PublicURL = w.Serve(t).URL // the provider posts its notifications here

	// Settings > Payments
	if r := w.Do(t, http.MethodPut, "/api/crm/payment-settings/checkout", "manager", map[string]any{crm.PsActive: true}); r.Status != http.StatusBadRequest ||
		!strings.Contains(string(r.Body), `"provider_url"`) || !strings.Contains(string(r.Body), `"secret"`) {
		t.Errorf("turned on without what it needs: %d %s", r.Status, r.Body)
	}
	r := testkit.Must(t, w.Do(t, http.MethodPut, "/api/crm/payment-settings/checkout", "manager", map[string]any{
		crm.PsActive: true, crm.PsProviderURL: provider.URL, crm.PsSecret: secret}), http.StatusOK, "settings")
	if strings.Contains(string(r.Body), secret) || !strings.Contains(string(r.Body), `"has_secret":true`) {
		t.Fatalf("the settings' answer: %s", r.Body)
	}
	if r := w.Do(t, http.MethodPut, "/api/crm/payment-settings/pix", "agent", map[string]any{crm.PsActive: true}); r.Status != http.StatusForbidden {
		t.Errorf("an agent turned a method on: %d", r.Status)
	}
	read := testkit.Must(t, w.Do(t, http.MethodGet, "/api/collections/payment_settings/records", "agent", nil), http.StatusOK, "read settings")
	if strings.Contains(string(read.Body), secret) || !strings.Contains(string(read.Body), `"has_secret":true`) {
		t.Errorf("staff read the settings: %s", read.Body)
	}
	methods := testkit.Must(t, w.Do(t, http.MethodGet, "/api/crm/portal/payment-methods", "customer", nil), http.StatusOK, "methods")
	if !strings.Contains(string(methods.Body), `"checkout"`) || !strings.Contains(string(methods.Body), "Cartão (pagamento seguro)") {
		t.Fatalf("methods: %s", methods.Body)
	}

	order := func() string {
		return w.Make(t, "", crm.Orders, map[string]any{"contact": w.ID("contact"), "currency": "BRL",
			"items": []map[string]any{{"name": "Fibra 600", "quantity": 1, "unit_price": 149.9}}}).Id
	}
	pay := func(orderID string) map[string]any {
		var p map[string]any
		testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/portal/orders/"+orderID+"/pay", "customer", map[string]any{"method": crm.MethodCheckout}),
			http.StatusOK, "pay").JSON(t, &p)
		return p
	}
	first := order()
	p := pay(first)
	redirect := fmt.Sprint(p["redirect_url"])
	if p["state"] != crm.PaymentPending || !strings.HasPrefix(redirect, provider.URL+"/pay/cs_") || p["reference"] == "" {
		t.Fatalf("payment started: %v", p)
	}
	page, err := http.Get(redirect)
	if err != nil || page.StatusCode != http.StatusOK {
		t.Fatalf("the provider's page: %v %v", err, page)
	}
	page.Body.Close()
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	done, err := noFollow.Post(strings.Replace(redirect, "/pay/", "/pay/", 1)+"/complete?outcome=paid", "application/x-www-form-urlencoded", strings.NewReader("card=4242"))
	if err != nil || done.StatusCode != http.StatusSeeOther || !strings.Contains(done.Header.Get("Location"), "/portal/orders/"+first+"/pay") {
		t.Fatalf("back from the provider: %v %v", err, done)
	}
	sent := provider.last()
	if sent.status != http.StatusOK {
		t.Fatalf("the notification was answered %d", sent.status)
	}
	payment := w.Find(t, crm.Payments, fmt.Sprint(p["id"]))
	if payment.GetString(crm.PayState) != crm.PaymentPaid || w.Find(t, crm.Orders, first).GetString("status") != orders.OrderPaid ||
		w.Count(t, crm.Invoices, "") != 1 {
		t.Fatalf("after the provider's notification: %v", payment.FieldsData())
	}
	if strings.Contains(fmt.Sprint(payment.FieldsData()), "4242") {
		t.Error("a card number reached Vinculo")
	}
	state := func() string {
		return fmt.Sprint(w.Find(t, crm.Payments, payment.Id).FieldsData(), w.Count(t, crm.Invoices, ""), w.Count(t, crm.Payments, ""))
	}
	before := state()
	// the same request played again: refused, nothing written
	if code, _ := provider.post(w.Cfg.PublicURL+orders.NotifyPath(crm.MethodCheckout), sent.body, sent.header); code != http.StatusUnauthorized || state() != before {
		t.Errorf("replayed: %d, changed %v", code, state() != before)
	}
	// forged: another body under the old signature, or signed with another secret
	forged := bytes.Replace(sent.body, []byte("evt_1"), []byte("evt_9"), 1)
	for name, h := range map[string]string{"old signature": sent.header, "other secret": Sign("not-the-secret", forged, time.Now()), "unsigned": ""} {
		if code, _ := provider.post(w.Cfg.PublicURL+orders.NotifyPath(crm.MethodCheckout), forged, h); code != http.StatusUnauthorized || state() != before {
			t.Errorf("forged (%s): %d, changed %v", name, code, state() != before)
		}
	}
	// the provider sends the same event again, freshly signed: paid once
	if code, _ := provider.post(w.Cfg.PublicURL+orders.NotifyPath(crm.MethodCheckout), sent.body, Sign(secret, sent.body, time.Now().Add(time.Second))); code != http.StatusOK {
		t.Errorf("the same event again: %d", code)
	}
	if after := w.Find(t, crm.Payments, payment.Id); w.Count(t, crm.Invoices, "") != 1 || after.GetString(crm.PayState) != crm.PaymentPaid {
		t.Errorf("the same event again paid twice: %d invoices", w.Count(t, crm.Invoices, ""))
	}

	// declined: the order stays unpaid, with the provider's reason
	second := order()
	p2 := pay(second)
	declined, err := noFollow.Post(fmt.Sprint(p2["redirect_url"])+"/complete?outcome=failed", "", nil)
	if err != nil || declined.StatusCode != http.StatusSeeOther {
		t.Fatalf("declined: %v %v", err, declined)
	}
	failed := w.Find(t, crm.Payments, fmt.Sprint(p2["id"]))
	if failed.GetString(crm.PayState) != crm.PaymentFailed || failed.GetString(crm.PayFailure) != "card_declined" ||
		w.Find(t, crm.Orders, second).GetString("status") != orders.OrderPlaced || w.Count(t, crm.Invoices, "") != 1 {
		t.Errorf("after declined: %v", failed.FieldsData())
	}
}

// A provider that cannot be reached fails the payment with the reason, and
// the order stays to pay.
func TestHostedCheckoutProviderDown(t *testing.T) {
	w := newWorld(t, shippedHooks(t))
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	w.Make(t, "", crm.PaymentSettings, map[string]any{crm.PsKey: crm.MethodCheckout, crm.PsActive: true, crm.PsProviderURL: down.URL, crm.PsSecret: "s"})
	o := w.Make(t, "", crm.Orders, map[string]any{"contact": w.ID("contact"), "currency": "BRL",
		"items": []map[string]any{{"name": "Fibra", "quantity": 1, "unit_price": 10}}})
	var p map[string]any
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/portal/orders/"+o.Id+"/pay", "customer", map[string]any{"method": crm.MethodCheckout}),
		http.StatusOK, "pay").JSON(t, &p)
	if p["state"] != crm.PaymentFailed || p["failure_reason"] == "" || w.Find(t, crm.Orders, o.Id).GetString("status") != orders.OrderPlaced {
		t.Errorf("provider down: %v", p)
	}
}
