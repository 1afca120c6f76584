package portal

import (
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// card is one thing on the portal's home: what the page needs to show it
// and link to it, as stored (the page words statuses in the reader's
// language).
type card struct {
	Type      string  `json:"type"`
	ID        string  `json:"id"`
	Title     string  `json:"title"`
	Reference string  `json:"reference,omitempty"`
	Status    string  `json:"status,omitempty"`
	Total     float64 `json:"total,omitempty"`
	Currency  string  `json:"currency,omitempty"`
	At        string  `json:"at,omitempty"`
	Pinned    bool    `json:"pinned"`
}

// resolvePin is p as a card, when it names a thing the customer may see:
// the collection's own view rule decides, as it would through the API.
func resolvePin(e *core.RequestEvent, c *customer, p crm.Pin) (card, bool) {
	name, ok := crm.PinCollection[p.Type]
	if !ok || p.ID == "" {
		return card{}, false
	}
	rec, err := e.App.FindRecordById(name, p.ID)
	if err != nil || !visible(e, rec) {
		return card{}, false
	}
	return cardOf(e.App, p.Type, rec), true
}

// visible: the customer may view rec through the API.
func visible(e *core.RequestEvent, rec *core.Record) bool {
	info, err := e.RequestInfo()
	if err != nil {
		return false
	}
	ok, err := e.App.CanAccessRecord(rec, info, rec.Collection().ViewRule)
	return err == nil && ok
}

func cardOf(app core.App, kind string, r *core.Record) card {
	c := card{Type: kind, ID: r.Id}
	switch kind {
	case crm.PinService:
		c.Title, c.Status, c.At = r.GetString("plan"), r.GetString("status"), r.GetString("renews_at")
		c.Total, c.Currency = r.GetFloat("price"), r.GetString("currency")
		if p, err := app.FindRecordById(crm.Products, r.GetString("product")); err == nil {
			if name := p.GetString("name"); c.Title == "" || c.Title == name {
				c.Title = name
			} else {
				c.Title = p.GetString("name") + " · " + c.Title
			}
		}
	case crm.PinRequest:
		c.Title, c.Reference, c.Status, c.At = r.GetString("subject"), r.GetString("reference"), r.GetString("status_label"), r.GetString("updated")
	case crm.PinOrder:
		c.Title, c.Status, c.At = r.GetString("number"), r.GetString("status"), r.GetString("placed_at")
		c.Total, c.Currency = r.GetFloat("total"), r.GetString("currency")
	case crm.PinInvoice:
		c.Title, c.At = r.GetString(crm.InvNumber), r.GetString(crm.InvIssuedAt)
		c.Total, c.Currency = r.GetFloat(crm.InvTotal), r.GetString(crm.InvCurrency)
	}
	return c
}

// candidates: the customer's things of one type that they may see, newest
// first: their own and, as their company's admin, the company's.
func candidates(e *core.RequestEvent, c *customer, kind, filter string, limit int) ([]card, error) {
	who := crm.FieldContact + " = {:me}"
	if c.isAdmin() {
		who = "(" + who + " || " + crm.FieldCompany + " = {:co})"
	}
	if filter != "" {
		who += " && " + filter
	}
	rows, err := e.App.FindRecordsByFilter(crm.PinCollection[kind], who, "-created", limit, 0,
		dbx.Params{"me": c.contact.Id, "co": c.company()})
	if err != nil {
		return nil, err
	}
	out := []card{}
	for _, r := range rows {
		if visible(e, r) {
			out = append(out, cardOf(e.App, kind, r))
		}
	}
	return out, nil
}

// fillHome: the pinned cards in the customer's order (a pin to something
// gone or no longer theirs is left out), what the home shows (the pins,
// else open requests and active services), and what may be pinned.
func fillHome(e *core.RequestEvent, c *customer, row *core.Record, v *personalView) error {
	var pins []crm.Pin
	_ = row.UnmarshalJSONField(crm.PcPins, &pins) // an empty field: no pins
	v.Pins = []card{}
	pinned := map[crm.Pin]bool{}
	for _, p := range pins {
		if cd, ok := resolvePin(e, c, p); ok {
			cd.Pinned = true
			v.Pins = append(v.Pins, cd)
			pinned[p] = true
		}
	}
	v.Pinnable = []card{}
	for _, q := range []struct {
		kind, filter string
		limit        int
	}{
		{crm.PinService, "status != 'cancelled'", 20},
		{crm.PinRequest, "closed = false", 20},
		{crm.PinOrder, "", 10},
		{crm.PinInvoice, "", 10},
	} {
		list, err := candidates(e, c, q.kind, q.filter, q.limit)
		if err != nil {
			return err
		}
		for _, cd := range list {
			cd.Pinned = pinned[crm.Pin{Type: cd.Type, ID: cd.ID}]
			v.Pinnable = append(v.Pinnable, cd)
		}
	}
	if len(v.Pins) > 0 {
		v.Home = v.Pins
		return nil
	}
	v.Home = []card{}
	for _, cd := range v.Pinnable {
		if (cd.Type == crm.PinRequest) || (cd.Type == crm.PinService && cd.Status == "active") {
			v.Home = append(v.Home, cd)
		}
	}
	return nil
}
