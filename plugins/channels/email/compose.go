package email

import (
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"slices"
	"strings"

	"github.com/gabriel-vasile/mimetype"
	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"

	"vinculo/crm"
	"vinculo/crm/guard"
	"vinculo/plugins/outbox"
	"vinculo/plugins/timeline"
)

// Writing an email in the workspace: GET /api/crm/email/draft gives the
// composer what it starts from (the addresses of a reply-all on a request's
// thread, its subject, a template filled in the contact's language) and
// POST /api/crm/email (multipart, for the attachments) queues the email in
// the outbox, which decides it as any message to the customer, and writes
// it on the timeline. Both are for staff who may write (guard.Writer).

// EventEmailWritten is the timeline entry of an email written in the
// workspace; data: to, cc, subject, purpose, attachments (names), outbox,
// template (its name, when one was used).
const EventEmailWritten = "email.written"

func bindCompose(app core.App, cfg *crm.Config) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.GET("/api/crm/email/draft", func(e *core.RequestEvent) error { return draft(e, cfg) }).Bind(guard.Writer())
		se.Router.POST("/api/crm/email", func(e *core.RequestEvent) error { return sendEmail(e, cfg) }).Bind(guard.Writer())
		return se.Next()
	})
}

// badField answers 400 naming the field.
func badField(e *core.RequestEvent, field, code, text string) error {
	return e.BadRequestError(text, validation.Errors{field: validation.NewError(code, text)})
}

// about finds the contact and the request an email is about: a request
// names its contact; a contact alone starts a thread.
func about(e *core.RequestEvent, contactID, caseID string) (contact, c *core.Record, err error) {
	if caseID != "" {
		if c, err = e.App.FindRecordById(crm.Cases, caseID); err != nil {
			return nil, nil, badField(e, "case", "validation_not_found", "No request with that id.")
		}
		if contactID != "" && contactID != c.GetString(crm.FieldContact) {
			return nil, nil, badField(e, "contact", "validation_not_the_requests", "That contact is not the request's customer.")
		}
		contactID = c.GetString(crm.FieldContact)
		if contactID == "" {
			return nil, nil, badField(e, "case", "validation_no_contact", "This request has no customer to write to.")
		}
	}
	if contactID == "" {
		return nil, nil, badField(e, "contact", "validation_required", "Choose the contact to write to.")
	}
	if contact, err = e.App.FindRecordById(crm.Contacts, contactID); err != nil {
		return nil, nil, badField(e, "contact", "validation_not_found", "No contact with that id.")
	}
	return contact, c, nil
}

// staffOf is the signed-in staff member (nil for a superuser).
func staffOf(e *core.RequestEvent) *core.Record {
	if e.Auth != nil && e.Auth.Collection().Name == crm.Staff {
		return e.Auth
	}
	return nil
}

// Draft is what the composer starts from.
type Draft struct {
	To       string    `json:"to"`
	Cc       []string  `json:"cc"`
	Subject  string    `json:"subject"`
	Body     string    `json:"body"`
	Purpose  string    `json:"purpose"` // service on a request; a template's own; else "" (the writer picks)
	Language string    `json:"language"`
	Missing  []string  `json:"missing"`
	Template string    `json:"template,omitempty"`
	Rendered *Rendered `json:"-"`
}

// draft is GET /api/crm/email/draft?contact=&case=&template=.
func draft(e *core.RequestEvent, cfg *crm.Config) error {
	q := e.Request.URL.Query()
	contact, c, err := about(e, q.Get("contact"), q.Get("case"))
	if err != nil {
		return err
	}
	d := Draft{To: contact.GetString(crm.FieldEmail), Cc: []string{}, Missing: []string{}, Language: language(cfg, contact)}
	if c != nil {
		d.Purpose = crm.PurposeService
		d.Subject = ReplySubject(c)
		if d.Cc, err = threadAddresses(e.App, c.Id, d.To); err != nil {
			return e.InternalServerError("Could not read the request's mails.", err)
		}
	}
	if id := q.Get("template"); id != "" {
		tpl, err := e.App.FindRecordById(crm.EmailTemplates, id)
		if err != nil {
			return badField(e, "template", "validation_not_found", "No template with that id.")
		}
		r := render(tpl, d.Language, values(e.App, cfg, contact, c, staffOf(e)))
		d.Template, d.Body, d.Missing, d.Language = tpl.GetString(crm.TplName), r.Body, r.Missing, r.Language
		if c == nil {
			d.Subject, d.Purpose = r.Subject, r.Purpose
		}
	}
	return e.JSON(http.StatusOK, d)
}

// ReplySubject is the subject of a mail on a request: "Re: … [REF]".
func ReplySubject(c *core.Record) string {
	return fmt.Sprintf("Re: %s [%s]", c.GetString("subject"), c.GetString("reference"))
}

// language is the contact's, else the business's, else English.
func language(cfg *crm.Config, contact *core.Record) string {
	for _, l := range []string{contact.GetString("language"), cfg.BusinessNow().Language} {
		if slices.Contains(crm.Languages, l) {
			return l
		}
	}
	return "en"
}

// threadAddresses are the other addresses of a request's mails (a
// reply-all copies them): everyone who wrote or was written to, but the
// customer and the business's own addresses.
func threadAddresses(app core.App, caseID, customer string) ([]string, error) {
	rows, err := app.FindAllRecords(crm.EmailMessages, dbx.HashExp{crm.MailCase: caseID})
	if err != nil {
		return nil, err
	}
	own := map[string]bool{strings.ToLower(app.Settings().Meta.SenderAddress): true, strings.ToLower(customer): true}
	for _, r := range rows {
		if r.GetString(crm.MailDirection) == crm.MailOut {
			own[strings.ToLower(r.GetString(crm.MailFrom))] = true
		}
	}
	out := []string{}
	for _, r := range rows {
		for _, f := range []string{crm.MailFrom, crm.MailTo, crm.MailCc} {
			list, _ := mail.ParseAddressList(r.GetString(f))
			for _, a := range list {
				addr := strings.ToLower(a.Address)
				if !own[addr] && !slices.Contains(out, addr) {
					out = append(out, addr)
				}
			}
		}
	}
	return out, nil
}

// composed is what the writer sent, checked.
type composed struct {
	contact, c    *core.Record
	subject, body string
	purpose       string
	cc            []string
	files         []*filesystem.File
	template      string
}

// readComposed reads and checks the form of POST /api/crm/email. Bad
// input is a 400 naming the field; nothing is queued.
func readComposed(e *core.RequestEvent) (*composed, error) {
	form, err := readForm(e)
	if err != nil {
		return nil, err
	}
	v := func(k string) string { return strings.TrimSpace(form[k]) }
	contact, c, err := about(e, v("contact"), v("case"))
	if err != nil {
		return nil, err
	}
	m := &composed{contact: contact, c: c, subject: v("subject"), body: strings.TrimRight(form["body"], " \t\r\n"),
		purpose: v("purpose"), template: crm.Clip(v("template"), 120)}
	if strings.TrimSpace(contact.GetString(crm.FieldEmail)) == "" {
		return nil, badField(e, "contact", "validation_no_email", "This contact has no email address: add one first.")
	}
	if c != nil {
		if m.purpose != "" && m.purpose != crm.PurposeService {
			return nil, badField(e, "purpose", "validation_reply_is_service", "An email on a request is a service message.")
		}
		m.purpose = crm.PurposeService
		if m.subject == "" {
			m.subject = ReplySubject(c)
		}
	}
	if !slices.Contains(crm.ConsentPurposes, m.purpose) {
		return nil, badField(e, "purpose", "validation_purpose", "Choose what the email is for: "+strings.Join(crm.ConsentPurposes, ", ")+".")
	}
	if err := checkWords(e, m); err != nil {
		return nil, err
	}
	for _, a := range strings.FieldsFunc(v("cc"), func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		addr, err := mail.ParseAddress(strings.TrimSpace(a))
		if err != nil {
			return nil, badField(e, "cc", "validation_invalid_email", fmt.Sprintf("%q is not an email address.", strings.TrimSpace(a)))
		}
		if !slices.Contains(m.cc, strings.ToLower(addr.Address)) {
			m.cc = append(m.cc, strings.ToLower(addr.Address))
		}
	}
	if len(m.cc) > 20 {
		return nil, badField(e, "cc", "validation_too_many", "Copy 20 addresses at most.")
	}
	return m, checkFiles(e, m)
}

// readForm reads the fields of a multipart form (with attachments) or of
// a JSON object (without).
func readForm(e *core.RequestEvent) (map[string]string, error) {
	out := map[string]string{}
	keys := []string{"contact", "case", "subject", "body", "purpose", "cc", "template"}
	if strings.HasPrefix(e.Request.Header.Get("Content-Type"), "application/json") {
		var body map[string]any
		if err := e.BindBody(&body); err != nil {
			return nil, e.BadRequestError("The body is not a JSON object.", err)
		}
		for _, k := range keys {
			switch x := body[k].(type) {
			case string:
				out[k] = x
			case []any: // cc as a list
				var parts []string
				for _, p := range x {
					parts = append(parts, fmt.Sprint(p))
				}
				out[k] = strings.Join(parts, ",")
			}
		}
		return out, nil
	}
	if err := e.Request.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return nil, badField(e, crm.OutboxFiles, "validation_form", "The form could not be read: send it as multipart/form-data.")
	}
	for _, k := range keys {
		out[k] = e.Request.FormValue(k)
	}
	return out, nil
}

// checkWords: a subject and a body, within their sizes, with no variable
// left unfilled.
func checkWords(e *core.RequestEvent, m *composed) error {
	switch {
	case m.subject == "":
		return badField(e, "subject", "validation_required", "Write a subject.")
	case len([]rune(m.subject)) > 300:
		return badField(e, "subject", "validation_too_long", "The subject is longer than 300 characters.")
	case strings.TrimSpace(m.body) == "":
		return badField(e, "body", "validation_required", "Write the email.")
	case len([]rune(m.body)) > 50000:
		return badField(e, "body", "validation_too_long", "The email is longer than 50,000 characters.")
	}
	for field, text := range map[string]string{"subject": m.subject, "body": m.body} {
		if left := Placeholders(text); len(left) > 0 {
			return badField(e, field, "validation_unfilled_variable",
				fmt.Sprintf("Fill in %s: it has no value here.", strings.Join(left, ", ")))
		}
	}
	return nil
}

// checkFiles: at most crm.MailMaxFiles attachments, each within
// crm.MailMaxFileBytes and all within crm.MailMaxBytes.
func checkFiles(e *core.RequestEvent, m *composed) error {
	files, err := e.FindUploadedFiles(crm.OutboxFiles)
	if errors.Is(err, http.ErrMissingFile) || (err != nil && e.Request.MultipartForm == nil) {
		return nil
	}
	if err != nil {
		return badField(e, crm.OutboxFiles, "validation_file", "The attachments could not be read.")
	}
	if len(files) > crm.MailMaxFiles {
		return badField(e, crm.OutboxFiles, "validation_too_many_files", fmt.Sprintf("Attach %d files at most.", crm.MailMaxFiles))
	}
	var total int64
	for _, f := range files {
		if f.Size > crm.MailMaxFileBytes {
			return badField(e, crm.OutboxFiles, "validation_file_too_large",
				fmt.Sprintf("%s is larger than %d MB.", f.OriginalName, crm.MailMaxFileBytes>>20))
		}
		total += f.Size
	}
	if total > crm.MailMaxBytes {
		return badField(e, crm.OutboxFiles, "validation_files_too_large",
			fmt.Sprintf("The attachments come to more than %d MB together.", crm.MailMaxBytes>>20))
	}
	m.files = files
	return nil
}

// sendEmail is POST /api/crm/email: the email goes to the outbox (which
// decides it: consent, channel, hours, limits, holds) and on the timeline,
// in one transaction. The answer is the outbox's decision.
func sendEmail(e *core.RequestEvent, cfg *crm.Config) error {
	m, err := readComposed(e)
	if err != nil {
		return err
	}
	var queued, entry *core.Record
	err = e.App.RunInTransaction(func(tx core.App) error {
		id := core.GenerateDefaultRandomId()
		names := []string{}
		for _, f := range m.files {
			names = append(names, f.OriginalName)
		}
		data := map[string]any{"to": m.contact.GetString(crm.FieldEmail), "cc": m.cc, "subject": m.subject,
			"purpose": m.purpose, "attachments": names, "outbox": id}
		if m.template != "" {
			data["template"] = m.template
		}
		e2 := timeline.Entry{Event: EventEmailWritten, Type: "email", Channel: "email", Direction: "outbound",
			Subject: m.subject, Body: m.body, Data: data, Actor: timeline.FromRequest(e),
			Contact: m.contact.Id, RefCollection: crm.Outbox, RefID: id}
		if m.c != nil {
			e2.Case = m.c.Id
		}
		if entry, err = timeline.Write(tx, e2); err != nil {
			return err
		}
		q := outbox.Queued{ID: id, Contact: m.contact.Id, Purpose: m.purpose, Channel: "email",
			Subject: m.subject, Body: m.body, Cc: m.cc, Files: m.files,
			Data: map[string]any{crm.MailActivity: entry.Id}}
		if m.c != nil {
			q.Case = m.c.Id
			msg, err := conversationMessage(tx, m, staffOf(e))
			if err != nil {
				return err
			}
			if msg != nil {
				q.Data[crm.MailCaseMsg] = msg.Id
			}
		}
		if s := staffOf(e); s != nil {
			q.CreatedBy = s.Id
		}
		queued, err = outbox.Queue(tx, q)
		return err
	})
	if err != nil {
		return e.BadRequestError("The email could not be queued.", err)
	}
	return e.JSON(http.StatusOK, map[string]any{"outbox": decisionOf(queued), "activity": entry.Id})
}

// decisionOf is what the composer shows of the outbox's decision.
func decisionOf(r *core.Record) map[string]any {
	var data any
	_ = r.UnmarshalJSONField("reason_data", &data)
	return map[string]any{"id": r.Id, "state": r.GetString("state"), "reason": r.GetString("reason"),
		"reason_code": r.GetString("reason_code"), "reason_data": data, "not_before": r.GetString("not_before")}
}

// conversationMessage writes an email written on a request into the
// request's conversation as the staff member's public answer: the request
// page and the portal show it where the customer's answer will follow, and
// it is the first response of the SLA like any answer. It is written as the
// system (not through the record API), so the answer is not queued a second
// time: this email is its message to the customer. The attachments the
// conversation accepts go with it; the mail carries them all.
func conversationMessage(tx core.App, m *composed, author *core.Record) (*core.Record, error) {
	if author == nil {
		return nil, nil
	}
	col, err := tx.FindCachedCollectionByNameOrId(crm.CaseMessages)
	if err != nil {
		return nil, err
	}
	msg := core.NewRecord(col)
	msg.Set("case", m.c.Id)
	msg.Set("body", m.body)
	msg.Set("internal", false)
	msg.Set("author_staff", author.Id)
	if field, ok := col.Fields.GetByName("attachments").(*core.FileField); ok {
		var keep []any
		for _, f := range m.files {
			if f.Size <= field.MaxSize && (len(field.MimeTypes) == 0 || mimeAllowed(field.MimeTypes, f)) && len(keep) < field.MaxSelect {
				keep = append(keep, f)
			}
		}
		if len(keep) > 0 {
			msg.Set("attachments", keep)
		}
	}
	return msg, tx.Save(msg)
}

// mimeAllowed says whether f's type (from its first bytes) is one of types.
func mimeAllowed(types []string, f *filesystem.File) bool {
	r, err := f.Reader.Open()
	if err != nil {
		return false
	}
	defer r.Close()
	mt, err := mimetype.DetectReader(r)
	if err != nil {
		return false
	}
	for _, t := range types {
		if mt.Is(t) {
			return true
		}
	}
	return false
}
