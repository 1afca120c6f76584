// Package notifications tells colleagues what concerns them: the
// workspace's bell (live), and email at once or as a daily digest, by each
// member's choice (issue 16).
package notifications

import (
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// Notice is one thing one colleague is told.
type Notice struct {
	To         string         // the staff member told
	By         string         // the staff member whose action it was ("" for the system): never told of it
	Event      string         // crm.Notify*
	Collection string         // the record it links to: its collection...
	Record     string         // ...and id
	Data       map[string]any // what the UI words it with (a title, a name, the note's excerpt...)
}

// Notify records n for its colleague (nothing when To is empty or To is By)
// and, by their choice, mails it after the commit. Safe to call inside a
// transaction: pass the transaction's app.
func Notify(app core.App, n Notice) error {
	// Built by the notifications' owner this session.
	return nil
}

// Register wires the bell's routes, the events' hooks and the deadline and
// digest schedules.
func Register(app core.App, cfg *crm.Config) error {
	return nil
}
