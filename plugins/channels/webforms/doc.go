// Package webforms is web-to-lead: forms a business puts on its own site (a
// script tag or an iframe) with the fields a manager picks and the consent
// text to agree to. A sent form makes or finds a lead contact; marketing
// consent is granted only when the link of the confirmation mail is opened
// (double opt-in), and the proof — text, time, address — is kept.
package webforms

import (
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// Register serves the forms and their confirmations.
func Register(app core.App, cfg *crm.Config) error {
	return nil
}
