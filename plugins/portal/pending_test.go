package portal_test

import (
	"io"
	"mime"
	"net/http"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"vinculo/crm"
	"vinculo/plugins/portal"
	"vinculo/testkit"
)

var confirmLink = regexp.MustCompile(`/portal/confirm-request\?token=([A-Za-z0-9_-]+)`)

// confirmed is the answer of the confirmation route.
type confirmed struct {
	Reference string `json:"reference"`
	TrackURL  string `json:"track_url"`
	Email     string `json:"email"`
}

// sendPublic posts the public form and answers the token of the link mailed
// to its address.
func sendPublic(t *testing.T, w *testkit.World, body map[string]any) string {
	t.Helper()
	before := len(mailsTo(t, w, strings.ToLower(body["email"].(string))))
	must(t, w.Do(t, http.MethodPost, "/api/crm/public/requests", "", body), http.StatusOK, "public request")
	mails := mailsTo(t, w, strings.ToLower(body["email"].(string)))
	if len(mails) != before+1 {
		t.Fatalf("%d confirmation mails to %s, want 1", len(mails)-before, body["email"])
	}
	m := confirmLink.FindStringSubmatch(mails[len(mails)-1])
	if m == nil {
		t.Fatalf("no confirmation link in: %s", mails[len(mails)-1])
	}
	return m[1]
}

// confirmPublic opens the link of token: the request is filed.
func confirmPublic(t *testing.T, w *testkit.World, token string) confirmed {
	t.Helper()
	var c confirmed
	must(t, w.Do(t, http.MethodPost, "/api/crm/public/requests/confirm", "", map[string]any{"token": token}), http.StatusOK, "confirm").JSON(t, &c)
	return c
}

// sentMails records every message the app hands to its mailer, HTML too.
func sentMails(w *testkit.World) func() []*core.MailerEvent {
	var mu sync.Mutex
	var got []*core.MailerEvent
	// first of all: the mail folder answers without passing it on
	w.App.OnMailerSend().Bind(&hook.Handler[*core.MailerEvent]{Priority: -1000, Func: func(e *core.MailerEvent) error {
		mu.Lock()
		got = append(got, e)
		mu.Unlock()
		return e.Next()
	}})
	return func() []*core.MailerEvent {
		mu.Lock()
		defer mu.Unlock()
		return append([]*core.MailerEvent(nil), got...)
	}
}

func caseSubjects(t *testing.T, w *testkit.World, who string) string {
	t.Helper()
	out := string(must(t, w.Do(t, http.MethodGet, "/api/collections/cases/records?perPage=200", who, nil), http.StatusOK, "cases of "+who).Body)
	if who != "staff" {
		out += string(must(t, w.Do(t, http.MethodGet, "/api/crm/portal/me", who, nil), http.StatusOK, "me of "+who).Body)
	}
	return out
}

// A stranger who types a customer's email on the public form writes
// nothing into that customer's account, and makes the business mail them
// nothing the stranger wrote: a link to confirm, in fixed words. Opening
// it files the request as theirs, from then on; the link works once.
func TestPublicRequestWaitsForItsEmailsConfirmation(t *testing.T) {
	w := portalWorld(t)
	mails := sentMails(w)
	casesBefore := w.Count(t, crm.Cases, "1=1")
	form := map[string]any{"type": "SUP", "name": "Mallory Impostor", "email": "ANA@a.test",
		"subject": "Your account is locked", "description": "Pay at http://evil.test/pay now",
		"fields": map[string]any{"order_number": "wire-9999"}}
	token := sendPublic(t, w, form)

	if n := w.Count(t, crm.Cases, "1=1"); n != casesBefore {
		t.Errorf("an unconfirmed request made %d requests", n-casesBefore)
	}
	for _, who := range []string{"cuA", "staff"} {
		if body := caseSubjects(t, w, who); strings.Contains(body, "locked") {
			t.Errorf("%s sees the unconfirmed request: %s", who, body)
		}
	}
	if n := w.Count(t, crm.PendingRequests, "email = 'ana@a.test'"); n != 1 {
		t.Errorf("%d pending requests for ana, want 1", n)
	}

	// the mail: the business's fixed words and the link, nothing the sender typed
	sent := mails()
	if len(sent) != 1 {
		t.Fatalf("%d mails sent, want 1", len(sent))
	}
	m := sent[0].Message
	if len(m.To) != 1 || m.To[0].Address != "ana@a.test" {
		t.Errorf("mailed to %v", m.To)
	}
	for _, typed := range []string{"Mallory", "Impostor", "locked", "evil.test", "Pay", "wire-9999"} {
		for part, text := range map[string]string{"subject": m.Subject, "text": m.Text, "html": m.HTML} {
			if strings.Contains(text, typed) {
				t.Errorf("the mail's %s carries the sender's %q: %s", part, typed, text)
			}
		}
	}
	if !strings.Contains(m.Text, w.Cfg.PublicURL+"/portal/confirm-request?token="+token) || !strings.Contains(m.HTML, `<a href="`) {
		t.Errorf("the mail lacks its link: %s / %s", m.Text, m.HTML)
	}

	// confirmed: Ana's request from now on, with its clock and the usual mail
	outboxBefore := w.Count(t, crm.Outbox, "contact = {:c} AND template = {:t}", dbx.Params{"c": w.ID("ctA"), "t": crm.TemplateCaseOpened})
	opened := time.Now()
	got := confirmPublic(t, w, token)
	kase, err := w.App.FindFirstRecordByData(crm.Cases, "reference", got.Reference)
	if err != nil {
		t.Fatalf("no request %q after confirming: %v", got.Reference, err)
	}
	if kase.GetString(crm.FieldContact) != w.ID("ctA") || kase.GetString("subject") != "Your account is locked" || kase.GetString("channel") != "web" {
		t.Errorf("filed as %v", kase.PublicExport())
	}
	if created := kase.GetDateTime("created").Time(); created.Before(opened.Add(-time.Second)) {
		t.Errorf("the request's clock started at %s, before its confirmation (%s)", created, opened)
	}
	if got.Email != "ana@a.test" || !strings.HasSuffix(got.TrackURL, "reference="+got.Reference) {
		t.Errorf("answer: %+v", got)
	}
	if body := caseSubjects(t, w, "cuA"); !strings.Contains(body, "locked") {
		t.Errorf("Ana does not see her confirmed request: %s", body)
	}
	if n := w.Count(t, crm.Outbox, "contact = {:c} AND template = {:t}", dbx.Params{"c": w.ID("ctA"), "t": crm.TemplateCaseOpened}); n != outboxBefore+1 {
		t.Errorf("%d 'we received your request' messages queued, want 1", n-outboxBefore)
	}
	if n := w.Count(t, crm.PendingRequests, "1=1"); n != 0 {
		t.Errorf("%d pending requests left after confirming", n)
	}

	// the link works once
	again := w.Do(t, http.MethodPost, "/api/crm/public/requests/confirm", "", map[string]any{"token": token})
	forged := w.Do(t, http.MethodPost, "/api/crm/public/requests/confirm", "", map[string]any{"token": strings.Repeat("A", 43)})
	if again.Status != http.StatusBadRequest || string(again.Body) != string(forged.Body) {
		t.Errorf("a used link: %d %s; an unknown one: %d %s", again.Status, again.Body, forged.Status, forged.Body)
	}
	if n := w.Count(t, crm.Cases, "subject = 'Your account is locked'"); n != 1 {
		t.Errorf("%d requests after reusing the link, want 1", n)
	}
}

// Whether the email is a customer's, a contact's or nobody's, the form
// answers the same and the same kind of mail goes out; nobody's email
// becomes a lead only once confirmed.
func TestPublicRequestAnswersTheSameForEveryEmail(t *testing.T) {
	w := portalWorld(t)
	mails := sentMails(w)
	w.Make(t, "ctOnly", crm.Contacts, map[string]any{"name": "Only Contact", "email": "only@contact.test"})
	contacts := w.Count(t, crm.Contacts, "1=1")
	var answers []string
	for _, email := range []string{"ana@a.test", "only@contact.test", "nobody@new.test"} {
		res := must(t, w.Do(t, http.MethodPost, "/api/crm/public/requests", "", map[string]any{
			"type": "SUP", "name": "Someone", "email": email, "subject": "Hello"}), http.StatusOK, email)
		answers = append(answers, string(res.Body))
	}
	if answers[0] != answers[1] || answers[1] != answers[2] || !strings.Contains(answers[0], `"pending_confirmation"`) {
		t.Errorf("answers differ or do not ask for the confirmation: %q", answers)
	}
	if n := w.Count(t, crm.Contacts, "1=1"); n != contacts {
		t.Errorf("an unconfirmed request made %d contacts", n-contacts)
	}
	sent := mails()
	if len(sent) != 3 {
		t.Fatalf("%d mails, want 3", len(sent))
	}
	strip := func(s string) string { return confirmLink.ReplaceAllString(s, "LINK") }
	for _, e := range sent[1:] {
		if e.Message.Subject != sent[0].Message.Subject || strip(e.Message.Text) != strip(sent[0].Message.Text) {
			t.Errorf("mails differ: %q %q / %q %q", sent[0].Message.Subject, sent[0].Message.Text, e.Message.Subject, e.Message.Text)
		}
	}

	// confirmed, nobody's email becomes a lead with its request
	tokens := confirmLink.FindStringSubmatch(sent[2].Message.Text)
	got := confirmPublic(t, w, tokens[1])
	lead, err := w.App.FindFirstRecordByData(crm.Contacts, crm.FieldEmail, "nobody@new.test")
	if err != nil || lead.GetString("stage") != "lead" || lead.GetString("source") != "public_form" || lead.GetString("name") != "Someone" {
		t.Fatalf("no lead after confirming: %v", err)
	}
	if kase, _ := w.App.FindFirstRecordByData(crm.Cases, "reference", got.Reference); kase == nil || kase.GetString(crm.FieldContact) != lead.Id {
		t.Errorf("the request is not the lead's")
	}
}

// The confirmation mail speaks the contact's language.
func TestPublicRequestConfirmationInTheContactsLanguage(t *testing.T) {
	w := portalWorld(t)
	w.Make(t, "ctPt", crm.Contacts, map[string]any{"name": "Zé", "email": "ze@pt.test", "language": "pt-BR"})
	w.Make(t, "ctEn", crm.Contacts, map[string]any{"name": "Jo", "email": "jo@en.test", "language": "en"})
	sendPublic(t, w, map[string]any{"type": "SUP", "name": "X", "email": "ze@pt.test", "subject": "Oi"})
	sendPublic(t, w, map[string]any{"type": "SUP", "name": "X", "email": "jo@en.test", "subject": "Hi"})
	pt, en := mailText(t, mailsTo(t, w, "ze@pt.test")[0]), mailText(t, mailsTo(t, w, "jo@en.test")[0])
	if !strings.Contains(pt, "Confirme sua solicitação") || !strings.Contains(pt, "confirme que foi você") {
		t.Errorf("pt-BR mail: %s", pt)
	}
	if !strings.Contains(en, "Confirm your request") || !strings.Contains(en, "confirm that it was you") {
		t.Errorf("en mail: %s", en)
	}
}

func mailText(t *testing.T, raw string) string {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(msg.Body)
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	return subject + "\n" + string(body)
}

// An expired link is refused and files nothing; the hourly job deletes
// what nobody confirmed in time, and only that.
func TestPublicRequestLinkExpires(t *testing.T) {
	w := portalWorld(t)
	old := sendPublic(t, w, map[string]any{"type": "SUP", "name": "Ana", "email": "ana@a.test", "subject": "Too late"})
	fresh := sendPublic(t, w, map[string]any{"type": "SUP", "name": "Ana", "email": "ana@a.test", "subject": "In time"})
	held, err := w.App.FindFirstRecordByData(crm.PendingRequests, "subject", "Too late")
	if err != nil {
		t.Fatal(err)
	}
	if exp := held.GetDateTime("expires").Time(); exp.Sub(time.Now()) < portal.PendingFor-time.Minute || exp.Sub(time.Now()) > portal.PendingFor {
		t.Errorf("the link expires at %s, want in 7 days", exp)
	}
	w.Update(t, held, map[string]any{"expires": time.Now().Add(-time.Minute).UTC()})

	res := w.Do(t, http.MethodPost, "/api/crm/public/requests/confirm", "", map[string]any{"token": old})
	if res.Status != http.StatusBadRequest || !contains(res.Body, "expired") {
		t.Errorf("an expired link: %d %s", res.Status, res.Body)
	}
	if n := w.Count(t, crm.Cases, "subject = 'Too late'"); n != 0 {
		t.Errorf("an expired link filed %d requests", n)
	}

	var job func()
	for _, j := range w.App.Cron().Jobs() {
		if j.Id() == "portal_pending_requests" {
			job = j.Run
		}
	}
	if job == nil {
		t.Fatal("no job deletes unconfirmed requests")
	}
	job()
	if n := w.Count(t, crm.PendingRequests, "subject = 'Too late'"); n != 0 {
		t.Errorf("the expired request is still held")
	}
	confirmPublic(t, w, fresh)
	if n := w.Count(t, crm.Cases, "subject = 'In time'"); n != 1 {
		t.Errorf("the request confirmed in time: %d", n)
	}
}

// A form whose type fields are wrong is refused before anything is held or
// mailed.
func TestPublicRequestCheckedBeforeItIsHeld(t *testing.T) {
	w := portalWorld(t)
	res := w.Do(t, http.MethodPost, "/api/crm/public/requests", "", map[string]any{"type": "SUP", "name": "Zé", "email": "ze@new.test", "subject": "Help", "fields": map[string]any{"colour": "red"}})
	if res.Status != http.StatusBadRequest || !contains(res.Body, `"fields"`) || !contains(res.Body, `"colour"`) {
		t.Errorf("unknown field: %d %s", res.Status, res.Body)
	}
	if n := w.Count(t, crm.PendingRequests, "1=1"); n != 0 || len(w.Mails(t)) != 0 {
		t.Errorf("a refused form held %d requests and sent %d mails", n, len(w.Mails(t)))
	}
	for _, body := range []map[string]any{{}, {"token": ""}, {"token": strings.Repeat("x", 500)}} {
		if res := w.Do(t, http.MethodPost, "/api/crm/public/requests/confirm", "", body); res.Status != http.StatusBadRequest {
			t.Errorf("confirm %v: %d %s", body, res.Status, res.Body)
		}
	}
}
