package timeline_test

import (
	"time"

	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"vinculo/plugins/outbox"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/requests"
	"vinculo/plugins/timeline"
	"vinculo/testkit"
)

// world is a small business: a team, two companies, a contact with a portal
// account, a request type, a pipeline and a product.
type world struct {
	app *tests.TestApp
	cfg *crm.Config
	srv *testkit.Server

	manager, agent, readonly *core.Record
	coA, coB                 *core.Record
	contact                  *core.Record // at coA, with a portal account
	customer                 *core.Record
	other                    *core.Record // another contact, no account
	caseType                 *core.Record
	stageQual, stageProp     *core.Record
	stageWon, stageLost      *core.Record
	pipeline, product        *core.Record

	tokens map[string]string // "manager", "agent", "readonly", "customer"
}

func newWorld(t *testing.T, configure ...func(*crm.Config)) *world {
	t.Helper()
	app := testkit.NewApp(t)
	cfg := testkit.Config(t)
	for _, f := range configure {
		f(cfg)
	}
	if err := plugins.All(app, cfg); err != nil {
		t.Fatal(err)
	}
	if err := timeline.Register(app, cfg); err != nil {
		t.Fatal(err)
	}
	// These tests move outbox states by hand: keep the outbox from deciding
	// and sending in the background meanwhile.
	sp, _ := time.LoadLocation("America/Sao_Paulo")
	if err := outbox.Configure(app, outbox.Options{Manual: true, Now: func() time.Time { return time.Date(2026, 11, 24, 10, 0, 0, 0, sp) }}); err != nil {
		t.Fatal(err)
	}
	w := &world{app: app, cfg: cfg, tokens: map[string]string{}}
	w.manager = w.make(t, crm.Staff, map[string]any{"name": "Marina", "email": "marina@vinculo.test", "role": crm.RoleManager})
	w.agent = w.make(t, crm.Staff, map[string]any{"name": "Rafael", "email": "rafael@vinculo.test", "role": crm.RoleAgent})
	w.readonly = w.make(t, crm.Staff, map[string]any{"name": "Beatriz", "email": "beatriz@vinculo.test", "role": crm.RoleReadonly})
	w.coA = w.make(t, crm.Companies, map[string]any{"name": "Padaria Pão Dourado"})
	w.coB = w.make(t, crm.Companies, map[string]any{"name": "Construtora Horizonte"})
	w.contact = w.make(t, crm.Contacts, map[string]any{"name": "João Conceição", "email": "joao@example.com", "company": w.coA.Id, "stage": "customer"})
	w.other = w.make(t, crm.Contacts, map[string]any{"name": "Lúcia Brandão", "email": "lucia@example.com"})
	w.customer = w.make(t, crm.Customers, map[string]any{"email": "joao@example.com", "contact": w.contact.Id, "company_role": crm.CompanyMember})
	w.caseType = w.make(t, crm.CaseTypes, map[string]any{
		"name": "Suporte", "code": "SUP", "category": "support", "active": true,
		"statuses": []requests.Status{
			{Key: "new", Label: "Novo", PublicLabel: "Recebido"},
			{Key: "triage", Label: "Em triagem com o parceiro", PublicLabel: "Em análise"},
			{Key: "solved", Label: "Resolvido", PublicLabel: "Resolvido", Closed: true},
		},
	})
	w.pipeline = w.make(t, crm.Pipelines, map[string]any{"name": "Vendas", "currency": "BRL"})
	stage := func(name, kind string, pos int) *core.Record {
		return w.make(t, crm.PipelineStages, map[string]any{"pipeline": w.pipeline.Id, "name": name, "kind": kind, "position": pos})
	}
	w.stageQual, w.stageProp = stage("Qualificação", "open", 1), stage("Proposta", "open", 2)
	w.stageWon, w.stageLost = stage("Ganho", "won", 3), stage("Perdido", "lost", 4)
	w.product = w.make(t, crm.Products, map[string]any{
		"name": "Internet 300", "code": "NET300", "price": 99.9, "currency": "BRL", "kind": "subscription",
		"interval": "month", "active": true, "customer_can_pause": true, "customer_can_cancel": true,
	})
	w.srv = testkit.Serve(t, app)
	w.tokens["manager"] = testkit.Token(t, w.manager)
	w.tokens["agent"] = testkit.Token(t, w.agent)
	w.tokens["readonly"] = testkit.Token(t, w.readonly)
	w.tokens["customer"] = testkit.Token(t, w.customer)
	return w
}

// make saves a record as the system (no request, no rules).
func (w *world) make(t *testing.T, collection string, fields map[string]any) *core.Record {
	t.Helper()
	return testkit.Save(t, w.app, collection, fields)
}

func (w *world) reload(t *testing.T, collection, id string) *core.Record {
	t.Helper()
	r, err := w.app.FindRecordById(collection, id)
	if err != nil {
		t.Fatalf("reload %s/%s: %v", collection, id, err)
	}
	return r
}

func (w *world) save(t *testing.T, r *core.Record, fields map[string]any) {
	t.Helper()
	r.Load(fields)
	if err := w.app.Save(r); err != nil {
		t.Fatalf("save %s: %v", r.Collection().Name, err)
	}
}

// response is a finished request.
type response struct {
	Status int
	Body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("not JSON (%v): %s", err, r.Body)
	}
	return v
}

// do sends a request as a client would; headers are optional pairs.
func (w *world) do(t *testing.T, method, path, token string, body any, headers ...string) response {
	t.Helper()
	var reader io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		reader = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, w.srv.URL+path, reader)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Body: raw}
}

// created posts a record through the API and returns its id.
func (w *world) created(t *testing.T, who, collection string, body map[string]any, headers ...string) string {
	t.Helper()
	res := w.do(t, http.MethodPost, "/api/collections/"+collection+"/records", w.tokens[who], body, headers...)
	if res.Status != http.StatusOK {
		t.Fatalf("%s creates %s: status %d: %s", who, collection, res.Status, res.Body)
	}
	return res.json(t)["id"].(string)
}

func (w *world) patched(t *testing.T, who, collection, id string, body map[string]any, headers ...string) {
	t.Helper()
	res := w.do(t, http.MethodPatch, "/api/collections/"+collection+"/records/"+id, w.tokens[who], body, headers...)
	if res.Status != http.StatusOK {
		t.Fatalf("%s updates %s: status %d: %s", who, collection, res.Status, res.Body)
	}
	if bytes.Contains(res.Body, []byte("pbInternal")) {
		t.Errorf("the answer carries the actor mark: %s", res.Body)
	}
}

// entries are the timeline entries about one record, oldest first.
func (w *world) entries(t *testing.T, refCollection, refID string) []*core.Record {
	t.Helper()
	// in insertion order: entries written in one save share their created millisecond
	var list []*core.Record
	err := w.app.RecordQuery(crm.Activities).
		AndWhere(dbx.HashExp{"ref_collection": refCollection, "ref_id": refID}).
		OrderBy("rowid ASC").All(&list)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func (w *world) count(t *testing.T, collection, filter string, params dbx.Params) int {
	t.Helper()
	n, err := w.app.CountRecords(collection, dbx.NewExp(filter, params))
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}
