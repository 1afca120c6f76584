package requests_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/plugins/requests"
)

// A type's transitions are its workflow: a move it does not list is a 400
// naming status that says where the request may go, and changes nothing.
func TestTransitions(t *testing.T) {
	w := newWorld(t)
	staff := w.Token(t, "agent")
	statuses := []requests.Status{
		{Key: "new", Label: "Novo", PublicLabel: "Recebido"},
		{Key: "triage", Label: "Em triagem", PublicLabel: "Em análise"},
		{Key: "waiting", Label: "Aguardando cliente", PublicLabel: "Aguardando você"},
		{Key: "solved", Label: "Resolvido", PublicLabel: "Resolvido", Closed: true},
	}
	final := w.Make(t, "", crm.CaseTypes, map[string]any{
		"name": "Fluxo", "code": "FLX", "category": "support", "active": true, "statuses": statuses,
		"transitions": map[string][]string{"new": {"triage"}, "triage": {"waiting", "solved"}, "waiting": {"triage"}},
	})
	reopens := w.Make(t, "", crm.CaseTypes, map[string]any{
		"name": "Fluxo reabrível", "code": "FLR", "category": "support", "active": true, "statuses": statuses,
		"transitions": map[string][]string{"new": {"triage"}, "triage": {"solved"}, "solved": {"triage"}},
	})

	refused := func(id, to, mention string) {
		t.Helper()
		before := snapshot(t, w.Find(t, crm.Cases, id))
		queued := len(outbox(t, w, id))
		res := patch(t, w, staff, id, map[string]any{"status": to, "subject": "changed too"})
		if res.Status != http.StatusBadRequest {
			t.Fatalf("to %s: %d, want 400: %s", to, res.Status, res.Body)
		}
		var e struct {
			Message string `json:"message"`
		}
		if err := json.Unmarshal(errorData(t, res)["status"], &e); err != nil || !strings.Contains(e.Message, mention) {
			t.Errorf("to %s: the 400 does not name status with %q: %s", to, mention, res.Body)
		}
		if after := snapshot(t, w.Find(t, crm.Cases, id)); after != before {
			t.Errorf("to %s: refused, yet the case changed:\n%s\n%s", to, before, after)
		}
		if n := len(outbox(t, w, id)); n != queued {
			t.Errorf("to %s: refused, yet %d messages were queued", to, n-queued)
		}
	}
	allowed := func(id, to string) {
		t.Helper()
		if res := patch(t, w, staff, id, map[string]any{"status": to}); res.Status != http.StatusOK {
			t.Fatalf("to %s: %d %s", to, res.Status, res.Body)
		}
		if got := w.Find(t, crm.Cases, id).GetString("status"); got != to {
			t.Fatalf("status %q, want %q", got, to)
		}
	}

	c, err := newCase(t, w, final, w.R("contact"), nil)
	if err != nil {
		t.Fatal(err)
	}
	refused(c.Id, "solved", "Allowed next statuses: triage")
	allowed(c.Id, "triage")
	refused(c.Id, "new", "Allowed next statuses: waiting, solved")
	allowed(c.Id, "waiting")
	allowed(c.Id, "triage")
	allowed(c.Id, "solved")
	refused(c.Id, "triage", `"solved" is final`) // closed, and the workflow does not reopen it

	r, err := newCase(t, w, reopens, w.R("contact"), nil)
	if err != nil {
		t.Fatal(err)
	}
	allowed(r.Id, "triage")
	allowed(r.Id, "solved")
	allowed(r.Id, "triage") // this workflow reopens
	if w.Find(t, crm.Cases, r.Id).GetBool("closed") {
		t.Error("reopened case still closed")
	}

	// Saving without a move is always fine.
	if res := patch(t, w, staff, r.Id, map[string]any{"status": "triage", "description": "mais detalhes"}); res.Status != http.StatusOK {
		t.Errorf("same status: %d %s", res.Status, res.Body)
	}
	// No transitions at all: any move, reopening included.
	s, _ := newCase(t, w, w.R("support"), w.R("contact"), nil)
	allowed(s.Id, "solved")
	allowed(s.Id, "new")
}

// A broken request type is refused where it is written.
func TestCaseTypeDefinitionsAreChecked(t *testing.T) {
	w := newWorld(t)
	w.Make(t, "manager", crm.Staff, map[string]any{"name": "Marina", "email": "marina@vinculo.example", "role": crm.RoleManager})
	token := w.Token(t, "manager")
	base := func(extra map[string]any) map[string]any {
		body := map[string]any{"name": "Novo tipo", "code": "NOV", "category": "support",
			"statuses": []map[string]any{{"key": "new", "label": "Novo", "public_label": "Recebido"}, {"key": "done", "label": "Feito", "public_label": "Feito", "closed": true}}}
		for k, v := range extra {
			body[k] = v
		}
		return body
	}
	for _, c := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"a transition to an unknown status", base(map[string]any{"transitions": map[string]any{"new": []string{"gone"}}}), "transitions"},
		{"a transition from an unknown status", base(map[string]any{"transitions": map[string]any{"gone": []string{"new"}}}), "transitions"},
		{"transitions that are not a map of lists", base(map[string]any{"transitions": []string{"new"}}), "transitions"},
		{"a field of an unknown type", base(map[string]any{"fields": []map[string]any{{"name": "cor", "type": "colour"}}}), "fields"},
		{"a select without options", base(map[string]any{"fields": []map[string]any{{"name": "plano", "type": "select"}}}), "fields"},
		{"a field named twice", base(map[string]any{"fields": []map[string]any{{"name": "a", "type": "text"}, {"name": "a", "type": "number"}}}), "fields"},
		{"a field with a bad name", base(map[string]any{"fields": []map[string]any{{"name": "Endereço completo", "type": "text"}}}), "fields"},
		{"a status key twice", base(map[string]any{"statuses": []map[string]any{{"key": "new"}, {"key": "new"}}}), "statuses"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before, _ := w.App.CountRecords(crm.CaseTypes)
			res := w.Srv.Do(t, http.MethodPost, "/api/collections/case_types/records", token, c.body)
			if res.Status != http.StatusBadRequest {
				t.Fatalf("%d, want 400: %s", res.Status, res.Body)
			}
			if _, ok := errorData(t, res)[c.field]; !ok {
				t.Errorf("the 400 does not name %s: %s", c.field, res.Body)
			}
			if after, _ := w.App.CountRecords(crm.CaseTypes); after != before {
				t.Errorf("saved anyway")
			}
		})
	}
	res := w.Srv.Do(t, http.MethodPost, "/api/collections/case_types/records", token, base(map[string]any{
		"transitions": map[string]any{"new": []string{"done"}},
		"fields":      []map[string]any{{"name": "plano", "label": "Plano", "type": "select", "options": []string{"basic", "pro"}, "required": true}},
	}))
	if res.Status != http.StatusOK {
		t.Fatalf("a good type: %d %s", res.Status, res.Body)
	}
}

// A rating goes on a closed request only, whoever writes it; rated_at is the
// server's.
func TestRatingOnlyOnceClosed(t *testing.T) {
	w := newWorld(t)
	staff := w.Token(t, "agent")
	customer := w.Token(t, "customer")
	c, err := newCase(t, w, w.R("support"), w.R("contact"), nil)
	if err != nil {
		t.Fatal(err)
	}

	before := snapshot(t, w.Find(t, crm.Cases, c.Id))
	res := patch(t, w, staff, c.Id, map[string]any{"rating": 4, "description": "x"})
	if res.Status != http.StatusBadRequest {
		t.Fatalf("staff rates an open case: %d %s", res.Status, res.Body)
	}
	if _, ok := errorData(t, res)["rating"]; !ok {
		t.Errorf("the 400 does not name rating: %s", res.Body)
	}
	if snapshot(t, w.Find(t, crm.Cases, c.Id)) != before {
		t.Error("refused, yet changed")
	}
	// Closing and rating in one change is fine.
	requests.SetClock(t, at(t, "2026-03-10T13:00:00Z"))
	if res := patch(t, w, staff, c.Id, map[string]any{"status": "solved", "rating": 4}); res.Status != http.StatusOK {
		t.Fatalf("close and rate: %d %s", res.Status, res.Body)
	}
	if got := w.Find(t, crm.Cases, c.Id).GetString("rated_at"); got != "2026-03-10 13:00:00.000Z" {
		t.Errorf("rated_at = %q", got)
	}

	// The customer rates their closed request; rated_at follows, and they
	// cannot write it themselves.
	requests.SetClock(t, at(t, "2026-03-11T13:00:00Z"))
	if res := patch(t, w, customer, c.Id, map[string]any{"rating": 5, "rating_comment": "Ótimo"}); res.Status != http.StatusOK {
		t.Fatalf("customer rates: %d %s", res.Status, res.Body)
	}
	if got := w.Find(t, crm.Cases, c.Id).GetString("rated_at"); got != "2026-03-11 13:00:00.000Z" {
		t.Errorf("rated_at = %q", got)
	}
	before = snapshot(t, w.Find(t, crm.Cases, c.Id))
	if res := patch(t, w, customer, c.Id, map[string]any{"rating": 1, "rated_at": "2020-01-01 00:00:00.000Z"}); res.Status < 400 || res.Status >= 500 {
		t.Errorf("customer writes rated_at: %d %s", res.Status, res.Body)
	}
	if snapshot(t, w.Find(t, crm.Cases, c.Id)) != before {
		t.Errorf("a refused customer write changed the case: %s", snapshot(t, w.Find(t, crm.Cases, c.Id)))
	}
	if res := patch(t, w, staff, c.Id, map[string]any{"rated_at": "2020-01-01 00:00:00.000Z"}); res.Status != http.StatusOK {
		t.Errorf("staff sends rated_at: %d %s", res.Status, res.Body)
	}
	if got := w.Find(t, crm.Cases, c.Id).GetString("rated_at"); got != "2026-03-11 13:00:00.000Z" {
		t.Errorf("rated_at was written by staff: %q", got)
	}

	// Reopening keeps the rating; changing it while open is refused.
	if res := patch(t, w, staff, c.Id, map[string]any{"status": "triage"}); res.Status != http.StatusOK {
		t.Fatalf("reopen a rated case: %d %s", res.Status, res.Body)
	}
	if got := w.Find(t, crm.Cases, c.Id); got.GetInt("rating") != 5 || got.GetString("rated_at") != "2026-03-11 13:00:00.000Z" {
		t.Errorf("reopened: rating %d rated_at %q", got.GetInt("rating"), got.GetString("rated_at"))
	}
	if res := patch(t, w, staff, c.Id, map[string]any{"rating": 2}); res.Status != http.StatusBadRequest {
		t.Errorf("re-rate an open case: %d %s", res.Status, res.Body)
	}
}
