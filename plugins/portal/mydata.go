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

// outboxExported: what a message to the customer says and what became of it.
var outboxExported = []string{"id", "purpose", "channel", "sent_channel", "subject", "body", "state", "reason",
	"not_before", "sent_at", "case", "created", "updated"}

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

func exportAll(records []*core.Record, hide ...string) []map[string]any {
	out := make([]map[string]any, 0, len(records))
	for _, r := range records {
		r.Hide(hide...)
		out = append(out, r.PublicExport())
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
		k.Hide(InternalCaseFields...)
		item := k.PublicExport()
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
	var messages []map[string]any
	for _, m := range outbox {
		messages = append(messages, pick(m, outboxExported))
	}
	sections["messages_to_you"] = messages

	account := customerJSON(c.record)
	account["created"] = c.record.GetDateTime("created")
	account["updated"] = c.record.GetDateTime("updated")
	contact := c.contact.Fresh()
	sections["contact"] = contact.PublicExport()
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
