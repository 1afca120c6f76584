package portal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/crm/contactcard"
)

// MyDataFields are, per collection, the fields "my data" exports: a
// whitelist, so a field added later stays out until someone decides it is
// the customer's to see. Left out on purpose: the internal request fields
// (InternalCaseFields), orders' internal notes, a note's earlier wordings
// (activities.edits), which team member wrote or read (author_staff, staff,
// deal, and the audit entry's ip and user agent), the contact fields
// internal to the business (score, stage, tags, owner, ...), and the
// outbox's template data and attempts.
var MyDataFields = map[string][]string{
	crm.Cases: {"id", "contact", "reference", "type", "subject", "description", "data", "status_label", "closed", "channel", "shared",
		"first_response_at", "closed_at", "rating", "rating_comment", "rated_at", "attachments", "created", "updated"},
	crm.CaseMessages: {"id", "case", "body", "author_customer", "attachments", "read_at", "read_by_customer_at", "read_by_staff_at", "created", "updated"},
	crm.Activities: {"id", "contact", "type", "channel", "direction", "subject", "body", "occurred_at", "actor_type", "case", "outcome", "duration_minutes",
		"event", "ref_collection", "ref_id", "created", "updated"},
	crm.Orders:        {"id", "contact", "number", "company", "items", "total", "currency", "status", "placed_at", "cancelled_at", "created", "updated"},
	crm.Subscriptions: {"id", "contact", "company", "product", "plan", "quantity", "price", "currency", "status", "started_at", "renews_at", "paused_until", "cancelled_at", "created", "updated"},
	crm.Consents:      {"id", "contact", "purpose", "channel", "state", "text", "source", "at", "history", "created", "updated"},
	crm.AuditLog:      {"id", "actor_type", "action", "collection", "record", "reason", "created"},
	crm.Outbox:        {"id", "contact", "purpose", "channel", "sent_channel", "subject", "body", "state", "reason", "not_before", "sent_at", "case", "created", "updated"},
}

// myData is GET /api/crm/portal/my-data?format=json|vcf: everything held
// about the signed-in customer's own contact, as a download. Records of the
// company that are not theirs (a colleague's) are not in it.
func myData(e *core.RequestEvent, c *customer) error {
	format := e.Request.URL.Query().Get("format")
	switch format {
	case "", "json":
		return myDataJSON(e, c)
	case "vcf", "vcard":
		company := ""
		if id := c.company(); id != "" {
			if co, err := e.App.FindRecordById(crm.Companies, id); err == nil {
				company = co.GetString("name")
			}
		}
		var buf bytes.Buffer
		if err := contactcard.Write(&buf, contactcard.FromRecord(c.contact, company)); err != nil {
			return e.InternalServerError("Could not write your card.", err)
		}
		e.Response.Header().Set("Content-Disposition", `attachment; filename="my-card.vcf"`)
		return e.Blob(http.StatusOK, "text/vcard; charset=utf-8", buf.Bytes())
	default:
		return badField(e, "format", "validation_invalid_format", "Choose json or vcf.")
	}
}

// exportAll exports each record's whitelisted fields (MyDataFields).
func exportAll(records []*core.Record) []map[string]any {
	out := make([]map[string]any, 0, len(records))
	for _, r := range records {
		out = append(out, pick(r, MyDataFields[r.Collection().Name]))
	}
	return out
}

func pick(r *core.Record, fields []string) map[string]any {
	out := map[string]any{}
	for _, f := range fields {
		out[f] = r.Get(f)
	}
	out["id"] = r.Id
	return out
}

func myDataJSON(e *core.RequestEvent, c *customer) error {
	app := e.App
	mine := dbx.HashExp{crm.FieldContact: c.contact.Id}
	find := func(collection string, where dbx.Expression, order string) ([]*core.Record, error) {
		var list []*core.Record
		q := app.RecordQuery(collection).AndWhere(where)
		if order != "" {
			q = q.OrderBy(order)
		}
		return list, q.All(&list)
	}

	cases, err := find(crm.Cases, mine, "created ASC")
	if err != nil {
		return e.InternalServerError("Could not gather your data.", err)
	}
	var caseOut []map[string]any
	for _, k := range cases {
		msgs, err := find(crm.CaseMessages, dbx.HashExp{"case": k.Id, "internal": false}, "created ASC")
		if err != nil {
			return e.InternalServerError("Could not gather your data.", err)
		}
		next := nextAnswerBy(k)
		item := pick(k, MyDataFields[crm.Cases])
		if !next.IsZero() {
			item[NextAnswerKey] = next.String()
		}
		item["messages"] = exportAll(msgs)
		caseOut = append(caseOut, item)
	}

	sections := map[string]any{"cases": caseOut}
	for key, q := range map[string]struct {
		collection string
		where      dbx.Expression
		order      string
	}{
		"timeline":      {crm.Activities, dbx.HashExp{crm.FieldContact: c.contact.Id, "public": true}, "occurred_at ASC"},
		"orders":        {crm.Orders, mine, "placed_at ASC"},
		"subscriptions": {crm.Subscriptions, mine, "created ASC"},
		"consents":      {crm.Consents, mine, ""},
		"audit_log":     {crm.AuditLog, mine, "created ASC"},
	} {
		list, err := find(q.collection, q.where, q.order)
		if err != nil {
			return e.InternalServerError("Could not gather your data.", err)
		}
		sections[key] = exportAll(list)
	}
	outbox, err := find(crm.Outbox, mine, "created ASC")
	if err != nil {
		return e.InternalServerError("Could not gather your data.", err)
	}
	sections["messages_to_you"] = exportAll(outbox)

	account := customerJSON(c.record)
	account["created"] = c.record.GetDateTime("created")
	account["updated"] = c.record.GetDateTime("updated")
	sections["contact"] = contactJSON(c.contact)
	sections["portal_account"] = account
	sections["generated_at"] = time.Now().UTC().Format(time.RFC3339)
	if id := c.company(); id != "" {
		if co, err := app.FindRecordById(crm.Companies, id); err == nil {
			sections["company"] = map[string]any{"id": co.Id, "name": co.GetString("name")}
		}
	}

	raw, err := json.MarshalIndent(sections, "", "  ")
	if err != nil {
		return e.InternalServerError("Could not write your data.", err)
	}
	e.Response.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="my-data-%s.json"`, time.Now().UTC().Format("2006-01-02")))
	return e.Blob(http.StatusOK, "application/json; charset=utf-8", raw)
}
