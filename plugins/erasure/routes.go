package erasure

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/crm/guard"
)

func routes(se *core.ServeEvent, cfg *crm.Config) {
	se.Router.GET("/api/crm/portal/erasure", portalList)
	se.Router.POST("/api/crm/portal/erasure", func(e *core.RequestEvent) error { return portalAsk(e, cfg) })
	se.Router.GET("/api/crm/erasure/key", publicKey)
	se.Router.POST("/api/crm/erasure/verify", verify).Bind(guard.Manager())
	se.Router.POST("/api/crm/erasure", func(e *core.RequestEvent) error { return staffAsk(e, cfg) }).Bind(guard.Writer())
	se.Router.GET("/api/crm/erasure", list).Bind(guard.Manager())
	se.Router.GET("/api/crm/erasure/{id}", detail).Bind(guard.Manager())
	se.Router.GET("/api/crm/erasure/{id}/receipt", receipt).Bind(guard.Manager())
	se.Router.POST("/api/crm/erasure/{id}/decide", func(e *core.RequestEvent) error { return decide(e, cfg) }).Bind(guard.Manager())
}

func badField(e *core.RequestEvent, field, code, message string) error {
	return e.BadRequestError(message, validation.Errors{field: validation.NewError(code, message)})
}

// answerErr turns the plugin's errors into answers.
func answerErr(e *core.RequestEvent, err error) error {
	var fe *FieldError
	switch {
	case errors.As(err, &fe):
		return badField(e, fe.Field, fe.Code, fe.Message)
	case errors.Is(err, ErrNotFound):
		return e.NotFoundError("No erasure request with that id.", nil)
	}
	return e.InternalServerError("", err)
}

// View is a request as the portal and the workspace show it.
type View struct {
	ID        string `json:"id"`
	Ref       string `json:"ref"`
	State     string `json:"state"`
	Channel   string `json:"channel"`
	AskedAt   string `json:"asked_at"`
	DueAt     string `json:"due_at"`
	Overdue   bool   `json:"overdue"`
	DecidedAt string `json:"decided_at"`
	Reason    string `json:"reason"`
	DoneAt    string `json:"done_at"`
	Contact   string `json:"contact,omitempty"` // staff only
	Name      string `json:"name,omitempty"`    // staff only, until erased
	Email     string `json:"email,omitempty"`   // staff only, until erased
	Note      string `json:"note,omitempty"`    // staff only
}

func viewOf(app core.App, r *core.Record, staff bool) View {
	v := View{ID: r.Id, Ref: r.GetString(crm.ErasureRef), State: r.GetString(crm.ErasureState),
		Channel: r.GetString(crm.ErasureChannel), AskedAt: r.GetDateTime(crm.ErasureAskedAt).String(),
		DueAt: r.GetDateTime(crm.ErasureDueAt).String(), Overdue: Overdue(r, now(app)),
		DecidedAt: r.GetDateTime(crm.ErasureDecidedAt).String(), Reason: r.GetString(crm.ErasureReason),
		DoneAt: r.GetDateTime(crm.ErasureDoneAt).String()}
	if staff {
		v.Contact, v.Note = r.GetString(crm.FieldContact), r.GetString(crm.ErasureNote)
		if c, err := app.FindRecordById(crm.Contacts, v.Contact); err == nil && !isRef(c.GetString("name")) {
			v.Name, v.Email = c.GetString("name"), c.GetString(crm.FieldEmail)
		}
	}
	return v
}

// portalCustomer is the signed-in customer's contact.
func portalCustomer(e *core.RequestEvent) (string, error) {
	if e.Auth == nil {
		return "", e.UnauthorizedError("Sign in to the portal first.", nil)
	}
	if e.Auth.Collection().Name != crm.Customers {
		return "", e.ForbiddenError("This is for customers signed in to the portal.", nil)
	}
	contact := e.Auth.GetString(crm.FieldContact)
	if contact == "" {
		return "", e.ForbiddenError("Your portal account is not linked to a contact.", nil)
	}
	return contact, nil
}

func portalList(e *core.RequestEvent) error {
	contact, err := portalCustomer(e)
	if err != nil {
		return err
	}
	recs, err := e.App.FindRecordsByFilter(crm.ErasureRequests, "contact = {:c}", "-asked_at", 20, 0, dbx.Params{"c": contact})
	if err != nil {
		return e.InternalServerError("", err)
	}
	items := make([]View, len(recs))
	for i, r := range recs {
		items[i] = viewOf(e.App, r, false)
	}
	return e.JSON(http.StatusOK, map[string]any{"items": items})
}

func portalAsk(e *core.RequestEvent, cfg *crm.Config) error {
	contact, err := portalCustomer(e)
	if err != nil {
		return err
	}
	var body struct {
		Confirm bool `json:"confirm"`
	}
	if err := e.BindBody(&body); err != nil || !body.Confirm {
		return badField(e, "confirm", "erasure_confirm", "Confirm that you want your data erased.")
	}
	r, err := Ask(e.App, cfg, Asking{Contact: contact, Customer: e.Auth.Id, Channel: "portal"})
	if err != nil {
		return answerErr(e, err)
	}
	return e.JSON(http.StatusCreated, viewOf(e.App, r, false))
}

func staffAsk(e *core.RequestEvent, cfg *crm.Config) error {
	var body struct {
		Contact string `json:"contact"`
		Channel string `json:"channel"`
		Note    string `json:"note"`
	}
	if err := e.BindBody(&body); err != nil {
		return e.BadRequestError("The body is not JSON.", nil)
	}
	if body.Contact == "" {
		return badField(e, "contact", "erasure_contact_required", "Choose the person who asked.")
	}
	if body.Channel == "portal" || !slices.Contains(crm.ErasureChannels, body.Channel) {
		return badField(e, "channel", "erasure_channel", "Say how the person asked: phone, letter, email or in person.")
	}
	if len(body.Note) > 2000 {
		return badField(e, "note", "erasure_note_long", "The note is too long (2000 characters at most).")
	}
	r, err := Ask(e.App, cfg, Asking{Contact: body.Contact, Channel: body.Channel, Note: strings.TrimSpace(body.Note), RecordedBy: e.Auth.Id})
	if err != nil {
		return answerErr(e, err)
	}
	return e.JSON(http.StatusCreated, viewOf(e.App, r, true))
}

func list(e *core.RequestEvent) error {
	filter := "state = 'asked' || state = 'approved'"
	if e.Request.URL.Query().Get("state") == "all" {
		filter = ""
	}
	recs, err := e.App.FindRecordsByFilter(crm.ErasureRequests, filter, "-asked_at", 200, 0)
	if err != nil {
		return e.InternalServerError("", err)
	}
	items := make([]View, len(recs))
	for i, r := range recs {
		items[i] = viewOf(e.App, r, true)
	}
	return e.JSON(http.StatusOK, map[string]any{"items": items})
}

// detail is a request with what an approval would erase and keep, or
// (once done) what was erased and kept, and its receipt.
func detail(e *core.RequestEvent) error {
	r, err := e.App.FindRecordById(crm.ErasureRequests, e.Request.PathValue("id"))
	if err != nil {
		return e.NotFoundError("No erasure request with that id.", nil)
	}
	out := map[string]any{"request": viewOf(e.App, r, true), "receipt": r.GetString(crm.ErasureReceipt)}
	switch r.GetString(crm.ErasureState) {
	case crm.ErasureDone:
		out["outcome"] = r.Get(crm.ErasureOutcome)
	case crm.ErasureAsked, crm.ErasureApproved:
		p, err := MakePlan(e.App, r.GetString(crm.FieldContact), now(e.App))
		if err != nil {
			return e.InternalServerError("", err)
		}
		out["preview"] = map[string]any{"erased": p.Erased(), "kept": p.KeptByCollection()}
	}
	return e.JSON(http.StatusOK, out)
}

func receipt(e *core.RequestEvent) error {
	r, err := e.App.FindRecordById(crm.ErasureRequests, e.Request.PathValue("id"))
	if err != nil || r.GetString(crm.ErasureReceipt) == "" {
		return e.NotFoundError("This request has no receipt.", nil)
	}
	e.Response.Header().Set("Content-Disposition", `attachment; filename="erasure-receipt-`+r.GetString(crm.ErasureRef)+`.txt"`)
	return e.Blob(http.StatusOK, "text/plain; charset=utf-8", []byte(r.GetString(crm.ErasureReceipt)))
}

func decide(e *core.RequestEvent, cfg *crm.Config) error {
	var body struct {
		Decision string `json:"decision"`
		Reason   string `json:"reason"`
	}
	if err := e.BindBody(&body); err != nil {
		return e.BadRequestError("The body is not JSON.", nil)
	}
	reason := strings.TrimSpace(body.Reason)
	if len(reason) > 2000 {
		return badField(e, "reason", "erasure_reason_long", "The reason is too long (2000 characters at most).")
	}
	var r any
	var err error
	switch body.Decision {
	case "refuse":
		var rec *core.Record
		if rec, err = Refuse(e.App, e.Request.PathValue("id"), e.Auth.Id, reason); err == nil {
			r = viewOf(e.App, rec, true)
		}
	case "approve":
		var rec *core.Record
		var out *Outcome
		if rec, out, err = Approve(e.App, cfg, e.Request.PathValue("id"), e.Auth.Id, reason); err == nil {
			r = map[string]any{"request": viewOf(e.App, rec, true), "outcome": out}
		}
	default:
		return badField(e, "decision", "erasure_decision", "Choose approve or refuse.")
	}
	if err != nil {
		return answerErr(e, err)
	}
	return e.JSON(http.StatusOK, r)
}

func publicKey(e *core.RequestEvent) error {
	key, id, err := PublicKey(e.App)
	if err != nil {
		return e.InternalServerError("", err)
	}
	return e.JSON(http.StatusOK, map[string]string{"algorithm": "Ed25519", "key": key, "id": id})
}

// verify checks a receipt against this business's key.
func verify(e *core.RequestEvent) error {
	var body struct {
		Receipt string `json:"receipt"`
	}
	if err := e.BindBody(&body); err != nil || body.Receipt == "" {
		return badField(e, "receipt", "erasure_receipt", "Paste the receipt's whole text.")
	}
	key, _, err := PublicKey(e.App)
	if err != nil {
		return e.InternalServerError("", err)
	}
	raw, _ := base64.StdEncoding.DecodeString(key)
	digest, err := Verify(ed25519.PublicKey(raw), []byte(body.Receipt))
	if err != nil {
		return e.JSON(http.StatusOK, map[string]any{"valid": false})
	}
	out := map[string]any{"valid": true, "digest": digest}
	if r, err := e.App.FindFirstRecordByData(crm.ErasureRequests, crm.ErasureDigest, digest); err == nil {
		out["ref"], out["request"] = r.GetString(crm.ErasureRef), r.Id
	}
	return e.JSON(http.StatusOK, out)
}
