package requests_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/plugins/requests"
)

// Long text holds more than a line of text; yes/no holds true or false and,
// when required, must be ticked (a consent). A 400 names data.<field> and
// nothing is saved; good data is stored with its kinds.
func TestLongTextAndYesNoFields(t *testing.T) {
	w := newWorld(t)
	customer := w.Token(t, "customer")
	tp := w.Make(t, "", crm.CaseTypes, map[string]any{
		"name": "Mudança de endereço", "code": "MUD", "category": "service_order", "active": true,
		"statuses": []map[string]any{{"key": "new", "label": "Nova", "public_label": "Recebida"}},
		"fields": []map[string]any{
			{"name": "story", "label": map[string]any{"en": "What happened", "pt-BR": "O que aconteceu"}, "type": "long_text", "required": true},
			{"name": "short", "label": "Resumo", "type": "text"},
			{"name": "consent", "label": "Aceito os termos", "type": "bool", "required": true},
			{"name": "urgent", "label": "Urgente", "type": "bool"},
		},
	})
	body := func(data map[string]any) map[string]any {
		return map[string]any{"type": tp.Id, "contact": w.ID("contact"), "subject": "Mudança", "data": data}
	}
	long := strings.Repeat("a", requests.MaxText+1)
	for _, c := range []struct {
		name, field, code string
		data              map[string]any
	}{
		{"a required yes/no left unticked", "consent", "validation_must_tick", map[string]any{"story": "x", "consent": false}},
		{"a required yes/no missing", "consent", "validation_must_tick", map[string]any{"story": "x"}},
		{"a yes/no given as words", "urgent", "validation_not_bool", map[string]any{"story": "x", "consent": true, "urgent": "sim"}},
		{"a yes/no given as a number", "urgent", "validation_not_bool", map[string]any{"story": "x", "consent": true, "urgent": 1}},
		{"text longer than a line holds", "short", "validation_too_long", map[string]any{"story": "x", "consent": true, "short": long}},
		{"long text beyond its limit", "story", "validation_too_long", map[string]any{"story": strings.Repeat("b", requests.MaxLongText+1), "consent": true}},
		{"long text that is not text", "story", "validation_not_text", map[string]any{"story": 3, "consent": true}},
		{"a required long text blank", "story", "validation_required", map[string]any{"story": "  ", "consent": true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := w.Count(t, crm.Cases, "")
			res, _ := create(t, w, customer, body(c.data))
			if res.Status != http.StatusBadRequest {
				t.Fatalf("%d, want 400: %s", res.Status, res.Body)
			}
			if got := codeAt(t, res.Body, "data."+c.field); got != c.code {
				t.Errorf("data.%s has code %q, want %q: %s", c.field, got, c.code, res.Body)
			}
			if w.Count(t, crm.Cases, "") != before {
				t.Error("saved anyway")
			}
		})
	}

	story := strings.Repeat("Linha longa. ", 300) // beyond a text's limit, within a long text's
	res, out := create(t, w, customer, body(map[string]any{"story": story, "consent": true, "urgent": false}))
	if res.Status != http.StatusOK {
		t.Fatalf("good data: %d %s", res.Status, res.Body)
	}
	var data map[string]any
	if err := json.Unmarshal([]byte(w.Find(t, crm.Cases, out["id"].(string)).GetString("data")), &data); err != nil {
		t.Fatal(err)
	}
	if data["consent"] != true || data["urgent"] != false || data["story"] != story {
		t.Errorf("stored data %v", data)
	}
}

// A field's label and help and a status's public label may be given per
// language; a plain string (as every type saved before) still reads, in
// every language. The customer's language picks the label they see on the
// request and in the status mail.
func TestLabelsPerLanguage(t *testing.T) {
	w := newWorld(t)
	w.Make(t, "manager", crm.Staff, map[string]any{"name": "Marina", "email": "marina@vinculo.example", "role": crm.RoleManager})
	manager := w.Token(t, "manager")
	statuses := []map[string]any{
		{"key": "new", "label": "Nova", "public_label": map[string]any{"en": "Received", "pt-BR": "Recebida"}},
		{"key": "done", "label": "Feita", "public_label": map[string]any{"pt-BR": "Concluída"}, "closed": true},
		{"key": "old", "label": "Antiga", "public_label": "Arquivada", "closed": true},
	}
	fields := []map[string]any{
		{"name": "address", "label": map[string]any{"en": "Address", "pt-BR": "Endereço"}, "help": map[string]any{"en": "Street and number", "pt-BR": "Rua e número"}, "type": "text"},
		{"name": "floor", "label": "Andar", "help": "Térreo é 0", "type": "number"},
	}
	res := w.Srv.Do(t, http.MethodPost, "/api/collections/case_types/records", manager, map[string]any{
		"name": "Visita", "code": "VIS", "category": "service_order", "active": true, "statuses": statuses, "fields": fields})
	if res.Status != http.StatusOK {
		t.Fatalf("a type with labels per language: %d %s", res.Status, res.Body)
	}
	var saved struct {
		ID     string `json:"id"`
		Fields []requests.Field
	}
	res.JSON(t, &saved)
	if l := saved.Fields[0].Label; l.In("pt-BR") != "Endereço" || l.In("en") != "Address" || saved.Fields[0].Help.In("pt-BR") != "Rua e número" {
		t.Errorf("per-language label read back as %+v", saved.Fields[0])
	}
	if l := saved.Fields[1].Label; l.In("pt-BR") != "Andar" || l.In("en") != "Andar" || saved.Fields[1].Help.In("en") != "Térreo é 0" {
		t.Errorf("a plain label should read in every language: %+v", saved.Fields[1])
	}
	// Written back in the shape it came: objects stay objects, strings strings.
	raw := w.Find(t, crm.CaseTypes, saved.ID).GetString("fields")
	if !strings.Contains(raw, `"pt-BR":"Endereço"`) || !strings.Contains(raw, `"label":"Andar"`) {
		t.Errorf("stored fields %s", raw)
	}

	// Bad labels: a language the UI does not speak; a public label empty in every language.
	for _, c := range []struct {
		name, path, code string
		body             map[string]any
	}{
		{"a label in an unknown language", "fields.0.label", "validation_type_label_language", map[string]any{
			"fields": []map[string]any{{"name": "a", "label": map[string]any{"fr": "Adresse"}, "type": "text"}}}},
		{"help in an unknown language", "fields.0.help", "validation_type_label_language", map[string]any{
			"fields": []map[string]any{{"name": "a", "label": "A", "help": map[string]any{"es": "Calle"}, "type": "text"}}}},
		{"a public label empty in both languages", "statuses.0.public_label", "validation_type_status_public_label", map[string]any{
			"statuses": []map[string]any{{"key": "new", "public_label": map[string]any{"en": " ", "pt-BR": ""}}}}},
		{"a public label in an unknown language", "statuses.0.public_label", "validation_type_label_language", map[string]any{
			"statuses": []map[string]any{{"key": "new", "public_label": map[string]any{"de": "Neu"}}}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			before, _ := w.App.CountRecords(crm.CaseTypes)
			body := map[string]any{"name": "Outro", "code": "OUT", "category": "support", "statuses": statuses}
			for k, v := range c.body {
				body[k] = v
			}
			res := w.Srv.Do(t, http.MethodPost, "/api/collections/case_types/records", manager, body)
			if res.Status != http.StatusBadRequest || codeAt(t, res.Body, c.path) != c.code {
				t.Fatalf("%d %s, want 400 with %s at %s", res.Status, res.Body, c.code, c.path)
			}
			if after, _ := w.App.CountRecords(crm.CaseTypes); after != before {
				t.Error("saved anyway")
			}
		})
	}

	// The status label follows the customer's language: João reads English,
	// Lúcia Portuguese; a status labelled in Portuguese only reads so for both.
	joao := w.R("contact")
	joao.Set("language", "en")
	if err := w.App.Save(joao); err != nil {
		t.Fatal(err)
	}
	lucia := w.R("stranger")
	lucia.Set("language", "pt-BR")
	if err := w.App.Save(lucia); err != nil {
		t.Fatal(err)
	}
	tp := w.Find(t, crm.CaseTypes, saved.ID)
	staff := w.Token(t, "agent")
	for _, c := range []struct {
		contact, opened, done string
	}{{joao.Id, "Received", "Concluída"}, {lucia.Id, "Recebida", "Concluída"}} {
		res, out := create(t, w, staff, map[string]any{"type": tp.Id, "contact": c.contact, "subject": "Visita"})
		if res.Status != http.StatusOK {
			t.Fatalf("open: %d %s", res.Status, res.Body)
		}
		id := out["id"].(string)
		if got := w.Find(t, crm.Cases, id).GetString("status_label"); got != c.opened {
			t.Errorf("opened for %s: status_label %q, want %q", c.contact, got, c.opened)
		}
		if res := patch(t, w, staff, id, map[string]any{"status": "done"}); res.Status != http.StatusOK {
			t.Fatalf("close: %d %s", res.Status, res.Body)
		}
		queued := outbox(t, w, id)
		if len(queued) != 2 {
			t.Fatalf("%d messages queued, want the opening and the status", len(queued))
		}
		for i, want := range []string{c.opened, c.done} {
			var mail map[string]any
			_ = json.Unmarshal([]byte(queued[i].GetString("data")), &mail)
			if mail["status_label"] != want {
				t.Errorf("mail %s for %s says %v, want %q", queued[i].GetString("template"), c.contact, mail["status_label"], want)
			}
		}
	}
}

// Statuses written from Go (the demo, tests) keep their plain labels, and a
// status given per language reads back per language.
func TestStatusJSONShapes(t *testing.T) {
	plain, _ := json.Marshal(requests.Status{Key: "new", Label: "Novo", PublicLabel: "Recebido"})
	if string(plain) != `{"key":"new","label":"Novo","public_label":"Recebido","closed":false}` {
		t.Errorf("plain status written as %s", plain)
	}
	var s requests.Status
	if err := json.Unmarshal([]byte(`{"key":"new","public_label":{"en":"Received","pt-BR":"Recebido"}}`), &s); err != nil {
		t.Fatal(err)
	}
	if s.PublicIn("pt-BR") != "Recebido" || s.PublicIn("en") != "Received" || s.PublicIn("fr") != "Received" {
		t.Errorf("per-language status reads %q / %q", s.PublicIn("pt-BR"), s.PublicIn("en"))
	}
	again, _ := json.Marshal(s)
	if !strings.Contains(string(again), `"public_label":{"en":"Received","pt-BR":"Recebido"}`) {
		t.Errorf("per-language status written back as %s", again)
	}
	if err := json.Unmarshal([]byte(`{"key":"new","public_label":3}`), &s); err == nil {
		t.Error("a number as a label should not read")
	}
}
