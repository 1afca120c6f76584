package email

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
	"vinculo/crm/guard"
)

// Mail filed under nobody. The intake keeps a mail it cannot put under one
// contact (an address several contacts share, no readable sender, a mail
// from the mailbox's own address, a mail that could not be read) and opens
// nothing for it. Staff see these mails, read them, and either file one to
// a contact — it then becomes what the intake would have made of it: the
// customer's message on one of the contact's requests, a new request of a
// chosen type, or an email on the contact's timeline — or set it aside. A
// mail is handled once: who did it and when stay on the mail.
//
// Automatic answers and bounces are not listed: nobody answers them, and a
// bounce has already marked its address.

// How a person files a mail.
const (
	FileAsReply    = "reply"    // the customer's message on one of the contact's requests
	FileAsRequest  = "request"  // a new request of a chosen type
	FileAsTimeline = "timeline" // an email entry on the contact's timeline
)

func registerUnfiled(app core.App) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.GET("/api/crm/email/unfiled", listUnfiled).Bind(guard.Staff())
		se.Router.POST("/api/crm/email/messages/{id}/file", fileMail).Bind(guard.Writer())
		se.Router.POST("/api/crm/email/messages/{id}/dismiss", dismissMail).Bind(guard.Writer())
		return se.Next()
	})
}

// waitingExpr: received mails under nobody that no person has handled yet.
func waitingExpr() dbx.Expression {
	return dbx.And(
		dbx.HashExp{crm.MailDirection: crm.MailIn, crm.MailContact: "", crm.MailHandledAt: ""},
		dbx.NotIn(crm.MailKind, crm.MailAutoReply, crm.MailBounce),
	)
}

// Waiting says whether a mail still waits for a person to file it.
func Waiting(row *core.Record) bool {
	kind := row.GetString(crm.MailKind)
	return row.GetString(crm.MailDirection) == crm.MailIn && row.GetString(crm.MailContact) == "" &&
		row.GetDateTime(crm.MailHandledAt).IsZero() && kind != crm.MailAutoReply && kind != crm.MailBounce
}

// unfiledItem is one mail of the list: enough to choose it, not its whole text.
type unfiledItem struct {
	ID        string `json:"id"`
	From      string `json:"from"`
	To        string `json:"to"`
	Subject   string `json:"subject"`
	Excerpt   string `json:"excerpt"`
	Flag      string `json:"flag"`
	Files     int    `json:"files"`
	At        string `json:"at"`
	Contact   string `json:"contact"`
	Case      string `json:"case"`
	Activity  string `json:"activity"`
	Handled   string `json:"handled"`
	HandledAt string `json:"handled_at"`
	HandledBy string `json:"handled_by"` // the staff member's name
}

// listUnfiled is GET /api/crm/email/unfiled: the mails waiting for a
// person, newest first (?handled=1: the ones handled, latest first), a
// page at a time, with how many wait in all.
func listUnfiled(e *core.RequestEvent) error {
	q := e.Request.URL.Query()
	page, perPage := 1, 20
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return badField(e, "page", "validation_invalid_page", "The page is a number from 1.")
		}
		page = n
	}
	if v := q.Get("perPage"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return badField(e, "perPage", "validation_invalid_per_page", "perPage is a number from 1 to 100.")
		}
		perPage = n
	}
	handled := q.Get("handled")
	if handled != "" && handled != "0" && handled != "1" {
		return badField(e, "handled", "validation_invalid_handled", "handled is 0 or 1.")
	}
	where, order := waitingExpr(), crm.MailAt+" DESC"
	if handled == "1" {
		where = dbx.And(dbx.HashExp{crm.MailDirection: crm.MailIn}, dbx.Not(dbx.HashExp{crm.MailHandledAt: ""}))
		order = crm.MailHandledAt + " DESC"
	}
	var waiting, total int
	if err := e.App.RecordQuery(crm.EmailMessages).Select("COUNT(*)").AndWhere(waitingExpr()).Row(&waiting); err != nil {
		return err
	}
	total = waiting
	if handled == "1" {
		if err := e.App.RecordQuery(crm.EmailMessages).Select("COUNT(*)").AndWhere(where).Row(&total); err != nil {
			return err
		}
	}
	var rows []*core.Record
	err := e.App.RecordQuery(crm.EmailMessages).AndWhere(where).OrderBy(order, "id DESC").
		Offset(int64((page - 1) * perPage)).Limit(int64(perPage)).All(&rows)
	if err != nil {
		return err
	}
	items := make([]unfiledItem, 0, len(rows))
	for _, r := range rows {
		items = append(items, itemOf(e.App, r))
	}
	return e.JSON(http.StatusOK, map[string]any{"items": items, "page": page, "perPage": perPage,
		"total": total, "waiting": waiting})
}

func itemOf(app core.App, r *core.Record) unfiledItem {
	it := unfiledItem{ID: r.Id, From: r.GetString(crm.MailFrom), To: r.GetString(crm.MailTo),
		Subject: r.GetString(crm.MailSubject), Excerpt: crm.Clip(strings.Join(strings.Fields(r.GetString(crm.MailText)), " "), 200),
		Flag: r.GetString(crm.MailFlag), Files: len(r.GetStringSlice(crm.MailFiles)), At: r.GetDateTime(crm.MailAt).String(),
		Contact: r.GetString(crm.MailContact), Case: r.GetString(crm.MailCase), Activity: r.GetString(crm.MailActivity),
		Handled: r.GetString(crm.MailHandled)}
	if at := r.GetDateTime(crm.MailHandledAt); !at.IsZero() {
		it.HandledAt = at.String()
	}
	if id := r.GetString(crm.MailHandledBy); id != "" {
		if s, err := app.FindRecordById(crm.Staff, id); err == nil {
			it.HandledBy = s.GetString("name")
		}
	}
	return it
}

// fileRequest is what a person says when filing a mail.
type fileRequest struct {
	Contact string `json:"contact"`
	As      string `json:"as"`   // FileAsReply, FileAsRequest or FileAsTimeline
	Case    string `json:"case"` // FileAsReply: one of the contact's requests
	Type    string `json:"type"` // FileAsRequest: the request type
}

// errHandled: the mail was filed or set aside already.
var errHandled = errors.New("handled already")

// errTypeRefused: the request type refuses a request made from a mail.
var errTypeRefused = errors.New("the request type refused the mail")

// fileMail is POST /api/crm/email/messages/{id}/file.
func fileMail(e *core.RequestEvent) error {
	row, err := receivedMail(e)
	if err != nil {
		return err
	}
	var body fileRequest
	if err := e.BindBody(&body); err != nil {
		return e.BadRequestError("The body is not a JSON object.", err)
	}
	contact, kase, err := checkFiling(e, body)
	if err != nil {
		return err
	}
	var out Outcome
	err = e.App.RunInTransaction(func(tx core.App) error {
		fresh, err := tx.FindRecordById(crm.EmailMessages, row.Id)
		if err != nil {
			return err
		}
		if !Waiting(fresh) {
			return errHandled
		}
		out, err = fileByHand(tx, fresh, body, contact, kase)
		if err != nil {
			return err
		}
		markHandled(fresh, crm.MailHandledFiled, staffOf(e))
		return tx.Save(fresh)
	})
	switch {
	case errors.Is(err, errHandled):
		return e.Error(http.StatusConflict, "This mail was filed or set aside already.", nil)
	case errors.Is(err, errTypeRefused):
		return badField(e, "type", "validation_type_refuses_mail",
			"That request type asks for more than a mail gives: choose another type, or file the mail on the timeline.")
	case err != nil:
		return e.BadRequestError("The mail could not be filed.", err)
	}
	return e.JSON(http.StatusOK, out)
}

// receivedMail is the received mail the path names (404 for anything else).
func receivedMail(e *core.RequestEvent) (*core.Record, error) {
	row, err := e.App.FindRecordById(crm.EmailMessages, e.Request.PathValue("id"))
	if err != nil || row.GetString(crm.MailDirection) != crm.MailIn {
		return nil, e.NotFoundError("No received mail with that id.", nil)
	}
	return row, nil
}

// checkFiling reads the contact, and the request for a reply, a person
// files a mail to; bad input is a 400 naming its field.
func checkFiling(e *core.RequestEvent, body fileRequest) (contact, kase *core.Record, err error) {
	if strings.TrimSpace(body.Contact) == "" {
		return nil, nil, badField(e, "contact", "validation_required", "Choose the contact this mail is from.")
	}
	if contact, err = e.App.FindRecordById(crm.Contacts, body.Contact); err != nil {
		return nil, nil, badField(e, "contact", "validation_not_found", "No contact with that id.")
	}
	switch body.As {
	case FileAsReply:
		if body.Case == "" {
			return nil, nil, badField(e, "case", "validation_required", "Choose the request this mail answers.")
		}
		kase, err = e.App.FindRecordById(crm.Cases, body.Case)
		if err != nil {
			return nil, nil, badField(e, "case", "validation_not_found", "No request with that id.")
		}
		if kase.GetString(crm.FieldContact) != contact.Id {
			return nil, nil, badField(e, "case", "validation_not_the_contacts", "That request is not this contact's.")
		}
	case FileAsRequest:
		if body.Type == "" {
			return nil, nil, badField(e, "type", "validation_required", "Choose the type of the new request.")
		}
		if _, err := e.App.FindRecordById(crm.CaseTypes, body.Type); err != nil {
			return nil, nil, badField(e, "type", "validation_not_found", "No request type with that id.")
		}
	case FileAsTimeline:
	default:
		return nil, nil, badField(e, "as", "validation_invalid_value", "File it as a reply, a new request or a timeline entry.")
	}
	return contact, kase, nil
}

// fileByHand makes of the mail what the intake makes of a mail from the
// contact: the same request message, request or timeline entry.
func fileByHand(tx core.App, row *core.Record, body fileRequest, contact, kase *core.Record) (Outcome, error) {
	p, err := parsedOfRow(tx, row)
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{Mail: row.Id}
	row.Set(crm.MailContact, contact.Id)
	switch body.As {
	case FileAsReply:
		err = fileReply(tx, p, row, mailThread{Case: kase, Contact: contact.Id}, &out)
	case FileAsRequest:
		var opened bool
		opened, err = openRequest(tx, p, row, Mailbox{NewThread: NewThreadRequest, CaseType: body.Type}, contact)
		if err == nil && !opened {
			err = errTypeRefused
		}
		out.Action = OutcomeNewRequest
	default:
		err = fileOnTimeline(tx, p, row, contact, &out)
	}
	if err != nil {
		return Outcome{}, err
	}
	out.Case, out.Contact, out.Flag = row.GetString(crm.MailCase), contact.Id, row.GetString(crm.MailFlag)
	return out, nil
}

// parsedOfRow is the kept mail as the intake read it: its sender,
// subject, words and files (the files from the mail's own row).
func parsedOfRow(app core.App, row *core.Record) (*parsed, error) {
	p := &parsed{MessageID: row.GetString(crm.MailMessageID), From: row.GetString(crm.MailFrom),
		Subject: row.GetString(crm.MailSubject), Text: row.GetString(crm.MailText), HTML: row.GetString(crm.MailHTML),
		Kind: row.GetString(crm.MailKind), InReplyTo: []string{}, References: []string{}}
	names := row.GetStringSlice(crm.MailFiles)
	if len(names) == 0 {
		return p, nil
	}
	fsys, err := app.NewFilesystem()
	if err != nil {
		return nil, err
	}
	defer fsys.Close()
	for _, name := range names {
		r, err := fsys.GetReader(row.BaseFilesPath() + "/" + name)
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			return nil, err
		}
		p.Files = append(p.Files, attachment{Name: name, Type: http.DetectContentType(data), Data: data})
	}
	return p, nil
}

func markHandled(row *core.Record, how string, by *core.Record) {
	row.Set(crm.MailHandled, how)
	row.Set(crm.MailHandledAt, types.NowDateTime())
	if by != nil {
		row.Set(crm.MailHandledBy, by.Id)
	}
}

// dismissMail is POST /api/crm/email/messages/{id}/dismiss: the mail is set
// aside, kept under nobody, and no longer waits.
func dismissMail(e *core.RequestEvent) error {
	row, err := receivedMail(e)
	if err != nil {
		return err
	}
	err = e.App.RunInTransaction(func(tx core.App) error {
		fresh, err := tx.FindRecordById(crm.EmailMessages, row.Id)
		if err != nil {
			return err
		}
		if !Waiting(fresh) {
			return errHandled
		}
		markHandled(fresh, crm.MailHandledDismissed, staffOf(e))
		row = fresh
		return tx.Save(fresh)
	})
	if errors.Is(err, errHandled) {
		return e.Error(http.StatusConflict, "This mail was filed or set aside already.", nil)
	}
	if err != nil {
		return e.BadRequestError("The mail could not be set aside.", err)
	}
	return e.JSON(http.StatusOK, itemOf(e.App, row))
}
