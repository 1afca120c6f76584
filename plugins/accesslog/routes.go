package accesslog

import (
	"net/http"
	"strconv"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/crm/guard"
)

// Page sizes of the log.
const (
	DefaultPerPage = 20
	MaxPerPage     = 100
)

func routes(se *core.ServeEvent) {
	se.Router.GET("/api/crm/portal/access", portalLog)
	se.Router.GET("/api/crm/contacts/{id}/access", staffLog).Bind(guard.Manager())
}

// Item is one line of a customer's log: who, when, what, through which screen.
type Item struct {
	ID         string `db:"id" json:"id"`
	At         string `db:"at" json:"at"`
	Kind       string `db:"kind" json:"kind"` // staff, partner, automation
	Name       string `db:"name" json:"name"`
	Role       string `db:"role" json:"role"`
	Collection string `db:"collection" json:"collection"`
	Record     string `db:"record" json:"record"`
	Screen     string `db:"screen" json:"screen"`
	Count      int    `db:"count" json:"count"`             // an export: how many records it held
	Filter     string `db:"reason" json:"filter,omitempty"` // an export's filter: staff only
}

// Page is one page of a log, newest first.
type Page struct {
	Items   []Item `json:"items"`
	Page    int    `json:"page"`
	PerPage int    `json:"perPage"`
	HasMore bool   `json:"hasMore"`
}

// portalLog is the signed-in customer's own log.
func portalLog(e *core.RequestEvent) error {
	if e.Auth == nil {
		return e.UnauthorizedError("Sign in to the portal first.", nil)
	}
	if e.Auth.Collection().Name != crm.Customers {
		return e.ForbiddenError("This is for customers signed in to the portal.", nil)
	}
	contact := e.Auth.GetString(crm.FieldContact)
	if contact == "" {
		return e.ForbiddenError("Your portal account is not linked to a contact.", nil)
	}
	return answer(e, contact, false)
}

// staffLog is a customer's log on their record, for managers.
func staffLog(e *core.RequestEvent) error {
	id := e.Request.PathValue("id")
	if _, err := e.App.FindRecordById(crm.Contacts, id); err != nil {
		return e.NotFoundError("No contact with that id.", nil)
	}
	return answer(e, id, true)
}

func answer(e *core.RequestEvent, contact string, staff bool) error {
	page, perPage, errs := paging(e)
	if errs != nil {
		return e.BadRequestError("Invalid page.", errs)
	}
	// Every look made before this request is in the answer, the reader's
	// own included (a manager who has just opened the page), not only those
	// the queue wrote at its last turn.
	Flush(e.App)
	p, err := Read(e.App, contact, page, perPage)
	if err != nil {
		return e.InternalServerError("", err)
	}
	if !staff {
		for i := range p.Items {
			p.Items[i].Filter = "" // another customer's name may be in it
		}
	}
	return e.JSON(http.StatusOK, p)
}

func paging(e *core.RequestEvent) (page, perPage int, errs validation.Errors) {
	q := e.Request.URL.Query()
	page, perPage = 1, DefaultPerPage
	errs = validation.Errors{}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			errs["page"] = validation.NewError("validation_invalid_page", "The page is a whole number from 1.")
		}
		page = n
	}
	if v := q.Get("perPage"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxPerPage {
			errs["perPage"] = validation.NewError("validation_invalid_per_page", "perPage is a whole number from 1 to 100.")
		}
		perPage = n
	}
	if len(errs) > 0 {
		return 0, 0, errs
	}
	return page, perPage, nil
}

// Read is one page of a customer's log, newest first: the looks at their
// data and the exports that held them. The customer's own reads are not in it.
func Read(app core.App, contact string, page, perPage int) (*Page, error) {
	cols := "a.id, COALESCE(NULLIF(a.`" + crm.AuditAt + "`, ''), a.created) AS at, a.`" + crm.AuditActorKind + "` AS kind, " +
		"a.`" + crm.AuditActorName + "` AS name, a.`" + crm.AuditActorRole + "` AS role, a.collection, a.record, " +
		"a.`" + crm.AuditScreen + "` AS screen, a.`" + crm.AuditCount + "` AS count, a.reason"
	sql := "SELECT * FROM (SELECT " + cols + " FROM `" + crm.AuditLog + "` a WHERE a.contact = {:c} AND a.action = 'read' AND a.actor_type != 'customer'" +
		" UNION ALL SELECT " + cols + " FROM `" + crm.ExportMembers + "` m JOIN `" + crm.AuditLog + "` a ON a.id = m.`" + crm.AuditExport + "` WHERE m.contact = {:c})" +
		" ORDER BY at DESC, id DESC LIMIT {:limit} OFFSET {:offset}"
	items := []Item{}
	err := app.DB().NewQuery(sql).Bind(dbx.Params{"c": contact, "limit": perPage + 1, "offset": (page - 1) * perPage}).All(&items)
	if err != nil {
		return nil, err
	}
	p := &Page{Page: page, PerPage: perPage}
	if len(items) > perPage {
		items, p.HasMore = items[:perPage], true
	}
	p.Items = items
	return p, nil
}
