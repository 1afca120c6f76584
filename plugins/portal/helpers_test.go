package portal_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/outbox"
	"vinculo/testkit"
)

// fakeClock is the time the outbox's hooks see.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }

// world: the app as it ships on a real HTTP server, with two companies.
// Ana (member) and Bruno (admin) work for company A; Carla is the admin of
// company C. The outbox delivers only when a test says so.
type world struct {
	app   core.App
	srv   *testkit.Server
	cfg   *crm.Config
	clock *fakeClock
	rec   map[string]*core.Record
	tok   map[string]string
}

func newWorld(t *testing.T, tune ...func(*crm.Config)) *world {
	t.Helper()
	app := testkit.NewApp(t)
	cfg := testkit.Config(t)
	cfg.Business.Color = "#aa3300"
	cfg.Business.LogoURL = "/logo.png"
	for _, f := range tune {
		f(cfg)
	}
	if err := plugins.All(app, cfg); err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("America/Sao_Paulo")
	w := &world{app: app, cfg: cfg, clock: &fakeClock{now: time.Date(2026, 11, 24, 10, 0, 0, 0, loc)},
		rec: map[string]*core.Record{}, tok: map[string]string{}}
	if err := outbox.Configure(app, outbox.Options{Now: w.clock.Now, Manual: true}); err != nil {
		t.Fatal(err)
	}

	w.make(t, "staff", crm.Staff, map[string]any{"email": "agent@staff.test", "name": "Agent", "role": crm.RoleAgent})
	w.make(t, "coA", crm.Companies, map[string]any{"name": "Padaria A"})
	w.make(t, "coC", crm.Companies, map[string]any{"name": "Oficina C"})
	w.make(t, "ctA", crm.Contacts, map[string]any{"name": "Ana A", "email": "ana@a.test", "company": w.id("coA"), "score": 40, "tags": []string{"vip"}})
	w.make(t, "ctB", crm.Contacts, map[string]any{"name": "Bruno B", "email": "bruno@a.test", "company": w.id("coA")})
	w.make(t, "ctC", crm.Contacts, map[string]any{"name": "Carla C", "email": "carla@c.test", "company": w.id("coC")})
	w.make(t, "cuA", crm.Customers, map[string]any{"email": "ana@a.test", "contact": w.id("ctA"), "company_role": crm.CompanyMember, "name": "Ana A"})
	w.make(t, "cuB", crm.Customers, map[string]any{"email": "bruno@a.test", "contact": w.id("ctB"), "company_role": crm.CompanyAdmin, "name": "Bruno B"})
	w.make(t, "cuC", crm.Customers, map[string]any{"email": "carla@c.test", "contact": w.id("ctC"), "company_role": crm.CompanyAdmin, "name": "Carla C"})

	statuses := []map[string]any{
		{"key": "new", "label": "New", "public_label": "Received"},
		{"key": "triage", "label": "Triage by L2", "public_label": "Being looked at"},
		{"key": "done", "label": "Done", "public_label": "Solved", "closed": true},
	}
	w.make(t, "tpSup", crm.CaseTypes, map[string]any{"name": "Support", "code": "SUP", "category": "support", "statuses": statuses,
		"active": true, "public": true, "sla_first_response_hours": 4, "sla_resolution_hours": 40,
		"fields": []map[string]any{{"name": "order_number", "label": "Order", "type": "text", "required": false}}})
	w.make(t, "tpInt", crm.CaseTypes, map[string]any{"name": "Internal", "code": "INT", "category": "support", "statuses": statuses, "active": true})
	w.make(t, "prFibre", crm.Products, map[string]any{"name": "Fibre 300", "code": "F300", "price": 100, "currency": "BRL", "kind": "subscription",
		"active": true, "customer_can_pause": true, "customer_can_cancel": true, "customer_can_change_plan": true})
	w.make(t, "prFibre2", crm.Products, map[string]any{"name": "Fibre 600", "code": "F600", "price": 150, "currency": "BRL", "kind": "subscription",
		"active": true, "customer_can_change_plan": true})
	w.make(t, "prLocked", crm.Products, map[string]any{"name": "Contract line", "code": "LINE", "price": 80, "currency": "BRL", "kind": "subscription", "active": true})

	for label, a := range map[string]string{"A": "cuA", "B": "cuB", "C": "cuC", "staff": "staff"} {
		w.tok[label] = testkit.Token(t, w.rec[a])
	}
	w.srv = testkit.Serve(t, app)
	return w
}

func (w *world) id(label string) string {
	r, ok := w.rec[label]
	if !ok {
		panic("no record " + label)
	}
	return r.Id
}

func (w *world) make(t testing.TB, label, collection string, fields map[string]any) *core.Record {
	t.Helper()
	r := testkit.Save(t, w.app, collection, fields)
	if label != "" {
		w.rec[label] = r
	}
	return r
}

func (w *world) reload(t testing.TB, collection, id string) *core.Record {
	t.Helper()
	r, err := w.app.FindRecordById(collection, id)
	if err != nil {
		t.Fatalf("reload %s/%s: %v", collection, id, err)
	}
	return r
}

func (w *world) do(t testing.TB, method, path, who string, body any) testkit.Response {
	t.Helper()
	return w.srv.Do(t, method, path, w.tok[who], body)
}

// must fails the test unless the answer has the status.
func must(t testing.TB, res testkit.Response, status int, what string) testkit.Response {
	t.Helper()
	if res.Status != status {
		t.Fatalf("%s: status %d, want %d: %s", what, res.Status, status, res.Body)
	}
	return res
}

// openCase opens a request as a customer through the record API.
func (w *world) openCase(t testing.TB, who, contact, subject string, shared bool) string {
	t.Helper()
	res := must(t, w.do(t, http.MethodPost, "/api/collections/cases/records", who, map[string]any{
		"type": w.id("tpSup"), "contact": w.id(contact), "subject": subject, "shared": shared,
	}), http.StatusOK, "open a case")
	var c struct {
		ID string `json:"id"`
	}
	res.JSON(t, &c)
	return c.ID
}

func contains(body []byte, s string) bool { return strings.Contains(string(body), s) }
