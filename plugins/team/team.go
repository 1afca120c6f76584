// Package team: The team: inviting a colleague by email, roles, deactivating a member and handing their open records to someone named; and the business's tags.
package team

import (
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// Register binds the team capability on app.
func Register(app core.App, cfg *crm.Config) error {
	return nil
}
