package requests_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	validation "github.com/pocketbase/ozzo-validation/v4"

	"vinculo/crm"
)

// The fields a customer fills in are checked against the request type:
// required present, each value of its type, nothing else; a 400 names
// data.<field> and nothing is saved.
func TestDataFollowsTheTypeFields(t *testing.T) {
	w := newWorld(t)
	customer := w.Token(t, "customer")
	staff := w.Token(t, "agent")
	visit := w.Make(t, "", crm.CaseTypes, map[string]any{
		"name": "Visita técnica", "code": "VIS", "category": "service_order", "active": true,
		"statuses": []map[string]any{{"key": "new", "label": "Nova", "public_label": "Recebida"}, {"key": "done", "label": "Feita", "public_label": "Concluída", "closed": true}},
		"fields": []map[string]any{
			{"name": "address", "label": "Endereço", "type": "text", "required": true},
			{"name": "rooms", "label": "Cômodos", "type": "number"},
			{"name": "visit_on", "label": "Data da visita", "type": "date"},
			{"name": "plan", "label": "Plano", "type": "select", "options": []string{"basic", "pro"}},
			{"name": "notify", "label": "E-mail para aviso", "type": "email"},
		},
	})
	body := func(data any) map[string]any {
		return map[string]any{"type": visit.Id, "contact": w.ID("contact"), "subject": "Instalar roteador", "data": data}
	}
	good := map[string]any{"address": "Rua das Flores, 120", "rooms": 3, "visit_on": "2026-03-12", "plan": "pro", "notify": "joao@example.com"}
	with := func(k string, v any) map[string]any {
		out := map[string]any{}
		for key, val := range good {
			out[key] = val
		}
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
		return out
	}

	for _, c := range []struct {
		name  string
		data  any
		field string // "" when the whole of data is wrong
	}{
		{"a required field missing", with("address", nil), "address"},
		{"a required field blank", with("address", "  "), "address"},
		{"text that is not text", with("address", 12), "address"},
		{"a number as words", with("rooms", "três"), "rooms"},
		{"a date that is not one", with("visit_on", "amanhã"), "visit_on"},
		{"an option not offered", with("plan", "gold"), "plan"},
		{"an email that is not one", with("notify", "joao at example"), "notify"},
		{"a field the type does not ask for", with("colour", "azul"), "colour"},
		{"data that is a list", []any{"Rua das Flores"}, ""},
		{"data that is text", "Rua das Flores", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := w.Count(t, crm.Cases, "")
			res, _ := create(t, w, customer, body(c.data))
			if res.Status != http.StatusBadRequest {
				t.Fatalf("%d, want 400: %s", res.Status, res.Body)
			}
			raw, ok := errorData(t, res)["data"]
			if !ok {
				t.Fatalf("the 400 does not name data: %s", res.Body)
			}
			var nested map[string]json.RawMessage
			_ = json.Unmarshal(raw, &nested)
			if c.field != "" {
				if _, ok := nested[c.field]; !ok || len(nested) != 1 {
					t.Errorf("the 400 does not name data.%s alone: %s", c.field, res.Body)
				}
			} else if _, ok := nested["message"]; !ok {
				t.Errorf("the 400 has no message for data: %s", res.Body)
			}
			if w.Count(t, crm.Cases, "") != before {
				t.Errorf("saved anyway")
			}
		})
	}

	// Every door: Go code saving a case gets the same check.
	_, err := newCase(t, w, visit, w.R("contact"), map[string]any{"data": with("plan", "gold")})
	var verrs validation.Errors
	if !errors.As(err, &verrs) || verrs["data"] == nil {
		t.Fatalf("app.Save with bad data: %v", err)
	}

	res, out := create(t, w, customer, body(good))
	if res.Status != http.StatusOK {
		t.Fatalf("good data: %d %s", res.Status, res.Body)
	}
	id := out["id"].(string)
	// Optional fields may be left out; a date may carry a time.
	if res, _ := create(t, w, customer, body(map[string]any{"address": "Av. Brasil, 9", "visit_on": "2026-03-12 14:00:00.000Z"})); res.Status != http.StatusOK {
		t.Fatalf("only the required field: %d %s", res.Status, res.Body)
	}

	// An update with bad data: 400 naming data.rooms, the case unchanged.
	before := snapshot(t, w.Find(t, crm.Cases, id))
	res = patch(t, w, staff, id, map[string]any{"data": with("rooms", true), "subject": "outro"})
	if res.Status != http.StatusBadRequest {
		t.Fatalf("update with bad data: %d %s", res.Status, res.Body)
	}
	var nested map[string]json.RawMessage
	_ = json.Unmarshal(errorData(t, res)["data"], &nested)
	if _, ok := nested["rooms"]; !ok {
		t.Errorf("the 400 does not name data.rooms: %s", res.Body)
	}
	if snapshot(t, w.Find(t, crm.Cases, id)) != before {
		t.Error("refused, yet changed")
	}

	// A field the type gains later does not block moving old requests on;
	// it is asked for when the data is next changed.
	visit.Set("fields", []map[string]any{
		{"name": "address", "label": "Endereço", "type": "text", "required": true},
		{"name": "rooms", "type": "number"}, {"name": "visit_on", "type": "date"},
		{"name": "plan", "type": "select", "options": []string{"basic", "pro"}}, {"name": "notify", "type": "email"},
		{"name": "floor", "label": "Andar", "type": "number", "required": true},
	})
	if err := w.App.Save(visit); err != nil {
		t.Fatal(err)
	}
	if res := patch(t, w, staff, id, map[string]any{"status": "done"}); res.Status != http.StatusOK {
		t.Errorf("move an old request: %d %s", res.Status, res.Body)
	}
	if res := patch(t, w, staff, id, map[string]any{"data": with("plan", "basic")}); res.Status != http.StatusBadRequest {
		t.Errorf("change data without the new required field: %d %s", res.Status, res.Body)
	}
}
