package requests_test

import (
	"errors"
	"net/http"
	"testing"

	validation "github.com/pocketbase/ozzo-validation/v4"

	"vinculo/crm"
	"vinculo/testkit"
)

func fieldError(t *testing.T, res testkit.Response) map[string]map[string]any {
	t.Helper()
	var body struct {
		Data map[string]map[string]any `json:"data"`
	}
	res.JSON(t, &body)
	return body.Data
}

func TestCaseDefaultsThroughSave(t *testing.T) {
	w := newWorld(t)

	first, err := newCase(t, w, w.R("support"), w.R("contact"), nil)
	if err != nil {
		t.Fatalf("save: %v", err)
	}
	first, err = w.App.FindRecordById(crm.Cases, first.Id)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"reference": "SUP-0001", "status": "new", "status_label": "Recebido", "priority": "normal",
		"company": w.ID("company"), "closed": false,
	}
	for k, v := range want {
		if got := first.Get(k); got != v {
			t.Errorf("%s = %v, want %v", k, got, v)
		}
	}
	if !first.GetDateTime("closed_at").IsZero() {
		t.Errorf("closed_at set on a new case: %v", first.GetDateTime("closed_at"))
	}

	second, err := newCase(t, w, w.R("support"), w.R("stranger"), map[string]any{"priority": "urgent"})
	if err != nil {
		t.Fatal(err)
	}
	if second.GetString("reference") != "SUP-0002" || second.GetString("priority") != "urgent" || second.GetString("company") != "" {
		t.Fatalf("second case: reference %q priority %q company %q",
			second.GetString("reference"), second.GetString("priority"), second.GetString("company"))
	}

	// Numbering is per type.
	lic, err := newCase(t, w, w.R("licence"), w.R("contact"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if lic.GetString("reference") != "LIC-0001" || lic.GetString("status") != "received" || lic.GetString("status_label") != "Pedido recebido" {
		t.Fatalf("licence case: %q %q %q", lic.GetString("reference"), lic.GetString("status"), lic.GetString("status_label"))
	}
	third, err := newCase(t, w, w.R("support"), w.R("contact"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if third.GetString("reference") != "SUP-0003" {
		t.Fatalf("third support case: %q", third.GetString("reference"))
	}
}

func TestUnknownStatusIsRefused(t *testing.T) {
	w := newWorld(t)

	// Through app.Save: a validation error on the field status, nothing saved.
	_, err := newCase(t, w, w.R("support"), w.R("contact"), map[string]any{"status": "approved"}) // a LIC status, not SUP's
	var verrs validation.Errors
	if !errors.As(err, &verrs) || verrs["status"] == nil {
		t.Fatalf("want a validation error on status, got %v", err)
	}
	if n := w.Count(t, crm.Cases, ""); n != 0 {
		t.Fatalf("a refused case was saved: %d cases", n)
	}

	// Through the API as staff: 400 naming status, nothing saved.
	token := w.Token(t, "agent")
	res := w.Srv.Do(t, http.MethodPost, "/api/collections/cases/records", token, map[string]any{
		"type": w.ID("support"), "contact": w.ID("contact"), "subject": "Roteador não liga", "status": "bogus",
	})
	if res.Status != http.StatusBadRequest {
		t.Fatalf("create with unknown status: %d %s", res.Status, res.Body)
	}
	if _, ok := fieldError(t, res)["status"]; !ok {
		t.Fatalf("the 400 does not name status: %s", res.Body)
	}
	if n := w.Count(t, crm.Cases, ""); n != 0 {
		t.Fatalf("a refused case was saved: %d cases", n)
	}

	// An update to an unknown status: 400 naming status, the case unchanged.
	c, err := newCase(t, w, w.R("support"), w.R("contact"), nil)
	if err != nil {
		t.Fatal(err)
	}
	res = w.Srv.Do(t, http.MethodPatch, "/api/collections/cases/records/"+c.Id, token, map[string]any{"status": "bogus", "subject": "changed"})
	if res.Status != http.StatusBadRequest {
		t.Fatalf("update to unknown status: %d %s", res.Status, res.Body)
	}
	if _, ok := fieldError(t, res)["status"]; !ok {
		t.Fatalf("the 400 does not name status: %s", res.Body)
	}
	stored, err := w.App.FindRecordById(crm.Cases, c.Id)
	if err != nil {
		t.Fatal(err)
	}
	if stored.GetString("status") != "new" || stored.GetString("subject") != "Internet caindo à noite" {
		t.Fatalf("the refused update changed the case: status %q subject %q", stored.GetString("status"), stored.GetString("subject"))
	}
}

func TestClosingAndReopening(t *testing.T) {
	w := newWorld(t)
	c, err := newCase(t, w, w.R("support"), w.R("contact"), nil)
	if err != nil {
		t.Fatal(err)
	}
	token := w.Token(t, "agent")

	res := w.Srv.Do(t, http.MethodPatch, "/api/collections/cases/records/"+c.Id, token, map[string]any{"status": "triage"})
	if res.Status != http.StatusOK {
		t.Fatalf("to triage: %d %s", res.Status, res.Body)
	}
	stored, _ := w.App.FindRecordById(crm.Cases, c.Id)
	if stored.GetString("status_label") != "Em análise" || stored.GetBool("closed") || !stored.GetDateTime("closed_at").IsZero() {
		t.Fatalf("triage: label %q closed %v closed_at %v", stored.GetString("status_label"), stored.GetBool("closed"), stored.GetDateTime("closed_at"))
	}

	res = w.Srv.Do(t, http.MethodPatch, "/api/collections/cases/records/"+c.Id, token, map[string]any{"status": "solved"})
	if res.Status != http.StatusOK {
		t.Fatalf("to solved: %d %s", res.Status, res.Body)
	}
	stored, _ = w.App.FindRecordById(crm.Cases, c.Id)
	if !stored.GetBool("closed") || stored.GetDateTime("closed_at").IsZero() || stored.GetString("status_label") != "Resolvido" {
		t.Fatalf("solved: closed %v closed_at %v label %q", stored.GetBool("closed"), stored.GetDateTime("closed_at"), stored.GetString("status_label"))
	}
	closedAt := stored.GetDateTime("closed_at")

	// Another change while closed keeps the closing time.
	stored.Set("description", "Técnico trocou o roteador.")
	if err := w.App.Save(stored); err != nil {
		t.Fatal(err)
	}
	stored, _ = w.App.FindRecordById(crm.Cases, c.Id)
	if !stored.GetDateTime("closed_at").Equal(closedAt) {
		t.Fatalf("closed_at moved from %v to %v", closedAt, stored.GetDateTime("closed_at"))
	}

	// Reopening clears it.
	stored.Set("status", "triage")
	if err := w.App.Save(stored); err != nil {
		t.Fatal(err)
	}
	stored, _ = w.App.FindRecordById(crm.Cases, c.Id)
	if stored.GetBool("closed") || !stored.GetDateTime("closed_at").IsZero() {
		t.Fatalf("reopened: closed %v closed_at %v", stored.GetBool("closed"), stored.GetDateTime("closed_at"))
	}
}

func TestCustomerOpensACase(t *testing.T) {
	w := newWorld(t)
	token := w.Token(t, "customer")

	// A first case exists, so the customer's is number 2.
	if _, err := newCase(t, w, w.R("support"), w.R("stranger"), nil); err != nil {
		t.Fatal(err)
	}

	res := w.Srv.Do(t, http.MethodPost, "/api/collections/cases/records", token, map[string]any{
		"type": w.ID("support"), "contact": w.ID("contact"), "subject": "Wi-Fi lento no escritório", "channel": "portal",
	})
	if res.Status != http.StatusOK {
		t.Fatalf("customer opens a case: %d %s", res.Status, res.Body)
	}
	var out map[string]any
	res.JSON(t, &out)
	want := map[string]any{
		"reference": "SUP-0002", "status": "new", "status_label": "Recebido", "priority": "normal",
		"company": w.ID("company"), "contact": w.ID("contact"), "closed": false,
	}
	for k, v := range want {
		if out[k] != v {
			t.Errorf("%s = %v, want %v", k, out[k], v)
		}
	}
	stored, err := w.App.FindRecordById(crm.Cases, out["id"].(string))
	if err != nil {
		t.Fatalf("the case was not saved: %v", err)
	}
	if stored.GetString("reference") != "SUP-0002" || stored.GetString("company") != w.ID("company") {
		t.Fatalf("stored: %q %q", stored.GetString("reference"), stored.GetString("company"))
	}

	// Not for someone else's contact, and not setting the business's fields.
	before := w.Count(t, crm.Cases, "")
	for name, body := range map[string]map[string]any{
		"other contact": {"type": w.ID("support"), "contact": w.ID("stranger"), "subject": "x"},
		"own status":    {"type": w.ID("support"), "contact": w.ID("contact"), "subject": "x", "status": "solved"},
		"own priority":  {"type": w.ID("support"), "contact": w.ID("contact"), "subject": "x", "priority": "urgent"},
	} {
		res := w.Srv.Do(t, http.MethodPost, "/api/collections/cases/records", token, body)
		if res.Status < 400 || res.Status >= 500 {
			t.Errorf("%s: %d %s", name, res.Status, res.Body)
		}
	}
	if n := w.Count(t, crm.Cases, ""); n != before {
		t.Fatalf("refused cases were saved: %d -> %d", before, n)
	}
}

func TestCaseMessageAuthor(t *testing.T) {
	w := newWorld(t)
	c, err := newCase(t, w, w.R("support"), w.R("contact"), nil)
	if err != nil {
		t.Fatal(err)
	}
	customerToken := w.Token(t, "customer")
	staffToken := w.Token(t, "agent")
	countMessages := func() int64 {
		n, err := w.App.CountRecords(crm.CaseMessages)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	res := w.Srv.Do(t, http.MethodPost, "/api/collections/case_messages/records", customerToken, map[string]any{
		"case": c.Id, "body": "Continua caindo todas as noites.",
	})
	if res.Status != http.StatusOK {
		t.Fatalf("customer message: %d %s", res.Status, res.Body)
	}
	var out map[string]any
	res.JSON(t, &out)
	msg, err := w.App.FindRecordById(crm.CaseMessages, out["id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if msg.GetString("author_customer") != w.ID("customer") || msg.GetBool("internal") || msg.GetString("author_staff") != "" {
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
		"as staff author": {"case": c.Id, "body": "psst", "author_staff": w.ID("agent")},
	} {
		res := w.Srv.Do(t, http.MethodPost, "/api/collections/case_messages/records", customerToken, body)
		if res.Status != http.StatusBadRequest {
			t.Errorf("customer %s: %d, want 400: %s", name, res.Status, res.Body)
		}
	}
	if n := countMessages(); n != before {
		t.Fatalf("refused messages were saved: %d -> %d", before, n)
	}

	// Not on someone else's case.
	other, err := newCase(t, w, w.R("support"), w.R("stranger"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res := w.Srv.Do(t, http.MethodPost, "/api/collections/case_messages/records", customerToken,
		map[string]any{"case": other.Id, "body": "hello"}); res.Status != http.StatusBadRequest {
		t.Fatalf("message on another contact's case: %d %s", res.Status, res.Body)
	}
	if n := countMessages(); n != before {
		t.Fatalf("a message on another contact's case was saved")
	}

	// Staff: the author is the staff member, internal notes allowed.
	res = w.Srv.Do(t, http.MethodPost, "/api/collections/case_messages/records", staffToken, map[string]any{
		"case": c.Id, "body": "Verificar histórico de visitas.", "internal": true,
	})
	if res.Status != http.StatusOK {
		t.Fatalf("staff note: %d %s", res.Status, res.Body)
	}
	res.JSON(t, &out)
	msg, err = w.App.FindRecordById(crm.CaseMessages, out["id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if msg.GetString("author_staff") != w.ID("agent") || !msg.GetBool("internal") || msg.GetString("author_customer") != "" {
		t.Fatalf("staff note: author_staff %q internal %v author_customer %q",
			msg.GetString("author_staff"), msg.GetBool("internal"), msg.GetString("author_customer"))
	}

	// The customer never sees the internal note.
	res = w.Srv.Do(t, http.MethodGet, "/api/collections/case_messages/records?filter=case%3D'"+c.Id+"'", customerToken, nil)
	var list struct {
		Items []map[string]any `json:"items"`
	}
	res.JSON(t, &list)
	if res.Status != http.StatusOK || len(list.Items) != 1 || list.Items[0]["internal"] != false {
		t.Fatalf("customer's view of the conversation: %d %s", res.Status, res.Body)
	}
}
