package email_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/channels/email"
	"vinculo/testkit"
)

// Inbound mail end to end: mails APPENDed to a real Dovecot, read by the
// real reader, taken in by the real intake. Each case waits for the reader
// to pass the mail's UID, then looks at what the CRM made of it.

// inbox is a served demo business reading one Dovecot mailbox.
type inbox struct {
	w    *testkit.World
	d    *testkit.Dovecot
	uids int // mails appended so far (the last UID)
}

func newInbox(t *testing.T, o email.ReaderOptions) *inbox {
	t.Helper()
	d := testkit.StartDovecot(t, map[string]string{boxAddr: boxPass})
	w := readerWorld(t, o)
	addMailbox(t, w, d, boxPass, nil)
	w.Serve(t)
	return &inbox{w: w, d: d}
}

// deliver appends raw mails and waits until the reader took them in.
func (in *inbox) deliver(t *testing.T, raws ...[]byte) {
	t.Helper()
	in.d.Append(t, boxAddr, raws...)
	in.uids += len(raws)
	want := in.uids
	waitFor(t, fmt.Sprintf("the reader past UID %d", want), func() bool {
		st := boxState(t, in.w)
		if s := st.GetString(crm.BoxStatus); s != crm.BoxStatusOK && s != "" {
			t.Logf("mailbox status %s: %s", s, st.GetString(crm.BoxStatusDetail))
		}
		return st.GetInt(crm.BoxLastUID) >= want
	})
}

// mailRow is the email_messages row of a Message-ID (without <>).
func (in *inbox) mailRow(t *testing.T, msgID string) *core.Record {
	t.Helper()
	r, err := in.w.App.FindFirstRecordByData(crm.EmailMessages, crm.MailMessageID, msgID)
	if err != nil {
		t.Fatalf("no email_messages row for %s: %v", msgID, err)
	}
	return r
}

func (in *inbox) count(t *testing.T, collection, where string, params dbx.Params) int {
	t.Helper()
	return in.w.Count(t, collection, where, params)
}

// customerMessages counts the customer's messages on a request.
func (in *inbox) customerMessages(t *testing.T, caseID string) int {
	return in.count(t, crm.CaseMessages, "[[case]] = {:c} AND author_staff = ''", dbx.Params{"c": caseID})
}

func TestInboundMailThroughDovecot(t *testing.T) {
	in := newInbox(t, email.ReaderOptions{})
	w := in.w
	newCase := func(label, subject string) *core.Record {
		return w.Make(t, label, crm.Cases, map[string]any{"type": w.ID("tpSup"), "contact": w.ID("ctA"), "subject": subject})
	}

	t.Run("a reply by the signed token lands on its request", func(t *testing.T) {
		kase := newCase("csToken", "Sem sinal")
		sent := w.Make(t, "", crm.Outbox, map[string]any{"contact": w.ID("ctA"), "case": kase.Id, "purpose": "service",
			"channel": "email", "state": "sent", "subject": "Sobre o seu pedido"})
		token, err := email.MessageID(w.App, sent.Id, "biz.test")
		if err != nil {
			t.Fatal(err)
		}
		before := in.customerMessages(t, kase.Id)
		in.deliver(t, rawMail("ana@a.test", "Re: Sobre o seu pedido", "tok1@a.test", "In-Reply-To: "+token, "References: "+token))
		row := in.mailRow(t, "tok1@a.test")
		if row.GetString(crm.MailCase) != kase.Id || row.GetString(crm.MailContact) != w.ID("ctA") {
			t.Fatalf("filed on case %q contact %q, want %s", row.GetString(crm.MailCase), row.GetString(crm.MailContact), kase.Id)
		}
		if got := in.customerMessages(t, kase.Id); got != before+1 {
			t.Errorf("customer messages on the request: %d, want %d", got, before+1)
		}
	})

	t.Run("a reply by In-Reply-To lands on its request", func(t *testing.T) {
		kase := newCase("csReply", "Fatura errada")
		w.Make(t, "", crm.EmailMessages, map[string]any{crm.MailMessageID: "out-irt@biz.test", crm.MailDirection: crm.MailOut,
			crm.MailContact: w.ID("ctA"), crm.MailCase: kase.Id, crm.MailSubject: "Fatura", crm.MailKind: crm.MailNormal})
		in.deliver(t, rawMail("ana@a.test", "Re: Fatura", "irt1@a.test", "In-Reply-To: <out-irt@biz.test>"))
		if got := in.mailRow(t, "irt1@a.test").GetString(crm.MailCase); got != kase.Id {
			t.Fatalf("filed on case %q, want %s", got, kase.Id)
		}
		if in.customerMessages(t, kase.Id) != 1 {
			t.Errorf("the reply is not the customer's message on the request")
		}
	})

	t.Run("a reply by the reference in the subject lands on its request", func(t *testing.T) {
		kase := w.Reload(t, newCase("csSubject", "Troca de plano"))
		ref := kase.GetString("reference")
		if ref == "" {
			t.Fatal("the request has no reference")
		}
		in.deliver(t, rawMail("ana@a.test", "Re: ["+ref+"] Troca de plano", "subj1@a.test"))
		if got := in.mailRow(t, "subj1@a.test").GetString(crm.MailCase); got != kase.Id {
			t.Fatalf("filed on case %q, want %s (%s)", got, kase.Id, ref)
		}
	})

	t.Run("a new mail from a contact opens a request", func(t *testing.T) {
		before := in.count(t, crm.Cases, "contact = {:c}", dbx.Params{"c": w.ID("ctB")})
		in.deliver(t, rawMail("Bruno Alves <bruno@a.test>", "Forno quebrado", "new1@a.test"))
		row := in.mailRow(t, "new1@a.test")
		if row.GetString(crm.MailCase) == "" || row.GetString(crm.MailContact) != w.ID("ctB") {
			t.Fatalf("case %q contact %q", row.GetString(crm.MailCase), row.GetString(crm.MailContact))
		}
		kase := w.Find(t, crm.Cases, row.GetString(crm.MailCase))
		if kase.GetString("type") != w.ID("tpSup") || kase.GetString("contact") != w.ID("ctB") {
			t.Errorf("the request: type %q contact %q", kase.GetString("type"), kase.GetString("contact"))
		}
		if got := in.count(t, crm.Cases, "contact = {:c}", dbx.Params{"c": w.ID("ctB")}); got != before+1 {
			t.Errorf("requests of the contact: %d, want %d", got, before+1)
		}
	})

	t.Run("an unknown sender becomes a lead", func(t *testing.T) {
		in.deliver(t, rawMail("Nova Pessoa <nova@unknown.test>", "Orçamento", "lead1@unknown.test"))
		contacts, err := w.App.FindRecordsByFilter(crm.Contacts, "email = 'nova@unknown.test'", "", 0, 0)
		if err != nil || len(contacts) != 1 {
			t.Fatalf("contacts with the address: %d (%v)", len(contacts), err)
		}
		if got := in.mailRow(t, "lead1@unknown.test").GetString(crm.MailContact); got != contacts[0].Id {
			t.Errorf("the mail's contact %q, want the new lead %s", got, contacts[0].Id)
		}
	})

	t.Run("a duplicate is dropped", func(t *testing.T) {
		raw := rawMail("ana@a.test", "Twice", "dup1@a.test")
		in.deliver(t, raw)
		cases := in.count(t, crm.Cases, "", nil)
		in.deliver(t, raw)
		if got := in.count(t, crm.EmailMessages, "message_id = 'dup1@a.test'", nil); got != 1 {
			t.Errorf("rows for the Message-ID: %d", got)
		}
		if got := in.count(t, crm.Cases, "", nil); got != cases {
			t.Errorf("requests: %d after the duplicate, %d before", got, cases)
		}
	})

	t.Run("an auto-reply is ignored", func(t *testing.T) {
		cases := in.count(t, crm.Cases, "", nil)
		outbox := in.count(t, crm.Outbox, "", nil)
		in.deliver(t, rawMail("ana@a.test", "Out of office", "auto1@a.test", "Auto-Submitted: auto-replied"))
		if got := in.mailRow(t, "auto1@a.test").GetString(crm.MailKind); got != crm.MailAutoReply {
			t.Errorf("kind %q", got)
		}
		if got := in.count(t, crm.Cases, "", nil); got != cases {
			t.Errorf("an auto-reply opened a request")
		}
		if got := in.count(t, crm.Outbox, "", nil); got != outbox {
			t.Errorf("an auto-reply was answered: %d outbox rows, %d before", got, outbox)
		}
	})

	t.Run("a bounce is recorded", func(t *testing.T) {
		in.deliver(t, bounceMail("carla@c.test", "bounce1@mx.test"))
		row := in.mailRow(t, "bounce1@mx.test")
		if row.GetString(crm.MailKind) != crm.MailBounce {
			t.Errorf("kind %q", row.GetString(crm.MailKind))
		}
		if w.Find(t, crm.Contacts, w.ID("ctC")).GetDateTime(crm.ContactEmailFailingAt).IsZero() {
			t.Error("the contact's address is not marked failing")
		}
	})
}

// bounceMail is a delivery status notification (RFC 3464) for a mail to rcpt.
func bounceMail(rcpt, msgID string) []byte {
	return []byte(strings.Join([]string{
		"From: Mail Delivery System <MAILER-DAEMON@mx.test>",
		"To: " + boxAddr,
		"Subject: Undelivered Mail Returned to Sender",
		"Message-ID: <" + msgID + ">",
		"Date: Tue, 24 Nov 2026 10:00:00 -0300",
		"Auto-Submitted: auto-replied",
		"MIME-Version: 1.0",
		`Content-Type: multipart/report; report-type=delivery-status; boundary="b1"`,
		"",
		"--b1",
		"Content-Type: text/plain; charset=us-ascii",
		"",
		"Your message could not be delivered.",
		"--b1",
		"Content-Type: message/delivery-status",
		"",
		"Reporting-MTA: dns; mx.test",
		"",
		"Final-Recipient: rfc822; " + rcpt,
		"Action: failed",
		"Status: 5.1.1",
		"Diagnostic-Code: smtp; 550 5.1.1 user unknown",
		"",
		"--b1",
		"Content-Type: text/rfc822-headers",
		"",
		"From: support@biz.test",
		"To: " + rcpt,
		"Subject: Sobre o seu pedido",
		"Message-ID: <orig-" + msgID + ">",
		"",
		"--b1--",
		"",
	}, "\r\n"))
}

// The server stops after N of M new mails and starts again: M requests, M
// rows, each mail once.
func TestInboundServerRestartMidMailbox(t *testing.T) {
	const total, stopAfter = 10, 4
	var once sync.Once
	var in *inbox
	stopped := make(chan struct{})
	n := 0
	in = newInbox(t, email.ReaderOptions{Batch: 1, Intake: func(app core.App, raw []byte, box email.Mailbox) (email.Outcome, error) {
		n++
		if n == stopAfter+1 {
			once.Do(func() { in.d.Stop(); close(stopped) })
		}
		return email.Intake(app, raw, box)
	}})
	cases := in.count(t, crm.Cases, "", nil)
	var raws [][]byte
	for i := 1; i <= total; i++ {
		raws = append(raws, rawMail(fmt.Sprintf("p%d@people.test", i), fmt.Sprintf("Pedido %d", i), fmt.Sprintf("rs%d@people.test", i)))
	}
	in.d.Append(t, boxAddr, raws...)
	<-stopped
	waitFor(t, "unreachable while down", func() bool {
		return boxState(t, in.w).GetString(crm.BoxStatus) == crm.BoxStatusUnreachable
	})
	if err := in.d.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "every mail", func() bool { return boxState(t, in.w).GetInt(crm.BoxLastUID) == total })
	for i := 1; i <= total; i++ {
		if got := in.count(t, crm.EmailMessages, "message_id = {:m}", dbx.Params{"m": fmt.Sprintf("rs%d@people.test", i)}); got != 1 {
			t.Errorf("mail %d: %d rows", i, got)
		}
	}
	if got := in.count(t, crm.Cases, "", nil); got != cases+total {
		t.Errorf("requests: %d new, want %d", got-cases, total)
	}
}
