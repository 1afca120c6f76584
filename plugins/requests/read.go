package requests

import (
	"net/http"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
	"vinculo/crm/guard"
)

// Reader is who reads a request's conversation.
type Reader string

// Readers of a request's conversation.
const (
	ReaderStaff    Reader = "staff"    // the team reads the customer's messages
	ReaderCustomer Reader = "customer" // the customer reads the team's public messages
)

// bindRead adds POST /api/crm/cases/{id}/read: a team member has read the
// customer's messages on a request. Read state is a write: managers and
// agents, like the record rules' isWriter.
func bindRead(app core.App) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.POST("/api/crm/cases/{id}/read", markReadByStaff).Bind(guard.Writer())
		return se.Next()
	})
}

func markReadByStaff(e *core.RequestEvent) error {
	kase, err := e.App.FindRecordById(crm.Cases, e.Request.PathValue("id"))
	if err != nil {
		return e.NotFoundError("No request with that id.", nil)
	}
	n, at, err := MarkRead(e.App, kase.Id, ReaderStaff)
	if err != nil {
		return e.InternalServerError("Could not mark the messages read.", err)
	}
	return e.JSON(http.StatusOK, map[string]any{"marked": n, "read_at": at.String()})
}

// MarkRead stamps the request's messages that reader had not read yet (for
// staff, the customer's; for the customer, the team's public ones) with
// now, and returns how many and the time. Each is saved as a record, so
// open pages hear of it in realtime. The caller has checked that reader
// may see the request.
func MarkRead(app core.App, caseID string, reader Reader) (int, types.DateTime, error) {
	field, which := "read_by_staff_at", dbx.NewExp("author_customer != ''")
	if reader == ReaderCustomer {
		field, which = "read_by_customer_at", dbx.NewExp("internal = FALSE AND author_customer = ''")
	}
	at := types.NowDateTime()
	n := 0
	err := app.RunInTransaction(func(tx core.App) error {
		var unread []*core.Record
		err := tx.RecordQuery(crm.CaseMessages).
			AndWhere(dbx.HashExp{"case": caseID}).AndWhere(which).
			AndWhere(dbx.NewExp("([" + field + "] = '' OR [" + field + "] IS NULL)")).
			Limit(1000).All(&unread)
		if err != nil {
			return err
		}
		for _, m := range unread {
			m.Set(field, at)
			if err := tx.Save(m); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, at, err
}
