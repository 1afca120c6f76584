package orders

import (
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// ExpireQuotes runs the hourly job that expires quotes past their day.
func ExpireQuotes(app core.App, loc *time.Location, now time.Time) error {
	return expireQuotes(app, loc, now)
}
