package notifications

import (
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/crm/guard"
)

// bindRoutes: the member's settings, "mark all read", and the server's
// clock on read_at (a member writes only that field, by the collection's
// update rule).
func (p *plugin) bindRoutes(app core.App) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		r := se.Router
		r.GET("/api/crm/notifications/settings", getSettings).Bind(guard.Staff())
		r.PUT("/api/crm/notifications/settings", putSettings).Bind(guard.Staff())
		// Partners have a bell too (their requests): they mark their own read.
		r.POST("/api/crm/notifications/read-all", p.readAll).Bind(apis.RequireAuth(crm.Staff))
		return se.Next()
	})
	app.OnRecordUpdateRequest(crm.Notifications).BindFunc(func(e *core.RecordRequestEvent) error {
		if !e.Record.GetDateTime(crm.NotifReadAt).IsZero() {
			e.Record.Set(crm.NotifReadAt, p.now())
		}
		return e.Next()
	})
}

// readAll marks every unread notification of the member read.
func (p *plugin) readAll(e *core.RequestEvent) error {
	if e.Auth.Collection().Name != crm.Staff {
		return e.ForbiddenError("Only staff have notifications.", nil)
	}
	var unread []*core.Record
	err := e.App.RecordQuery(crm.Notifications).
		Where(dbx.HashExp{crm.NotifTo: e.Auth.Id}).
		AndWhere(dbx.NewExp("[[" + crm.NotifReadAt + "]] = ''")).All(&unread)
	if err != nil {
		return e.InternalServerError("The notifications were not marked read.", err)
	}
	now := p.now()
	err = e.App.RunInTransaction(func(tx core.App) error {
		for _, n := range unread {
			n.Set(crm.NotifReadAt, now)
			if err := tx.Save(n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return e.InternalServerError("The notifications were not marked read.", err)
	}
	return e.JSON(200, map[string]any{"marked": len(unread)})
}
