package requests_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/requests"
	"vinculo/testkit"
)

// at reads an RFC 3339 time, for clocks and expected due times.
func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// stamp is how PocketBase writes a time in JSON and in the database.
func stamp(v time.Time) string { return v.UTC().Format("2006-01-02 15:04:05.000Z") }

// slaWorld is a business in São Paulo, open mon-fri 09:00-18:00, closed on
// Monday 2026-03-09, with a request type of 4 business hours to the first
// response and 16 to resolution.
func slaWorld(t *testing.T) (*world, *core.Record) {
	t.Helper()
	w := setupWith(t, func(cfg *crm.Config) {
		cfg.Business.Timezone = "America/Sao_Paulo"
		cfg.Business.Holidays = []string{"2026-03-09"}
	})
	slaType := newRecord(t, w.app, crm.CaseTypes, map[string]any{
		"name": "Atendimento", "code": "ATD", "category": "support", "active": true,
		"sla_first_response_hours": 4, "sla_resolution_hours": 16,
		"statuses": []requests.Status{
			{Key: "new", Label: "Novo", PublicLabel: "Recebido"},
			{Key: "working", Label: "Em andamento", PublicLabel: "Em andamento"},
			{Key: "solved", Label: "Resolvido", PublicLabel: "Resolvido", Closed: true},
		},
	})
	return w, slaType
}

// create opens a case through the API and returns the answer.
func (w *world) create(t *testing.T, token string, body map[string]any) (testkit.Response, map[string]any) {
	t.Helper()
	res := w.srv.Do(t, http.MethodPost, "/api/collections/cases/records", token, body)
	var out map[string]any
	if res.Status == http.StatusOK {
		res.JSON(t, &out)
	}
	return res, out
}

func (w *world) patch(t *testing.T, token, id string, body map[string]any) testkit.Response {
	t.Helper()
	return w.srv.Do(t, http.MethodPatch, "/api/collections/cases/records/"+id, token, body)
}

func (w *world) reload(t *testing.T, id string) *core.Record {
	t.Helper()
	r, err := w.app.FindRecordById(crm.Cases, id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// message posts a case message through the API.
func (w *world) message(t *testing.T, token, caseID string, internal bool) {
	t.Helper()
	body := map[string]any{"case": caseID, "body": "Olá!"}
	if internal {
		body["internal"] = true
	}
	if res := w.srv.Do(t, http.MethodPost, "/api/collections/case_messages/records", token, body); res.Status != http.StatusOK {
		t.Fatalf("message: %d %s", res.Status, res.Body)
	}
}

// outbox lists the messages queued for a case, oldest first.
func (w *world) outbox(t *testing.T, caseID string) []*core.Record {
	t.Helper()
	var list []*core.Record
	if err := w.app.RecordQuery(crm.Outbox).AndWhere(dbx.HashExp{"case": caseID}).OrderBy("rowid").All(&list); err != nil {
		t.Fatal(err)
	}
	return list
}

// errorData is the "data" of an error answer: field -> error (or nested fields).
func errorData(t *testing.T, res testkit.Response) map[string]json.RawMessage {
	t.Helper()
	var body struct {
		Data map[string]json.RawMessage `json:"data"`
	}
	res.JSON(t, &body)
	return body.Data
}

// snapshot is a record's stored fields, to show a refused write changed nothing.
func snapshot(t *testing.T, r *core.Record) string {
	t.Helper()
	raw, err := json.Marshal(r.FieldsData())
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

func (w *world) manager(t *testing.T) *core.Record {
	t.Helper()
	return newRecord(t, w.app, crm.Staff, map[string]any{"name": "Marina", "email": "marina@vinculo.example", "role": crm.RoleManager})
}
