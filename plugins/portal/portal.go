// Package portal is the server side of the customer portal at /portal/:
// branding, the signed-in customer's summary, their requests with public
// steps and the expected time of the next answer, read state of the
// conversation, profile and sign-in options, subscription actions, the "my
// data" download, and the public request form with tracking by code.
//
// Every route here uses Go record APIs, which bypass API rules, so each one
// checks in code what the rules would: the actor is a customer, the record
// is theirs (or their company's shared one, for a company admin).
//
// How the portal behaves:
//   - A request made through the public form waits until the owner of its
//     email opens the link mailed there (pending.go); then it belongs to
//     the oldest contact with that email (portalauth.OldestContactWithEmail),
//     as a portal sign-in does; with none, a new contact is created as a
//     lead (source "public_form"). The reference goes to that email through
//     the outbox, like any new request.
//   - next_answer_by: while the team has not answered, the first-response
//     due time; after that, the resolution due time; nothing once closed or
//     without an SLA.
//   - MFA is per customer: PocketBase's MFA is on for the customers
//     collection with the rule "mfa = true && has_password = true", so only
//     a customer who set a password and asked for MFA signs in with both the
//     code and the password.
//   - What customers may do with their subscriptions, and which fields of an
//     order are the business's own, are plugins/orders' rules: the portal's
//     route calls it.
package portal

import (
	"net/http"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// Register binds the portal's routes and hooks.
func Register(app core.App, cfg *crm.Config) error {
	bindHiddenFields(app)
	bindQueryGuard(app)
	bindAccountSync(app)
	bindEmailChange(app)
	bindPublicRequests(app, cfg)
	bindPersonalMessages(app)
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		if err := ensureRateLimits(se.App); err != nil {
			return err
		}
		bindPersonal(se)
		se.Router.GET("/api/crm/portal/branding", func(e *core.RequestEvent) error { return branding(e, cfg) })
		se.Router.GET("/api/crm/portal/me", withCustomer(me))
		se.Router.GET("/api/crm/portal/cases/{id}", withCustomer(caseDetail))
		se.Router.POST("/api/crm/portal/cases/{id}/read", withCustomer(markReadByCustomer))
		se.Router.POST("/api/crm/portal/password", withCustomer(setPassword))
		se.Router.DELETE("/api/crm/portal/password", withCustomer(removePassword))
		se.Router.POST("/api/crm/portal/mfa", withCustomer(setMFA))
		se.Router.POST("/api/crm/portal/sign-out-everywhere", withCustomer(signOutEverywhere))
		se.Router.POST("/api/crm/portal/confirm-email-change", withCustomer(func(e *core.RequestEvent, c *customer) error {
			return confirmEmailChange(e, c, cfg)
		}))
		se.Router.POST("/api/crm/portal/subscriptions/{id}/action", withCustomer(func(e *core.RequestEvent, c *customer) error {
			return subscriptionAction(e, c, cfg)
		}))
		se.Router.GET("/api/crm/portal/my-data", withCustomer(myData))
		se.Router.POST("/api/crm/public/requests", func(e *core.RequestEvent) error { return publicRequest(e, cfg) })
		se.Router.POST("/api/crm/public/track", track)
		se.Router.GET("/api/crm/public/request-types", publicRequestTypes)
		return se.Next()
	})
	return nil
}

// RateLimitRules are the limits of the public form and of tracking, per
// client IP. They go before PocketBase's prefix rules, which match in order.
func RateLimitRules() []core.RateLimitRule {
	return []core.RateLimitRule{
		{Label: "POST /api/crm/public/requests", MaxRequests: 5, Duration: 300},
		{Label: "POST /api/crm/public/track", MaxRequests: 10, Duration: 60},
	}
}

// ensureRateLimits adds the portal's rules to PocketBase's limiter settings
// (the setup plugin has written the rest by now).
func ensureRateLimits(app core.App) error {
	return crm.EnsureRateLimits(app, RateLimitRules())
}

// customer is the signed-in customer and their contact.
type customer struct {
	record  *core.Record
	contact *core.Record
}

func (c *customer) company() string { return c.contact.GetString(crm.FieldCompany) }
func (c *customer) isAdmin() bool {
	return c.record.GetString(crm.FieldCompanyRole) == crm.CompanyAdmin && c.company() != ""
}

// withCustomer lets only a signed-in customer with a contact through.
func withCustomer(fn func(e *core.RequestEvent, c *customer) error) func(e *core.RequestEvent) error {
	return func(e *core.RequestEvent) error {
		if e.Auth == nil {
			return e.UnauthorizedError("Sign in to the portal first.", nil)
		}
		if e.Auth.Collection().Name != crm.Customers {
			return e.ForbiddenError("This is for customers signed in to the portal.", nil)
		}
		contact, err := e.App.FindRecordById(crm.Contacts, e.Auth.GetString(crm.FieldContact))
		if err != nil {
			return e.ForbiddenError("Your portal account is not linked to a contact.", nil)
		}
		return fn(e, &customer{record: e.Auth, contact: contact})
	}
}

// badField is a 400 that names the field at fault.
func badField(e *core.RequestEvent, field, code, msg string) error {
	return e.BadRequestError(msg, validation.Errors{field: validation.NewError(code, msg)})
}

// DefaultColor is the portal's colour when the business names none.
const DefaultColor = "#1f6feb"

func branding(e *core.RequestEvent, cfg *crm.Config) error {
	b := cfg.BusinessNow()
	color := b.Color
	if color == "" {
		color = DefaultColor
	}
	return e.JSON(http.StatusOK, map[string]any{
		"name":     b.Name,
		"logo":     b.LogoURL,
		"color":    color,
		"language": b.Language,
		"timezone": b.Timezone,
	})
}
