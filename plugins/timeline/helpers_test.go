package timeline_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/outbox"
	"vinculo/plugins/requests"
	"vinculo/testkit"
)

// newWorld is the app as it ships with a small business, under these labels:
//
//	staff      manager (Marina), agent (Rafael), readonly (Beatriz)
//	companies  coA (Padaria Pão Dourado), coB (Construtora Horizonte)
//	contacts   contact (João, at coA, with a portal account: customer)
//	           other (Lúcia, no company, no account)
//	requests   caseType (SUP: new, triage, solved)
//	sales      pipeline, stageQual, stageProp, stageWon, stageLost
//	catalogue  product (Internet 300, a subscription)
//
// These tests move outbox states by hand: the outbox neither decides nor
// sends in the background meanwhile.
func newWorld(t *testing.T) *testkit.World {
	t.Helper()
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All), testkit.Served(), testkit.Then(func(w *testkit.World) error {
		return outbox.Configure(w.App, outbox.Options{Manual: true, Now: w.Clock.Now})
	}))
	w.Make(t, "manager", crm.Staff, map[string]any{"name": "Marina", "email": "marina@vinculo.test", "role": crm.RoleManager})
	w.Make(t, "agent", crm.Staff, map[string]any{"name": "Rafael", "email": "rafael@vinculo.test", "role": crm.RoleAgent})
	w.Make(t, "readonly", crm.Staff, map[string]any{"name": "Beatriz", "email": "beatriz@vinculo.test", "role": crm.RoleReadonly})
	w.Make(t, "coA", crm.Companies, map[string]any{"name": "Padaria Pão Dourado"})
	w.Make(t, "coB", crm.Companies, map[string]any{"name": "Construtora Horizonte"})
	w.Make(t, "contact", crm.Contacts, map[string]any{"name": "João Conceição", "email": "joao@example.com", "company": w.ID("coA"), "stage": "customer"})
	w.Make(t, "other", crm.Contacts, map[string]any{"name": "Lúcia Brandão", "email": "lucia@example.com"})
	w.Make(t, "customer", crm.Customers, map[string]any{"email": "joao@example.com", "contact": w.ID("contact"), "company_role": crm.CompanyMember})
	w.Make(t, "caseType", crm.CaseTypes, map[string]any{
		"name": "Suporte", "code": "SUP", "category": "support", "active": true,
		"statuses": []requests.Status{
			{Key: "new", Label: "Novo", PublicLabel: "Recebido"},
			{Key: "triage", Label: "Em triagem com o parceiro", PublicLabel: "Em análise"},
			{Key: "solved", Label: "Resolvido", PublicLabel: "Resolvido", Closed: true},
		},
	})
	w.Make(t, "pipeline", crm.Pipelines, map[string]any{"name": "Vendas", "currency": "BRL"})
	for i, s := range []struct{ label, name, kind string }{
		{"stageQual", "Qualificação", "open"}, {"stageProp", "Proposta", "open"}, {"stageWon", "Ganho", "won"}, {"stageLost", "Perdido", "lost"},
	} {
		w.Make(t, s.label, crm.PipelineStages, map[string]any{"pipeline": w.ID("pipeline"), "name": s.name, "kind": s.kind, "position": i + 1})
	}
	w.Make(t, "product", crm.Products, map[string]any{
		"name": "Internet 300", "code": "NET300", "price": 99.9, "currency": "BRL", "kind": "subscription",
		"interval": "month", "active": true, "customer_can_pause": true, "customer_can_cancel": true,
	})
	return w
}

// send is w.Do with request headers, given in pairs
// ("Sec-Fetch-Site", "same-origin").
func send(t *testing.T, w *testkit.World, method, path, who string, body any, headers ...string) testkit.Response {
	t.Helper()
	header := map[string]string{}
	for i := 0; i+1 < len(headers); i += 2 {
		header[headers[i]] = headers[i+1]
	}
	return w.DoWith(t, method, path, who, body, header)
}

// posted posts a record through the API as who and returns its id.
func posted(t *testing.T, w *testkit.World, who, collection string, body map[string]any, headers ...string) string {
	t.Helper()
	res := send(t, w, http.MethodPost, "/api/collections/"+collection+"/records", who, body, headers...)
	if res.Status != http.StatusOK {
		t.Fatalf("%s creates %s: status %d: %s", who, collection, res.Status, res.Body)
	}
	var out struct {
		ID string `json:"id"`
	}
	res.JSON(t, &out)
	return out.ID
}

// patched updates a record through the API as who; the answer never
// carries the actor mark.
func patched(t *testing.T, w *testkit.World, who, collection, id string, body map[string]any, headers ...string) {
	t.Helper()
	res := send(t, w, http.MethodPatch, "/api/collections/"+collection+"/records/"+id, who, body, headers...)
	if res.Status != http.StatusOK {
		t.Fatalf("%s updates %s: status %d: %s", who, collection, res.Status, res.Body)
	}
	if bytes.Contains(res.Body, []byte("pbInternal")) {
		t.Errorf("the answer carries the actor mark: %s", res.Body)
	}
}

// updated saves fields on the stored record as the system (no request).
func updated(t *testing.T, w *testkit.World, collection, id string, fields map[string]any) {
	t.Helper()
	w.Update(t, w.Find(t, collection, id), fields)
}

// entries are the timeline entries about one record, oldest first.
func entries(t *testing.T, w *testkit.World, refCollection, refID string) []*core.Record {
	t.Helper()
	// in insertion order: entries written in one save share their created millisecond
	var list []*core.Record
	err := w.App.RecordQuery(crm.Activities).
		AndWhere(dbx.HashExp{"ref_collection": refCollection, "ref_id": refID}).
		OrderBy("rowid ASC").All(&list)
	if err != nil {
		t.Fatal(err)
	}
	return list
}
