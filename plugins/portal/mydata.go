package portal

import (
	"bytes"
	"net/http"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/crm/contactcard"
)

// myData is GET /api/crm/portal/my-data?format=vcf: the signed-in
// customer's own card (vCard), to add to an address book. Everything held
// about them is the full copy (plugins/fullcopy, GET
// /api/crm/portal/full-copy: one ZIP of JSON and CSV files with a README);
// the JSON download this route once gave held only a whitelist of fields,
// without the notes the team wrote, and is retired in its favour.
func myData(e *core.RequestEvent, c *customer) error {
	switch e.Request.URL.Query().Get("format") {
	case "", "vcf", "vcard":
	case "json":
		return badField(e, "format", "validation_retired_format",
			"The JSON download is now the full copy: GET /api/crm/portal/full-copy (a ZIP). Choose vcf for your card.")
	default:
		return badField(e, "format", "validation_invalid_format", "Choose vcf.")
	}
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
}
