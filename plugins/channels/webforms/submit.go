package webforms

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
	"vinculo/plugins/portalauth"
	"vinculo/plugins/timeline"
)

// visitor is the actor of what a sent form saves: nobody signed in, through
// the web.
var visitor = timeline.Actor{Type: timeline.ActorSystem, Channel: timeline.ChannelWeb}

// submission is what the form page sends.
type submission struct {
	Lang    string         `json:"lang"`
	Values  map[string]any `json:"values"`
	Consent bool           `json:"consent"`
	Website string         `json:"website"` // the honeypot: people never see it, so never fill it in
}

// values are a submission's fields, checked and tidied.
type values struct {
	Name, Email, Phone, Company, Message string
	Custom                               map[string]any
}

var phonePattern = regexp.MustCompile(`^\+?[0-9][0-9 ().-]{2,39}$`)

// submit is POST /api/crm/public/forms/{id}: a visitor sends a form. The
// page that sends it must be this server's (the iframe) or one of the
// form's sites; a field at fault is a 400 naming it, in the visitor's
// language, and nothing is saved; a filled honeypot gets the same answer
// as a person, and nothing is saved. Otherwise, in one transaction: the
// lead (or the contact with that email, whose empty fields alone are
// filled in), the request when the form opens one, the timeline entry, and
// when the visitor ticked the consent, its confirmation mail, queued as an
// urgent service message.
func submit(e *core.RequestEvent, cfg *crm.Config) error {
	var body submission
	bindErr := e.BindBody(&body)
	lang := language(body.Lang, e.Request, cfg)
	rec, err := e.App.FindRecordById(crm.WebForms, e.Request.PathValue("id"))
	if err != nil || !rec.GetBool(crm.FormActive) {
		return e.NotFoundError(word(lang, "err.closed"), nil)
	}
	f := readForm(rec)
	if !originAllowed(e, cfg, f) {
		return e.ForbiddenError(word(lang, "err.origin"), validation.Errors{"origin": validation.NewError("validation_origin", word(lang, "err.origin"))})
	}
	if bindErr != nil {
		return e.BadRequestError(word(lang, "err.body"), nil)
	}
	asked := body.Consent && f.asksConsent()
	answer := map[string]any{"status": "sent", "message": thanks(f, lang, asked), "confirm": asked}
	if strings.TrimSpace(body.Website) != "" {
		e.App.Logger().Info("A web form's honeypot was filled in: nothing saved", "form", rec.Id, "ip", e.RealIP())
		return e.JSON(http.StatusOK, answer)
	}
	v, errs := checkValues(e.App, f, body.Values, lang)
	if len(errs) > 0 {
		return e.BadRequestError(word(lang, "check_form"), errs)
	}
	sent := sender{ip: e.RealIP(), agent: crm.Clip(e.Request.UserAgent(), 1000), lang: lang, consent: asked}
	if err := e.App.RunInTransaction(func(tx core.App) error { return record(tx, cfg, f, v, sent) }); err != nil {
		var verrs validation.Errors
		if errors.As(err, &verrs) {
			return e.BadRequestError(word(lang, "check_form"), localize(verrs, lang))
		}
		e.App.Logger().Error("Failed to save a web form", "form", rec.Id, "error", err)
		return e.InternalServerError(word(lang, "err.failed"), nil)
	}
	return e.JSON(http.StatusOK, answer)
}

// thanks is the form's thank-you words in lang, and the word about the
// confirmation mail when one was sent.
func thanks(f *Form, lang string, confirm bool) string {
	s := inLanguage(f.Thanks, lang)
	if s == "" {
		s = word(lang, "thanks")
	}
	if confirm {
		s += "\n\n" + word(lang, "check_mail")
	}
	return s
}

// originAllowed: the browser says which page sends the form (Origin): this
// server's own page, or a site the manager named. A request with no Origin
// did not come from a browser's page and is refused.
func originAllowed(e *core.RequestEvent, cfg *crm.Config, f *Form) bool {
	origin := canonicalOrigin(e.Request.Header.Get("Origin"))
	if origin == "" {
		return false
	}
	scheme := "http"
	if e.Request.TLS != nil {
		scheme = "https"
	}
	own := strings.ToLower(scheme + "://" + e.Request.Host)
	return origin == own || origin == canonicalOrigin(cfg.PublicURL) || f.allows(origin)
}

// checkValues checks each field the form asks, and nothing else: required
// ones given, emails and phones that look like them, lengths, and custom
// fields as their kind. Errors name the field, in lang.
func checkValues(app core.App, f *Form, in map[string]any, lang string) (*values, validation.Errors) {
	v := &values{Custom: map[string]any{}}
	errs := validation.Errors{}
	fail := func(key, code, msg string) { errs[key] = validation.NewError(code, msg) }
	custom, err := contactCustomFields(app)
	if err != nil {
		fail("form", "validation_failed", word(lang, "err.failed"))
		return nil, errs
	}
	for _, x := range f.Fields {
		raw := in[x.Key]
		if c, ok := custom[x.Key]; ok {
			val, ok := customValue(c, raw)
			switch {
			case !ok:
				fail(x.Key, "validation_invalid_value", word(lang, "err.value"))
			case val == nil && x.Required:
				fail(x.Key, "validation_required", word(lang, "err.required"))
			case val != nil:
				v.Custom[x.Key] = val
			}
			continue
		}
		if !slices.Contains(crm.FormBuiltInFields, x.Key) {
			continue // a custom field removed since the form was saved
		}
		s, ok := raw.(string)
		if raw != nil && !ok {
			fail(x.Key, "validation_invalid_value", word(lang, "err.value"))
			continue
		}
		s = strings.TrimSpace(s)
		max := builtInInput[x.Key].Max
		switch {
		case s == "" && x.Required:
			fail(x.Key, "validation_required", word(lang, "err.required"))
		case len([]rune(s)) > max:
			fail(x.Key, "validation_length_too_long", fmt.Sprintf(word(lang, "err.too_long"), max))
		case x.Key == crm.FormFieldEmail:
			s = strings.ToLower(s)
			if a, err := mail.ParseAddress(s); err != nil || a.Address != s {
				fail(x.Key, "validation_invalid_email", word(lang, "err.email"))
			}
		case x.Key == crm.FormFieldPhone && s != "" && !phonePattern.MatchString(s):
			fail(x.Key, "validation_invalid_phone", word(lang, "err.phone"))
		}
		switch x.Key {
		case crm.FormFieldName:
			v.Name = s
		case crm.FormFieldEmail:
			v.Email = s
		case crm.FormFieldPhone:
			v.Phone = s
		case crm.FormFieldCompany:
			v.Company = s
		case crm.FormFieldMessage:
			v.Message = s
		}
	}
	if len(errs) == 0 {
		checkCustomValues(app, v.Custom, lang, errs)
	}
	return v, errs
}

// customValue is raw as the custom field's kind stores it: nil when empty,
// ok false when it is not a value of that kind at all.
func customValue(c customField, raw any) (any, bool) {
	switch c.Kind {
	case crm.CustomBool:
		b, ok := raw.(bool)
		if raw != nil && !ok {
			return nil, false
		}
		if !b {
			return nil, true
		}
		return true, true
	case crm.CustomMultiSelect:
		list, ok := raw.([]any)
		if raw != nil && !ok {
			return nil, false
		}
		var out []string
		for _, x := range list {
			s, ok := x.(string)
			if !ok || !slices.Contains(c.Options, s) {
				return nil, false
			}
			out = append(out, s)
		}
		if len(out) == 0 {
			return nil, true
		}
		return out, true
	}
	var s string
	switch x := raw.(type) {
	case nil:
	case string:
		s = strings.TrimSpace(x)
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return nil, false
	}
	if s == "" {
		return nil, true
	}
	switch c.Kind {
	case crm.CustomNumber, crm.CustomMoney:
		n, err := strconv.ParseFloat(s, 64)
		return n, err == nil
	case crm.CustomSelect:
		return s, slices.Contains(c.Options, s)
	}
	return s, true
}

// checkCustomValues runs each custom field's own checks (the contacts
// collection's field: lengths, patterns, dates, URLs) on its value.
func checkCustomValues(app core.App, custom map[string]any, lang string, errs validation.Errors) {
	if len(custom) == 0 {
		return
	}
	contacts, err := app.FindCachedCollectionByNameOrId(crm.Contacts)
	if err != nil {
		errs["form"] = validation.NewError("validation_failed", word(lang, "err.failed"))
		return
	}
	probe := core.NewRecord(contacts)
	for k, val := range custom {
		probe.Set(k, val)
	}
	for k := range custom {
		if field := contacts.Fields.GetByName(k); field != nil {
			if err := field.ValidateValue(context.Background(), app, probe); err != nil {
				errs[k] = validation.NewError("validation_invalid_value", word(lang, "err.value"))
			}
		}
	}
}

// localize words a save's field errors for the visitor.
func localize(errs validation.Errors, lang string) validation.Errors {
	out := validation.Errors{}
	for k := range errs {
		out[k] = validation.NewError("validation_invalid_value", word(lang, "err.value"))
	}
	return out
}

// sender is who sent a form, from where.
type sender struct {
	ip, agent, lang string
	consent         bool
}

// record saves what a sent form makes, in tx.
func record(tx core.App, cfg *crm.Config, f *Form, v *values, s sender) error {
	contact, err := leadFor(tx, v, s.lang)
	if err != nil {
		return err
	}
	var caseID string
	if f.Record.GetString(crm.FormCreates) == crm.FormCreatesRequest {
		if caseID, err = openRequest(tx, f, contact, v); err != nil {
			return err
		}
	}
	if _, err := timeline.Write(tx, timeline.Entry{
		Event: crm.EventWebFormSent, Channel: "web", Direction: "inbound", Actor: visitor,
		Contact: contact.Id, Case: caseID, Subject: f.Record.GetString(crm.FormName), Body: v.Message,
		Data:          map[string]any{"form": f.Record.GetString(crm.FormName), "form_id": f.Record.Id, "consent": s.consent},
		RefCollection: crm.WebForms, RefID: f.Record.Id,
	}); err != nil {
		return err
	}
	if !s.consent {
		return nil
	}
	return askConfirmation(tx, cfg, f, contact, v.Email, s, time.Now())
}

// leadFor is the oldest contact with the email, its empty fields filled in
// from the form (nothing it holds is overwritten), or a new lead.
func leadFor(tx core.App, v *values, lang string) (*core.Record, error) {
	contact, err := portalauth.OldestContactWithEmail(tx, v.Email)
	if err != nil {
		return nil, err
	}
	if contact == nil {
		coll, err := tx.FindCachedCollectionByNameOrId(crm.Contacts)
		if err != nil {
			return nil, err
		}
		contact = core.NewRecord(coll)
		name := v.Name
		if name == "" {
			name, _, _ = strings.Cut(v.Email, "@")
		}
		contact.Load(map[string]any{"name": name, crm.FieldEmail: v.Email, "stage": "lead", "source": crm.ContactSourceWebForm})
	}
	fill := func(field string, val any) {
		if val != nil && val != "" && empty(contact.Get(field)) {
			contact.Set(field, val)
		}
	}
	fill("phone", v.Phone)
	fill("language", lang)
	for k, val := range v.Custom {
		fill(k, val)
	}
	if v.Company != "" && contact.GetString(crm.FieldCompany) == "" {
		company, err := companyNamed(tx, v.Company)
		if err != nil {
			return nil, err
		}
		contact.Set(crm.FieldCompany, company)
	}
	if !contact.IsNew() && !changed(contact) {
		return contact, nil
	}
	timeline.SetActor(contact, visitor)
	if err := tx.Save(contact); err != nil {
		return nil, err
	}
	return contact, nil
}

// changed: a field of r differs from what was read.
func changed(r *core.Record) bool {
	old := r.Original()
	for _, f := range r.Collection().Fields {
		if fmt.Sprint(old.Get(f.GetName())) != fmt.Sprint(r.Get(f.GetName())) {
			return true
		}
	}
	return false
}

// empty: a contact's field holds nothing.
func empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case float64:
		return x == 0
	case bool:
		return !x
	case []string:
		return len(x) == 0
	case types.DateTime:
		return x.IsZero()
	}
	return false
}

// companyNamed is the oldest company of that name (in any case, accents
// included: "CAFÉ" is "Café"), or a new one.
func companyNamed(tx core.App, name string) (string, error) {
	// SQLite's LIKE ignores the case of ASCII letters only: every other
	// letter matches any one character (_), and Go compares the few rows.
	var like strings.Builder
	for _, r := range name {
		switch {
		case r == '%' || r == '_' || r == '\\':
			like.WriteString(`\` + string(r))
		case r > 127:
			like.WriteByte('_')
		default:
			like.WriteRune(r)
		}
	}
	var found []*core.Record
	err := tx.RecordQuery(crm.Companies).AndWhere(dbx.NewExp(`name LIKE {:n} ESCAPE '\'`, dbx.Params{"n": like.String()})).
		OrderBy("created ASC", "id ASC").Limit(50).All(&found)
	if err != nil {
		return "", err
	}
	for _, c := range found {
		if strings.EqualFold(c.GetString("name"), name) {
			return c.Id, nil
		}
	}
	coll, err := tx.FindCachedCollectionByNameOrId(crm.Companies)
	if err != nil {
		return "", err
	}
	c := core.NewRecord(coll)
	c.Set("name", name)
	timeline.SetActor(c, visitor)
	if err := tx.Save(c); err != nil {
		return "", err
	}
	return c.Id, nil
}

// openRequest opens the form's request for the contact: the form's name as
// its subject, the visitor's message as its description.
func openRequest(tx core.App, f *Form, contact *core.Record, v *values) (string, error) {
	coll, err := tx.FindCachedCollectionByNameOrId(crm.Cases)
	if err != nil {
		return "", err
	}
	kase := core.NewRecord(coll)
	kase.Load(map[string]any{
		"type": f.Record.GetString(crm.FormCaseType), crm.FieldContact: contact.Id,
		"subject": crm.Clip(f.Record.GetString(crm.FormName), 200), "description": v.Message, "channel": "web",
	})
	timeline.SetActor(kase, visitor)
	if err := tx.Save(kase); err != nil {
		return "", err
	}
	return kase.Id, nil
}
