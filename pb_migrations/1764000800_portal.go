package migrations

import (
	"strings"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// The customer portal (plugins/portal):
//   - case_messages: read_by_customer_at and read_by_staff_at, the read state
//     of the conversation, written by the server only (the portal's and the
//     workspace's "read" routes);
//   - customers: has_password (the customer chose a password; written by the
//     server) and mfa (the customer asked for a second step, set through the
//     portal's route). Password sign-in is on for those who set a password,
//     one-time codes stay the default, and PocketBase's MFA applies only to
//     customers whose rule holds: mfa on and a password set, so that the two
//     methods are a code and the password;
//   - the email-change mail links to the portal's confirmation page: the
//     dashboard's page asks for a password, which most customers never set;
//   - attachments of requests and messages: protected (downloads need a file
//     token, so the view rule decides who may fetch them), 10 MB each, and
//     only the kinds of files people send with a request.
func init() {
	m.Register(portalUp, portalDown)
}

const (
	readStateGuard     = "@request.body.read_by_customer_at:isset = false && @request.body.read_by_staff_at:isset = false"
	customerFlagsGuard = "@request.body.has_password:isset = false && @request.body.mfa:isset = false"
	customersMFARule   = "mfa = true && has_password = true"

	dashboardEmailChangeLink = "/_/#/auth/confirm-email-change/{TOKEN}"
	portalEmailChangeLink    = "/portal/confirm-email-change?token={TOKEN}"
)

// portalEmailChangeBody shows the link as text too: mail kept in the mail
// folder (no SMTP server) is read as plain text.
const portalEmailChangeBody = `<p>Hello,</p>
<p>To use this address for {APP_NAME}, open this link while signed in to the portal:</p>
<p><a href="{APP_URL}` + portalEmailChangeLink + `">{APP_URL}` + portalEmailChangeLink + `</a></p>
<p><i>If you did not ask for this, ignore this email: nothing changes.</i></p>
<p>{APP_NAME}</p>`

// attachmentTypes: pictures, PDFs, plain text and office documents.
var attachmentTypes = []string{
	"image/jpeg", "image/png", "image/gif", "image/webp", "image/heic",
	"application/pdf", "text/plain", "text/csv",
	"application/msword", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"application/vnd.ms-excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
}

func guard(r *string, g string) *string {
	if r == nil || strings.Contains(*r, g) {
		return r
	}
	return rule("(" + *r + ") && " + g)
}

func unguard(r *string, g string) *string {
	if r == nil {
		return nil
	}
	s := *r
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ") && "+g) {
		s = strings.TrimSuffix(strings.TrimPrefix(s, "("), ") && "+g)
	}
	return &s
}

func limitAttachments(c *core.Collection, protected bool) {
	if f, ok := c.Fields.GetByName("attachments").(*core.FileField); ok {
		f.Protected = protected
		f.MaxSize = 10 << 20
		if protected {
			f.MimeTypes = attachmentTypes
		} else {
			f.MimeTypes = nil
		}
	}
}

func portalUp(app core.App) error {
	msgs, err := app.FindCollectionByNameOrId(crm.CaseMessages)
	if err != nil {
		return err
	}
	msgs.Fields.Add(date("read_by_customer_at", false), date("read_by_staff_at", false))
	msgs.CreateRule = guard(msgs.CreateRule, readStateGuard)
	msgs.UpdateRule = guard(msgs.UpdateRule, readStateGuard)
	limitAttachments(msgs, true)
	if err := app.Save(msgs); err != nil {
		return err
	}

	cases, err := app.FindCollectionByNameOrId(crm.Cases)
	if err != nil {
		return err
	}
	limitAttachments(cases, true)
	if err := app.Save(cases); err != nil {
		return err
	}

	customers, err := app.FindCollectionByNameOrId(crm.Customers)
	if err != nil {
		return err
	}
	customers.Fields.Add(boolean("has_password"), boolean("mfa"))
	customers.UpdateRule = guard(customers.UpdateRule, customerFlagsGuard)
	customers.CreateRule = guard(customers.CreateRule, customerFlagsGuard)
	customers.PasswordAuth.Enabled = true
	customers.PasswordAuth.IdentityFields = []string{"email"}
	customers.MFA.Enabled = true
	customers.MFA.Duration = 600
	customers.MFA.Rule = customersMFARule
	customers.ConfirmEmailChangeTemplate.Body = portalEmailChangeBody
	return app.Save(customers)
}

func portalDown(app core.App) error {
	customers, err := app.FindCollectionByNameOrId(crm.Customers)
	if err != nil {
		return err
	}
	customers.Fields.RemoveByName("has_password")
	customers.Fields.RemoveByName("mfa")
	customers.UpdateRule = unguard(customers.UpdateRule, customerFlagsGuard)
	customers.CreateRule = unguard(customers.CreateRule, customerFlagsGuard)
	customers.PasswordAuth.Enabled = false
	customers.MFA.Enabled = false
	customers.MFA.Rule = ""
	customers.ConfirmEmailChangeTemplate.Body = strings.ReplaceAll(portalEmailChangeBody, portalEmailChangeLink, dashboardEmailChangeLink)
	if err := app.Save(customers); err != nil {
		return err
	}
	for _, name := range []string{crm.Cases, crm.CaseMessages} {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			return err
		}
		limitAttachments(c, false)
		if name == crm.CaseMessages {
			c.Fields.RemoveByName("read_by_customer_at")
			c.Fields.RemoveByName("read_by_staff_at")
			c.CreateRule = unguard(c.CreateRule, readStateGuard)
			c.UpdateRule = unguard(c.UpdateRule, readStateGuard)
		}
		if err := app.Save(c); err != nil {
			return err
		}
	}
	return nil
}
