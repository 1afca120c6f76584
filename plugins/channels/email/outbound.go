package email

import (
	"context"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/mailer"
	"github.com/pocketbase/pocketbase/tools/security"

	"vinculo/crm"
	"vinculo/plugins/outbox"
)

// Outbound mail. Every mail to a customer leaves through the outbox, which
// hands it to the sender below: it goes through PocketBase's mailer with a
// Message-ID carrying the signed token of its outbox row, In-Reply-To and
// References naming the earlier mails of its request (so the customer's
// mail program threads them), and is remembered in email_messages (the
// thread store the next mail and the customer's answer are matched
// against). Every other mail Vinculo sends (the sign-in codes, the team's
// invitations) gets a Message-ID too and is marked automatic.

// replyKey marks a request message written by staff through the API (the
// workspace): its public answers are mailed to the customer. PocketBase
// never exports custom keys with the @pbInternal prefix.
const replyKey = "@pbInternalVinculoMailReply"

// maxReferences bounds References: the first mail of the thread and the
// latest ones (RFC 5322 lets a long thread's list be trimmed so).
const maxReferences = 20

// registerOutbound binds what goes out: the email sender, the headers of
// every other mail, the mailing of staff answers on requests, the composer's
// routes and the templates' checks.
func registerOutbound(app core.App, cfg *crm.Config) {
	bindOutbound(app)
	bindCompose(app, cfg)
	bindTemplates(app)
}

func bindOutbound(app core.App) {
	outbox.SetSender(app, "email", func(ctx context.Context, m outbox.Message) error { return sendMail(app, m) })
	// Before the mail folder (priority 0), which keeps a mail when no SMTP
	// server is set, so the folder has the headers too.
	app.OnMailerSend().Bind(&hook.Handler[*core.MailerEvent]{
		Id: "vinculo.email.headers", Priority: -1000,
		Func: func(e *core.MailerEvent) error {
			markOtherMail(e.App, e.Message)
			return e.Next()
		},
	})
	app.OnRecordCreateRequest(crm.CaseMessages).BindFunc(func(e *core.RecordRequestEvent) error {
		if e.Auth != nil && e.Auth.Collection().Name == crm.Staff {
			e.Record.Set(replyKey, true)
		}
		return e.Next()
	})
	app.OnRecordCreate(crm.CaseMessages).BindFunc(func(e *core.RecordEvent) error {
		marked, _ := e.Record.Get(replyKey).(bool)
		if err := e.Next(); err != nil {
			return err
		}
		if !marked || !crm.IsStaffAnswer(e.Record) {
			return nil
		}
		return queueReply(e.App, e.Record)
	})
}

// queueReply puts a staff member's public answer on a request in the
// outbox, in the transaction of the answer: a service message to the
// request's customer, on the channel the customer prefers (the outbox
// decides), with the portal link.
func queueReply(tx core.App, msg *core.Record) error {
	c, err := tx.FindRecordById(crm.Cases, msg.GetString("case"))
	if err != nil {
		return err
	}
	contact := c.GetString(crm.FieldContact)
	if contact == "" {
		return nil
	}
	_, err = outbox.Queue(tx, outbox.Queued{
		Contact: contact, Purpose: crm.PurposeService, Case: c.Id, Template: crm.TemplateCaseReply,
		Urgent: c.GetString("priority") == "urgent", CreatedBy: msg.GetString("author_staff"),
		Data: map[string]any{"reference": c.GetString("reference"), "subject": c.GetString("subject"),
			"message": msg.GetString("body"), crm.MailCaseMsg: msg.Id},
	})
	return err
}

// sendMail is the email channel's sender: the outbox's mail with the
// thread's headers, through PocketBase's mailer, then remembered.
func sendMail(app core.App, m outbox.Message) error {
	msg, done, err := outbox.Mail(app, m)
	if err != nil {
		return err
	}
	defer done()
	id, err := MessageID(app, m.ID, domainOf(msg.From.Address))
	if err != nil {
		return err
	}
	refs, err := thread(app, m.Case, bare(id))
	if err != nil {
		return err
	}
	msg.Headers["Message-ID"] = id
	if len(refs) > 0 {
		msg.Headers["In-Reply-To"] = "<" + refs[len(refs)-1] + ">"
		msg.Headers["References"] = "<" + strings.Join(refs, "> <") + ">"
	}
	if err := app.NewMailClient().Send(msg); err != nil {
		return err
	}
	if err := remember(app, m, msg, refs); err != nil {
		// The mail went: a thread store that missed it costs the threading
		// of a later answer, not the mail.
		app.Logger().Error("Email: a sent mail could not be kept in the thread store", "outbox", m.ID, "error", err)
	}
	return nil
}

// thread is the Message-IDs (without brackets) of the request's mails so
// far, oldest first, but self; a mail of no request starts a thread.
func thread(app core.App, caseID, self string) ([]string, error) {
	if caseID == "" {
		return nil, nil
	}
	var ids []string
	err := app.DB().Select(crm.MailMessageID).From(crm.EmailMessages).
		Where(dbx.HashExp{crm.MailCase: caseID}).
		AndWhere(dbx.Not(dbx.HashExp{crm.MailMessageID: self})).
		OrderBy(crm.MailAt, "created").Column(&ids)
	if err != nil {
		return nil, err
	}
	if len(ids) > maxReferences {
		ids = append(ids[:1], ids[len(ids)-maxReferences+1:]...)
	}
	return ids, nil
}

// remember writes the mail sent for an outbox row in email_messages (once:
// a mail sent again after a crash updates its row).
func remember(app core.App, m outbox.Message, msg *mailer.Message, refs []string) error {
	id := bare(msg.Headers["Message-ID"])
	row, err := app.FindFirstRecordByData(crm.EmailMessages, crm.MailMessageID, id)
	if err != nil {
		c, cerr := app.FindCachedCollectionByNameOrId(crm.EmailMessages)
		if cerr != nil {
			return cerr
		}
		row = core.NewRecord(c)
	}
	var to, cc []string
	for _, a := range msg.To {
		to = append(to, a.Address)
	}
	for _, a := range msg.Cc {
		cc = append(cc, a.Address)
	}
	if refs == nil {
		refs = []string{}
	}
	row.Load(map[string]any{
		crm.MailMessageID: id, crm.MailDirection: crm.MailOut, crm.MailContact: m.Contact, crm.MailCase: m.Case,
		crm.MailOutbox: m.ID, crm.MailFrom: msg.From.Address, crm.MailTo: strings.Join(to, ", "), crm.MailCc: strings.Join(cc, ", "),
		crm.MailSubject: crm.Clip(msg.Subject, 998), crm.MailInReplyTo: bare(msg.Headers["In-Reply-To"]), crm.MailReferences: refs,
		crm.MailKind: crm.MailNormal, crm.MailText: crm.Clip(msg.Text, 1<<20), crm.MailHTML: crm.Clip(msg.HTML, 2<<20), crm.MailAt: time.Now(),
	})
	for _, link := range []string{crm.MailActivity, crm.MailCaseMsg} {
		if v, ok := m.Data[link].(string); ok {
			row.Set(link, v)
		}
	}
	return app.Save(row)
}

// markOtherMail gives a mail that has none a Message-ID (signed, naming no
// outbox row) and marks a mail that did not come from the outbox (a
// sign-in code, an invitation to the team) as automatic.
func markOtherMail(app core.App, msg *mailer.Message) {
	if msg.Headers == nil {
		msg.Headers = map[string]string{}
	}
	has := func(name string) bool {
		return slices.ContainsFunc(keys(msg.Headers), func(k string) bool { return strings.EqualFold(k, name) })
	}
	if !has("Message-ID") {
		id, err := MessageID(app, "x"+security.RandomString(14), domainOf(msg.From.Address))
		if err == nil {
			msg.Headers["Message-ID"] = id
		}
	}
	if !has("X-Vinculo-Message") && !has("Auto-Submitted") {
		msg.Headers["Auto-Submitted"] = "auto-generated"
	}
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// domainOf is the part of an address after the @.
func domainOf(address string) string {
	if a, err := mail.ParseAddress(address); err == nil {
		address = a.Address
	}
	if i := strings.LastIndex(address, "@"); i >= 0 {
		return address[i+1:]
	}
	return ""
}

// bare is a Message-ID without its angle brackets.
func bare(id string) string {
	return strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(id), "<"), ">")
}
