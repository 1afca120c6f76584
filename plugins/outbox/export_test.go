package outbox

import "github.com/pocketbase/pocketbase/core"

// ClaimOf is a fresh claim of app's outbox, as its worker makes them: one
// held by this process.
func ClaimOf(app core.App) string {
	p, err := pluginOf(app)
	if err != nil {
		return ""
	}
	return p.newClaim()
}
