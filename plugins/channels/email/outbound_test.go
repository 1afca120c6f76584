package email_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/mail"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/mailer"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/channels/email"
	"vinculo/plugins/outbox"
	"vinculo/testkit"
)

// outWorld is the app as it ships, served, with the demo business's cast and
// the outbox delivering only when a test says (deliver).
func outWorld(t *testing.T) *testkit.World {
	t.Helper()
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All), testkit.Served(), testkit.Then(func(w *testkit.World) error {
		return outbox.Configure(w.App, outbox.Options{Now: w.Clock.Now, Manual: true})
	}))
	w.Business(t)
	s := w.App.Settings()
	s.Meta.SenderAddress, s.Meta.SenderName = "crm@padaria.test", "Padaria"
	if err := w.App.Save(s); err != nil {
		t.Fatal(err)
	}
	return w
}

func deliver(t *testing.T, w *testkit.World) outbox.Result {
	t.Helper()
	res, err := outbox.Deliver(w.App, w.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// form is a multipart body: fields, then files (name -> content).
func form(t *testing.T, fields map[string]string, files map[string][]byte) (*bytes.Buffer, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	for name, content := range files {
		fw, err := mw.CreateFormFile(crm.OutboxFiles, name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(content)
	}
	mw.Close()
	return &b, mw.FormDataContentType()
}

// compose posts an email as who.
func compose(t *testing.T, w *testkit.World, who string, fields map[string]string, files map[string][]byte) (int, string) {
	t.Helper()
	body, ct := form(t, fields, files)
	res, raw := w.Request(t, http.MethodPost, "/api/crm/email", who, body, map[string]string{"Content-Type": ct})
	return res.StatusCode, string(raw)
}

// sentMail is a mail of the world's mail folder, parsed.
type sentMail struct {
	header mail.Header
	body   string
}

func folder(t *testing.T, w *testkit.World) []sentMail {
	t.Helper()
	var out []sentMail
	for _, raw := range w.Mails(t) {
		m, err := mail.ReadMessage(strings.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		b.ReadFrom(m.Body)
		out = append(out, sentMail{m.Header, b.String()})
	}
	return out
}

// mailsTo are the folder's mails to addr.
func mailsTo(t *testing.T, w *testkit.World, addr string) []sentMail {
	t.Helper()
	var out []sentMail
	for _, m := range folder(t, w) {
		if strings.Contains(strings.ToLower(m.header.Get("To")), strings.ToLower(addr)) {
			out = append(out, m)
		}
	}
	return out
}

// outboxOf is the outbox row a Message-ID's signed token names.
func outboxOf(t *testing.T, w *testkit.World, messageID string) *core.Record {
	t.Helper()
	id, ok := email.ParseMessageID(w.App, messageID)
	if !ok {
		t.Fatalf("Message-ID %q carries no valid token", messageID)
	}
	return w.Find(t, crm.Outbox, id)
}

// lastOutbox is the contact's newest message.
func lastOutbox(t *testing.T, w *testkit.World, contact string) *core.Record {
	t.Helper()
	rows, err := w.App.FindRecordsByFilter(crm.Outbox, "contact = {:c}", "-created", 1, 0, dbx.Params{"c": contact})
	if err != nil || len(rows) == 0 {
		t.Fatalf("no message for %s: %v", contact, err)
	}
	return rows[0]
}

// An agent writes to a contact from their page with an attachment: the
// outbox queues it (as a service message it goes at once), the timeline
// has the email, the mail carries the signed Message-ID and the file, is
// not marked automatic, and the thread store keeps it.
func TestWriteToContactWithAttachment(t *testing.T) {
	w := outWorld(t)
	status, body := compose(t, w, "agent", map[string]string{
		"contact": w.ID("ctX"), "subject": "Your quote", "body": "Hello Xavier,\n\nThe quote is attached.",
		"purpose": crm.PurposeService, "template": "Quote",
	}, map[string][]byte{"quote.pdf": []byte("%PDF-1.4 quote")})
	if status != http.StatusOK || !strings.Contains(body, `"state":"queued"`) {
		t.Fatalf("compose: %d %s", status, body)
	}
	q := lastOutbox(t, w, w.ID("ctX"))
	if q.GetString("created_by") != w.ID("agent") || len(q.GetStringSlice(crm.OutboxFiles)) != 1 || q.GetString("channel") != "email" {
		t.Errorf("outbox row: %v", q.PublicExport())
	}
	entries := w.Count(t, crm.Activities, "event = {:e} AND contact = {:c} AND staff = {:s}",
		dbx.Params{"e": email.EventEmailWritten, "c": w.ID("ctX"), "s": w.ID("agent")})
	if entries != 1 {
		t.Errorf("%d email.written entries, want 1", entries)
	}
	if res := deliver(t, w); res.Sent != 1 {
		t.Fatalf("delivered %+v", res)
	}
	mails := mailsTo(t, w, "xavier@x.test")
	if len(mails) != 1 {
		t.Fatalf("%d mails to Xavier", len(mails))
	}
	m := mails[0]
	if got := outboxOf(t, w, m.header.Get("Message-ID")); got.Id != q.Id {
		t.Errorf("Message-ID names %s, want %s", got.Id, q.Id)
	}
	if m.header.Get("Auto-Submitted") != "" || m.header.Get("In-Reply-To") != "" {
		t.Errorf("a new email by a person: Auto-Submitted %q In-Reply-To %q", m.header.Get("Auto-Submitted"), m.header.Get("In-Reply-To"))
	}
	row, err := w.App.FindFirstRecordByData(crm.EmailMessages, crm.MailOutbox, q.Id)
	if err != nil {
		t.Fatal("no thread-store row for the email:", err)
	}
	if row.GetString(crm.MailDirection) != crm.MailOut || row.GetString(crm.MailContact) != w.ID("ctX") ||
		row.GetString(crm.MailActivity) == "" || "<"+row.GetString(crm.MailMessageID)+">" != m.header.Get("Message-ID") ||
		!strings.Contains(row.GetString(crm.MailText), "The quote is attached.") {
		t.Errorf("thread-store row: %v", row.PublicExport())
	}
}

// Marketing without the customer's consent is refused by the outbox, and
// the composer is told why; hours hold a service email for later.
func TestWriteDecidedByTheOutbox(t *testing.T) {
	w := outWorld(t)
	status, body := compose(t, w, "agent", map[string]string{"contact": w.ID("ctA"), "subject": "Novidades", "body": "Promoção.",
		"purpose": crm.PurposeMarketing}, nil)
	if status != http.StatusOK || !strings.Contains(body, `"state":"refused"`) || !strings.Contains(body, `"reason_code":"no_consent"`) {
		t.Errorf("marketing without consent: %d %s", status, body)
	}
	w.Update(t, w.R("ctB"), map[string]any{"preferred_hours_start": "14:00", "preferred_hours_end": "18:00"})
	status, body = compose(t, w, "agent", map[string]string{"contact": w.ID("ctB"), "subject": "Visita", "body": "Passamos amanhã.",
		"purpose": crm.PurposeService}, nil)
	if status != http.StatusOK || !strings.Contains(body, `"state":"waiting"`) || !strings.Contains(body, `"not_before":"2026-11-24 17:00:00.000Z"`) {
		t.Errorf("outside the customer's hours: %d %s", status, body)
	}
}

// Bad input: a 400 naming the field, and nothing queued or written.
func TestWriteBadInput(t *testing.T) {
	w := outWorld(t)
	w.Make(t, "noMail", crm.Contacts, map[string]any{"name": "Sem Email"})
	w.Make(t, "csA", crm.Cases, map[string]any{"contact": w.ID("ctA"), "type": w.ID("tpSup"), "subject": "Sem internet"})
	ok := map[string]string{"contact": w.ID("ctA"), "subject": "Oi", "body": "Texto", "purpose": crm.PurposeService}
	with := func(k, v string) map[string]string {
		out := map[string]string{}
		for a, b := range ok {
			out[a] = b
		}
		if v == "-" {
			delete(out, k)
		} else {
			out[k] = v
		}
		return out
	}
	big := bytes.Repeat([]byte("x"), crm.MailMaxFileBytes+1)
	eight := bytes.Repeat([]byte("y"), 8<<20)
	many := map[string][]byte{}
	for i := range crm.MailMaxFiles + 1 {
		many[string(rune('a'+i))+".txt"] = []byte("z")
	}
	cases := []struct {
		name   string
		fields map[string]string
		files  map[string][]byte
		field  string
	}{
		{"no contact", with("contact", "-"), nil, "contact"},
		{"unknown contact", with("contact", "nope"), nil, "contact"},
		{"contact without email", with("contact", w.ID("noMail")), nil, "contact"},
		{"unknown request", with("case", "nope"), nil, "case"},
		{"another contact's request", with("case", w.ID("csA")), nil, ""},
		{"no subject", with("subject", " "), nil, "subject"},
		{"no body", with("body", "\n"), nil, "body"},
		{"no purpose", with("purpose", "-"), nil, "purpose"},
		{"unknown purpose", with("purpose", "gossip"), nil, "purpose"},
		{"bad cc", with("cc", "someone, not-an-address"), nil, "cc"},
		{"unfilled variable", with("body", "Sua solicitação {{request.reference}}"), nil, "body"},
		{"too many files", ok, many, crm.OutboxFiles},
		{"a file too large", ok, map[string][]byte{"big.bin": big}, crm.OutboxFiles},
		{"files too large together", ok, map[string][]byte{"a.bin": eight, "b.bin": eight, "c.bin": eight}, crm.OutboxFiles},
	}
	cases[4].fields["contact"], cases[4].field = w.ID("ctB"), "contact"
	before := w.Count(t, crm.Outbox, "1=1")
	entries := w.Count(t, crm.Activities, "event = {:e}", dbx.Params{"e": email.EventEmailWritten})
	for _, c := range cases {
		status, body := compose(t, w, "agent", c.fields, c.files)
		if status != http.StatusBadRequest || !strings.Contains(body, `"`+c.field+`":`) {
			t.Errorf("%s: %d %s", c.name, status, body)
		}
	}
	// A reply on a request is service.
	status, body := compose(t, w, "agent", map[string]string{"case": w.ID("csA"), "body": "Oi", "purpose": crm.PurposeMarketing}, nil)
	if status != http.StatusBadRequest || !strings.Contains(body, `"purpose":`) {
		t.Errorf("marketing on a request: %d %s", status, body)
	}
	if n := w.Count(t, crm.Outbox, "1=1"); n != before {
		t.Errorf("bad input queued %d messages", n-before)
	}
	if n := w.Count(t, crm.Activities, "event = {:e}", dbx.Params{"e": email.EventEmailWritten}); n != entries {
		t.Errorf("bad input wrote %d timeline entries", n-entries)
	}
	// Only staff who may write.
	for _, who := range []string{"readonly", "cuA", ""} {
		if status, _ := compose(t, w, who, ok, nil); status != http.StatusForbidden && status != http.StatusUnauthorized {
			t.Errorf("%q wrote an email: %d", who, status)
		}
	}
}

// Mails PocketBase sends outside the outbox (a sign-in code, a staff
// invitation) get a signed Message-ID naming no message and are marked
// automatic, in the mail folder too.
func TestOtherMailsGetHeaders(t *testing.T) {
	w := outWorld(t)
	err := w.App.NewMailClient().Send(&mailer.Message{From: mail.Address{Address: "crm@padaria.test"},
		To: []mail.Address{{Address: "someone@example.com"}}, Subject: "Your code", Text: "123456"})
	if err != nil {
		t.Fatal(err)
	}
	mails := mailsTo(t, w, "someone@example.com")
	if len(mails) != 1 {
		t.Fatalf("%d mails", len(mails))
	}
	h := mails[0].header
	id, ok := email.ParseMessageID(w.App, h.Get("Message-ID"))
	if !ok || !strings.HasSuffix(h.Get("Message-ID"), "@padaria.test>") || h.Get("Auto-Submitted") != "auto-generated" {
		t.Errorf("headers: %v", h)
	}
	if _, err := w.App.FindRecordById(crm.Outbox, id); err == nil {
		t.Errorf("the Message-ID of a mail outside the outbox names an outbox row")
	}
}
