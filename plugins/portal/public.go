package portal

import (
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/portalauth"
	"vinculo/plugins/requests"
	"vinculo/plugins/timeline"
)

type publicRequestBody struct {
	Type        string         `json:"type"`
	Name        string         `json:"name"`
	Email       string         `json:"email"`
	Subject     string         `json:"subject"`
	Description string         `json:"description"`
	Fields      map[string]any `json:"fields"`
}

// webVisitor is the actor of what the public form saves: nobody signed in,
// through the web.
var webVisitor = timeline.Actor{Type: timeline.ActorSystem, Channel: "web"}

// TrackURL is where a person follows a request made without an account.
func TrackURL(cfg *crm.Config, reference string) string {
	return cfg.PublicURL + "/portal/track?reference=" + url.QueryEscape(reference)
}

// publicRequest is POST /api/crm/public/requests: anyone asks for a request
// of a type the business offers on its public form. Nothing joins anyone's
// account yet: the request waits (pending_requests) for the owner of the
// email to open the link mailed to it (confirmPublicRequest). The answer is
// the same whoever owns the email, or nobody.
func publicRequest(e *core.RequestEvent, cfg *crm.Config) error {
	var body publicRequestBody
	if err := e.BindBody(&body); err != nil {
		return e.BadRequestError("The request body is not valid JSON.", err)
	}
	caseType, errs := checkPublicRequest(e.App, &body)
	if len(errs) > 0 {
		return e.BadRequestError("Please check the form.", errs)
	}
	held, token, err := holdRequest(e.App, &body, caseType, time.Now())
	if err != nil {
		return e.InternalServerError("Could not save your request.", err)
	}
	if err := mailConfirmation(e.App, cfg, body.Email, token); err != nil {
		e.App.Logger().Error("Failed to mail a public request's confirmation link", "pending_request", held.Id, "error", err)
		if err := e.App.Delete(held); err != nil {
			e.App.Logger().Error("Failed to drop an unconfirmable public request", "pending_request", held.Id, "error", err)
		}
		return e.InternalServerError("We could not send the confirmation email just now. Please try again in a few minutes.", nil)
	}
	// a struct, not a map: the same bytes every time, whoever owns the email
	return e.JSON(http.StatusOK, struct {
		Status  string `json:"status"`
		Message string `json:"message"`
	}{"pending_confirmation", "Check your email: we sent you a link to confirm your request. It works for 7 days."})
}

// checkPublicRequest tidies the form and names each field at fault: the
// same checks a request gets when it is filed, so that a confirmed one
// goes through.
func checkPublicRequest(app core.App, body *publicRequestBody) (*core.Record, validation.Errors) {
	body.Email = strings.ToLower(strings.TrimSpace(body.Email))
	body.Name = strings.TrimSpace(body.Name)
	body.Subject = strings.TrimSpace(body.Subject)
	errs := validation.Errors{}
	if body.Name == "" || len([]rune(body.Name)) > 200 {
		errs["name"] = validation.NewError("validation_required", "Tell us your name (at most 200 characters).")
	}
	if a, err := mail.ParseAddress(body.Email); err != nil || a.Address != body.Email || len(body.Email) > 254 {
		errs["email"] = validation.NewError("validation_invalid_email", "Give an email address where we can reach you.")
	}
	if body.Subject == "" || len([]rune(body.Subject)) > 200 {
		errs["subject"] = validation.NewError("validation_required", "Say in a few words what it is about (at most 200 characters).")
	}
	if len([]rune(body.Description)) > 20000 {
		errs["description"] = validation.NewError("validation_length_too_long", "Use at most 20000 characters.")
	}
	caseType, err := app.FindFirstRecordByFilter(crm.CaseTypes, "code = {:code} && active = true && public = true",
		dbx.Params{"code": strings.ToUpper(strings.TrimSpace(body.Type))})
	if err != nil {
		errs["type"] = validation.NewError("validation_unknown_type", "Choose one of the request types on the form.")
		return nil, errs
	}
	if err := requests.ValidateData(caseType, body.Fields); err != nil {
		errs["fields"] = err
	}
	return caseType, errs
}

// contactForEmail is the oldest contact with the email, or a new lead.
func contactForEmail(tx core.App, name, email string) (*core.Record, error) {
	existing, err := portalauth.OldestContactWithEmail(tx, email)
	if existing != nil || err != nil {
		return existing, err
	}
	contacts, err := tx.FindCachedCollectionByNameOrId(crm.Contacts)
	if err != nil {
		return nil, err
	}
	c := core.NewRecord(contacts)
	c.Load(map[string]any{"name": name, "email": email, "stage": "lead", "source": "public_form"})
	timeline.SetActor(c, webVisitor)
	if err := tx.Save(c); err != nil {
		return nil, err
	}
	return c, nil
}

// publicRequestTypes is GET /api/crm/public/request-types: the request
// types offered on the public form (active and public), in their order, with
// what the form needs of each and nothing else (no workflow, no SLA).
func publicRequestTypes(e *core.RequestEvent) error {
	list, err := e.App.FindRecordsByFilter(crm.CaseTypes, "active = true && public = true", "position,name", 100, 0)
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(list))
	for _, r := range list {
		var fields any
		_ = r.UnmarshalJSONField("fields", &fields)
		if fields == nil {
			fields = []any{}
		}
		out = append(out, map[string]any{"code": r.GetString("code"), "name": r.GetString("name"),
			"description": r.GetString("description"), "category": r.GetString("category"), "fields": fields})
	}
	return e.JSON(http.StatusOK, out)
}

// track is POST /api/crm/public/track {reference, email}: the status and
// public steps of one request made through the public form, for whoever
// holds its code and email. Requests made in the portal or by staff are
// followed in the portal, not here. Code and email are looked up together,
// in one query, so a known code with a wrong email takes the same path as
// an unknown code, and any mismatch gets the same 404.
func track(e *core.RequestEvent) error {
	var body struct {
		Reference string `json:"reference"`
		Email     string `json:"email"`
	}
	notFound := e.NotFoundError("We found no request with that code and email. Check both and try again.", nil)
	if err := e.BindBody(&body); err != nil {
		return notFound
	}
	ref := strings.ToUpper(strings.TrimSpace(body.Reference))
	email := strings.ToLower(strings.TrimSpace(body.Email))
	if ref == "" || email == "" {
		return notFound
	}
	var found struct {
		ID string `db:"id"`
	}
	err := e.App.DB().NewQuery("SELECT cs.id AS id FROM " + crm.Cases + " cs JOIN " + crm.Contacts + " ct ON ct.id = cs." + crm.FieldContact +
		" WHERE cs.reference = {:ref} AND cs.channel = 'web' AND lower(ct." + crm.FieldEmail + ") = {:email} LIMIT 1").
		Bind(dbx.Params{"ref": ref, "email": email}).One(&found)
	if err != nil {
		return notFound
	}
	kase, err := e.App.FindRecordById(crm.Cases, found.ID)
	if err != nil {
		return notFound
	}
	steps, err := Steps(e.App, kase.Id)
	if err != nil {
		return e.InternalServerError("Could not read the request's steps.", err)
	}
	return e.JSON(http.StatusOK, map[string]any{
		"reference":    kase.GetString("reference"),
		"status_label": kase.GetString("status_label"),
		"steps":        steps,
		"updated":      kase.GetDateTime("updated").String(),
	})
}
