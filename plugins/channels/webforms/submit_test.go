package webforms_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	"vinculo/crm"
	"vinculo/testkit"
)

// A sent form makes a lead (source web_form, the visitor's language, the
// company of that name made), writes the timeline entry with the message,
// and answers the form's thank-you words; no consent ticked, no mail.
func TestSubmitMakesALead(t *testing.T) {
	w := world(t)
	form := makeForm(t, w, "", nil)
	res := testkit.Must(t, send(t, w, form, site, visit(map[string]any{"name": " Lia Prado ", "email": "Lia@Prado.example",
		"phone": "+55 11 98888-7777", "company": "Café Prado", "message": "Vocês entregam em Pinheiros?"}, false)), http.StatusOK, "send")
	var answer struct {
		Message string `json:"message"`
		Confirm bool   `json:"confirm"`
	}
	res.JSON(t, &answer)
	if answer.Message != "Obrigado, escreveremos em breve." || answer.Confirm {
		t.Errorf("answer: %+v", answer)
	}
	lead, err := w.App.FindFirstRecordByData(crm.Contacts, crm.FieldEmail, "lia@prado.example")
	if err != nil {
		t.Fatal("no lead:", err)
	}
	for field, want := range map[string]string{"name": "Lia Prado", "stage": "lead", "source": crm.ContactSourceWebForm,
		"phone": "+55 11 98888-7777", "language": "pt-BR"} {
		if got := lead.GetString(field); got != want {
			t.Errorf("lead's %s is %q, want %q", field, got, want)
		}
	}
	company := w.Find(t, crm.Companies, lead.GetString(crm.FieldCompany))
	if company.GetString("name") != "Café Prado" {
		t.Errorf("company %q", company.GetString("name"))
	}
	entry, err := w.App.FindFirstRecordByFilter(crm.Activities, "contact = {:c} && event = {:e}", dbx.Params{"c": lead.Id, "e": crm.EventWebFormSent})
	if err != nil {
		t.Fatal("no timeline entry:", err)
	}
	if entry.GetString("body") != "Vocês entregam em Pinheiros?" || entry.GetString("subject") != "Fale conosco" || entry.GetString("direction") != "inbound" {
		t.Errorf("entry: %v", entry.PublicExport())
	}
	if n := w.Count(t, crm.WebFormOptIns, ""); n != 0 {
		t.Errorf("%d confirmations asked without a consent ticked", n)
	}
	if m := mailsTo(t, w, "lia@prado.example"); len(m) != 0 {
		t.Errorf("%d mails without a consent ticked", len(m))
	}
	// The same company typed again, in other case, is the same company.
	testkit.Must(t, send(t, w, form, site, visit(map[string]any{"name": "Rui", "email": "rui@prado.example", "company": "CAFÉ PRADO"}, false)), http.StatusOK, "send 2")
	if rui, _ := w.App.FindFirstRecordByData(crm.Contacts, crm.FieldEmail, "rui@prado.example"); rui == nil || rui.GetString(crm.FieldCompany) != company.Id {
		t.Errorf("Rui is not at the same company")
	}
}

// A form that opens requests opens one of its type for the lead, the
// message as its description.
func TestSubmitOpensARequest(t *testing.T) {
	w := world(t)
	form := makeForm(t, w, "", map[string]any{crm.FormCreates: crm.FormCreatesRequest, crm.FormCaseType: w.ID("tpSup")})
	testkit.Must(t, send(t, w, form, site, visit(map[string]any{"name": "Teo", "email": "teo@x.example", "message": "O forno não liga."}, false)), http.StatusOK, "send")
	lead, _ := w.App.FindFirstRecordByData(crm.Contacts, crm.FieldEmail, "teo@x.example")
	if lead == nil {
		t.Fatal("no lead")
	}
	kase, err := w.App.FindFirstRecordByData(crm.Cases, crm.FieldContact, lead.Id)
	if err != nil {
		t.Fatal("no request:", err)
	}
	if kase.GetString("type") != w.ID("tpSup") || kase.GetString("description") != "O forno não liga." ||
		kase.GetString("subject") != "Fale conosco" || kase.GetString("channel") != "web" || kase.GetString("reference") == "" {
		t.Errorf("request: %v", kase.PublicExport())
	}
}

// Each field at fault is named in the 400, in the visitor's language, and
// nothing is saved.
func TestValidation(t *testing.T) {
	w := world(t)
	add := testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/fields", "manager", map[string]any{"collection": "contacts",
		"label": "Região", "labels": map[string]string{"en": "Region"}, "kind": "select", "options": []string{"Norte", "Sul"}}), http.StatusOK, "field")
	var field struct{ Name string }
	add.JSON(t, &field)
	form := makeForm(t, w, "", map[string]any{crm.FormFields: []map[string]any{{"key": "name", "required": true}, {"key": "email"},
		{"key": "phone"}, {"key": "message"}, {"key": field.Name, "required": true}}})
	contacts, entries := w.Count(t, crm.Contacts, ""), w.Count(t, crm.Activities, "")
	res := send(t, w, form, site, visit(map[string]any{"name": "", "email": "not-an-email", "phone": "call me",
		"message": strings.Repeat("x", 5001), field.Name: "Leste"}, true))
	if res.Status != http.StatusBadRequest {
		t.Fatalf("status %d: %s", res.Status, res.Body)
	}
	var got struct {
		Message string                              `json:"message"`
		Data    map[string]struct{ Message string } `json:"data"`
	}
	res.JSON(t, &got)
	want := map[string]string{"name": "Preencha este campo.", "email": "Informe um e-mail em que possamos falar com você.",
		"phone": "Informe um telefone", "message": "no máximo 5000", field.Name: "Confira este valor."}
	for k, msg := range want {
		if !strings.Contains(got.Data[k].Message, msg) {
			t.Errorf("field %s: %q, want %q", k, got.Data[k].Message, msg)
		}
	}
	if got.Message != "Confira os campos marcados abaixo." {
		t.Errorf("message %q", got.Message)
	}
	// A required custom field left empty; a value that is not text.
	res = send(t, w, form, site, visit(map[string]any{"name": map[string]any{"x": 1}, "email": "ok@x.example"}, false))
	res.JSON(t, &got)
	if res.Status != http.StatusBadRequest || got.Data["name"].Message == "" || got.Data[field.Name].Message != "Preencha este campo." {
		t.Errorf("status %d: %s", res.Status, res.Body)
	}
	// In English for an English visitor.
	res = send(t, w, form, site, map[string]any{"lang": "en", "values": map[string]any{"email": "x"}})
	res.JSON(t, &got)
	if got.Data["email"].Message != "Give an email address where we can reach you." {
		t.Errorf("english: %s", res.Body)
	}
	// Not JSON at all.
	raw, body := w.Request(t, http.MethodPost, "/api/crm/public/forms/"+form, "", strings.NewReader("{"), map[string]string{"Origin": site, "Content-Type": "application/json"})
	if raw.StatusCode != http.StatusBadRequest {
		t.Errorf("broken JSON: %d %s", raw.StatusCode, body)
	}
	if c, e := w.Count(t, crm.Contacts, ""), w.Count(t, crm.Activities, ""); c != contacts || e != entries || w.Count(t, crm.WebFormOptIns, "") != 0 {
		t.Errorf("saved after refusals: contacts %d→%d, entries %d→%d", contacts, c, entries, e)
	}
	// The right values go through, the custom field kept on the lead.
	testkit.Must(t, send(t, w, form, site, visit(map[string]any{"name": "Ivo", "email": "ivo@x.example", field.Name: "Sul"}, false)), http.StatusOK, "good")
	if ivo, _ := w.App.FindFirstRecordByData(crm.Contacts, crm.FieldEmail, "ivo@x.example"); ivo == nil || ivo.GetString(field.Name) != "Sul" {
		t.Errorf("the custom field is not kept")
	}
}

// A filled honeypot gets a person's answer, and nothing is saved.
func TestHoneypot(t *testing.T) {
	w := world(t)
	form := makeForm(t, w, "", nil)
	contacts := w.Count(t, crm.Contacts, "")
	body := visit(map[string]any{"name": "Bot", "email": "bot@spam.example"}, true)
	body["website"] = "http://spam.example"
	res := testkit.Must(t, send(t, w, form, site, body), http.StatusOK, "bot")
	contains(t, "the bot's answer", string(res.Body), "Obrigado, escreveremos em breve.")
	if n := w.Count(t, crm.Contacts, ""); n != contacts {
		t.Errorf("contacts %d → %d", contacts, n)
	}
	if w.Count(t, crm.WebFormOptIns, "") != 0 || len(mailsTo(t, w, "bot@spam.example")) != 0 {
		t.Error("the bot was asked to confirm")
	}
}

// Only a browser page of the form's sites or of this server may send it;
// a form turned off or unknown is closed.
func TestOrigins(t *testing.T) {
	w := world(t)
	form := makeForm(t, w, "", nil)
	good := visit(map[string]any{"name": "Ana", "email": "ana.o@x.example"}, false)
	for origin, status := range map[string]int{"": http.StatusForbidden, "https://evil.example": http.StatusForbidden,
		"null": http.StatusForbidden, "https://www.padaria.example.evil.example": http.StatusForbidden} {
		res := send(t, w, form, origin, good)
		if res.Status != status || (status == http.StatusForbidden && !strings.Contains(string(res.Body), `"origin"`)) {
			t.Errorf("origin %q: %d %s", origin, res.Status, res.Body)
		}
	}
	if w.Count(t, crm.Contacts, "email = 'ana.o@x.example'") != 0 {
		t.Fatal("saved from a refused origin")
	}
	testkit.Must(t, send(t, w, form, w.Srv.URL, good), http.StatusOK, "from the server's own page (the iframe)")
	testkit.Must(t, send(t, w, form, site, good), http.StatusOK, "from the bakery's site")
	testkit.Must(t, send(t, w, "nosuchform00000", site, good), http.StatusNotFound, "unknown form")
	off := makeForm(t, w, "", map[string]any{crm.FormActive: false})
	testkit.Must(t, send(t, w, off, site, good), http.StatusNotFound, "form turned off")

	// The page may be framed by the form's sites only (and this server).
	res, page := w.Request(t, http.MethodGet, "/forms/"+form+"?lang=pt-BR", "", nil, nil)
	csp := res.Header.Get("Content-Security-Policy")
	if res.StatusCode != http.StatusOK || !strings.Contains(csp, "frame-ancestors 'self' "+site) || strings.Contains(csp, "*") {
		t.Errorf("page: %d, CSP %q", res.StatusCode, csp)
	}
	contains(t, "the page", string(page), `lang="pt-BR"`, "Nome", "Quero receber as novidades da padaria por e-mail.", `name="website"`, "Enviar")
	res, page = w.Request(t, http.MethodGet, "/forms/"+form, "", nil, map[string]string{"Accept-Language": "en-GB,en;q=0.8"})
	contains(t, "the English page", string(page), `lang="en"`, "I want the bakery&#39;s news by email.", "Send")
	res, script := w.Request(t, http.MethodGet, "/forms/"+form+".js", "", nil, nil)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") {
		t.Errorf("script: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	contains(t, "the script", string(script), "/forms/"+form+"?lang=", "addEventListener('message'")
	if res, _ := w.Request(t, http.MethodGet, "/forms/"+off, "", nil, nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("the page of a form turned off: %d", res.StatusCode)
	}
	if res, _ := w.Request(t, http.MethodGet, "/forms/"+off+"?preview=1", "", nil, nil); res.StatusCode != http.StatusOK {
		t.Errorf("the preview of a form turned off: %d", res.StatusCode)
	}
}

// The form's door is limited per address: the sixth post in a minute is
// refused, whatever it holds.
func TestRateLimit(t *testing.T) {
	w := world(t, testkit.Configure(func(c *crm.Config) { c.RateLimits = true }))
	form := makeForm(t, w, "", nil)
	statuses := []int{}
	for i := 0; i < 6; i++ {
		statuses = append(statuses, send(t, w, form, site, visit(map[string]any{"name": "N", "email": "x"}, false)).Status)
	}
	want := []int{400, 400, 400, 400, 400, http.StatusTooManyRequests}
	if b, _ := json.Marshal(statuses); string(b) != "[400,400,400,400,400,429]" {
		t.Errorf("statuses %v, want %v", statuses, want)
	}
}

// A contact who has the email is the one the form is about: only what is
// empty on it is filled in.
func TestExistingContact(t *testing.T) {
	w := world(t)
	form := makeForm(t, w, "", nil)
	contacts := w.Count(t, crm.Contacts, "")
	testkit.Must(t, send(t, w, form, site, map[string]any{"lang": "en", "values": map[string]any{"name": "Somebody Else", "email": "XAVIER@x.test",
		"phone": "+55 11 5555-0000", "company": "Nova Empresa", "message": "Hi"}}), http.StatusOK, "Xavier")
	testkit.Must(t, send(t, w, form, site, visit(map[string]any{"name": "Ana Outra", "email": "ana@a.test", "company": "Outra"}, false)), http.StatusOK, "Ana")
	if n := w.Count(t, crm.Contacts, ""); n != contacts {
		t.Errorf("contacts %d → %d", contacts, n)
	}
	x := w.Reload(t, w.R("ctX"))
	if x.GetString("name") != "Xavier Nunes" || x.GetString("phone") != "+55 11 5555-0000" || x.GetString("language") != "pt-BR" ||
		x.GetString("stage") != "" || x.GetString("source") != "" || x.GetString("owner") != w.ID("agent2") {
		t.Errorf("Xavier: %v", x.PublicExport())
	}
	if c := w.Find(t, crm.Companies, x.GetString(crm.FieldCompany)); c.GetString("name") != "Nova Empresa" {
		t.Errorf("Xavier's company %q", c.GetString("name"))
	}
	if a := w.Reload(t, w.R("ctA")); a.GetString(crm.FieldCompany) != w.ID("coA") || a.GetString("name") != "Ana Souza" {
		t.Errorf("Ana changed: %v", a.PublicExport())
	}
	if w.Count(t, crm.Activities, "contact = {:c} AND event = {:e}", dbx.Params{"c": w.ID("ctX"), "e": crm.EventWebFormSent}) != 1 {
		t.Error("no entry on Xavier's timeline")
	}
}
