package requests_test

import (
	"errors"
	"net/http"
	"testing"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"vinculo/crm"
	"vinculo/plugins/requests"
	"vinculo/testkit"
)

type world struct {
	app      *tests.TestApp
	srv      *testkit.Server
	agent    *core.Record
	company  *core.Record
	contact  *core.Record // works at company, has a portal account
	customer *core.Record
	stranger *core.Record // another contact, no company
	support  *core.Record // case type SUP
	licence  *core.Record // case type LIC
}

func newRecord(t *testing.T, app core.App, collection string, fields map[string]any) *core.Record {
	t.Helper()
	return testkit.Save(t, app, collection, fields)
}

func setup(t *testing.T) *world { return setupWith(t, nil) }

// setupWith lets a test change the configuration (hours, holidays) first.
func setupWith(t *testing.T, configure func(*crm.Config)) *world {
	t.Helper()
	app := testkit.NewApp(t)
	cfg := testkit.Config(t)
	if configure != nil {
		configure(cfg)
	}
	if err := requests.Register(app, cfg); err != nil {
		t.Fatal(err)
	}
	w := &world{app: app}
	w.agent = newRecord(t, app, crm.Staff, map[string]any{"name": "Rafael", "email": "rafael@vinculo.example", "role": crm.RoleAgent})
	w.company = newRecord(t, app, crm.Companies, map[string]any{"name": "Construtora Horizonte Ltda."})
	w.contact = newRecord(t, app, crm.Contacts, map[string]any{"name": "João Conceição", "email": "joao@example.com", "company": w.company.Id})
	w.stranger = newRecord(t, app, crm.Contacts, map[string]any{"name": "Lúcia Brandão", "email": "lucia@example.com"})
	w.customer = newRecord(t, app, crm.Customers, map[string]any{
		"email": "joao@example.com", "contact": w.contact.Id, "company_role": crm.CompanyMember,
	})
	w.support = newRecord(t, app, crm.CaseTypes, map[string]any{
		"name": "Suporte", "code": "SUP", "category": "support", "active": true,
		"statuses": []requests.Status{
			{Key: "new", Label: "Novo", PublicLabel: "Recebido"},
			{Key: "triage", Label: "Em triagem", PublicLabel: "Em análise"},
			{Key: "solved", Label: "Resolvido", PublicLabel: "Resolvido", Closed: true},
		},
	})
	w.licence = newRecord(t, app, crm.CaseTypes, map[string]any{
		"name": "Licença", "code": "LIC", "category": "application", "active": true,
		"statuses": []requests.Status{
			{Key: "received", Label: "Recebido", PublicLabel: "Pedido recebido"},
			{Key: "approved", Label: "Aprovado", PublicLabel: "Licença aprovada", Closed: true},
		},
	})
	w.srv = testkit.Serve(t, app)
	return w
}

func (w *world) newCase(t *testing.T, caseType *core.Record, contact *core.Record, extra map[string]any) (*core.Record, error) {
	t.Helper()
	c, err := w.app.FindCollectionByNameOrId(crm.Cases)
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
	return r, w.app.Save(r)
}

func countCases(t *testing.T, app core.App) int64 {
	t.Helper()
	n, err := app.CountRecords(crm.Cases)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func fieldError(t *testing.T, res testkit.Response) map[string]map[string]any {
	t.Helper()
	var body struct {
		Data map[string]map[string]any `json:"data"`
	}
	res.JSON(t, &body)
	return body.Data
}

func TestCaseDefaultsThroughSave(t *testing.T) {
	w := setup(t)

	first, err := w.newCase(t, w.support, w.contact, nil)
	if err != nil {
		t.Fatalf("save: %v", err)
	}
	first, err = w.app.FindRecordById(crm.Cases, first.Id)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"reference": "SUP-0001", "status": "new", "status_label": "Recebido", "priority": "normal",
		"company": w.company.Id, "closed": false,
	}
	for k, v := range want {
		if got := first.Get(k); got != v {
			t.Errorf("%s = %v, want %v", k, got, v)
		}
	}
	if !first.GetDateTime("closed_at").IsZero() {
		t.Errorf("closed_at set on a new case: %v", first.GetDateTime("closed_at"))
	}

	second, err := w.newCase(t, w.support, w.stranger, map[string]any{"priority": "urgent"})
	if err != nil {
		t.Fatal(err)
	}
	if second.GetString("reference") != "SUP-0002" || second.GetString("priority") != "urgent" || second.GetString("company") != "" {
		t.Fatalf("second case: reference %q priority %q company %q",
			second.GetString("reference"), second.GetString("priority"), second.GetString("company"))
	}

	// Numbering is per type.
	lic, err := w.newCase(t, w.licence, w.contact, nil)
	if err != nil {
		t.Fatal(err)
	}
	if lic.GetString("reference") != "LIC-0001" || lic.GetString("status") != "received" || lic.GetString("status_label") != "Pedido recebido" {
		t.Fatalf("licence case: %q %q %q", lic.GetString("reference"), lic.GetString("status"), lic.GetString("status_label"))
	}
	third, err := w.newCase(t, w.support, w.contact, nil)
	if err != nil {
		t.Fatal(err)
	}
	if third.GetString("reference") != "SUP-0003" {
		t.Fatalf("third support case: %q", third.GetString("reference"))
	}
}

func TestUnknownStatusIsRefused(t *testing.T) {
	w := setup(t)

	// Through app.Save: a validation error on the field status, nothing saved.
	_, err := w.newCase(t, w.support, w.contact, map[string]any{"status": "approved"}) // a LIC status, not SUP's
	var verrs validation.Errors
	if !errors.As(err, &verrs) || verrs["status"] == nil {
		t.Fatalf("want a validation error on status, got %v", err)
	}
	if n := countCases(t, w.app); n != 0 {
		t.Fatalf("a refused case was saved: %d cases", n)
	}

	// Through the API as staff: 400 naming status, nothing saved.
	token := testkit.Token(t, w.agent)
	res := w.srv.Do(t, http.MethodPost, "/api/collections/cases/records", token, map[string]any{
		"type": w.support.Id, "contact": w.contact.Id, "subject": "Roteador não liga", "status": "bogus",
	})
	if res.Status != http.StatusBadRequest {
		t.Fatalf("create with unknown status: %d %s", res.Status, res.Body)
	}
	if _, ok := fieldError(t, res)["status"]; !ok {
		t.Fatalf("the 400 does not name status: %s", res.Body)
	}
	if n := countCases(t, w.app); n != 0 {
		t.Fatalf("a refused case was saved: %d cases", n)
	}

	// An update to an unknown status: 400 naming status, the case unchanged.
	c, err := w.newCase(t, w.support, w.contact, nil)
	if err != nil {
		t.Fatal(err)
	}
	res = w.srv.Do(t, http.MethodPatch, "/api/collections/cases/records/"+c.Id, token, map[string]any{"status": "bogus", "subject": "changed"})
	if res.Status != http.StatusBadRequest {
		t.Fatalf("update to unknown status: %d %s", res.Status, res.Body)
	}
	if _, ok := fieldError(t, res)["status"]; !ok {
		t.Fatalf("the 400 does not name status: %s", res.Body)
	}
	stored, err := w.app.FindRecordById(crm.Cases, c.Id)
	if err != nil {
		t.Fatal(err)
	}
	if stored.GetString("status") != "new" || stored.GetString("subject") != "Internet caindo à noite" {
		t.Fatalf("the refused update changed the case: status %q subject %q", stored.GetString("status"), stored.GetString("subject"))
	}
}

func TestClosingAndReopening(t *testing.T) {
	w := setup(t)
	c, err := w.newCase(t, w.support, w.contact, nil)
	if err != nil {
		t.Fatal(err)
	}
	token := testkit.Token(t, w.agent)

	res := w.srv.Do(t, http.MethodPatch, "/api/collections/cases/records/"+c.Id, token, map[string]any{"status": "triage"})
	if res.Status != http.StatusOK {
		t.Fatalf("to triage: %d %s", res.Status, res.Body)
	}
	stored, _ := w.app.FindRecordById(crm.Cases, c.Id)
	if stored.GetString("status_label") != "Em análise" || stored.GetBool("closed") || !stored.GetDateTime("closed_at").IsZero() {
		t.Fatalf("triage: label %q closed %v closed_at %v", stored.GetString("status_label"), stored.GetBool("closed"), stored.GetDateTime("closed_at"))
	}

	res = w.srv.Do(t, http.MethodPatch, "/api/collections/cases/records/"+c.Id, token, map[string]any{"status": "solved"})
	if res.Status != http.StatusOK {
		t.Fatalf("to solved: %d %s", res.Status, res.Body)
	}
	stored, _ = w.app.FindRecordById(crm.Cases, c.Id)
	if !stored.GetBool("closed") || stored.GetDateTime("closed_at").IsZero() || stored.GetString("status_label") != "Resolvido" {
		t.Fatalf("solved: closed %v closed_at %v label %q", stored.GetBool("closed"), stored.GetDateTime("closed_at"), stored.GetString("status_label"))
	}
	closedAt := stored.GetDateTime("closed_at")

	// Another change while closed keeps the closing time.
	stored.Set("description", "Técnico trocou o roteador.")
	if err := w.app.Save(stored); err != nil {
		t.Fatal(err)
	}
	stored, _ = w.app.FindRecordById(crm.Cases, c.Id)
	if !stored.GetDateTime("closed_at").Equal(closedAt) {
		t.Fatalf("closed_at moved from %v to %v", closedAt, stored.GetDateTime("closed_at"))
	}

	// Reopening clears it.
	stored.Set("status", "triage")
	if err := w.app.Save(stored); err != nil {
		t.Fatal(err)
	}
	stored, _ = w.app.FindRecordById(crm.Cases, c.Id)
	if stored.GetBool("closed") || !stored.GetDateTime("closed_at").IsZero() {
		t.Fatalf("reopened: closed %v closed_at %v", stored.GetBool("closed"), stored.GetDateTime("closed_at"))
	}
}

func TestCustomerOpensACase(t *testing.T) {
	w := setup(t)
	token := testkit.Token(t, w.customer)

	// A first case exists, so the customer's is number 2.
	if _, err := w.newCase(t, w.support, w.stranger, nil); err != nil {
		t.Fatal(err)
	}

	res := w.srv.Do(t, http.MethodPost, "/api/collections/cases/records", token, map[string]any{
		"type": w.support.Id, "contact": w.contact.Id, "subject": "Wi-Fi lento no escritório", "channel": "portal",
	})
	if res.Status != http.StatusOK {
		t.Fatalf("customer opens a case: %d %s", res.Status, res.Body)
	}
	var out map[string]any
	res.JSON(t, &out)
	want := map[string]any{
		"reference": "SUP-0002", "status": "new", "status_label": "Recebido", "priority": "normal",
		"company": w.company.Id, "contact": w.contact.Id, "closed": false,
	}
	for k, v := range want {
		if out[k] != v {
			t.Errorf("%s = %v, want %v", k, out[k], v)
		}
	}
	stored, err := w.app.FindRecordById(crm.Cases, out["id"].(string))
	if err != nil {
		t.Fatalf("the case was not saved: %v", err)
	}
	if stored.GetString("reference") != "SUP-0002" || stored.GetString("company") != w.company.Id {
		t.Fatalf("stored: %q %q", stored.GetString("reference"), stored.GetString("company"))
	}

	// Not for someone else's contact, and not setting the business's fields.
	before := countCases(t, w.app)
	for name, body := range map[string]map[string]any{
		"other contact": {"type": w.support.Id, "contact": w.stranger.Id, "subject": "x"},
		"own status":    {"type": w.support.Id, "contact": w.contact.Id, "subject": "x", "status": "solved"},
		"own priority":  {"type": w.support.Id, "contact": w.contact.Id, "subject": "x", "priority": "urgent"},
	} {
		res := w.srv.Do(t, http.MethodPost, "/api/collections/cases/records", token, body)
		if res.Status < 400 || res.Status >= 500 {
			t.Errorf("%s: %d %s", name, res.Status, res.Body)
		}
	}
	if n := countCases(t, w.app); n != before {
		t.Fatalf("refused cases were saved: %d -> %d", before, n)
	}
}

func TestCaseMessageAuthor(t *testing.T) {
	w := setup(t)
	c, err := w.newCase(t, w.support, w.contact, nil)
	if err != nil {
		t.Fatal(err)
	}
	customerToken := testkit.Token(t, w.customer)
	staffToken := testkit.Token(t, w.agent)
	countMessages := func() int64 {
		n, err := w.app.CountRecords(crm.CaseMessages)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	res := w.srv.Do(t, http.MethodPost, "/api/collections/case_messages/records", customerToken, map[string]any{
		"case": c.Id, "body": "Continua caindo todas as noites.",
	})
	if res.Status != http.StatusOK {
		t.Fatalf("customer message: %d %s", res.Status, res.Body)
	}
	var out map[string]any
	res.JSON(t, &out)
	msg, err := w.app.FindRecordById(crm.CaseMessages, out["id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if msg.GetString("author_customer") != w.customer.Id || msg.GetBool("internal") || msg.GetString("author_staff") != "" {
		t.Fatalf("customer message: author_customer %q internal %v author_staff %q",
			msg.GetString("author_customer"), msg.GetBool("internal"), msg.GetString("author_staff"))
	}

	// The create rule refuses a customer's internal note (and any author but
	// themselves): 400, nothing saved.
	before := countMessages()
	for name, body := range map[string]map[string]any{
		"internal=true":   {"case": c.Id, "body": "psst", "internal": true},
		"internal=false":  {"case": c.Id, "body": "psst", "internal": false},
		"as another":      {"case": c.Id, "body": "psst", "author_customer": "zzzzzzzzzzzzzzz"},
		"as staff author": {"case": c.Id, "body": "psst", "author_staff": w.agent.Id},
	} {
		res := w.srv.Do(t, http.MethodPost, "/api/collections/case_messages/records", customerToken, body)
		if res.Status != http.StatusBadRequest {
			t.Errorf("customer %s: %d, want 400: %s", name, res.Status, res.Body)
		}
	}
	if n := countMessages(); n != before {
		t.Fatalf("refused messages were saved: %d -> %d", before, n)
	}

	// Not on someone else's case.
	other, err := w.newCase(t, w.support, w.stranger, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res := w.srv.Do(t, http.MethodPost, "/api/collections/case_messages/records", customerToken,
		map[string]any{"case": other.Id, "body": "hello"}); res.Status != http.StatusBadRequest {
		t.Fatalf("message on another contact's case: %d %s", res.Status, res.Body)
	}
	if n := countMessages(); n != before {
		t.Fatalf("a message on another contact's case was saved")
	}

	// Staff: the author is the staff member, internal notes allowed.
	res = w.srv.Do(t, http.MethodPost, "/api/collections/case_messages/records", staffToken, map[string]any{
		"case": c.Id, "body": "Verificar histórico de visitas.", "internal": true,
	})
	if res.Status != http.StatusOK {
		t.Fatalf("staff note: %d %s", res.Status, res.Body)
	}
	res.JSON(t, &out)
	msg, err = w.app.FindRecordById(crm.CaseMessages, out["id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if msg.GetString("author_staff") != w.agent.Id || !msg.GetBool("internal") || msg.GetString("author_customer") != "" {
		t.Fatalf("staff note: author_staff %q internal %v author_customer %q",
			msg.GetString("author_staff"), msg.GetBool("internal"), msg.GetString("author_customer"))
	}

	// The customer never sees the internal note.
	res = w.srv.Do(t, http.MethodGet, "/api/collections/case_messages/records?filter=case%3D'"+c.Id+"'", customerToken, nil)
	var list struct {
		Items []map[string]any `json:"items"`
	}
	res.JSON(t, &list)
	if res.Status != http.StatusOK || len(list.Items) != 1 || list.Items[0]["internal"] != false {
		t.Fatalf("customer's view of the conversation: %d %s", res.Status, res.Body)
	}
}
