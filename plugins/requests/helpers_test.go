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

// newWorld is the requests plugin alone on a served app, with its records:
//
//	agent     Rafael, an agent
//	company   Construtora Horizonte Ltda.
//	contact   João, at company, with a portal account (customer, a member)
//	stranger  Lúcia, another contact, no company
//	support   request type SUP: new, triage, solved
//	licence   request type LIC: received, approved
func newWorld(t *testing.T, opts ...testkit.Option) *testkit.World {
	t.Helper()
	w := testkit.NewWorld(t, append([]testkit.Option{testkit.Plugins(requests.Register), testkit.Served()}, opts...)...)
	w.Make(t, "agent", crm.Staff, map[string]any{"name": "Rafael", "email": "rafael@vinculo.example", "role": crm.RoleAgent})
	w.Make(t, "company", crm.Companies, map[string]any{"name": "Construtora Horizonte Ltda."})
	w.Make(t, "contact", crm.Contacts, map[string]any{"name": "João Conceição", "email": "joao@example.com", "company": w.ID("company")})
	w.Make(t, "stranger", crm.Contacts, map[string]any{"name": "Lúcia Brandão", "email": "lucia@example.com"})
	w.Make(t, "customer", crm.Customers, map[string]any{
		"email": "joao@example.com", "contact": w.ID("contact"), "company_role": crm.CompanyMember,
	})
	w.Make(t, "support", crm.CaseTypes, map[string]any{
		"name": "Suporte", "code": "SUP", "category": "support", "active": true,
		"statuses": []requests.Status{
			{Key: "new", Label: "Novo", PublicLabel: "Recebido"},
			{Key: "triage", Label: "Em triagem", PublicLabel: "Em análise"},
			{Key: "solved", Label: "Resolvido", PublicLabel: "Resolvido", Closed: true},
		},
	})
	w.Make(t, "licence", crm.CaseTypes, map[string]any{
		"name": "Licença", "code": "LIC", "category": "application", "active": true,
		"statuses": []requests.Status{
			{Key: "received", Label: "Recebido", PublicLabel: "Pedido recebido"},
			{Key: "approved", Label: "Aprovado", PublicLabel: "Licença aprovada", Closed: true},
		},
	})
	return w
}

// slaWorld is newWorld in a business in São Paulo, open mon-fri
// 09:00-18:00, closed on Monday 2026-03-09, with a request type ("slaType")
// of 4 business hours to the first response and 16 to resolution.
func slaWorld(t *testing.T) (*testkit.World, *core.Record) {
	t.Helper()
	w := newWorld(t, testkit.Configure(func(cfg *crm.Config) {
		cfg.Business.Timezone = "America/Sao_Paulo"
		cfg.Business.Holidays = []string{"2026-03-09"}
	}))
	slaType := w.Make(t, "slaType", crm.CaseTypes, map[string]any{
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

// newCase saves a case as Go code does (no request), about an outage.
func newCase(t *testing.T, w *testkit.World, caseType *core.Record, contact *core.Record, extra map[string]any) (*core.Record, error) {
	t.Helper()
	c, err := w.App.FindCollectionByNameOrId(crm.Cases)
	if err != nil {
		t.Fatal(err)
	}
	r := core.NewRecord(c)
	r.Set("type", caseType.Id)
	r.Set("contact", contact.Id)
	r.Set("subject", "Internet caindo à noite")
	for k, v := range extra {
		r.Set(k, v)
	}
	return r, w.App.Save(r)
}

// create opens a case through the API and returns the answer.
func create(t *testing.T, w *testkit.World, token string, body map[string]any) (testkit.Response, map[string]any) {
	t.Helper()
	res := w.Srv.Do(t, http.MethodPost, "/api/collections/cases/records", token, body)
	var out map[string]any
	if res.Status == http.StatusOK {
		res.JSON(t, &out)
	}
	return res, out
}

func patch(t *testing.T, w *testkit.World, token, id string, body map[string]any) testkit.Response {
	t.Helper()
	return w.Srv.Do(t, http.MethodPatch, "/api/collections/cases/records/"+id, token, body)
}

// message posts a case message through the API.
func message(t *testing.T, w *testkit.World, token, caseID string, internal bool) {
	t.Helper()
	body := map[string]any{"case": caseID, "body": "Olá!"}
	if internal {
		body["internal"] = true
	}
	if res := w.Srv.Do(t, http.MethodPost, "/api/collections/case_messages/records", token, body); res.Status != http.StatusOK {
		t.Fatalf("message: %d %s", res.Status, res.Body)
	}
}

// outbox lists the messages queued for a case, oldest first.
func outbox(t *testing.T, w *testkit.World, caseID string) []*core.Record {
	t.Helper()
	var list []*core.Record
	if err := w.App.RecordQuery(crm.Outbox).AndWhere(dbx.HashExp{"case": caseID}).OrderBy("rowid").All(&list); err != nil {
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
