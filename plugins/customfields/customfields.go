// Package customfields: Custom fields: a manager adds a field to contacts, companies, deals or requests, a real field of the collection, internal unless marked as the customer's.
package customfields

import (
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// Register binds the customfields capability on app.
func Register(app core.App, cfg *crm.Config) error {
	return nil
}
