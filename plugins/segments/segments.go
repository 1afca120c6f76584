// Package segments lets the team build segments of customers with a filter
// over any field, purchases and the value model, each with a value
// proposition and an owner (issue 18).
package segments

import (
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// Register wires the segments' routes.
func Register(app core.App, cfg *crm.Config) error {
	return nil
}
