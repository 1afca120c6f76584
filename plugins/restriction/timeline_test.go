package restriction_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/pocketbase/dbx"

	"vinculo/crm"
	"vinculo/plugins/restriction"
)

// A restriction, its lifting and an objection to marketing each leave one
// entry on the contact's timeline for staff: an event and its data (the
// screens word it), the person's words as its body, who did it; never a
// stored sentence, never on the customer's own timeline. An objection that
// changes nothing leaves none.
func TestChangesAreOnTheTimeline(t *testing.T) {
	w := world(t)
	w.Make(t, "", crm.Consents, map[string]any{"contact": w.ID("ctA"), "purpose": crm.PurposeMarketing, "channel": "sms", "state": "granted", "source": "staff"})
	do(t, w, http.MethodPost, "/api/crm/portal/restriction", "cuA", map[string]any{"note": "Não quero mais ofertas"}, http.StatusOK)
	do(t, w, http.MethodDelete, "/api/crm/contacts/"+w.ID("ctA")+"/restriction", "agent", map[string]any{"source": "phone", "note": "Ligou pedindo para voltar"}, http.StatusOK)
	do(t, w, http.MethodPost, "/api/crm/portal/marketing/objection", "cuA", nil, http.StatusOK)
	do(t, w, http.MethodPost, "/api/crm/portal/marketing/objection", "cuA", nil, http.StatusOK) // nothing left to withdraw

	var rows []struct {
		Event     string `db:"event"`
		Data      string `db:"data"`
		Subject   string `db:"subject"`
		Body      string `db:"body"`
		ActorType string `db:"actor_type"`
		Staff     string `db:"staff"`
		Customer  string `db:"customer"`
		Public    bool   `db:"public"`
	}
	err := w.App.DB().Select("event", "data", "subject", "body", "actor_type", "staff", "customer", "public").From(crm.Activities).
		Where(dbx.HashExp{"contact": w.ID("ctA")}).
		AndWhere(dbx.In("event", restriction.EventRestricted, restriction.EventLifted, restriction.EventMarketingObjected)).
		OrderBy("created ASC", "rowid ASC").All(&rows)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ event, source, body, actor, by string }{
		{restriction.EventRestricted, "portal", "Não quero mais ofertas", "customer", w.ID("cuA")},
		{restriction.EventLifted, "phone", "Ligou pedindo para voltar", "staff", w.ID("agent")},
		{restriction.EventMarketingObjected, "portal", "", "customer", w.ID("cuA")},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d entries, want %d: %+v", len(rows), len(want), rows)
	}
	for i, r := range rows {
		wn := want[i]
		var data struct {
			Source   string   `json:"source"`
			Channels []string `json:"channels"`
		}
		if err := json.Unmarshal([]byte(r.Data), &data); err != nil {
			t.Fatalf("%s data %q: %v", r.Event, r.Data, err)
		}
		if r.Event != wn.event || data.Source != wn.source || r.Body != wn.body || r.ActorType != wn.actor ||
			r.Staff+r.Customer != wn.by || r.Public || r.Subject != "" {
			t.Errorf("entry %d: %+v, want %+v", i, r, wn)
		}
		if r.Event == restriction.EventMarketingObjected && (len(data.Channels) != 2 || data.Channels[0] == data.Channels[1]) {
			t.Errorf("the objection's channels: %v, want email and sms", data.Channels)
		}
	}
	// Staff read them on the record; the customer's own timeline in the
	// portal does not list them.
	path := "/api/collections/activities/records?perPage=200&filter=" +
		url.QueryEscape("contact = '"+w.ID("ctA")+"' && (event ~ 'restriction.' || event = 'marketing.objected')")
	for who, n := range map[string]int{"agent": 3, "cuA": 0} {
		res := w.Do(t, http.MethodGet, path, who, nil)
		var page struct{ TotalItems int }
		res.JSON(t, &page)
		if res.Status != http.StatusOK || page.TotalItems != n {
			t.Errorf("%s sees %d of these entries, want %d: %d %s", who, page.TotalItems, n, res.Status, res.Body)
		}
	}
}
