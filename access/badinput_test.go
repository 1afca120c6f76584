package access_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"vinculo/crm"
)

// Invalid record data gets a 400 that names the field, and changes nothing.
func TestBadInputNamesTheField(t *testing.T) {
	w := newWorld(t)
	type attempt struct {
		name, actor, method, collection, label string
		body                                   map[string]any
		field                                  string
	}
	deal := func(extra map[string]any) map[string]any {
		body := map[string]any{"title": "Deal", "pipeline": w.ID("pl1"), "stage": w.ID("ps1")}
		for k, v := range extra {
			body[k] = v
		}
		return body
	}
	attempts := []attempt{
		{"contact without a name", manager, http.MethodPost, crm.Contacts, "", map[string]any{"email": "x@y.test"}, "name"},
		{"contact with a bad email", manager, http.MethodPost, crm.Contacts, "", map[string]any{"name": "X", "email": "not-an-email"}, "email"},
		{"contact in an unknown stage", agent, http.MethodPost, crm.Contacts, "", map[string]any{"name": "X", "stage": "vip"}, "stage"},
		{"contact in a made-up time zone", agent, http.MethodPost, crm.Contacts, "", map[string]any{"name": "X", "timezone": "Mars/Phobos"}, "timezone"},
		{"contact hours that end before they start", agent, http.MethodPost, crm.Contacts, "", map[string]any{"name": "X", "preferred_hours_start": "18:00", "preferred_hours_end": "09:00"}, "preferred_hours_end"},
		{"contact hour 25:00", agent, http.MethodPost, crm.Contacts, "", map[string]any{"name": "X", "preferred_hours_start": "25:00"}, "preferred_hours_start"},
		{"contact linked to no company", agent, http.MethodPost, crm.Contacts, "", map[string]any{"name": "X", "company": "doesnotexist123"}, "company"},
		{"customer picks a channel that does not exist", custA, http.MethodPatch, crm.Contacts, "ctA", map[string]any{"preferred_channel": "pigeon"}, "preferred_channel"},
		{"customer sets a made-up time zone", custA, http.MethodPatch, crm.Contacts, "ctA", map[string]any{"timezone": "Nowhere/Land"}, "timezone"},
		{"customer asks for too many contacts a week", custA, http.MethodPatch, crm.Contacts, "ctA", map[string]any{"max_contacts_per_week": 500}, "max_contacts_per_week"},
		{"company with a bad domain", manager, http.MethodPost, crm.Companies, "", map[string]any{"name": "X", "domain": "not a domain"}, "domain"},
		{"deal with a negative amount", agent, http.MethodPost, crm.Deals, "", deal(map[string]any{"amount": -5}), "amount"},
		{"deal in a currency that is not a code", agent, http.MethodPost, crm.Deals, "", deal(map[string]any{"currency": "reais"}), "currency"},
		{"deal with a probability over 100", agent, http.MethodPost, crm.Deals, "", deal(map[string]any{"probability": 150}), "probability"},
		{"case without a subject", custA, http.MethodPost, crm.Cases, "", map[string]any{"type": w.ID("tpSup"), "contact": w.ID("ctA")}, "subject"},
		{"case of no known type", agent, http.MethodPost, crm.Cases, "", map[string]any{"type": "nosuchtype12345", "contact": w.ID("ctA"), "subject": "x"}, "type"},
		{"case moved to a status its type does not have", agent, http.MethodPatch, crm.Cases, "csA", map[string]any{"status": "teleported"}, "status"},
		{"rating of 9", custA, http.MethodPatch, crm.Cases, "csAclosed", map[string]any{"rating": 9}, "rating"},
		{"second consent for the same purpose and channel", custA, http.MethodPost, crm.Consents, "", map[string]any{"contact": w.ID("ctA"), "purpose": "marketing", "channel": "email", "state": "granted"}, "contact"},
		{"consent in an unknown state", custA, http.MethodPatch, crm.Consents, "cnA", map[string]any{"state": "maybe"}, "state"},
		{"task with no title", agent, http.MethodPost, crm.Tasks, "", map[string]any{"status": "open"}, "title"},
		{"staff with an unknown role", manager, http.MethodPost, crm.Staff, "", map[string]any{"email": "n@staff.test", "password": "a-long-test-password", "passwordConfirm": "a-long-test-password", "name": "N", "role": "owner"}, "role"},
	}
	for _, a := range attempts {
		t.Run(a.name, func(t *testing.T) {
			path := "/api/collections/" + a.collection + "/records"
			var before []byte
			if a.label != "" {
				path += "/" + w.ID(a.label)
				before, _ = json.Marshal(w.Find(t, a.collection, w.ID(a.label)).FieldsData())
			}
			count := w.Count(t, a.collection, "")
			res := w.Do(t, a.method, path, a.actor, a.body)
			if res.Status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", res.Status, res.Body)
			}
			var answer struct {
				Message string                     `json:"message"`
				Data    map[string]json.RawMessage `json:"data"`
			}
			res.JSON(t, &answer)
			if _, ok := answer.Data[a.field]; !ok {
				t.Errorf("the answer does not name the field %q: %s", a.field, res.Body)
			}
			if w.Count(t, a.collection, "") != count {
				t.Errorf("a record was created anyway")
			}
			if a.label != "" {
				after, _ := json.Marshal(w.Find(t, a.collection, w.ID(a.label)).FieldsData())
				if string(after) != string(before) {
					t.Errorf("the record changed anyway:\n before %s\n after  %s", before, after)
				}
			}
		})
	}
}
