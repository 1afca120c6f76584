package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// Requests from the public form wait in pending_requests (plugins/portal)
// until the person who owns their email opens the link mailed to it; only
// then do they become requests of that address's contact. Each one keeps
// what the form sent, the hash of its link's token (the token itself is
// only in the mail) and when the link stops working. Superusers only (no
// API rule): nothing in it belongs to anyone yet.
func init() {
	m.Register(pendingRequestsUp, pendingRequestsDown)
}

func pendingRequestsUp(app core.App) error {
	c := core.NewBaseCollection(crm.PendingRequests)
	hash := text("token_hash", true, 64)
	hash.Hidden = true
	c.Fields.Add(
		email("email", true),
		text("name", true, 200),
		relation(app, "type", crm.CaseTypes, true, true),
		text("subject", true, 200),
		text("description", false, 20000),
		jsonField("data", false, 1<<20),
		hash,
		date("expires", true),
	)
	c.Fields.Add(timestamps()...)
	index(c, true, "token_hash")
	index(c, false, "expires")
	index(c, false, "type") // a request type is not deleted while requests wait on it
	return app.Save(c)
}

func pendingRequestsDown(app core.App) error {
	c, err := app.FindCollectionByNameOrId(crm.PendingRequests)
	if err != nil {
		return nil
	}
	return app.Delete(c)
}
