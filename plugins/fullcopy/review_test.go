package fullcopy_test

import (
	"net/http"
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/plugins/fullcopy"
)

// Bruno, his company's admin, ordered for Ana (a company quote made out to
// her that he accepted) and wrote on her timeline: his copy says he acted
// on records of someone else, and holds none of hers (her order's internal
// notes, her address, the timeline entry's text).
func TestTheAdminsCopyHoldsNoColleaguesRecords(t *testing.T) {
	w := world(t)
	ana := w.ID("ctA")
	w.Make(t, "", crm.Orders, map[string]any{"number": "ORD-FOR-ANA", crm.FieldContact: ana, crm.OrderPlacedBy: w.ID("cuB"),
		"items": []map[string]any{{"name": "Bread", "quantity": 1}}, "total": 10, "currency": "BRL", "status": "placed",
		"placed_at": "2026-11-02 10:00:00.000Z", "internal_notes": "ANA-ORDER-STAFF-NOTE"})
	w.Make(t, "", crm.Activities, map[string]any{"type": "note", "actor_type": "customer", "customer": w.ID("cuB"), crm.FieldContact: ana,
		"body": "ANA-TIMELINE-TEXT", "occurred_at": "2026-11-21 10:00:00.000Z"})

	u := open(t, w.Do(t, http.MethodGet, fullcopy.PortalRoute, "cuB", nil))
	for _, secret := range []string{"ORD-FOR-ANA", "ANA-ORDER-STAFF-NOTE", "ANA-TIMELINE-TEXT", "Ana Souza", "ana@a.test"} {
		if strings.Contains(u.all, secret) {
			t.Errorf("Bruno's copy holds Ana's %q", secret)
		}
	}
	found := map[string]int{}
	for _, l := range u.manifest.WithheldRecords {
		if l.Reason == fullcopy.ReasonOthersRecord {
			found[l.Section] = l.Count
		}
	}
	if found["orders"] != 1 || found["timeline"] != 1 {
		t.Errorf("the copy does not say what of others' he acted on: %+v", u.manifest.WithheldRecords)
	}
	// Ana's own copy still holds the order made out to her.
	if a := open(t, w.Do(t, http.MethodGet, fullcopy.PortalRoute, "cuA", nil)); !strings.Contains(a.all, "ORD-FOR-ANA") {
		t.Error("Ana's copy lost her order")
	}
}
