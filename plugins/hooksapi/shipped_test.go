package hooksapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/notifications"
	"vinculo/plugins/outbox"
	"vinculo/testkit"
)

const (
	testWebhookSecret = "outbound-secret-0123456789"
	testInboundSecret = "inbound-secret-0123456789"
)

// The shipped hooks/ folder, loaded as Vinculo loads it, with every
// automation on: one request's life end to end through the HTTP API. The
// steps run in order, each on what the one before left (the webhooks
// received add up, the rating link comes from the closing).
func TestShippedAutomations(t *testing.T) {
	w, rcv := shippedWorld(t)

	// The customer opens a request in the portal.
	kase := openCase(t, w, "Sem sinal de internet")
	Wait(w.App)
	notifications.Wait(w.App) // the owner is told as a notification, mailed after its commit

	t.Run("notify the owner when their customer opens a request", func(t *testing.T) {
		var toOwner []string
		for _, m := range w.Mails(t) {
			if strings.Contains(m, "rafael@vinculo.test") {
				toOwner = append(toOwner, m)
			}
		}
		if len(toOwner) != 1 {
			t.Fatalf("%d mails to the owner, want 1", len(toOwner))
		}
		// Rafael keeps no language of his own: the business's (Portuguese).
		for _, want := range []string{kase.GetString("reference"), "Sem sinal de internet", "João Conceição", "/cases/" + kase.Id, "abriu a solicitação"} {
			if !strings.Contains(toOwner[0], want) {
				t.Errorf("the owner's mail does not mention %q:\n%s", want, toOwner[0])
			}
		}
		// Staff opening a request for the customer: no mail to the owner.
		before := len(w.Mails(t))
		res := w.Do(t, http.MethodPost, "/api/collections/cases/records", "agent", map[string]any{
			"type": w.ID("caseType"), "contact": w.ID("contact"), "subject": "Aberto pela equipe"})
		if res.Status != http.StatusOK {
			t.Fatalf("staff open: %d %s", res.Status, res.Body)
		}
		for _, m := range w.Mails(t)[before:] {
			if strings.Contains(m, "Aberto pela equipe") && strings.Contains(m, "rafael@vinculo.test") {
				t.Error("the owner was notified of a request staff opened")
			}
		}
	})

	t.Run("outbound webhook arrives signed", func(t *testing.T) {
		// The customer's request and the one staff opened: contact.created
		// and the other events are not chosen.
		Wait(w.App)
		got := rcv.all()
		if len(got) != 2 {
			t.Fatalf("%d webhooks, want 2 (case.opened twice)", len(got))
		}
		checkWebhook(t, got[0], "case.opened", kase.Id)
		checkWebhook(t, got[1], "case.opened", "")
	})

	var link string
	t.Run("ask for a rating when the request closes", func(t *testing.T) {
		// The rating request is a survey: it goes under the research purpose.
		w.Make(t, "", crm.Consents, map[string]any{"contact": w.ID("contact"), "purpose": "research", "channel": "email", "state": "granted", "source": "portal"})
		res := w.Do(t, http.MethodPatch, "/api/collections/cases/records/"+kase.Id, "agent", map[string]any{"status": "solved"})
		if res.Status != http.StatusOK {
			t.Fatalf("close: %d %s", res.Status, res.Body)
		}
		msgs, err := w.App.FindRecordsByFilter(crm.Outbox, "case = {:c} && subject ~ 'Como foi o atendimento'", "", 0, 0, dbx.Params{"c": kase.Id})
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != 1 {
			t.Fatalf("%d rating requests, want 1", len(msgs))
		}
		m := msgs[0]
		if m.GetString("purpose") != "research" || m.GetString("contact") != w.ID("contact") || m.GetString("state") != crm.OutboxQueued {
			t.Errorf("rating request: purpose %q contact %q state %q (%s)", m.GetString("purpose"), m.GetString("contact"), m.GetString("state"), m.GetString("reason"))
		}
		link = regexp.MustCompile(`http://\S+/rate/\S+`).FindString(m.GetString("body"))
		if link == "" {
			t.Fatalf("no rating link in %q", m.GetString("body"))
		}
		Wait(w.App)
		got := rcv.all()
		if len(got) != 3 {
			t.Fatalf("%d webhooks, want 3", len(got))
		}
		checkWebhook(t, got[2], "case.closed", kase.Id)

		// Moving it along again, or closing another way, asks once only.
		w.Do(t, http.MethodPatch, "/api/collections/cases/records/"+kase.Id, "agent", map[string]any{"priority": "high"})
		if n := w.Count(t, crm.Outbox, "`case` = {:c} AND subject LIKE '%Como foi o atendimento%'", dbx.Params{"c": kase.Id}); n != 1 {
			t.Errorf("%d rating requests after another change, want 1", n)
		}
	})

	t.Run("the rating page", func(t *testing.T) {
		u, err := url.Parse(link)
		if err != nil {
			t.Fatal(err)
		}
		code, page := sendRaw(t, w, http.MethodGet, u.RequestURI(), nil, nil)
		if code != http.StatusOK || !strings.Contains(page, kase.GetString("reference")) || !strings.Contains(page, "Como foi o atendimento?") {
			t.Fatalf("GET %s: %d\n%s", u.RequestURI(), code, page)
		}
		token := u.Query().Get("t")

		before := counts(t, w)
		for name, form := range map[string]url.Values{
			"no token":       {"rating": {"5"}},
			"bad token":      {"rating": {"5"}, "t": {token + "0"}},
			"other request":  {"rating": {"5"}, "t": {mustSign(t, w, "/rate/other")}},
			"no rating":      {"t": {token}},
			"rating too big": {"rating": {"9"}, "t": {token}},
		} {
			code, body := sendRaw(t, w, http.MethodPost, u.Path, []byte(form.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
			if code != http.StatusForbidden && code != http.StatusBadRequest {
				t.Errorf("%s: %d\n%s", name, code, body)
			}
		}
		code, _ = sendRaw(t, w, http.MethodGet, u.Path+"?t=x", nil, nil)
		if code != http.StatusForbidden {
			t.Errorf("GET with a bad token: %d", code)
		}
		sameCounts(t, "refused ratings", before, counts(t, w))
		if w.Find(t, crm.Cases, kase.Id).GetInt("rating") != 0 {
			t.Fatal("a refused rating was saved")
		}

		form := url.Values{"rating": {"4"}, "comment": {"Resolveram rápido."}, "t": {token}}
		code, body := sendRaw(t, w, http.MethodPost, u.Path, []byte(form.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
		if code != http.StatusOK || !strings.Contains(body, "Obrigado") {
			t.Fatalf("rate: %d\n%s", code, body)
		}
		saved := w.Find(t, crm.Cases, kase.Id)
		if saved.GetInt("rating") != 4 || saved.GetString("rating_comment") != "Resolveram rápido." {
			t.Errorf("saved rating %d %q", saved.GetInt("rating"), saved.GetString("rating_comment"))
		}
		// The rating is the request's CSAT answer (plugins/surveys).
		answer, err := w.App.FindFirstRecordByFilter(crm.SurveyAnswers, "case = {:c} && kind = 'csat'", dbx.Params{"c": kase.Id})
		if err != nil || answer.GetInt("score") != 4 || answer.GetString("comment") != "Resolveram rápido." || answer.GetString("contact") != w.ID("contact") {
			t.Errorf("the CSAT answer: %v %v", answer, err)
		}
		rated, err := w.App.FindFirstRecordByFilter(crm.Activities, "event = 'case.rated' && case = {:c}", dbx.Params{"c": kase.Id})
		if err != nil {
			t.Fatal("no case.rated entry on the timeline")
		}
		if rated.GetString("actor_type") != "customer" || rated.GetString("customer") != w.ID("customer") {
			t.Errorf("rated by %s %s, want the customer %s", rated.GetString("actor_type"), rated.GetString("customer"), w.ID("customer"))
		}
		Wait(w.App)
		if got := rcv.all(); len(got) != 4 {
			t.Errorf("%d webhooks, want 4", len(got))
		} else {
			checkWebhook(t, got[3], "case.rated", kase.Id)
		}
	})
}

// shippedWorld loads the shipped hooks/ folder with every automation on and
// webhooks going to a loopback receiver.
func shippedWorld(t *testing.T) (*testkit.World, *receiver) {
	t.Helper()
	rcv := newReceiver(t)
	w := newWorld(t, shippedHooks(t), func(c *crm.Config) {
		c.Webhooks = crm.Webhooks{URL: rcv.URL + "/hooks", Secret: testWebhookSecret,
			Events: []string{"case.opened", "case.closed", "case.rated"}, InboundSecret: testInboundSecret}
	})
	return w, rcv
}

// The rating page of a request still open shows no form and takes no rating.
func TestShippedRatingPageRefusesAnOpenRequest(t *testing.T) {
	w, _ := shippedWorld(t)
	open := openCase(t, w, "Ainda aberta")
	path := "/rate/" + open.Id
	token := mustSign(t, w, path)
	code, page := sendRaw(t, w, http.MethodGet, path+"?t="+url.QueryEscape(token), nil, nil)
	if code != http.StatusOK || strings.Contains(page, "<form") || !strings.Contains(page, "ainda não foi concluída") {
		t.Errorf("GET an open request: %d\n%s", code, page)
	}
	form := url.Values{"rating": {"5"}, "t": {token}}
	code, _ = sendRaw(t, w, http.MethodPost, path, []byte(form.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if code != http.StatusConflict || w.Find(t, crm.Cases, open.Id).GetInt("rating") != 0 {
		t.Errorf("POST a rating of an open request: %d", code)
	}
	Wait(w.App)
}

// The follow-up task after a call, with every shipped hook loaded together
// (its own test is TestShippedFollowUpTask).
func TestShippedFollowUpWithEveryHook(t *testing.T) {
	w, _ := shippedWorld(t)
	res := w.Do(t, http.MethodPost, "/api/collections/activities/records", "agent", map[string]any{
		"type": "call", "channel": "phone", "direction": "outbound", "subject": "Renovação do plano",
		"actor_type": "staff", "staff": w.ID("agent"), "contact": w.ID("contact")})
	if res.Status != http.StatusOK {
		t.Fatalf("log a call: %d %s", res.Status, res.Body)
	}
	call := decode(t, res.Body)["id"]
	if n := w.Count(t, crm.Tasks, "activity = {:a} AND title = 'Retorno: Renovação do plano' AND status = 'open'", dbx.Params{"a": call}); n != 1 {
		t.Errorf("%d follow-up tasks, want 1", n)
	}
	Wait(w.App)
}

// Marketing is held while a request is open, with every shipped hook loaded
// together (its own test is TestShippedHoldMarketing).
func TestShippedMarketingHeldWithEveryHook(t *testing.T) {
	w, _ := shippedWorld(t)
	openCase(t, w, "Sem sinal de internet")
	w.Make(t, "", crm.Consents, map[string]any{"contact": w.ID("contact"), "purpose": "marketing", "channel": "email", "state": "granted", "source": "portal"})
	// A request of this contact is open.
	got := mustJS(t, w, fmt.Sprintf(`$crm.queueMessage({contact: %q, purpose: "marketing", channel: "email", subject: "Promoção", body: "Novos planos"})`, w.ID("contact"))).(map[string]any)
	if got["state"] != crm.OutboxWaiting || !strings.Contains(fmt.Sprint(got["reason"]), "is open (its type holds marketing)") {
		t.Errorf("a marketing message while a request is open: %v", got)
	}
	// The other contact has none open: the same message goes.
	w.Make(t, "", crm.Consents, map[string]any{"contact": w.ID("other"), "purpose": "marketing", "channel": "email", "state": "granted", "source": "portal"})
	got = mustJS(t, w, fmt.Sprintf(`$crm.queueMessage({contact: %q, purpose: "marketing", channel: "email", subject: "Promo", body: "New plans"})`, w.ID("other"))).(map[string]any)
	if got["state"] != crm.OutboxQueued {
		t.Errorf("a marketing message with no request open: %v", got)
	}
}

// The signed inbound webhook: refused unsigned, badly signed or stale, and
// with a body it cannot use; a message on a request, and one from someone new.
func TestShippedInboundWebhook(t *testing.T) {
	w, _ := shippedWorld(t)
	post := func(body any, sign func([]byte) string) (int, string) {
		raw, _ := json.Marshal(body)
		return sendRaw(t, w, http.MethodPost, "/api/crm/inbound", raw, map[string]string{
			"Content-Type": "application/json", SignatureHeader: sign(raw)})
	}
	good := func(raw []byte) string { return Sign(testInboundSecret, raw, time.Now()) }
	open := openCase(t, w, "Conversa no WhatsApp")
	Wait(w.App)
	msg := map[string]any{"channel": "whatsapp", "from": map[string]any{"phone": "+55 11 98765-4321"},
		"text": "Ainda sem sinal aqui.", "case": open.GetString("reference")}

	before := counts(t, w)
	for name, sign := range map[string]func([]byte) string{
		"no signature":   func([]byte) string { return "" },
		"wrong secret":   func(raw []byte) string { return Sign("another-secret-0123456789", raw, time.Now()) },
		"stale":          func(raw []byte) string { return Sign(testInboundSecret, raw, time.Now().Add(-10*time.Minute)) },
		"other body":     func(raw []byte) string { return Sign(testInboundSecret, append(raw, ' '), time.Now()) },
		"garbage header": func([]byte) string { return "t=abc,v1=zz" },
	} {
		if code, body := post(msg, sign); code != http.StatusUnauthorized {
			t.Errorf("%s: %d %s, want 401", name, code, body)
		}
	}
	for name, bad := range map[string]map[string]any{
		"no text":         {"channel": "chat", "from": map[string]any{"email": "new@example.com"}},
		"unknown channel": {"channel": "pigeon", "text": "hi", "from": map[string]any{"email": "new@example.com"}},
		"someone's case":  {"channel": "chat", "text": "hi", "from": map[string]any{"email": "new@example.com"}, "case": open.GetString("reference")},
		"unknown contact": {"channel": "chat", "text": "hi", "from": map[string]any{"contact": "nosuchcontact00"}},
	} {
		if code, body := post(bad, good); code != http.StatusBadRequest {
			t.Errorf("%s: %d %s, want 400", name, code, body)
		}
	}
	sameCounts(t, "refused inbound messages", before, counts(t, w))

	code, body := post(msg, good)
	if code != http.StatusCreated {
		t.Fatalf("inbound: %d %s", code, body)
	}
	out := decode(t, []byte(body))
	if out["contact"] != w.ID("contact") || out["message"] == nil {
		t.Fatalf("answer %v", out)
	}
	entry := w.Find(t, crm.Activities, fmt.Sprint(out["activity"]))
	for field, want := range map[string]string{"type": "chat", "channel": "whatsapp", "direction": "inbound",
		"actor_type": "integration", "contact": w.ID("contact"), "case": open.Id, "body": "Ainda sem sinal aqui."} {
		if got := entry.GetString(field); got != want {
			t.Errorf("timeline entry %s = %q, want %q", field, got, want)
		}
	}
	m := w.Find(t, crm.CaseMessages, fmt.Sprint(out["message"]))
	if m.GetString("case") != open.Id || m.GetString("body") != "Ainda sem sinal aqui." || m.GetBool("internal") {
		t.Errorf("case message %v", m.PublicExport())
	}

	// Someone new: a lead, and the entry on their timeline.
	code, body = post(map[string]any{"channel": "social", "from": map[string]any{"email": "Nova.Pessoa@Example.com", "name": "Nova Pessoa"},
		"text": "Vocês atendem no sábado?"}, good)
	if code != http.StatusCreated {
		t.Fatalf("inbound from someone new: %d %s", code, body)
	}
	lead := w.Find(t, crm.Contacts, fmt.Sprint(decode(t, []byte(body))["contact"]))
	if lead.GetString("email") != "nova.pessoa@example.com" || lead.GetString("stage") != "lead" || lead.GetString("name") != "Nova Pessoa" {
		t.Errorf("new lead %v", lead.PublicExport())
	}
	Wait(w.App)
}

// With every switch off, the shipped hooks do nothing: no mail to the
// owner, no rating request, no webhook, no pages.
func TestShippedAutomationsSwitchedOff(t *testing.T) {
	rcv := newReceiver(t)
	w := newWorld(t, shippedHooks(t), func(c *crm.Config) {
		c.Automations = crm.Automations{}
		c.Webhooks = crm.Webhooks{Events: []string{"*"}} // no URL: off
		c.FollowUps = false
	})
	_ = rcv
	res := w.Do(t, http.MethodPost, "/api/collections/activities/records", "agent", map[string]any{
		"type": "call", "subject": "Sem follow-up", "actor_type": "staff", "staff": w.ID("agent"), "contact": w.ID("contact")})
	if res.Status != http.StatusOK || w.Count(t, crm.Tasks, "") != 0 {
		t.Errorf("a call with followups.enabled off: %d, %d tasks", res.Status, w.Count(t, crm.Tasks, ""))
	}
	kase := openCase(t, w, "Sem sinal")
	res = w.Do(t, http.MethodPatch, "/api/collections/cases/records/"+kase.Id, "agent", map[string]any{"status": "solved"})
	if res.Status != http.StatusOK {
		t.Fatalf("close: %d %s", res.Status, res.Body)
	}
	Wait(w.App)
	for _, m := range w.Mails(t) {
		if strings.Contains(m, "rafael@vinculo.test") {
			t.Error("the owner was notified")
		}
	}
	if n := w.Count(t, crm.Outbox, "subject LIKE '%Como foi o atendimento%'"); n != 0 {
		t.Errorf("%d rating requests", n)
	}
	// (GET falls through to the staff workspace's page.)
	if _, page := sendRaw(t, w, http.MethodGet, "/rate/"+kase.Id+"?t="+url.QueryEscape(mustSign(t, w, "/rate/"+kase.Id)), nil, nil); strings.Contains(page, kase.GetString("reference")) {
		t.Error("the rating page answers")
	}
	if code, _ := sendRaw(t, w, http.MethodPost, "/api/crm/inbound", []byte(`{}`), nil); code != http.StatusNotFound {
		t.Errorf("the inbound webhook answers %d, want 404", code)
	}
	// Vinculo's own request status messages (Go, not hooks) are still queued.
	if n := w.Count(t, crm.Outbox, "`case` = {:c}", dbx.Params{"c": kase.Id}); n != 2 {
		t.Errorf("%d messages about the request, want 2 (opened, closed)", n)
	}
}

func checkWebhook(t *testing.T, r received, event, caseID string) {
	t.Helper()
	if err := Verify(testWebhookSecret, r.Body, r.Header.Get(SignatureHeader), DefaultTolerance, time.Now()); err != nil {
		t.Errorf("%s: signature: %v (header %q)", event, err, r.Header.Get(SignatureHeader))
	}
	if r.Header.Get(EventHeader) != event || r.Header.Get(DeliveryHeader) == "" {
		t.Errorf("headers %v", r.Header)
	}
	p := decode(t, r.Body)
	data, _ := p["data"].(map[string]any)
	entry, _ := data["entry"].(map[string]any)
	record, _ := data["record"].(map[string]any)
	if p["event"] != event || p["id"] != r.Header.Get(DeliveryHeader) || entry["event"] != event || (caseID != "" && record["id"] != caseID) {
		t.Errorf("payload of %s: %s", event, r.Body)
	}
}

func mustSign(t *testing.T, w *testkit.World, path string) string {
	t.Helper()
	token, err := engineOf(w.App).signLink(w.App, path, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// The rating request is a research message: a customer without a research
// consent, or who withdrew it, is never asked; with the CSAT survey off in
// Settings > Surveys nothing is queued at all.
func TestShippedRatingRequestNeedsResearchConsent(t *testing.T) {
	w, _ := shippedWorld(t)
	closeCase := func(subject string) string {
		kase := openCase(t, w, subject)
		if res := w.Do(t, http.MethodPatch, "/api/collections/cases/records/"+kase.Id, "agent", map[string]any{"status": "solved"}); res.Status != http.StatusOK {
			t.Fatalf("close: %d %s", res.Status, res.Body)
		}
		return kase.Id
	}
	asked := func(id string) []*core.Record {
		msgs, err := w.App.FindRecordsByFilter(crm.Outbox, "case = {:c} && subject ~ 'Como foi o atendimento'", "", 0, 0, dbx.Params{"c": id})
		if err != nil {
			t.Fatal(err)
		}
		return msgs
	}
	// No research consent: the outbox refuses the survey.
	msgs := asked(closeCase("Sem consentimento"))
	if len(msgs) != 1 || msgs[0].GetString("state") != crm.OutboxRefused || msgs[0].GetString("purpose") != "research" {
		t.Fatalf("without consent: %d messages %v", len(msgs), msgs)
	}
	// The customer withdrew it: refused too.
	w.Make(t, "", crm.Consents, map[string]any{"contact": w.ID("contact"), "purpose": "research", "channel": "email", "state": "withdrawn", "source": "portal"})
	if msgs := asked(closeCase("Retirou")); len(msgs) != 1 || msgs[0].GetString("state") != crm.OutboxRefused {
		t.Fatalf("after withdrawing: %v", msgs)
	}
	outbox.Deliver(w.App, w.Clock.Now())
	Wait(w.App)
	for _, m := range w.Mails(t) {
		if strings.Contains(m, "Como foi o atendimento") {
			t.Error("a rating request reached a customer without research consent")
		}
	}
	// CSAT off in Settings > Surveys: nothing queued.
	setting, err := w.App.FindFirstRecordByData(crm.SurveySettings, "kind", crm.SurveyCSAT)
	if err != nil {
		t.Fatal(err)
	}
	if res := w.Do(t, http.MethodPatch, "/api/collections/"+crm.SurveySettings+"/records/"+setting.Id, "manager", map[string]any{"enabled": false}); res.Status != http.StatusOK {
		t.Fatalf("switch CSAT off: %d %s", res.Status, res.Body)
	}
	if msgs := asked(closeCase("Pesquisa desligada")); len(msgs) != 0 {
		t.Errorf("%d rating requests with CSAT off", len(msgs))
	}
	Wait(w.App)
}
