package email

import (
	"regexp"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// How a mail found its thread.
const (
	ByToken      = "token"       // the signed token of one of our mails in In-Reply-To or References
	ByInReplyTo  = "in_reply_to" // In-Reply-To names a mail we keep
	ByReferences = "references"  // References names a mail we keep
	BySubject    = "subject"     // the request's reference in the subject, from the request's contact
)

// thread is what a mail answers: a request and its contact, or only a
// contact (an answer to a mail about no request).
type mailThread struct {
	Case    *core.Record
	Contact string
	By      string
}

// referenceInSubject finds "[SUP-0012]" (cases.reference) in a subject.
var referenceInSubject = regexp.MustCompile(`\[([A-Za-z]{2,8}-[0-9]{4,})\]`)

// findThread looks for the thread of p, in order: the signed token in
// In-Reply-To or References (it names the outbox row of a mail we sent and
// cannot be forged), In-Reply-To naming a mail we keep, References (newest
// first), and the request's reference in the subject. The subject is
// anyone's to write, so a reference there counts only when the mail comes
// from the request's own contact. A bounce is threaded by the headers of
// the mail it returns.
func findThread(app core.App, p *parsed) (mailThread, error) {
	parent := append(append([]string{}, p.Bounce.Original...), p.InReplyTo...)
	older := reversed(p.References)
	for _, id := range append(append([]string{}, parent...), older...) {
		if outboxID, ok := ParseMessageID(app, id); ok {
			if row, err := app.FindRecordById(crm.Outbox, outboxID); err == nil {
				if th, ok := threadOf(app, row.GetString("case"), row.GetString(crm.FieldContact), ByToken); ok {
					return th, nil
				}
			}
		}
	}
	for _, route := range []struct {
		ids []string
		by  string
	}{{parent, ByInReplyTo}, {older, ByReferences}} {
		for _, id := range route.ids {
			mail, err := findMail(app, id)
			if err != nil {
				return mailThread{}, err
			}
			if mail == nil {
				continue
			}
			if th, ok := threadOf(app, mail.GetString(crm.MailCase), mail.GetString(crm.MailContact), route.by); ok {
				return th, nil
			}
		}
	}
	if m := referenceInSubject.FindStringSubmatch(p.Subject); m != nil && p.From != "" {
		c, err := app.FindFirstRecordByData(crm.Cases, "reference", strings.ToUpper(m[1]))
		if err == nil {
			contact, err := app.FindRecordById(crm.Contacts, c.GetString(crm.FieldContact))
			if err == nil && strings.EqualFold(contact.GetString(crm.FieldEmail), p.From) {
				return mailThread{Case: c, Contact: contact.Id, By: BySubject}, nil
			}
		}
	}
	return mailThread{}, nil
}

// threadOf is the thread of a request (its contact) or, without one, of a
// contact; a request or contact deleted since leaves no thread.
func threadOf(app core.App, caseID, contactID, by string) (mailThread, bool) {
	if caseID != "" {
		if c, err := app.FindRecordById(crm.Cases, caseID); err == nil {
			return mailThread{Case: c, Contact: c.GetString(crm.FieldContact), By: by}, true
		}
	}
	if contactID != "" {
		if _, err := app.FindRecordById(crm.Contacts, contactID); err == nil {
			return mailThread{Contact: contactID, By: by}, true
		}
	}
	return mailThread{}, false
}

// findMail is the email_messages row with that Message-ID, nil when none.
func findMail(app core.App, messageID string) (*core.Record, error) {
	var found []*core.Record
	err := app.RecordQuery(crm.EmailMessages).AndWhere(dbx.HashExp{crm.MailMessageID: messageID}).Limit(1).All(&found)
	if err != nil || len(found) == 0 {
		return nil, err
	}
	return found[0], nil
}

func reversed(ids []string) []string {
	out := make([]string, 0, len(ids))
	for i := len(ids) - 1; i >= 0; i-- {
		out = append(out, ids[i])
	}
	return out
}
