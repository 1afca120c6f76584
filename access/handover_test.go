package access_test

import (
	"net/http"
	"slices"
	"testing"

	"vinculo/crm"
)

// Hand-offs (plugins/team/bulkhandover.go): managers and agents hand over
// contacts, companies and deals; read-only staff, customers and nobody are
// refused before the body is read (an empty body is refused, 400, to those
// allowed, so nothing changes between actors).
func init() {
	moreRoutes = append(moreRoutes,
		route{http.MethodPost, "/api/crm/handover", map[string]any{}, writers, http.StatusBadRequest},
	)
}

// Each actor hands over a contact that is not theirs: managers and
// superusers may, agents only while the rules let agents edit any contact,
// and read-only staff and customers never; a refusal changes nothing.
func TestHandoverAccess(t *testing.T) {
	w := newWorld(t)
	body := func(label string) map[string]any {
		return map[string]any{"collection": crm.Contacts, "ids": []string{w.ID(label)}, "to": w.ID("stG2"), "note": "Yours now"}
	}
	for _, actor := range actors {
		res := w.Do(t, http.MethodPost, "/api/crm/handover", actor, body("ctA"))
		allowed := slices.Contains(writers, actor)
		switch {
		case allowed && res.Status != http.StatusOK:
			t.Errorf("%s hands over ctA: %d %s", actor, res.Status, res.Body)
		case !allowed && res.Status != http.StatusForbidden && !(actor == anon && res.Status == http.StatusUnauthorized):
			t.Errorf("%s hands over ctA: %d, want a refusal", actor, res.Status)
		}
		// Back to its owner for the next actor.
		w.Update(t, w.Find(t, crm.Contacts, w.ID("ctA")), map[string]any{crm.FieldOwner: w.ID("stG")})
	}

	// Where the rules keep contacts to their owners, the agent may not hand
	// over another's (ctC is stG2's), alone or among their own.
	contacts, err := w.App.FindCollectionByNameOrId(crm.Contacts)
	if err != nil {
		t.Fatal(err)
	}
	own := "@request.auth.collectionName = 'staff' && (@request.auth.role = 'manager' || (@request.auth.role = 'agent' && owner = @request.auth.id))"
	contacts.UpdateRule = &own
	if err := w.App.Save(contacts); err != nil {
		t.Fatal(err)
	}
	for _, ids := range [][]string{{w.ID("ctC")}, {w.ID("ctA"), w.ID("ctC")}} {
		b := body("ctA")
		b["ids"], b["to"] = ids, w.ID("stM")
		if res := w.Do(t, http.MethodPost, "/api/crm/handover", agent, b); res.Status != http.StatusForbidden {
			t.Errorf("the agent hands over %v against the rules: %d %s", ids, res.Status, res.Body)
		}
	}
	if w.Find(t, crm.Contacts, w.ID("ctA")).GetString(crm.FieldOwner) != w.ID("stG") || w.Find(t, crm.Contacts, w.ID("ctC")).GetString(crm.FieldOwner) != w.ID("stG2") {
		t.Error("a refused hand-over moved a contact")
	}
	if res := w.Do(t, http.MethodPost, "/api/crm/handover", agent, body("ctA")); res.Status != http.StatusOK {
		t.Errorf("the agent hands over their own: %d %s", res.Status, res.Body)
	}
}
