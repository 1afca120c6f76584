package email

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/core/validators"
	"github.com/pocketbase/pocketbase/tools/filesystem"
	"github.com/pocketbase/pocketbase/tools/types"

	validation "github.com/pocketbase/ozzo-validation/v4"

	"vinculo/crm"
	"vinculo/plugins/requests"
	"vinculo/plugins/timeline"
)

// Timeline events of received mail (worded by the UI's describeEntry).
const (
	EventMailReceived = "email.received" // a mail that opened no request: data {subject, from, files}
	EventMailBounced  = "email.bounced"  // a mail to the contact bounced: data {address, reason}
)

// Intake takes one raw mail (RFC 5322 bytes, as read from the mailbox) into
// the CRM and says what it did. Safe to call twice with the same mail, at
// once too: the second call finds the first's row (the Message-ID is
// unique) and writes nothing. A mail that cannot be read whole is kept with
// what could be read; an error means nothing was written (the database
// refused), and the mail may be taken again later.
//
// What a mail becomes: its thread's request gets it as the customer's
// message; a mail outside a thread goes to the contact with the sender's
// address (a new lead when nobody has it; an address several contacts share
// is flagged, not guessed) and opens a request or a timeline entry, as the
// mailbox says. Automatic answers and bounces are kept and open nothing, so
// nothing answers them; a bounce marks the address failing on its contacts.
func Intake(app core.App, raw []byte, box Mailbox) (Outcome, error) {
	p := parseMail(raw)
	if out, seen, err := seenBefore(app, p.MessageID); err != nil || seen {
		return out, err
	}
	var out Outcome
	err := app.RunInTransaction(func(tx core.App) error {
		var err error
		out, err = file(tx, p, raw, box)
		return err
	})
	if err != nil {
		// Another reader filed the same mail meanwhile: its row refused ours.
		if dup, seen, _ := seenBefore(app, p.MessageID); seen {
			return dup, nil
		}
		return Outcome{}, fmt.Errorf("email intake of <%s>: %w", p.MessageID, err)
	}
	if len(p.Problems) > 0 {
		app.Logger().Warn("email intake: parts of a mail could not be read; what could is kept",
			"message_id", p.MessageID, "mail", out.Mail, "problems", p.Problems)
	}
	return out, nil
}

func seenBefore(app core.App, messageID string) (Outcome, bool, error) {
	m, err := findMail(app, messageID)
	if err != nil || m == nil {
		return Outcome{}, false, err
	}
	return Outcome{Action: OutcomeDuplicate, Mail: m.Id, Case: m.GetString(crm.MailCase),
		Contact: m.GetString(crm.MailContact), Flag: m.GetString(crm.MailFlag)}, true, nil
}

// file writes the mail's row first (a second copy stops there), then what
// the mail becomes, then the row again with what it points to.
func file(tx core.App, p *parsed, raw []byte, box Mailbox) (Outcome, error) {
	row, err := newRow(tx, p, raw, box)
	if err != nil {
		return Outcome{}, err
	}
	if err := tx.Save(row); err != nil {
		return Outcome{}, err
	}
	out := Outcome{Mail: row.Id, Action: OutcomeUnfiled}
	if !p.Unreadable {
		th, err := findThread(tx, p)
		if err != nil {
			return Outcome{}, err
		}
		switch {
		case p.Kind == crm.MailBounce:
			err = fileBounce(tx, p, row, th, &out)
		case p.Kind == crm.MailAutoReply:
			// Kept beside its thread; nobody is told and nothing answers it.
			link(row, th)
			out.Action = OutcomeAutoReply
		case box.Address != "" && strings.EqualFold(p.From, strings.TrimSpace(box.Address)):
			row.Set(crm.MailFlag, crm.MailFlagOwnAddress)
		case th.Case != nil:
			err = fileReply(tx, p, row, th, &out)
		default:
			err = fileNew(tx, p, row, th, box, &out)
		}
		if err != nil {
			return Outcome{}, err
		}
	}
	out.Case, out.Contact, out.Flag = row.GetString(crm.MailCase), row.GetString(crm.MailContact), row.GetString(crm.MailFlag)
	return out, tx.Save(row)
}

// newRow is the mail's email_messages row: its headers, text, sanitised
// HTML and attachments (the raw mail itself when not even its header could
// be read).
func newRow(tx core.App, p *parsed, raw []byte, box Mailbox) (*core.Record, error) {
	mails, err := tx.FindCachedCollectionByNameOrId(crm.EmailMessages)
	if err != nil {
		return nil, err
	}
	row := core.NewRecord(mails)
	row.Load(map[string]any{
		crm.MailMessageID: p.MessageID, crm.MailDirection: crm.MailIn, crm.MailMailbox: box.ID,
		crm.MailFrom: crm.Clip(p.From, 320), crm.MailTo: crm.Clip(strings.Join(p.To, ", "), 4000),
		crm.MailCc: crm.Clip(strings.Join(p.Cc, ", "), 4000), crm.MailSubject: crm.Clip(p.Subject, 998),
		crm.MailKind: p.Kind, crm.MailText: crm.Clip(p.Text, 1<<20), crm.MailSize: len(raw),
		crm.MailAt: types.NowDateTime(),
	})
	if html := p.HTML; len(html) <= 2<<20 {
		row.Set(crm.MailHTML, html) // a longer one is not cut mid-tag: the text stands for it
	}
	if len(p.InReplyTo) > 0 {
		row.Set(crm.MailInReplyTo, crm.Clip(p.InReplyTo[0], 998))
	}
	if len(p.References) > 0 {
		row.Set(crm.MailReferences, p.References)
	}
	files := p.Files
	switch {
	case p.Unreadable:
		row.Set(crm.MailFlag, crm.MailFlagUnreadable)
		files = []attachment{{Name: "mail.eml", Type: "message/rfc822", Data: raw}}
	case len(p.Problems) > 0:
		row.Set(crm.MailFlag, crm.MailFlagPartlyReadable)
	}
	row.Set(crm.MailFiles, fitting(mails, crm.MailFiles, files))
	return row, nil
}

// link files a kept mail beside its thread.
func link(row *core.Record, th mailThread) {
	row.Set(crm.MailContact, th.Contact)
	if th.Case != nil {
		row.Set(crm.MailCase, th.Case.Id)
	}
}

// fileReply puts the mail on its request as the customer's message: what
// they wrote above the quoted mail, and the attachments a request message
// takes (all of them stay on the mail's row). It is the customer's
// (author_customer: their portal account) when it comes from the request's
// contact; another writer on the thread is flagged for staff. Either way
// it is not a staff answer, so the SLA's first response still waits.
func fileReply(tx core.App, p *parsed, row *core.Record, th mailThread, out *Outcome) error {
	msgs, err := tx.FindCachedCollectionByNameOrId(crm.CaseMessages)
	if err != nil {
		return err
	}
	msg := core.NewRecord(msgs)
	msg.Set("case", th.Case.Id)
	msg.Set("body", messageBody(p, newPart(p.Text)))
	msg.Set("internal", false)
	contact, err := tx.FindRecordById(crm.Contacts, th.Contact)
	if err == nil && strings.EqualFold(contact.GetString(crm.FieldEmail), p.From) {
		msg.Set("author_customer", accountOf(tx, contact.Id))
	} else {
		row.Set(crm.MailFlag, crm.MailFlagOtherSender)
	}
	msg.Set("attachments", fitting(msgs, "attachments", p.Files))
	timeline.SetActor(msg, byMail(tx, th.Contact))
	if err := tx.Save(msg); err != nil {
		return err
	}
	link(row, th)
	row.Set(crm.MailCaseMsg, msg.Id)
	out.Action = OutcomeReply
	return nil
}

// fileNew files a mail that answers no request: under its thread's
// contact, or the sender's; then a request or a timeline entry.
func fileNew(tx core.App, p *parsed, row *core.Record, th mailThread, box Mailbox, out *Outcome) error {
	var contact *core.Record
	if th.Contact != "" {
		c, err := tx.FindRecordById(crm.Contacts, th.Contact)
		if err != nil {
			return err
		}
		contact = c
	} else {
		c, lead, flag, err := senderContact(tx, p)
		if err != nil {
			return err
		}
		if flag != "" {
			row.Set(crm.MailFlag, flag)
			return nil // kept for a person to file: nobody is guessed
		}
		contact, out.NewLead = c, lead
	}
	row.Set(crm.MailContact, contact.Id)
	if box.NewThread == NewThreadRequest {
		opened, err := openRequest(tx, p, row, box, contact)
		if err != nil || opened {
			if opened {
				out.Action = OutcomeNewRequest
			}
			return err
		}
		row.Set(crm.MailFlag, crm.MailFlagNoRequest)
	}
	return fileOnTimeline(tx, p, row, contact, out)
}

// fileOnTimeline files the mail as an email entry on the contact's
// timeline (also what a person does with a mail filed under nobody).
func fileOnTimeline(tx core.App, p *parsed, row, contact *core.Record, out *Outcome) error {
	entry, err := timeline.Write(tx, timeline.Entry{
		Event: EventMailReceived, Type: "email", Direction: "inbound", Channel: "email",
		Subject: p.Subject, Body: p.Text, Public: true, Contact: contact.Id, Actor: byMail(tx, contact.Id),
		RefCollection: crm.EmailMessages, RefID: row.Id, OccurredAt: row.GetDateTime(crm.MailAt).Time(),
		Data: map[string]any{"subject": p.Subject, "from": p.From, "files": len(p.Files)},
	})
	if err != nil {
		return err
	}
	row.Set(crm.MailActivity, entry.Id)
	out.Action = OutcomeTimeline
	return nil
}

// openRequest opens a request of the mailbox's type for the mail, as the
// customer would from the portal: the requests plugin fills in the status,
// reference and SLA and queues its "we received your request" message.
// false when the type is gone or refuses a request made from a mail (a
// field the mail cannot fill): the caller keeps it on the timeline.
func openRequest(tx core.App, p *parsed, row *core.Record, box Mailbox, contact *core.Record) (bool, error) {
	if box.CaseType == "" {
		return false, nil
	}
	if _, err := tx.FindRecordById(crm.CaseTypes, box.CaseType); err != nil {
		return false, nil
	}
	cases, err := tx.FindCachedCollectionByNameOrId(crm.Cases)
	if err != nil {
		return false, err
	}
	c := core.NewRecord(cases)
	c.Set("type", box.CaseType)
	c.Set(crm.FieldContact, contact.Id)
	c.Set("subject", requestSubject(p))
	c.Set("description", crm.Clip(p.Text, 20000))
	c.Set("channel", "email")
	c.Set("attachments", fitting(cases, "attachments", p.Files))
	timeline.SetActor(c, byMail(tx, contact.Id))
	if quiet, err := mailStorm(tx, contact.Id); err != nil {
		return false, err
	} else if quiet {
		requests.Quietly(c)
	}
	// A refused request writes nothing (the checks run before the insert):
	// the transaction goes on.
	if err := tx.Save(c); err != nil {
		var refused validation.Errors
		if !errors.As(err, &refused) {
			return false, err
		}
		tx.Logger().Warn("email intake: the mailbox's request type refused a mail; kept on the timeline",
			"mailbox", box.ID, "type", box.CaseType, "error", err)
		return false, nil
	}
	row.Set(crm.MailCase, c.Id)
	return true, nil
}

// Loop brake: an autoresponder that marks nothing and keeps no thread
// headers would open a request with every answer to our "we received your
// request", and get another. Past stormRequests requests opened by mail for
// one contact in the last hour, a new one is opened quietly (no message).
const stormRequests = 3

func mailStorm(tx core.App, contactID string) (bool, error) {
	since := types.NowDateTime().Add(-time.Hour)
	var n int
	err := tx.DB().NewQuery("SELECT COUNT(*) FROM cases WHERE contact = {:c} AND created >= {:since} AND channel = 'email'").
		Bind(dbx.Params{"c": contactID, "since": since.String()}).Row(&n)
	return n >= stormRequests, err
}

// fileBounce marks the failing addresses on their contacts and files the
// bounce beside the mail it returns. A bounce without a delivery report
// that answers one of our mails names the thread's contact's address.
func fileBounce(tx core.App, p *parsed, row *core.Record, th mailThread, out *Outcome) error {
	out.Action = OutcomeBounce
	failing, reason := p.Bounce.Failed, p.Bounce.Reason
	if len(failing) == 0 && !p.Bounce.Reported && th.Contact != "" {
		if c, err := tx.FindRecordById(crm.Contacts, th.Contact); err == nil && c.GetString(crm.FieldEmail) != "" {
			failing = []string{strings.ToLower(c.GetString(crm.FieldEmail))}
		}
	}
	if reason == "" {
		reason = firstLine(p.Text)
	}
	for _, address := range failing {
		if _, err := markFailing(tx, address, reason); err != nil {
			return err
		}
	}
	contactID, err := bounceContact(tx, th, failing)
	if err != nil {
		return err
	}
	link(row, mailThread{Case: th.Case, Contact: contactID})
	if contactID == "" || len(failing) == 0 {
		return nil
	}
	e := timeline.Entry{Event: EventMailBounced, Type: "email", Direction: "inbound", Channel: "email",
		Subject: failing[0], Contact: contactID, Actor: timeline.System,
		RefCollection: crm.EmailMessages, RefID: row.Id,
		Data: map[string]any{"address": failing[0], "reason": reason}}
	if th.Case != nil {
		e.Case = th.Case.Id
	}
	entry, err := timeline.Write(tx, e)
	if err != nil {
		return err
	}
	row.Set(crm.MailActivity, entry.Id)
	return nil
}

// fitting are the files a file field takes, by its own rules (size, kinds,
// how many): the others stay on the mail's row only.
func fitting(c *core.Collection, field string, files []attachment) []*filesystem.File {
	f, ok := c.Fields.GetByName(field).(*core.FileField)
	if !ok {
		return nil
	}
	var out []*filesystem.File
	for _, a := range files {
		if f.MaxSelect > 0 && len(out) >= f.MaxSelect {
			break
		}
		file, err := filesystem.NewFileFromBytes(a.Data, a.Name)
		if err != nil || validators.UploadedFileSize(f.MaxSize)(file) != nil {
			continue
		}
		if len(f.MimeTypes) > 0 && validators.UploadedFileMimeType(f.MimeTypes)(file) != nil {
			continue
		}
		out = append(out, file)
	}
	return out
}

// requestSubject: the mail's subject without "Re:"/"Fwd:", else its first
// line, else the sender.
func requestSubject(p *parsed) string {
	s := strings.TrimSpace(p.Subject)
	for {
		lower := strings.ToLower(s)
		cut := false
		for _, prefix := range []string{"re:", "fw:", "fwd:", "enc:", "res:", "aw:", "wg:"} {
			if strings.HasPrefix(lower, prefix) {
				s, cut = strings.TrimSpace(s[len(prefix):]), true
				break
			}
		}
		if !cut {
			break
		}
	}
	if s == "" {
		s = firstLine(p.Text)
	}
	if s == "" {
		s = p.From
	}
	if s == "" {
		s = "?"
	}
	return crm.Clip(s, 200)
}

// messageBody is what a request message shows of the mail: the words, else
// the names of its files, else its subject.
func messageBody(p *parsed, words string) string {
	if strings.TrimSpace(words) == "" {
		var names []string
		for _, f := range p.Files {
			names = append(names, f.Name)
		}
		words = strings.Join(names, "\n")
	}
	if strings.TrimSpace(words) == "" {
		words = requestSubject(p)
	}
	return crm.Clip(words, 20000)
}

func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return crm.Clip(l, 300)
		}
	}
	return ""
}
