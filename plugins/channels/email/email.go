package email

import (
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// Register binds the email channel.
func Register(app core.App, cfg *crm.Config) error {
	return nil
}
