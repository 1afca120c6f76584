package email_test

import (
	"context"
	"encoding/json"
	"mime"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"vinculo/crm"
	"vinculo/plugins/channels/email"
	"vinculo/plugins/outbox"
	"vinculo/testkit"
)

// answer posts a public answer on a request as staff, through the API (the
// workspace's door).
func answer(t *testing.T, w *testkit.World, who, caseID, body string) {
	t.Helper()
	res := w.Do(t, http.MethodPost, "/api/collections/case_messages/records", who, map[string]any{"case": caseID, "body": body})
	testkit.Must(t, res, http.StatusOK, "answer")
}

// A request's mails thread: the "received" mail starts it, a staff answer
// in the workspace is mailed with the portal link In-Reply-To it, and an
// email written on the request answers both (References name them in
// order), copying the thread's other people and keeping "Re: … [REF]".
// Only the automatic mail is marked Auto-Submitted.
func TestRequestMailsThread(t *testing.T) {
	w := outWorld(t)
	c := w.Make(t, "csA", crm.Cases, map[string]any{"contact": w.ID("ctA"), "type": w.ID("tpSup"), "subject": "Sem internet"})
	ref := w.Reload(t, c).GetString("reference")
	deliver(t, w)
	opened := mailsTo(t, w, "ana@a.test")
	if len(opened) != 1 || opened[0].header.Get("Auto-Submitted") != "auto-generated" {
		t.Fatalf("the received mail: %d mails %v", len(opened), opened)
	}
	first := opened[0].header.Get("Message-ID")

	answer(t, w, "agent", c.Id, "Reiniciamos o seu modem.")
	internal := w.Do(t, http.MethodPost, "/api/collections/case_messages/records", "agent", map[string]any{"case": c.Id, "body": "nota", "internal": true})
	testkit.Must(t, internal, http.StatusOK, "internal note")
	deliver(t, w)
	mails := mailsTo(t, w, "ana@a.test")
	if len(mails) != 2 {
		t.Fatalf("%d mails after the answer and an internal note, want 2", len(mails))
	}
	reply := mails[1]
	second := reply.header.Get("Message-ID")
	subject := "Re: Sem internet [" + ref + "]"
	if reply.header.Get("In-Reply-To") != first || reply.header.Get("References") != first ||
		reply.header.Get("Auto-Submitted") != "" || !strings.Contains(reply.body, "Reiniciamos o seu modem.") ||
		!strings.Contains(reply.body, w.Cfg.PublicURL+"/portal/requests/"+c.Id) || decoded(t, reply.header.Get("Subject")) != subject {
		t.Errorf("the answer's mail: %v\n%s", reply.header, reply.body)
	}
	row, err := w.App.FindFirstRecordByData(crm.EmailMessages, crm.MailMessageID, strings.Trim(second, "<>"))
	if err != nil || row.GetString(crm.MailCaseMsg) == "" || row.GetString(crm.MailCase) != c.Id {
		t.Errorf("the answer's thread-store row: %v %v", row, err)
	}

	// A colleague of Ana's wrote in on the thread: a reply-all copies them.
	w.Make(t, "", crm.EmailMessages, map[string]any{crm.MailMessageID: "in-1@a.test", crm.MailDirection: crm.MailIn,
		crm.MailCase: c.Id, crm.MailContact: w.ID("ctA"), crm.MailFrom: "Ana <ana@a.test>", crm.MailTo: "crm@padaria.test",
		crm.MailCc: "Chefe <chefe@a.test>", crm.MailAt: time.Now()}) // the thread store keeps the real time of each mail
	res := w.Do(t, http.MethodGet, "/api/crm/email/draft?case="+c.Id, "agent", nil)
	testkit.Must(t, res, http.StatusOK, "draft")
	var d email.Draft
	res.JSON(t, &d)
	if d.To != "ana@a.test" || len(d.Cc) != 1 || d.Cc[0] != "chefe@a.test" || d.Subject != subject || d.Purpose != crm.PurposeService {
		t.Errorf("the reply-all draft: %+v", d)
	}
	status, body := compose(t, w, "agent", map[string]string{"case": c.Id, "subject": d.Subject, "cc": strings.Join(d.Cc, ","),
		"body": "Tudo certo agora?"}, nil)
	if status != http.StatusOK {
		t.Fatalf("reply on the request: %d %s", status, body)
	}
	deliver(t, w)
	mails = mailsTo(t, w, "ana@a.test")
	third := mails[len(mails)-1]
	refs := third.header.Get("References")
	// The thread in order: the received mail, the answer, Ana's mail — the
	// one this replies to.
	if refs != first+" "+second+" <in-1@a.test>" ||
		third.header.Get("In-Reply-To") != "<in-1@a.test>" || !strings.Contains(third.header.Get("Cc"), "chefe@a.test") {
		t.Errorf("the second reply: In-Reply-To %q References %q Cc %q", third.header.Get("In-Reply-To"), refs, third.header.Get("Cc"))
	}
	// The email written on the request is the staff's answer in its
	// conversation (the request page and the portal show it), and it is
	// mailed once: the conversation's message queues no second mail.
	if n := w.Count(t, crm.CaseMessages, "[[case]] = {:c} AND body = {:b} AND internal = FALSE AND author_staff != ''",
		dbx.Params{"c": c.Id, "b": "Tudo certo agora?"}); n != 1 {
		t.Errorf("%d conversation messages for the email written on the request, want 1", n)
	}
	if n := len(mails); n != 3 {
		t.Errorf("%d mails to Ana after the email written on the request, want 3 (no second copy)", n)
	}
	row, err = w.App.FindFirstRecordByData(crm.EmailMessages, crm.MailMessageID, strings.Trim(third.header.Get("Message-ID"), "<>"))
	if err != nil || row.GetString(crm.MailCaseMsg) == "" {
		t.Errorf("the written email's thread-store row names no conversation message: %v %v", row, err)
	}
}

// An email written on a request that was not answered yet is its first
// response: the first-response clock stops, as for an answer in the
// conversation.
func TestEmailOnRequestIsItsFirstResponse(t *testing.T) {
	w := outWorld(t)
	c := w.Make(t, "csA", crm.Cases, map[string]any{"contact": w.ID("ctA"), "type": w.ID("tpSup"), "subject": "Fatura errada"})
	if !w.Reload(t, c).GetDateTime("first_response_at").IsZero() {
		t.Fatal("a new request is answered already")
	}
	status, body := compose(t, w, "agent", map[string]string{"case": c.Id, "subject": "Re: Fatura errada", "body": "Vamos corrigir hoje."}, nil)
	if status != http.StatusOK {
		t.Fatalf("email on the request: %d %s", status, body)
	}
	if w.Reload(t, c).GetDateTime("first_response_at").IsZero() {
		t.Error("the email written on the request did not stop the first-response clock")
	}
}

// decoded is a header's words (RFC 2047 undone).
func decoded(t *testing.T, h string) string {
	t.Helper()
	out, err := new(mime.WordDecoder).DecodeHeader(h)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A customer who prefers WhatsApp gets the staff's answer there (the
// outbox routes it), not by email.
func TestAnswerGoesOnThePreferredChannel(t *testing.T) {
	w := outWorld(t)
	var mu sync.Mutex
	var got []outbox.Message
	outbox.SetSender(w.App, "whatsapp", func(_ context.Context, m outbox.Message) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, m)
		return nil
	})
	w.Update(t, w.R("ctB"), map[string]any{"preferred_channel": "whatsapp", "mobile": "+5511988887777"})
	c := w.Make(t, "", crm.Cases, map[string]any{"contact": w.ID("ctB"), "type": w.ID("tpSup"), "subject": "Fatura"})
	deliver(t, w)
	answer(t, w, "agent", c.Id, "A fatura foi corrigida.")
	deliver(t, w)
	if n := len(mailsTo(t, w, "bruno@a.test")); n != 0 {
		t.Errorf("%d mails to a customer who prefers WhatsApp", n)
	}
	var reply *outbox.Message
	for i := range got {
		if got[i].Template == crm.TemplateCaseReply {
			reply = &got[i]
		}
	}
	if reply == nil || reply.To != "+5511988887777" || !strings.Contains(reply.Body, "A fatura foi corrigida.") {
		t.Errorf("WhatsApp got %+v", got)
	}
}

// The portal invitation and the notices of an email change go through the
// outbox as urgent service messages by email to the address concerned.
func TestInvitationAndNoticesThroughTheOutbox(t *testing.T) {
	w := outWorld(t)
	w.Update(t, w.R("ctX"), map[string]any{"preferred_hours_start": "20:00", "preferred_hours_end": "21:00"})
	res := w.Do(t, http.MethodPost, "/api/crm/contacts/"+w.ID("ctX")+"/invite", "agent", nil)
	testkit.Must(t, res, http.StatusOK, "invite")
	inv := lastOutbox(t, w, w.ID("ctX"))
	if inv.GetString("purpose") != crm.PurposeService || !inv.GetBool("urgent") || inv.GetString(crm.OutboxTo) != "xavier@x.test" ||
		inv.GetString("state") != crm.OutboxQueued {
		t.Errorf("invitation: %v", inv.PublicExport())
	}
	// Staff change Ana's email: her portal account follows, and the old
	// address is told through the outbox.
	w.Update(t, w.R("ctA"), map[string]any{"email": "ana.nova@a.test"})
	notice, err := w.App.FindFirstRecordByFilter(crm.Outbox, "contact = {:c} && to_address = {:to}", dbx.Params{"c": w.ID("ctA"), "to": "ana@a.test"})
	if err != nil || !notice.GetBool("urgent") || notice.GetString("channel") != "email" {
		t.Fatalf("the sign-in moved notice: %v %v", notice, err)
	}
	deliver(t, w)
	if m := mailsTo(t, w, "xavier@x.test"); len(m) != 1 || !strings.Contains(m[0].body, "/portal/") || m[0].header.Get("Auto-Submitted") != "auto-generated" {
		t.Errorf("invitation mail: %v", m)
	}
	if m := mailsTo(t, w, "ana@a.test"); len(m) != 1 || !strings.Contains(m[0].body, "ana.nova@a.test") {
		t.Errorf("notice to the old address: %v", m)
	}
	// The customer confirms a change of email in the portal: the old
	// address is told through the outbox too.
	token, err := w.Find(t, crm.Customers, w.ID("cuB")).NewEmailChangeToken("bruno.novo@a.test")
	if err != nil {
		t.Fatal(err)
	}
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/portal/confirm-email-change", "cuB", map[string]any{"token": token}), http.StatusOK, "confirm")
	if _, err := w.App.FindFirstRecordByFilter(crm.Outbox, "contact = {:c} && to_address = {:to} && urgent = true",
		dbx.Params{"c": w.ID("ctB"), "to": "bruno@a.test"}); err != nil {
		t.Errorf("no outbox notice of the portal email change: %v", err)
	}
}

// Templates: a manager's template with a variable Vinculo does not know is
// refused naming the field; a good one is filled in the contact's language;
// a variable with no value here stays for the writer to fill, and the send
// refuses it until then.
func TestTemplates(t *testing.T) {
	w := outWorld(t)
	bad := w.Do(t, http.MethodPost, "/api/collections/email_templates/records", "manager", map[string]any{
		crm.TplName: "Bad", crm.TplSubjectEN: "Hi", crm.TplBodyEN: "Dear {{contact.nmae}}"})
	if bad.Status != http.StatusBadRequest || !strings.Contains(string(bad.Body), `"body_en"`) || !strings.Contains(string(bad.Body), "contact.nmae") {
		t.Errorf("unknown variable: %d %s", bad.Status, bad.Body)
	}
	half := w.Do(t, http.MethodPost, "/api/collections/email_templates/records", "manager", map[string]any{
		crm.TplName: "Half", crm.TplSubjectPT: "Oi"})
	if half.Status != http.StatusBadRequest || !strings.Contains(string(half.Body), `"body_pt_br"`) {
		t.Errorf("a subject without a body: %d %s", half.Status, half.Body)
	}
	res := w.Do(t, http.MethodPost, "/api/collections/email_templates/records", "manager", map[string]any{
		crm.TplName: "Follow-up", "purpose": crm.PurposeService,
		crm.TplSubjectEN: "About {{request.reference}}", crm.TplBodyEN: "Hello {{contact.first_name}}, {{business.name}} here.",
		crm.TplSubjectPT: "Sobre {{ request.reference }}", crm.TplBodyPT: "Olá {{contact.first_name}} da {{contact.company}}, aqui é {{staff.name}}. {{portal_link}}"})
	testkit.Must(t, res, http.StatusOK, "template")
	var tpl struct{ ID string }
	res.JSON(t, &tpl)
	c := w.Make(t, "", crm.Cases, map[string]any{"contact": w.ID("ctA"), "type": w.ID("tpSup"), "subject": "Modem"})
	ref := w.Reload(t, c).GetString("reference")

	draft := func(query string) email.Draft {
		t.Helper()
		res := w.Do(t, http.MethodGet, "/api/crm/email/draft?"+query+"&template="+tpl.ID, "agent", nil)
		testkit.Must(t, res, http.StatusOK, "draft "+query)
		var d email.Draft
		res.JSON(t, &d)
		return d
	}
	pt := draft("contact=" + w.ID("ctA"))
	if pt.Language != "pt-BR" || pt.Body != "Olá Ana da Padaria Pão Dourado, aqui é Rafael Lima. "+w.Cfg.PublicURL+"/portal/" ||
		pt.Subject != "Sobre {{ request.reference }}" || len(pt.Missing) != 1 || pt.Missing[0] != "request.reference" || pt.Purpose != crm.PurposeService {
		t.Errorf("pt-BR without a request: %+v", pt)
	}
	onCase := draft("case=" + c.Id)
	if !strings.Contains(onCase.Body, "/portal/requests/"+c.Id) || len(onCase.Missing) != 0 || !strings.Contains(onCase.Subject, ref) {
		t.Errorf("on the request: %+v", onCase)
	}
	w.Update(t, w.R("ctX"), map[string]any{"language": "en"})
	en := draft("contact=" + w.ID("ctX"))
	if en.Language != "en" || en.Body != "Hello Xavier, "+w.Cfg.BusinessNow().Name+" here." {
		t.Errorf("English: %+v", en)
	}
	// Xavier has no company: in Portuguese that variable is missing.
	w.Update(t, w.R("ctX"), map[string]any{"language": "pt-BR"})
	if d := draft("contact=" + w.ID("ctX")); !contains(d.Missing, "contact.company") {
		t.Errorf("no company: %+v", d)
	}
	status, body := compose(t, w, "agent", map[string]string{"contact": w.ID("ctA"), "subject": pt.Subject, "body": pt.Body, "purpose": crm.PurposeService}, nil)
	if status != http.StatusBadRequest || !strings.Contains(body, `"subject"`) || !strings.Contains(body, "request.reference") {
		t.Errorf("an unfilled variable was sent: %d %s", status, body)
	}
	if res := w.Do(t, http.MethodGet, "/api/crm/email/draft?contact="+w.ID("ctA")+"&template=nope", "agent", nil); res.Status != http.StatusBadRequest {
		t.Errorf("unknown template: %d", res.Status)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// A real SMTP server on loopback receives the email with its attachment
// and threading headers.
func TestRealSMTP(t *testing.T) {
	w := outWorld(t)
	sink := testkit.StartSMTPSink(t)
	w.MailThrough(t, sink)
	c := w.Make(t, "", crm.Cases, map[string]any{"contact": w.ID("ctC"), "type": w.ID("tpSup"), "subject": "Orçamento"})
	deliver(t, w)
	opened := sink.WaitFor(t, func(m testkit.SinkMail) bool { return m.Rcpt("carla@c.test") })
	status, body := compose(t, w, "agent", map[string]string{"case": c.Id, "body": "Segue o orçamento."},
		map[string][]byte{"orcamento.txt": []byte("R$ 100")})
	if status != http.StatusOK {
		t.Fatalf("compose: %d %s", status, body)
	}
	deliver(t, w)
	got := sink.WaitFor(t, func(m testkit.SinkMail) bool { return m.Rcpt("carla@c.test") && len(m.Files) > 0 })
	if got.Header.Get("In-Reply-To") != opened.Header.Get("Message-ID") || got.Header.Get("References") != opened.Header.Get("Message-ID") ||
		string(got.Files["orcamento.txt"]) != "R$ 100" || !strings.Contains(got.Text, "Segue o orçamento.") || got.From != "crm@padaria.test" {
		t.Errorf("at the SMTP server: headers %v files %v text %q", got.Header, got.Files, got.Text)
	}
	row := outboxOf(t, w, got.Header.Get("Message-ID"))
	if row.GetString("case") != c.Id || row.GetString("state") != crm.OutboxSent {
		t.Errorf("the token names %v", row.PublicExport())
	}
	var refs []string
	mailRow, err := w.App.FindFirstRecordByData(crm.EmailMessages, crm.MailOutbox, row.Id)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(mailRow.GetString(crm.MailReferences)), &refs); err != nil || len(refs) != 1 {
		t.Errorf("stored references %q", mailRow.GetString(crm.MailReferences))
	}
}
