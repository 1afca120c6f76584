package portal_test

import (
	"net/http"
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/outbox"
	"vinculo/testkit"
)

// portalWorld is the app as it ships on a real HTTP server, with two
// companies. Ana (cuA, a member) and Bruno (cuB, the admin) work for company
// A; Carla (cuC) is the admin of company C; "staff" is an agent. The outbox
// delivers only when a test says so.
func portalWorld(t *testing.T) *testkit.World {
	t.Helper()
	w := testkit.NewWorld(t,
		testkit.Configure(func(cfg *crm.Config) {
			cfg.Business.Color = "#aa3300"
			cfg.Business.LogoURL = "/logo.png"
		}),
		testkit.Plugins(plugins.All),
		testkit.Then(func(w *testkit.World) error {
			return outbox.Configure(w.App, outbox.Options{Now: w.Clock.Now, Manual: true})
		}),
		testkit.Served(),
	)
	w.Make(t, "staff", crm.Staff, map[string]any{"email": "agent@staff.test", "name": "Agent", "role": crm.RoleAgent})
	w.Make(t, "coA", crm.Companies, map[string]any{"name": "Padaria A"})
	w.Make(t, "coC", crm.Companies, map[string]any{"name": "Oficina C"})
	w.Make(t, "ctA", crm.Contacts, map[string]any{"name": "Ana A", "email": "ana@a.test", "company": w.ID("coA"), "score": 40, "tags": []string{"vip"}})
	w.Make(t, "ctB", crm.Contacts, map[string]any{"name": "Bruno B", "email": "bruno@a.test", "company": w.ID("coA")})
	w.Make(t, "ctC", crm.Contacts, map[string]any{"name": "Carla C", "email": "carla@c.test", "company": w.ID("coC")})
	w.Make(t, "cuA", crm.Customers, map[string]any{"email": "ana@a.test", "contact": w.ID("ctA"), "company_role": crm.CompanyMember, "name": "Ana A"})
	w.Make(t, "cuB", crm.Customers, map[string]any{"email": "bruno@a.test", "contact": w.ID("ctB"), "company_role": crm.CompanyAdmin, "name": "Bruno B"})
	w.Make(t, "cuC", crm.Customers, map[string]any{"email": "carla@c.test", "contact": w.ID("ctC"), "company_role": crm.CompanyAdmin, "name": "Carla C"})

	statuses := []map[string]any{
		{"key": "new", "label": "New", "public_label": "Received"},
		{"key": "triage", "label": "Triage by L2", "public_label": "Being looked at"},
		{"key": "done", "label": "Done", "public_label": "Solved", "closed": true},
	}
	w.Make(t, "tpSup", crm.CaseTypes, map[string]any{"name": "Support", "code": "SUP", "category": "support", "statuses": statuses,
		"active": true, "public": true, "sla_first_response_hours": 4, "sla_resolution_hours": 40,
		"fields": []map[string]any{{"name": "order_number", "label": "Order", "type": "text", "required": false}}})
	w.Make(t, "tpInt", crm.CaseTypes, map[string]any{"name": "Internal", "code": "INT", "category": "support", "statuses": statuses, "active": true})
	w.Make(t, "prFibre", crm.Products, map[string]any{"name": "Fibre 300", "code": "F300", "price": 100, "currency": "BRL", "kind": "subscription",
		"active": true, "customer_can_pause": true, "customer_can_cancel": true, "customer_can_change_plan": true})
	return w
}

// must fails the test unless the answer has the status.
func must(t testing.TB, res testkit.Response, status int, what string) testkit.Response {
	t.Helper()
	return testkit.Must(t, res, status, what)
}

// openCase opens a request as a customer (who) through the record API.
func openCase(t testing.TB, w *testkit.World, who, contact, subject string, shared bool) string {
	t.Helper()
	res := must(t, w.Do(t, http.MethodPost, "/api/collections/cases/records", who, map[string]any{
		"type": w.ID("tpSup"), "contact": w.ID(contact), "subject": subject, "shared": shared,
	}), http.StatusOK, "open a case")
	var c struct {
		ID string `json:"id"`
	}
	res.JSON(t, &c)
	return c.ID
}

func contains(body []byte, s string) bool { return strings.Contains(string(body), s) }
