package portal

import (
	"net/http"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/requests"
)

// me is GET /api/crm/portal/me.
func me(e *core.RequestEvent, c *customer) error {
	var company any
	if id := c.company(); id != "" {
		if co, err := e.App.FindRecordById(crm.Companies, id); err == nil {
			company = map[string]any{"id": co.Id, "name": co.GetString("name")}
		}
	}
	open, err := openRequests(e.App, c)
	if err != nil {
		return e.InternalServerError("Could not count your requests.", err)
	}
	return e.JSON(http.StatusOK, map[string]any{
		"customer":      customerJSON(c.record),
		"contact":       contactJSON(c.contact),
		"company":       company,
		"open_requests": open,
	})
}

func customerJSON(r *core.Record) map[string]any {
	return map[string]any{
		"id": r.Id, "email": r.Email(), "name": r.GetString("name"), "language": r.GetString("language"),
		"company_role": r.GetString(crm.FieldCompanyRole), "has_password": r.GetBool("has_password"),
		"mfa": r.GetBool("mfa"), "verified": r.Verified(), "contact": r.GetString(crm.FieldContact),
	}
}

// contactOwnFields are the contact fields the portal shows the customer:
// what they keep themselves, their email and company.
var contactOwnFields = append([]string{"id", crm.FieldEmail, crm.FieldCompany, "created", "updated"}, crm.CustomerWritableContactFields...)

func contactJSON(r *core.Record) map[string]any {
	out := map[string]any{}
	for _, f := range contactOwnFields {
		out[f] = r.Get(f)
	}
	out["id"] = r.Id
	return out
}

// openRequests counts the open requests the customer sees: their own and,
// for a company admin, the company's shared ones.
func openRequests(app core.App, c *customer) (int, error) {
	var n int
	q := app.DB().Select("COUNT(*)").From(crm.Cases).
		Where(dbx.HashExp{crm.FieldContact: c.contact.Id, "closed": false})
	if err := q.Row(&n); err != nil {
		return 0, err
	}
	if c.isAdmin() {
		var shared int
		err := app.DB().Select("COUNT(*)").From(crm.Cases).
			Where(dbx.HashExp{crm.FieldCompany: c.company(), "shared": true, "closed": false}).
			AndWhere(dbx.Not(dbx.HashExp{crm.FieldContact: c.contact.Id})).Row(&shared)
		if err != nil {
			return 0, err
		}
		n += shared
	}
	return n, nil
}

// visibleCase finds a request the customer may see, as the cases view rule
// says: their own, or a shared one of their company for a company admin.
// ownOnly narrows it to their own.
func visibleCase(e *core.RequestEvent, c *customer, ownOnly bool) (*core.Record, error) {
	kase, err := e.App.FindRecordById(crm.Cases, e.Request.PathValue("id"))
	if err != nil {
		return nil, e.NotFoundError("We could not find that request.", nil)
	}
	if kase.GetString(crm.FieldContact) == c.contact.Id {
		return kase, nil
	}
	if !ownOnly && kase.GetBool("shared") && c.isAdmin() && kase.GetString(crm.FieldCompany) == c.company() {
		return kase, nil
	}
	return nil, e.ForbiddenError("This request is not one of yours.", nil)
}

// Step is one public step of a request, as the portal and tracking show it.
type Step struct {
	At    string `json:"at"`
	Label string `json:"label"`
	Kind  string `json:"kind"` // the timeline event (case.opened, case.status_changed, ...) or the entry's type
}

// Steps are the public timeline entries of a request, oldest first.
func Steps(app core.App, caseID string) ([]Step, error) {
	var entries []*core.Record
	err := app.RecordQuery(crm.Activities).
		AndWhere(dbx.HashExp{"case": caseID, "public": true}).
		OrderBy("occurred_at ASC", "created ASC").Limit(500).All(&entries)
	if err != nil {
		return nil, err
	}
	steps := make([]Step, 0, len(entries))
	for _, a := range entries {
		kind := a.GetString("event")
		if kind == "" {
			kind = a.GetString("type")
		}
		label := a.GetString("subject")
		switch kind {
		case "case.opened", "case.status_changed", "case.closed":
			if body := a.GetString("body"); body != "" {
				label = body // the public status label
			}
		}
		at := a.GetDateTime("occurred_at")
		if at.IsZero() {
			at = a.GetDateTime("created")
		}
		steps = append(steps, Step{At: at.String(), Label: label, Kind: kind})
	}
	return steps, nil
}

// caseDetail is GET /api/crm/portal/cases/{id}.
func caseDetail(e *core.RequestEvent, c *customer) error {
	kase, err := visibleCase(e, c, false)
	if err != nil {
		return err
	}
	steps, err := Steps(e.App, kase.Id)
	if err != nil {
		return e.InternalServerError("Could not read the request's steps.", err)
	}
	next := nextAnswerBy(kase)
	if err := apis.EnrichRecord(e, kase); err != nil { // hides the internal fields, as REST does
		return e.InternalServerError("Could not read the request.", err)
	}
	var nextAnswer any
	if !next.IsZero() {
		nextAnswer = next.String()
	}
	return e.JSON(http.StatusOK, map[string]any{"case": kase, "steps": steps, "next_answer_by": nextAnswer})
}

// markReadByCustomer is POST /api/crm/portal/cases/{id}/read: the team's
// public messages on the customer's own request are read.
func markReadByCustomer(e *core.RequestEvent, c *customer) error {
	kase, err := visibleCase(e, c, true)
	if err != nil {
		return err
	}
	n, at, err := requests.MarkRead(e.App, kase.Id, requests.ReaderCustomer)
	if err != nil {
		return e.InternalServerError("Could not mark the messages read.", err)
	}
	return e.JSON(http.StatusOK, map[string]any{"marked": n, "read_at": at.String()})
}
