package access_test

import (
	"net/http"
	"testing"

	"vinculo/crm"
)

// Archiving a contact or a company is a writer's change like any other;
// readonly staff and customers cannot archive or restore, and a customer who
// keeps their own contact still cannot hide it from the team.
func TestArchivingContactsAndCompanies(t *testing.T) {
	w := newWorld(t)
	archived := func(collection, label string) bool {
		return w.Find(t, collection, w.ID(label)).GetBool(crm.FieldArchived)
	}
	patch := func(actor, collection, label string, body map[string]any) int {
		return w.Do(t, http.MethodPatch, "/api/collections/"+collection+"/records/"+w.ID(label), actor, body).Status
	}
	archive := map[string]any{crm.FieldArchived: true}

	// Refused: nothing changes.
	for _, try := range []struct{ actor, collection, label string }{
		{readonly, crm.Contacts, "ctA"},
		{readonly, crm.Companies, "coA"},
		{custA, crm.Contacts, "ctA"},  // their own contact
		{custA, crm.Contacts, "ctB"},  // a colleague's
		{custB, crm.Companies, "coA"}, // their company, as its admin
		{anon, crm.Contacts, "ctD"},
	} {
		if st := patch(try.actor, try.collection, try.label, archive); st < 400 {
			t.Errorf("%s archiving %s: status %d, want a refusal", try.actor, try.label, st)
		}
		if archived(try.collection, try.label) {
			t.Fatalf("%s archived %s", try.actor, try.label)
		}
	}
	// The customer's own changes still go through without the field.
	if st := patch(custA, crm.Contacts, "ctA", map[string]any{"phone": "+5511900000099"}); st != http.StatusOK {
		t.Fatalf("customer keeping their own phone: status %d", st)
	}
	// Together with an allowed field, the archived flag still refuses the whole change.
	if st := patch(custA, crm.Contacts, "ctA", map[string]any{"phone": "+5511900000098", crm.FieldArchived: true}); st < 400 {
		t.Fatalf("customer archiving with a phone change: status %d", st)
	}
	if got := w.Find(t, crm.Contacts, w.ID("ctA")).GetString("phone"); got != "+5511900000099" {
		t.Errorf("a refused change left phone %q", got)
	}

	// Writers archive anyone's record (an agent too: archiving loses nothing) and restore it.
	for _, try := range []struct{ actor, collection, label string }{
		{agent, crm.Contacts, "ctX"}, // another agent's contact
		{manager, crm.Contacts, "ctA"},
		{agent, crm.Companies, "coC"}, // another agent's company
	} {
		if st := patch(try.actor, try.collection, try.label, archive); st != http.StatusOK {
			t.Fatalf("%s archiving %s: status %d", try.actor, try.label, st)
		}
		if !archived(try.collection, try.label) {
			t.Fatalf("%s did not archive %s", try.actor, try.label)
		}
		if st := patch(try.actor, try.collection, try.label, map[string]any{crm.FieldArchived: false}); st != http.StatusOK || archived(try.collection, try.label) {
			t.Fatalf("%s restoring %s: status %d", try.actor, try.label, st)
		}
	}
	// The list leaves archived ones out when asked to.
	patch(manager, crm.Contacts, "ctX", archive)
	res := w.Do(t, http.MethodGet, "/api/collections/contacts/records?filter=(archived=false)&perPage=200&fields=id", agent, nil)
	var page struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	res.JSON(t, &page)
	for _, it := range page.Items {
		if it.ID == w.ID("ctX") {
			t.Errorf("an archived contact is listed among the active ones")
		}
	}
	if len(page.Items) == 0 {
		t.Errorf("no active contacts listed: %s", res.Body)
	}
}
