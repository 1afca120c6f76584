package webforms_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/testkit"
)

// proof is consents.proof as the server keeps it.
type proof struct {
	Form        string   `json:"form"`
	FormName    string   `json:"form_name"`
	Text        string   `json:"text"`
	Purposes    []string `json:"purposes"`
	Email       string   `json:"email"`
	SentIP      string   `json:"sent_ip"`
	SentAgent   string   `json:"sent_user_agent"`
	ConfirmedAt string   `json:"confirmed_at"`
	IP          string   `json:"ip"`
	UserAgent   string   `json:"user_agent"`
}

// askAndMail sends the form with the consent ticked and answers the token
// of the link mailed to email.
func askAndMail(t *testing.T, w *testkit.World, form, email, lang string) (string, string) {
	t.Helper()
	before := len(mailsTo(t, w, email))
	body := map[string]any{"lang": lang, "values": map[string]any{"name": "Lia", "email": email}, "consent": true}
	res := testkit.Must(t, send(t, w, form, site, body, "User-Agent", "SiteBrowser/1.0"), http.StatusOK, "send")
	contains(t, "the answer", string(res.Body), `"confirm":true`)
	mails := mailsTo(t, w, email)
	if len(mails) != before+1 {
		t.Fatalf("%d confirmation mails, want 1", len(mails)-before)
	}
	text := bodyOf(t, mails[len(mails)-1])
	m := confirmLink.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no link in: %s", text)
	}
	return m[1], mails[len(mails)-1].Header.Get("Subject") + "\n" + text
}

func confirmPost(t *testing.T, w *testkit.World, token string, agent string) (int, string) {
	t.Helper()
	res, body := w.Request(t, http.MethodPost, "/forms/confirm", "", strings.NewReader(url.Values{"token": {token}}.Encode()),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded", "User-Agent": agent})
	return res.StatusCode, string(body)
}

func marketingConsent(t *testing.T, w *testkit.World, contact string) *core.Record {
	t.Helper()
	c, err := w.App.FindFirstRecordByFilter(crm.Consents, "contact = {:c} && purpose = 'marketing' && channel = 'email'", dbx.Params{"c": contact})
	if err != nil {
		return nil
	}
	return c
}

// Double opt-in: the mail (in the visitor's language, through the outbox)
// carries the link; opening it grants nothing until the visitor confirms;
// then the consent is granted with its proof; confirming again changes
// nothing.
func TestDoubleOptIn(t *testing.T) {
	w := world(t)
	form := makeForm(t, w, "", nil)
	token, mail := askAndMail(t, w, form, "lia@prado.example", "pt-BR")
	contains(t, "the mail", mail, "Confirme, por favor", "Quero receber as novidades da padaria por e-mail.", "7 dias")
	lead, _ := w.App.FindFirstRecordByData(crm.Contacts, crm.FieldEmail, "lia@prado.example")
	if lead == nil {
		t.Fatal("no lead")
	}
	if n := w.Count(t, crm.Outbox, "contact = {:c} AND purpose = 'service' AND urgent = 1 AND state = 'sent'", dbx.Params{"c": lead.Id}); n != 1 {
		t.Errorf("%d urgent service messages sent through the outbox, want 1", n)
	}
	if marketingConsent(t, w, lead.Id) != nil {
		t.Fatal("consent granted before the link was opened")
	}

	res, page := w.Request(t, http.MethodGet, "/forms/confirm?token="+token, "", nil, nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("open: %d %s", res.StatusCode, page)
	}
	contains(t, "the page", string(page), "Confirme seu consentimento", "Quero receber as novidades da padaria por e-mail.", `name="token"`, "Confirmar")
	if marketingConsent(t, w, lead.Id) != nil {
		t.Fatal("opening the page granted the consent before the button")
	}

	before := time.Now().UTC().Add(-time.Second)
	status, page2 := confirmPost(t, w, token, "MailApp/2.0")
	if status != http.StatusOK {
		t.Fatalf("confirm: %d %s", status, page2)
	}
	contains(t, "the done page", page2, "seu consentimento está confirmado")
	c := marketingConsent(t, w, lead.Id)
	if c == nil {
		t.Fatal("no consent after confirming")
	}
	if c.GetString("state") != "granted" || c.GetString("source") != crm.ConsentSourceWebForm ||
		c.GetString("text") != "Quero receber as novidades da padaria por e-mail." || c.GetDateTime("at").Time().Before(before) {
		t.Errorf("consent: %v", c.PublicExport())
	}
	var p proof
	if err := c.UnmarshalJSONField(crm.ConsentProof, &p); err != nil {
		t.Fatal(err)
	}
	if p.Form != form || p.FormName != "Fale conosco" || p.Text != c.GetString("text") || p.Email != "lia@prado.example" ||
		p.IP != "127.0.0.1" || p.UserAgent != "MailApp/2.0" || p.SentIP != "127.0.0.1" || p.SentAgent != "SiteBrowser/1.0" ||
		p.ConfirmedAt != c.GetDateTime("at").String() || len(p.Purposes) != 1 || p.Purposes[0] != "marketing" {
		t.Errorf("proof: %+v", p)
	}
	if w.Count(t, crm.Activities, "contact = {:c} AND event = 'consent.changed'", dbx.Params{"c": lead.Id}) != 1 {
		t.Error("no timeline entry for the consent")
	}

	// Again: harmless.
	updated := c.GetDateTime("updated")
	status, page3 := confirmPost(t, w, token, "Other/3.0")
	if status != http.StatusOK || !strings.Contains(page3, "já foi confirmado") {
		t.Errorf("again: %d %s", status, page3)
	}
	if again := marketingConsent(t, w, lead.Id); !again.GetDateTime("updated").Equal(updated) || strings.Contains(again.GetString(crm.ConsentProof), "Other/3.0") {
		t.Errorf("confirming again changed the consent: %v", again.PublicExport())
	}
	if res, body := w.Request(t, http.MethodGet, "/forms/confirm?token="+token, "", nil, nil); res.StatusCode != http.StatusOK || !strings.Contains(string(body), "já foi confirmado") {
		t.Errorf("reopened: %d %s", res.StatusCode, body)
	}
}

// An expired link says so; a forged one says it is not valid; neither
// grants anything.
func TestExpiredAndForgedLinks(t *testing.T) {
	w := world(t)
	form := makeForm(t, w, "", nil)
	token, _ := askAndMail(t, w, form, "old@x.example", "en")
	o, err := w.App.FindFirstRecordByFilter(crm.WebFormOptIns, "email = 'old@x.example'")
	if err != nil {
		t.Fatal(err)
	}
	w.Update(t, o, map[string]any{crm.OptInExpires: time.Now().Add(-time.Minute).UTC()})
	if res, body := w.Request(t, http.MethodGet, "/forms/confirm?token="+token, "", nil, nil); res.StatusCode != http.StatusGone || !strings.Contains(string(body), "This link has expired") {
		t.Errorf("expired, opened: %d %s", res.StatusCode, body)
	}
	if status, body := confirmPost(t, w, token, "x"); status != http.StatusGone || !strings.Contains(body, "This link has expired") {
		t.Errorf("expired, confirmed: %d %s", status, body)
	}
	forged := token[:len(token)-2] + "xx"
	for _, tok := range []string{forged, "", strings.Repeat("a", 300)} {
		if res, body := w.Request(t, http.MethodGet, "/forms/confirm?token="+url.QueryEscape(tok), "", nil, map[string]string{"Accept-Language": "pt-BR"}); res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "Este link não é válido") {
			t.Errorf("forged %q, opened: %d %s", tok, res.StatusCode, body)
		}
		if status, body := confirmPost(t, w, tok, "x"); status != http.StatusBadRequest || !strings.Contains(body, "Este link não é válido") {
			t.Errorf("forged %q, confirmed: %d %s", tok, status, body)
		}
	}
	if n := w.Count(t, crm.Consents, "purpose = 'marketing'"); n != 0 {
		t.Errorf("%d consents granted by bad links", n)
	}
}

// The proof stays with the version it proves: when the customer withdraws
// the consent in the portal, it moves to the history. Nobody sends a proof
// through the API.
func TestProofInHistory(t *testing.T) {
	w := world(t)
	form := makeForm(t, w, "", nil)
	token, _ := askAndMail(t, w, form, "ana@a.test", "pt-BR")
	if status, body := confirmPost(t, w, token, "MailApp/2.0"); status != http.StatusOK {
		t.Fatalf("confirm: %d %s", status, body)
	}
	c := marketingConsent(t, w, w.ID("ctA"))
	testkit.Must(t, w.Do(t, http.MethodPatch, "/api/collections/consents/records/"+c.Id, "cuA", map[string]any{"state": "withdrawn"}), http.StatusOK, "withdraw")
	c = w.Reload(t, c)
	var history []struct {
		State string `json:"state"`
		Proof proof  `json:"proof"`
	}
	if err := c.UnmarshalJSONField("history", &history); err != nil || len(history) != 1 {
		t.Fatalf("history %s (%v)", c.GetString("history"), err)
	}
	if history[0].State != "granted" || history[0].Proof.UserAgent != "MailApp/2.0" || history[0].Proof.Form != form {
		t.Errorf("history: %+v", history[0])
	}
	if s := c.GetString(crm.ConsentProof); s != "" && s != "null" {
		t.Errorf("the withdrawn consent still carries the proof: %s", s)
	}
	for _, who := range []string{"agent", "cuB"} {
		res := w.Do(t, http.MethodPost, "/api/collections/consents/records", who, map[string]any{"contact": w.ID("ctB"),
			"purpose": "research", "channel": "email", "state": "granted", crm.ConsentProof: map[string]any{"ip": "1.2.3.4"}})
		if res.Status == http.StatusOK {
			t.Errorf("%s sent a proof: %s", who, res.Body)
		}
	}
	if n := w.Count(t, crm.Consents, "purpose = 'research'"); n != 0 {
		t.Errorf("%d consents with a forged proof", n)
	}
}

// Rows go 30 days after their link expired; the proof stays on the consent.
func TestOldConfirmationsGo(t *testing.T) {
	w := world(t)
	form := makeForm(t, w, "", nil)
	askAndMail(t, w, form, "gone@x.example", "en")
	if n, err := deleteOld(w, time.Now().Add(20*24*time.Hour)); err != nil || n != 0 {
		t.Fatalf("deleted %d (%v) before their time", n, err)
	}
	if n, err := deleteOld(w, time.Now().Add(38*24*time.Hour)); err != nil || n != 1 {
		t.Fatalf("deleted %d (%v), want 1", n, err)
	}
}
