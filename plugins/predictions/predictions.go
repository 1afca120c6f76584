// Package predictions fits the customer value model (RFM, BG/NBD,
// Gamma-Gamma, products bought together, each customer's own cycle) from
// orders, and explains its suggestions (issue 18).
package predictions

import (
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// Register wires the nightly fit and the model's routes.
func Register(app core.App, cfg *crm.Config) error {
	return nil
}
