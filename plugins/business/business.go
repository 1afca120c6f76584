// Package business: The business's own settings (name, logo, colour, country, language, time zone, opening hours, holidays), kept in the database and taking effect without a restart; the configuration file gives the first values.
package business

import (
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// Register binds the business capability on app.
func Register(app core.App, cfg *crm.Config) error {
	return nil
}
