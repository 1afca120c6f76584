// Package deals: A deal's life belongs to the server: whatever door a stage change comes through, it sets when the stage changed, the status from the stage's kind, when the deal closed, and keeps the stage history.
package deals

import (
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// Register binds the deals capability on app.
func Register(app core.App, cfg *crm.Config) error {
	return nil
}
