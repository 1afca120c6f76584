package email_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/channels/email"
	"vinculo/testkit"
)

// intakeWorld is the demo business with a Support request for Ana (ctA),
// the outbox row of its "we received your request" mail, and the mail
// Vinculo sent for it kept as an email_messages row (as the outbound side
// keeps every mail it sends).
type intakeWorld struct {
	*testkit.World
	box    email.Mailbox
	kase   *core.Record
	outbox *core.Record
	token  string // the signed Message-ID of the mail sent for outbox, without <>
	parent string // the Message-ID of a plain mail kept on the request
}

func newIntakeWorld(t testing.TB, opts ...testkit.Option) *intakeWorld {
	t.Helper()
	w := testkit.NewWorld(t, append([]testkit.Option{testkit.Plugins(plugins.All)}, opts...)...)
	w.Business(t)
	iw := &intakeWorld{World: w, box: email.Mailbox{Address: "suporte@vinculo.test", NewThread: email.NewThreadRequest, CaseType: w.ID("tpSup")}}
	iw.kase = w.Make(t, "csA", crm.Cases, map[string]any{"type": w.ID("tpSup"), "contact": w.ID("ctA"), "subject": "Internet down"})
	out, err := w.App.FindFirstRecordByFilter(crm.Outbox, "case = {:c}", dbx.Params{"c": iw.kase.Id})
	if err != nil {
		t.Fatalf("the request queued no message: %v", err)
	}
	iw.outbox = out
	id, err := email.MessageID(w.App, out.Id, "vinculo.test")
	if err != nil {
		t.Fatal(err)
	}
	iw.token = strings.Trim(id, "<>")
	iw.parent = "staff-reply-1@vinculo.test"
	w.Make(t, "mailOut", crm.EmailMessages, map[string]any{crm.MailMessageID: iw.parent, crm.MailDirection: crm.MailOut,
		crm.MailCase: iw.kase.Id, crm.MailContact: w.ID("ctA"), crm.MailSubject: "Internet down"})
	return iw
}

// mail reads testdata/intake/name and fills in its placeholders.
func (iw *intakeWorld) mail(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "intake", name))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"{{TOKEN}}": iw.token, "{{PARENT}}": iw.parent,
		"{{REF}}": iw.kase.GetString("reference"), "{{OUTBOX}}": iw.outbox.Id} {
		raw = bytes.ReplaceAll(raw, []byte(k), []byte(v))
	}
	return raw
}

func (iw *intakeWorld) intake(t testing.TB, raw []byte) email.Outcome {
	t.Helper()
	out, err := email.Intake(iw.App, raw, iw.box)
	if err != nil {
		t.Fatalf("intake: %v", err)
	}
	if out.Mail == "" {
		t.Fatalf("intake kept no mail row: %+v", out)
	}
	return out
}

func (iw *intakeWorld) count(t testing.TB, collection, where string, params ...dbx.Params) int {
	return iw.Count(t, collection, where, params...)
}

func TestRepliesJoinTheirRequest(t *testing.T) {
	for _, tc := range []struct{ file, body string }{
		{"reply_token.eml", "Thanks, the router is still blinking red."},
		{"reply_in_reply_to.eml", "Still down this morning."},
		{"reply_references.eml", "It came back for an hour, then dropped again."},
		{"reply_subject.eml", "Any news on this one?"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			iw := newIntakeWorld(t)
			cases, outbox := iw.count(t, crm.Cases, "1=1"), iw.count(t, crm.Outbox, "1=1")
			out := iw.intake(t, iw.mail(t, tc.file))
			if out.Action != email.OutcomeReply || out.Case != iw.kase.Id || out.Contact != iw.ID("ctA") || out.Flag != "" {
				t.Fatalf("outcome %+v, want a reply on %s", out, iw.kase.Id)
			}
			row := iw.Find(t, crm.EmailMessages, out.Mail)
			msg := iw.Find(t, crm.CaseMessages, row.GetString(crm.MailCaseMsg))
			// What the customer wrote, without the quoted mail under it.
			if got := msg.GetString("body"); got != tc.body {
				t.Errorf("message body %q, want %q", got, tc.body)
			}
			// Ana has a portal account: the message is hers, public, and not a staff answer.
			if msg.GetString("author_customer") != iw.ID("cuA") || msg.GetString("author_staff") != "" || msg.GetBool("internal") {
				t.Errorf("message authors: customer %q staff %q internal %v", msg.GetString("author_customer"), msg.GetString("author_staff"), msg.GetBool("internal"))
			}
			if crm.IsStaffAnswer(msg) {
				t.Error("the customer's mail counted as a staff answer")
			}
			if c := iw.Reload(t, iw.kase); !c.GetDateTime("first_response_at").IsZero() {
				t.Error("the customer's reply met the first-response SLA")
			}
			if n := iw.count(t, crm.Cases, "1=1"); n != cases {
				t.Errorf("a reply opened a request: %d requests, were %d", n, cases)
			}
			if n := iw.count(t, crm.Outbox, "1=1"); n != outbox {
				t.Errorf("a reply queued %d messages", n-outbox)
			}
			if tc.file == "reply_token.eml" && !strings.Contains(row.GetString(crm.MailText), "> We received your request.") {
				t.Errorf("the mail's row lost the quoted text: %q", row.GetString(crm.MailText))
			}
		})
	}
}

func TestSubjectReferenceFromAnotherSenderIsNotAReply(t *testing.T) {
	iw := newIntakeWorld(t)
	raw := bytes.ReplaceAll(iw.mail(t, "reply_subject.eml"), []byte("From: Ana Souza <ana@a.test>"), []byte("From: Carla Dias <carla@c.test>"))
	out := iw.intake(t, raw)
	if out.Action != email.OutcomeNewRequest || out.Case == iw.kase.Id || out.Contact != iw.ID("ctC") {
		t.Fatalf("a stranger's mail naming %s joined it: %+v", iw.kase.GetString("reference"), out)
	}
}

func TestForgedTokenIsIgnored(t *testing.T) {
	iw := newIntakeWorld(t)
	out := iw.intake(t, iw.mail(t, "forged_token.eml"))
	if out.Action == email.OutcomeReply || out.Case == iw.kase.Id {
		t.Fatalf("a forged token threaded the mail onto the request: %+v", out)
	}
	if out.Action != email.OutcomeNewRequest || out.Contact != iw.ID("ctA") {
		t.Fatalf("outcome %+v, want a new request for Ana", out)
	}
}

func TestNewMailOpensARequest(t *testing.T) {
	iw := newIntakeWorld(t)
	out := iw.intake(t, iw.mail(t, "new_request.eml"))
	if out.Action != email.OutcomeNewRequest || out.Contact != iw.ID("ctA") || out.NewLead {
		t.Fatalf("outcome %+v", out)
	}
	c := iw.Find(t, crm.Cases, out.Case)
	if c.GetString("subject") != "Internet down since yesterday" || c.GetString("channel") != "email" ||
		c.GetString("type") != iw.ID("tpSup") || c.GetString("status") != "new" ||
		!strings.HasPrefix(c.GetString("reference"), "SUP-") ||
		c.GetString("description") != "The connection drops every ten minutes." {
		t.Errorf("request %v", c.PublicExport())
	}
	if files := c.GetStringSlice("attachments"); len(files) != 1 || !strings.HasPrefix(files[0], "invoice") {
		t.Errorf("request attachments %v, want the invoice", files)
	}
	// Like a request opened in the portal: the customer is told it arrived.
	if n := iw.count(t, crm.Outbox, "[[case]] = {:c} AND template = {:t}", dbx.Params{"c": c.Id, "t": crm.TemplateCaseOpened}); n != 1 {
		t.Errorf("%d \"we received your request\" messages, want 1", n)
	}
	if n := iw.count(t, crm.Activities, "[[case]] = {:c} AND event = 'case.opened' AND actor_type = 'customer' AND channel = 'email'", dbx.Params{"c": c.Id}); n != 1 {
		t.Errorf("%d \"request opened\" entries by the customer by email, want 1", n)
	}
	row := iw.Find(t, crm.EmailMessages, out.Mail)
	if row.GetString(crm.MailCase) != c.Id || len(row.GetStringSlice(crm.MailFiles)) != 1 || row.GetString(crm.MailDirection) != crm.MailIn {
		t.Errorf("mail row %v", row.PublicExport())
	}
}

func TestTimelineMailbox(t *testing.T) {
	iw := newIntakeWorld(t)
	iw.box.NewThread = email.NewThreadTimeline
	out := iw.intake(t, iw.mail(t, "new_request.eml"))
	if out.Action != email.OutcomeTimeline || out.Case != "" || out.Contact != iw.ID("ctA") {
		t.Fatalf("outcome %+v", out)
	}
	row := iw.Find(t, crm.EmailMessages, out.Mail)
	a := iw.Find(t, crm.Activities, row.GetString(crm.MailActivity))
	if a.GetString("event") != email.EventMailReceived || a.GetString("type") != "email" || a.GetString("direction") != "inbound" ||
		a.GetString("contact") != iw.ID("ctA") || a.GetString("body") != "The connection drops every ten minutes." {
		t.Errorf("timeline entry %v", a.PublicExport())
	}
}

func TestMissingRequestTypeKeepsTheMailOnTheTimeline(t *testing.T) {
	iw := newIntakeWorld(t)
	iw.box.CaseType = "nosuchtype00000"
	out := iw.intake(t, iw.mail(t, "new_request.eml"))
	if out.Action != email.OutcomeTimeline || out.Flag != crm.MailFlagNoRequest {
		t.Fatalf("outcome %+v", out)
	}
}

func TestUnknownSenderBecomesALead(t *testing.T) {
	iw := newIntakeWorld(t)
	out := iw.intake(t, iw.mail(t, "unknown_sender.eml"))
	if out.Action != email.OutcomeNewRequest || !out.NewLead || out.Contact == "" {
		t.Fatalf("outcome %+v", out)
	}
	c := iw.Find(t, crm.Contacts, out.Contact)
	if c.GetString("name") != "Zé Ninguém" || c.GetString(crm.FieldEmail) != "ze.ninguem@novo.test" ||
		c.GetString("stage") != "lead" || c.GetString("source") != email.LeadSource {
		t.Errorf("lead %v", c.PublicExport())
	}
	// The next mail from them goes to the same contact.
	raw := bytes.ReplaceAll(iw.mail(t, "unknown_sender.eml"), []byte("unknown-1@"), []byte("unknown-2@"))
	if again := iw.intake(t, raw); again.Contact != out.Contact || again.NewLead {
		t.Errorf("second mail %+v, want contact %s", again, out.Contact)
	}
}

func TestSharedAddressIsFlaggedNotGuessed(t *testing.T) {
	iw := newIntakeWorld(t)
	iw.Make(t, "lima1", crm.Contacts, map[string]any{"name": "Paulo Lima", "email": "familia@lima.test"})
	iw.Make(t, "lima2", crm.Contacts, map[string]any{"name": "Rita Lima", "email": "familia@lima.test"})
	cases := iw.count(t, crm.Cases, "1=1")
	out := iw.intake(t, iw.mail(t, "shared_address.eml"))
	if out.Action != email.OutcomeUnfiled || out.Flag != crm.MailFlagSharedAddress || out.Contact != "" || out.Case != "" {
		t.Fatalf("outcome %+v", out)
	}
	row := iw.Find(t, crm.EmailMessages, out.Mail)
	if row.GetString(crm.MailFlag) != crm.MailFlagSharedAddress || row.GetString(crm.MailText) != "Which of us pays this month?" {
		t.Errorf("row %v", row.PublicExport())
	}
	if iw.count(t, crm.Cases, "1=1") != cases {
		t.Error("a request was opened for a guessed contact")
	}
}

func TestDuplicateIsDropped(t *testing.T) {
	iw := newIntakeWorld(t)
	for _, file := range []string{"new_request.eml", "no_message_id.eml"} {
		raw := iw.mail(t, file)
		first := iw.intake(t, raw)
		before := counts(t, iw)
		second := iw.intake(t, raw)
		if second.Action != email.OutcomeDuplicate || second.Mail != first.Mail || second.Case != first.Case {
			t.Errorf("%s: second intake %+v, first %+v", file, second, first)
		}
		if after := counts(t, iw); after != before {
			t.Errorf("%s: the duplicate wrote: %v → %v", file, before, after)
		}
	}
}

func TestConcurrentCopiesAreFiledOnce(t *testing.T) {
	iw := newIntakeWorld(t)
	raw := iw.mail(t, "unknown_sender.eml")
	before := counts(t, iw)
	var wg sync.WaitGroup
	outs := make([]email.Outcome, 4)
	errs := make([]error, 4)
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = email.Intake(iw.App, raw, iw.box)
		}()
	}
	wg.Wait()
	filed := 0
	for i, out := range outs {
		if errs[i] != nil {
			t.Fatalf("copy %d: %v", i, errs[i])
		}
		if out.Action != email.OutcomeDuplicate {
			filed++
		}
		if out.Mail != outs[0].Mail {
			t.Errorf("copy %d names row %s, copy 0 %s", i, out.Mail, outs[0].Mail)
		}
	}
	after := counts(t, iw)
	if filed != 1 || after.mails != before.mails+1 || after.cases != before.cases+1 || after.contacts != before.contacts+1 {
		t.Errorf("%d copies filed; %v → %v", filed, before, after)
	}
}

type tally struct{ mails, cases, messages, contacts, outbox, activities int }

// counts are the rows a received mail may write. The outbox sends what it
// queued on its own time (and its sends are kept as mails and "message"
// entries): only received mails and other entries are counted.
func counts(t testing.TB, iw *intakeWorld) tally {
	return tally{iw.count(t, crm.EmailMessages, "direction = 'in'"), iw.count(t, crm.Cases, "1=1"), iw.count(t, crm.CaseMessages, "1=1"),
		iw.count(t, crm.Contacts, "1=1"), iw.count(t, crm.Outbox, "1=1"), iw.count(t, crm.Activities, "event NOT LIKE 'message.%'")}
}

func TestAutoRepliesAreKeptAndNeverAnswered(t *testing.T) {
	plain := "From: Ana Souza <ana@a.test>\r\nTo: suporte@vinculo.test\r\nSubject: Away\r\nMessage-ID: <away-%d@a.test>\r\n%s\r\n\r\nI am away.\r\n"
	iw := newIntakeWorld(t)
	for i, header := range []string{"Auto-Submitted: auto-generated", "Auto-Submitted: auto-replied; owner-email=ana@a.test",
		"X-Autoreply: yes", "Precedence: bulk", "Precedence: auto_reply", "Precedence: junk", "X-Auto-Response-Suppress: All"} {
		before := counts(t, iw)
		out := iw.intake(t, fmt.Appendf(nil, plain, i, header))
		after := counts(t, iw)
		if out.Action != email.OutcomeAutoReply || after.cases != before.cases || after.messages != before.messages ||
			after.outbox != before.outbox || after.activities != before.activities || after.mails != before.mails+1 {
			t.Errorf("%s: outcome %+v, %v → %v", header, out, before, after)
		}
	}
	// One that answers our mail is kept beside the request, not on it.
	before := counts(t, iw)
	out := iw.intake(t, iw.mail(t, "auto_reply.eml"))
	if out.Action != email.OutcomeAutoReply || out.Case != iw.kase.Id || counts(t, iw).messages != before.messages || counts(t, iw).outbox != before.outbox {
		t.Errorf("outcome %+v", out)
	}
	// "Auto-Submitted: no" is a person's mail.
	if out := iw.intake(t, fmt.Appendf(nil, plain, 99, "Auto-Submitted: no")); out.Action != email.OutcomeNewRequest {
		t.Errorf("Auto-Submitted: no → %+v", out)
	}
}

func TestBounceMarksTheAddressFailing(t *testing.T) {
	iw := newIntakeWorld(t)
	iw.Make(t, "ana2", crm.Contacts, map[string]any{"name": "Ana (home)", "email": "ana@a.test"})
	before := counts(t, iw)
	out := iw.intake(t, iw.mail(t, "bounce.eml"))
	if out.Action != email.OutcomeBounce || out.Case != iw.kase.Id || out.Contact != iw.ID("ctA") {
		t.Fatalf("outcome %+v", out)
	}
	for _, label := range []string{"ctA", "ana2"} {
		c := iw.Reload(t, iw.R(label))
		if c.GetDateTime(crm.ContactEmailFailingAt).IsZero() || !strings.Contains(c.GetString(crm.ContactEmailFailingReason), "5.1.1") ||
			!strings.Contains(c.GetString(crm.ContactEmailFailingReason), "User unknown") {
			t.Errorf("%s: failing %q %q", label, c.GetString(crm.ContactEmailFailingAt), c.GetString(crm.ContactEmailFailingReason))
		}
	}
	if c := iw.Reload(t, iw.R("ctB")); !c.GetDateTime(crm.ContactEmailFailingAt).IsZero() {
		t.Error("another address was marked failing")
	}
	after := counts(t, iw)
	if after.cases != before.cases || after.messages != before.messages || after.outbox != before.outbox {
		t.Errorf("a bounce opened, posted or answered: %v → %v", before, after)
	}
	row := iw.Find(t, crm.EmailMessages, out.Mail)
	a := iw.Find(t, crm.Activities, row.GetString(crm.MailActivity))
	if row.GetString(crm.MailKind) != crm.MailBounce || a.GetString("event") != email.EventMailBounced || a.GetBool("public") {
		t.Errorf("row kind %q, entry %v", row.GetString(crm.MailKind), a.PublicExport())
	}
	// A new address clears the mark.
	c := iw.Update(t, iw.R("ctA"), map[string]any{"email": "ana.souza@a.test"})
	if !c.GetDateTime(crm.ContactEmailFailingAt).IsZero() || c.GetString(crm.ContactEmailFailingReason) != "" {
		t.Error("a new address kept the failing mark")
	}
}

func TestCharsetsAreDecoded(t *testing.T) {
	iw := newIntakeWorld(t)
	for _, tc := range []struct{ file, subject, text, from string }{
		{"windows1252.eml", "“Orçamento” € 100", "“Orçamento”: € 100 por mês — está certo?", "ana@a.test"},
		{"latin1.eml", "Cotação de preço", "Olá, não consigo acessar a página de cobrança.", "joao@b.test"},
		{"latin1_raw_header.eml", "Promoção de verão", "Quero a promoção.", "ana@a.test"},
	} {
		out := iw.intake(t, iw.mail(t, tc.file))
		row := iw.Find(t, crm.EmailMessages, out.Mail)
		if row.GetString(crm.MailSubject) != tc.subject || row.GetString(crm.MailText) != tc.text || row.GetString(crm.MailFrom) != tc.from {
			t.Errorf("%s: subject %q text %q from %q", tc.file, row.GetString(crm.MailSubject), row.GetString(crm.MailText), row.GetString(crm.MailFrom))
		}
		if c := iw.Find(t, crm.Cases, out.Case); c.GetString("description") != tc.text {
			t.Errorf("%s: request description %q", tc.file, c.GetString("description"))
		}
	}
	lead, err := iw.App.FindFirstRecordByData(crm.Contacts, crm.FieldEmail, "joao@b.test")
	if err != nil || lead.GetString("name") != "João Araújo" {
		t.Errorf("the Latin-1 sender's name: %v %v", lead, err)
	}
}

func TestHTMLIsSanitised(t *testing.T) {
	iw := newIntakeWorld(t)
	iw.box.NewThread = email.NewThreadTimeline
	out := iw.intake(t, iw.mail(t, "html_script.eml"))
	row := iw.Find(t, crm.EmailMessages, out.Mail)
	html := strings.ToLower(row.GetString(crm.MailHTML))
	for _, bad := range []string{"<script", "alert(", "onload", "onerror", "onclick", "javascript:", "<iframe", "<form", "<input", "<style", "steal", "document.cookie"} {
		if strings.Contains(html, bad) {
			t.Errorf("sanitised HTML still has %q: %s", bad, html)
		}
	}
	for _, good := range []string{"<b>there</b>", `href="https://example.test/help"`, "<li>first</li>"} {
		if !strings.Contains(html, good) {
			t.Errorf("sanitised HTML lost %q: %s", good, html)
		}
	}
	text := row.GetString(crm.MailText)
	want := "Hello there,\n\nclick me or the help page\n\n- first\n- second"
	if text != want {
		t.Errorf("text %q, want %q", text, want)
	}
	a := iw.Find(t, crm.Activities, row.GetString(crm.MailActivity))
	if strings.Contains(a.GetString("body"), "alert") || strings.Contains(a.GetString("body"), "<") {
		t.Errorf("timeline body %q", a.GetString("body"))
	}
}

// bigMail is a reply with a size-byte attachment and a small PDF.
func bigMail(token string, size int) []byte {
	data := bytes.Repeat([]byte("0123456789abcdef"), size/16+1)[:size]
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: Ana Souza <ana@a.test>\r\nTo: suporte@vinculo.test\r\nSubject: Re: the logs\r\n"+
		"Message-ID: <big-1@a.test>\r\nIn-Reply-To: <%s>\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: multipart/mixed; boundary=\"big\"\r\n\r\n--big\r\nContent-Type: text/plain\r\n\r\nThe logs you asked for.\r\n"+
		"--big\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"router.log\"\r\n"+
		"Content-Transfer-Encoding: base64\r\n\r\n", token)
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n--big\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"photo.pdf\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcOkw7zDtsOfCjEgMCBvYmoKPDwvVHlwZS9DYXRhbG9nPj4KZW5kb2JqCnRyYWlsZXIKPDwvUm9vdCAxIDAgUj4+CiUlRU9GCg==\r\n--big--\r\n")
	return b.Bytes()
}

func TestLargeAttachmentIsStored(t *testing.T) {
	iw := newIntakeWorld(t)
	const size = 25 << 20
	out := iw.intake(t, bigMail(iw.token, size))
	if out.Action != email.OutcomeReply {
		t.Fatalf("outcome %+v", out)
	}
	row := iw.Find(t, crm.EmailMessages, out.Mail)
	files := row.GetStringSlice(crm.MailFiles)
	if len(files) != 2 {
		t.Fatalf("mail row files %v", files)
	}
	fs, err := iw.App.NewFilesystem()
	if err != nil {
		t.Fatal(err)
	}
	defer fs.Close()
	f, err := fs.GetReader(row.BaseFilesPath() + "/" + files[0])
	if err != nil {
		t.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, f)
	f.Close()
	if n != size || !strings.HasPrefix(files[0], "router") {
		t.Errorf("stored %s of %d bytes, want %d", files[0], n, size)
	}
	// The request message takes what its own field allows (10 MB, documents
	// and images): the PDF; the log stays on the mail's row.
	msg := iw.Find(t, crm.CaseMessages, row.GetString(crm.MailCaseMsg))
	if got := msg.GetStringSlice("attachments"); len(got) != 1 || !strings.HasPrefix(got[0], "photo") {
		t.Errorf("message attachments %v", got)
	}
}

func TestMalformedMailKeepsWhatCanBeRead(t *testing.T) {
	iw := newIntakeWorld(t)
	out := iw.intake(t, iw.mail(t, "malformed.eml"))
	if out.Flag != crm.MailFlagPartlyReadable || out.Action != email.OutcomeNewRequest {
		t.Fatalf("outcome %+v", out)
	}
	row := iw.Find(t, crm.EmailMessages, out.Mail)
	if row.GetString(crm.MailMessageID) != "malformed-1@a.test" || row.GetString(crm.MailSubject) != "Broken" ||
		!strings.Contains(row.GetString(crm.MailText), "The first part can be read.") {
		t.Errorf("row %v", row.PublicExport())
	}

	garbage := iw.intake(t, iw.mail(t, "garbage.eml"))
	row = iw.Find(t, crm.EmailMessages, garbage.Mail)
	if garbage.Action != email.OutcomeUnfiled || row.GetString(crm.MailFlag) == "" || len(row.GetStringSlice(crm.MailFiles)) == 0 && row.GetString(crm.MailFlag) == crm.MailFlagUnreadable {
		t.Errorf("garbage: outcome %+v, row %v", garbage, row.PublicExport())
	}
}

func TestOwnMailIsNeverAnswered(t *testing.T) {
	iw := newIntakeWorld(t)
	raw := bytes.ReplaceAll(iw.mail(t, "new_request.eml"), []byte("From: Ana Souza <ana@a.test>"), []byte("From: Suporte <Suporte@Vinculo.test>"))
	before := counts(t, iw)
	out := iw.intake(t, raw)
	if out.Action != email.OutcomeUnfiled || out.Flag != crm.MailFlagOwnAddress || counts(t, iw).outbox != before.outbox || counts(t, iw).cases != before.cases {
		t.Errorf("outcome %+v", out)
	}
}

func TestReplyArrivesLiveInThePortal(t *testing.T) {
	iw := newIntakeWorld(t, testkit.Served())
	rt, status := iw.Srv.Realtime(t, iw.Token(t, "cuA"), crm.CaseMessages)
	if status != 204 {
		t.Fatalf("subscribe: %d", status)
	}
	out := iw.intake(t, iw.mail(t, "reply_token.eml"))
	msgID := iw.Find(t, crm.EmailMessages, out.Mail).GetString(crm.MailCaseMsg)
	events := rt.Drain(t, msgID)
	if len(events) == 0 || events[0].Action != "create" {
		t.Errorf("events %v", events)
	}
}

// Two autoresponders, one of which marks nothing: each of its answers
// opens a request, and each request's "we received your request" would
// answer it back. Past three in an hour, no more answers go.
func TestUnmarkedAutoresponderLoopStops(t *testing.T) {
	iw := newIntakeWorld(t)
	plain := "From: Bot <bot@loop.test>\r\nTo: suporte@vinculo.test\r\nSubject: Thanks for your mail\r\nMessage-ID: <loop-%d@loop.test>\r\n\r\nWe got your mail.\r\n"
	for i := range 5 {
		out := iw.intake(t, fmt.Appendf(nil, plain, i))
		if out.Action != email.OutcomeNewRequest {
			t.Fatalf("mail %d: %+v", i, out)
		}
		answers := iw.count(t, crm.Outbox, "[[case]] = {:c}", dbx.Params{"c": out.Case})
		if want := map[bool]int{true: 1, false: 0}[i < 3]; answers != want {
			t.Errorf("mail %d: %d answers queued, want %d", i, answers, want)
		}
	}
}
