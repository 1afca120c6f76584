package team

import (
	"net/http"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/pocketbase/ozzo-validation/v4/is"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/mailer"
	"github.com/pocketbase/pocketbase/tools/security"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
)

// InvitationValidity is how long an invitation's link sets a password. An
// invitation waits for someone who may be away for days; a forgotten
// password's reset (PocketBase's own, 30 minutes) does not.
const InvitationValidity = 7 * 24 * time.Hour

// SetPasswordPath is the workspace page an invitation links to; the token
// follows in the fragment, so it never reaches a server's log.
const SetPasswordPath = "/set-password"

type invitation struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	Role     string `json:"role"`
	Language string `json:"language"`
}

// invite is POST /api/crm/team/invite {name, email, role, language}: the
// new member's staff record, with a password nobody knows, and a mail in
// their language with a link to set their own.
func invite(e *core.RequestEvent, cfg *crm.Config) error {
	var in invitation
	if err := e.BindBody(&in); err != nil {
		return e.BadRequestError("The request body is not JSON.", err)
	}
	in.Name = strings.TrimSpace(in.Name)
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	if in.Language == "" {
		in.Language = cfg.BusinessNow().Language
	}
	switch {
	case in.Name == "":
		return fieldError(e, "name", "validation_required", "Give the colleague's name.")
	case len([]rune(in.Name)) > 120:
		return fieldError(e, "name", "validation_max_text_constraint", "The name is longer than 120 characters.")
	case in.Email == "" || is.EmailFormat.Validate(in.Email) != nil:
		return fieldError(e, crm.FieldEmail, "validation_is_email", "Give the colleague's email address.")
	case !validRole(in.Role):
		return fieldError(e, crm.FieldRole, "validation_invalid_role", "Choose a role: manager, agent or read-only.")
	case !slices.Contains(crm.Languages, in.Language):
		return fieldError(e, "language", "validation_invalid_language", "Choose English or Portuguese.")
	}
	if _, err := e.App.FindFirstRecordByData(crm.Staff, crm.FieldEmail, in.Email); err == nil {
		return fieldError(e, crm.FieldEmail, "validation_member_exists", "Someone in the team already signs in with this email.")
	}
	staff, err := e.App.FindCollectionByNameOrId(crm.Staff)
	if err != nil {
		return err
	}
	r := core.NewRecord(staff)
	r.Set("name", in.Name)
	r.SetEmail(in.Email)
	r.Set(crm.FieldRole, in.Role)
	r.Set("language", in.Language)
	r.SetRandomPassword() // nobody knows it: the invitation's link sets theirs
	r.SetVerified(false)
	r.Set(crm.FieldInvitedAt, types.NowDateTime())
	if err := e.App.Save(r); err != nil {
		return e.BadRequestError("The colleague was not invited.", err)
	}
	mailed := sendInvitation(e, cfg, r)
	out := publicMember(r)
	out["mailed"] = mailed
	return e.JSON(http.StatusCreated, out)
}

// reinvite is POST /api/crm/team/{id}/invite: a new invitation for a member
// who has not set their password yet (or lost the mail).
func reinvite(e *core.RequestEvent, cfg *crm.Config) error {
	r, err := member(e)
	if err != nil {
		return err
	}
	if r.GetBool(crm.FieldDeactivated) {
		return fieldError(e, crm.FieldDeactivated, "validation_member_deactivated", "Reactivate this member before inviting them again.")
	}
	r.Set(crm.FieldInvitedAt, types.NowDateTime())
	if err := e.App.Save(r); err != nil {
		return e.BadRequestError("The invitation was not sent.", err)
	}
	out := publicMember(r)
	out["mailed"] = sendInvitation(e, cfg, r)
	return e.JSON(http.StatusOK, out)
}

// InvitationToken is a PocketBase password-reset token of r that lasts
// InvitationValidity: the staff collection's own confirm-password-reset
// accepts it, and it stops working once a password is set (setting one
// changes the record's token key).
func InvitationToken(r *core.Record) (string, error) {
	c := r.Collection()
	return security.NewJWT(jwt.MapClaims{
		core.TokenClaimType:         core.TokenTypePasswordReset,
		core.TokenClaimId:           r.Id,
		core.TokenClaimCollectionId: c.Id,
		core.TokenClaimEmail:        r.Email(),
	}, r.TokenKey()+c.PasswordResetToken.Secret, InvitationValidity)
}

// sendInvitation mails r their invitation; it tells whether the mail went.
func sendInvitation(e *core.RequestEvent, cfg *crm.Config, r *core.Record) bool {
	token, err := InvitationToken(r)
	if err != nil {
		e.App.Logger().Error("Failed to make an invitation token", "staff", r.Id, "error", err)
		return false
	}
	inviter := "" // a superuser: the mail says "the team"
	if e.Auth != nil && e.Auth.Collection().Name == crm.Staff {
		inviter = e.Auth.GetString("name")
	}
	link := strings.TrimRight(cfg.PublicURL, "/") + SetPasswordPath + "#token=" + token + "&lang=" + url.QueryEscape(r.GetString("language"))
	subject, text := invitationMail(r.GetString("language"), invitationData{
		Name: r.GetString("name"), Business: cfg.BusinessNow().Name, Inviter: inviter,
		Role: r.GetString(crm.FieldRole), Link: link, Email: r.Email(), Days: int(InvitationValidity.Hours() / 24),
	})
	settings := e.App.Settings()
	msg := &mailer.Message{
		From:    mail.Address{Name: settings.Meta.SenderName, Address: settings.Meta.SenderAddress},
		To:      []mail.Address{{Name: r.GetString("name"), Address: r.Email()}},
		Subject: subject,
		Text:    text,
	}
	if err := e.App.NewMailClient().Send(msg); err != nil {
		e.App.Logger().Error("Failed to send an invitation", "staff", r.Id, "error", err)
		return false
	}
	return true
}
