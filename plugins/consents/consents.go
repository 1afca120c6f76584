// Package consents keeps the history of every consent: each change of state
// or wording moves the earlier version into the record's history, with when
// and through which door it was given, so nothing the customer agreed to is
// ever lost.
package consents

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
)

// Version is one earlier state of a consent.
type Version struct {
	State  string `json:"state"`
	Text   string `json:"text"`
	Source string `json:"source"`
	At     string `json:"at"`
}

// Register binds the history keeping.
func Register(app core.App, cfg *crm.Config) error {
	app.OnRecordCreate(crm.Consents).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetDateTime("at").IsZero() {
			e.Record.Set("at", types.NowDateTime())
		}
		return e.Next()
	})
	// A customer's own change comes through the portal, whatever door the
	// consent first came through (the rule lets them send no other source).
	app.OnRecordUpdateRequest(crm.Consents).BindFunc(func(e *core.RecordRequestEvent) error {
		if e.Auth != nil && e.Auth.Collection().Name == crm.Customers {
			e.Record.Set("source", "portal")
		}
		return e.Next()
	})
	app.OnRecordUpdate(crm.Consents).BindFunc(func(e *core.RecordEvent) error {
		old := e.Record.Original()
		changed := false
		for _, f := range []string{"state", "text", "source"} {
			if old.GetString(f) != e.Record.GetString(f) {
				changed = true
			}
		}
		if changed {
			var history []Version
			_ = old.UnmarshalJSONField("history", &history)
			history = append(history, Version{
				State: old.GetString("state"), Text: old.GetString("text"),
				Source: old.GetString("source"), At: old.GetDateTime("at").String(),
			})
			e.Record.Set("history", history)
			e.Record.Set("at", types.NowDateTime())
		}
		return e.Next()
	})
	return nil
}
