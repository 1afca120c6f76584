package email

import (
	"errors"

	"github.com/pocketbase/pocketbase/core"
)

// Intake takes one raw mail (RFC 5322 bytes, as read from the mailbox) into
// the CRM and says what it did. Safe to call twice with the same mail.
func Intake(app core.App, raw []byte, box Mailbox) (Outcome, error) {
	return Outcome{}, errors.New("not built yet")
}
