package portalauth_test

import (
	"io"
	"net/http"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"vinculo/crm"
	"vinculo/plugins/mailfolder"
	"vinculo/plugins/portalauth"
	"vinculo/testkit"
)

// setup is a test app with the mail folder and portal sign-in registered,
// no SMTP server, and a real HTTP server in front of it.
func setup(t *testing.T) (*tests.TestApp, *crm.Config, *testkit.Server) {
	t.Helper()
	app := testkit.NewApp(t)
	cfg := testkit.Config(t)
	app.Settings().SMTP.Enabled = false
	if err := app.Save(app.Settings()); err != nil {
		t.Fatal(err)
	}
	if err := mailfolder.Register(app, cfg); err != nil {
		t.Fatal(err)
	}
	if err := portalauth.Register(app, cfg); err != nil {
		t.Fatal(err)
	}
	return app, cfg, testkit.Serve(t, app)
}

func newRecord(t *testing.T, app core.App, collection string, fields map[string]any) *core.Record {
	t.Helper()
	c, err := app.FindCollectionByNameOrId(collection)
	if err != nil {
		t.Fatal(err)
	}
	r := core.NewRecord(c)
	for k, v := range fields {
		r.Set(k, v)
	}
	if c.IsAuth() && r.GetString("password") == "" {
		r.SetPassword("a-long-test-password")
	}
	if err := app.Save(r); err != nil {
		t.Fatalf("create %s: %v", collection, err)
	}
	return r
}

func count(t *testing.T, app core.App, collection string, where dbx.Expression) int64 {
	t.Helper()
	var exprs []dbx.Expression
	if where != nil {
		exprs = append(exprs, where)
	}
	n, err := app.CountRecords(collection, exprs...)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

type mailFile struct {
	path, to, subject, body string
}

func readMails(t *testing.T, dir string) []mailFile {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(paths)
	var out []mailFile
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		msg, err := mail.ReadMessage(f)
		if err != nil {
			f.Close()
			t.Fatalf("%s: %v", p, err)
		}
		body, _ := io.ReadAll(msg.Body)
		f.Close()
		to, err := msg.Header.AddressList("To")
		if err != nil || len(to) != 1 {
			t.Fatalf("%s: To %q: %v", p, msg.Header.Get("To"), err)
		}
		out = append(out, mailFile{path: p, to: to[0].Address, subject: msg.Header.Get("Subject"), body: string(body)})
	}
	return out
}

// waitFor polls cond until it holds. PocketBase sends the sign-in code in a
// background goroutine, so the test waits for its visible results; the
// deadline only guards against a hang and asserts nothing about speed.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var codePattern = regexp.MustCompile(`\b[0-9]{6}\b`)

// requestCode asks for a sign-in code for email and returns the otpId and
// the code read from the mail it produced (waiting until PocketBase has
// recorded the OTP as sent, so the background send is over).
func requestCode(t *testing.T, app core.App, cfg *crm.Config, srv *testkit.Server, email, sentTo string) (otpID, code string) {
	t.Helper()
	before := len(readMails(t, cfg.MailDir))
	res := srv.Do(t, http.MethodPost, "/api/collections/customers/request-otp", "", map[string]any{"email": email})
	if res.Status != http.StatusOK {
		t.Fatalf("request-otp %s: %d %s", email, res.Status, res.Body)
	}
	var out map[string]string
	res.JSON(t, &out)
	otpID = out["otpId"]
	waitFor(t, "the sign-in code mail", func() bool { return len(readMails(t, cfg.MailDir)) > before })
	waitFor(t, "the OTP to be marked as sent", func() bool {
		otp, err := app.FindOTPById(otpID)
		return err == nil && otp.SentTo() != ""
	})
	mails := readMails(t, cfg.MailDir)
	if len(mails) != before+1 {
		t.Fatalf("want exactly one new mail, got %d", len(mails)-before)
	}
	m := mails[len(mails)-1]
	if m.to != sentTo {
		t.Fatalf("code sent to %q, want %q", m.to, sentTo)
	}
	code = codePattern.FindString(m.body)
	if code == "" {
		t.Fatalf("no 6-digit code in the mail:\n%s", m.body)
	}
	return otpID, code
}

func TestRequestOTPCreatesThePortalAccountOnce(t *testing.T) {
	app, cfg, srv := setup(t)
	company := newRecord(t, app, crm.Companies, map[string]any{"name": "Padaria Pão Dourado Ltda."})
	contact := newRecord(t, app, crm.Contacts, map[string]any{
		"name": "João Conceição", "email": "joao@padaria.example", "company": company.Id, "language": "pt-BR",
	})

	// An email no contact has: same answer, nothing created, nothing sent.
	unknown := srv.Do(t, http.MethodPost, "/api/collections/customers/request-otp", "", map[string]any{"email": "nobody@nowhere.example"})

	otpID, _ := requestCode(t, app, cfg, srv, "joao@padaria.example", "joao@padaria.example")

	if unknown.Status != http.StatusOK {
		t.Fatalf("unknown email: status %d, want %d like a known one: %s", unknown.Status, http.StatusOK, unknown.Body)
	}
	var unknownBody map[string]any
	unknown.JSON(t, &unknownBody)
	fake, ok := unknownBody["otpId"].(string)
	if len(unknownBody) != 1 || !ok || len(fake) != len(otpID) {
		t.Fatalf("unknown email answer %s differs in shape from a known one {\"otpId\": %q}", unknown.Body, otpID)
	}

	if n := count(t, app, crm.Customers, nil); n != 1 {
		t.Fatalf("want exactly 1 customer, got %d", n)
	}
	customer, err := app.FindFirstRecordByData(crm.Customers, "contact", contact.Id)
	if err != nil {
		t.Fatalf("no customer linked to the contact: %v", err)
	}
	if customer.Email() != "joao@padaria.example" || customer.GetString(crm.FieldCompanyRole) != crm.CompanyMember ||
		customer.GetString("name") != "João Conceição" {
		t.Fatalf("customer = email %q role %q name %q", customer.Email(), customer.GetString(crm.FieldCompanyRole), customer.GetString("name"))
	}

	// Asking again sends a new code but makes no second account.
	otpID2, code2 := requestCode(t, app, cfg, srv, "joao@padaria.example", "joao@padaria.example")
	if n := count(t, app, crm.Customers, nil); n != 1 {
		t.Fatalf("asking again made a second account: %d customers", n)
	}
	if n := count(t, app, crm.Customers, dbx.HashExp{"contact": contact.Id}); n != 1 {
		t.Fatalf("want 1 account for the contact, got %d", n)
	}

	// Only the known address got mail.
	for _, m := range readMails(t, cfg.MailDir) {
		if m.to != "joao@padaria.example" {
			t.Fatalf("mail written to %q, an address that belongs to no contact", m.to)
		}
	}
	if n := len(readMails(t, cfg.MailDir)); n != 2 {
		t.Fatalf("want 2 mails (two codes asked for), got %d", n)
	}

	// A wrong code is refused; the right one signs the customer in.
	if res := srv.Do(t, http.MethodPost, "/api/collections/customers/auth-with-otp", "",
		map[string]any{"otpId": otpID2, "password": wrong(code2)}); res.Status != http.StatusBadRequest {
		t.Fatalf("wrong code: %d %s", res.Status, res.Body)
	}
	res := srv.Do(t, http.MethodPost, "/api/collections/customers/auth-with-otp", "", map[string]any{"otpId": otpID2, "password": code2})
	if res.Status != http.StatusOK {
		t.Fatalf("auth-with-otp: %d %s", res.Status, res.Body)
	}
	var auth struct {
		Token  string         `json:"token"`
		Record map[string]any `json:"record"`
	}
	res.JSON(t, &auth)
	if auth.Token == "" || auth.Record["id"] != customer.Id || auth.Record["collectionName"] != crm.Customers {
		t.Fatalf("auth answer: %s", res.Body)
	}
	// The token works: the customer reads their own contact.
	if r := srv.Do(t, http.MethodGet, "/api/collections/contacts/records/"+contact.Id, auth.Token, nil); r.Status != http.StatusOK {
		t.Fatalf("customer token cannot read own contact: %d %s", r.Status, r.Body)
	}

	// Nothing was ever created for the unknown address.
	if n := count(t, app, crm.Customers, dbx.HashExp{"email": "nobody@nowhere.example"}); n != 0 {
		t.Fatalf("an account was created for an unknown email")
	}
}

func TestRequestOTPMatchesEmailCaseInsensitively(t *testing.T) {
	app, cfg, srv := setup(t)
	contact := newRecord(t, app, crm.Contacts, map[string]any{"name": "Ana Luísa Gonçalves", "email": "ana@example.com"})

	requestCode(t, app, cfg, srv, "Ana@Example.COM", "ana@example.com")
	customer, err := app.FindFirstRecordByData(crm.Customers, "contact", contact.Id)
	if err != nil {
		t.Fatalf("no account for the contact: %v", err)
	}
	if customer.Email() != "ana@example.com" {
		t.Fatalf("account email %q", customer.Email())
	}
	requestCode(t, app, cfg, srv, "ANA@example.com", "ana@example.com")
	if n := count(t, app, crm.Customers, nil); n != 1 {
		t.Fatalf("want 1 customer, got %d", n)
	}
}

func wrong(code string) string {
	if strings.HasPrefix(code, "0") {
		return "1" + code[1:]
	}
	return "0" + code[1:]
}

func TestInvite(t *testing.T) {
	app, cfg, srv := setup(t)
	staff := map[string]*core.Record{}
	for _, role := range []string{crm.RoleManager, crm.RoleAgent, crm.RoleReadonly} {
		staff[role] = newRecord(t, app, crm.Staff, map[string]any{"name": role, "email": role + "@vinculo.example", "role": role})
	}
	first := newRecord(t, app, crm.Contacts, map[string]any{"name": "Marta Simões", "email": "Marta@Example.com"})
	second := newRecord(t, app, crm.Contacts, map[string]any{"name": "Caio Araújo", "email": "caio@example.com"})
	noEmail := newRecord(t, app, crm.Contacts, map[string]any{"name": "Sem Email"})
	other := newRecord(t, app, crm.Contacts, map[string]any{"name": "Other", "email": "other@example.com"})
	otherCustomer := newRecord(t, app, crm.Customers, map[string]any{
		"email": "other@example.com", "contact": other.Id, "company_role": crm.CompanyMember,
	})

	invite := func(contactID, token string) testkit.Response {
		return srv.Do(t, http.MethodPost, "/api/crm/contacts/"+contactID+"/invite", token, nil)
	}

	for role, contact := range map[string]*core.Record{crm.RoleManager: first, crm.RoleAgent: second} {
		before := len(readMails(t, cfg.MailDir))
		res := invite(contact.Id, testkit.Token(t, staff[role]))
		if res.Status != http.StatusOK {
			t.Fatalf("%s invites: %d %s", role, res.Status, res.Body)
		}
		customer, err := app.FindFirstRecordByData(crm.Customers, "contact", contact.Id)
		if err != nil {
			t.Fatalf("%s invited, but no account: %v", role, err)
		}
		email := strings.ToLower(contact.GetString("email"))
		if customer.Email() != email || customer.GetString(crm.FieldCompanyRole) != crm.CompanyMember {
			t.Fatalf("account email %q role %q", customer.Email(), customer.GetString(crm.FieldCompanyRole))
		}
		var out map[string]any
		res.JSON(t, &out)
		if out["customer"] != customer.Id || out["email"] != email {
			t.Fatalf("invite answer %s", res.Body)
		}
		mails := readMails(t, cfg.MailDir)
		if len(mails) != before+1 {
			t.Fatalf("%s invites: want 1 new mail, got %d", role, len(mails)-before)
		}
		m := mails[len(mails)-1]
		if m.to != email || !strings.Contains(m.body, cfg.PublicURL+"/portal/") || !strings.Contains(m.body, contact.GetString("name")) {
			t.Fatalf("invitation mail to %q:\n%s", m.to, m.body)
		}
	}

	// Inviting again reuses the account.
	if res := invite(first.Id, testkit.Token(t, staff[crm.RoleAgent])); res.Status != http.StatusOK {
		t.Fatalf("second invitation: %d %s", res.Status, res.Body)
	}
	if n := count(t, app, crm.Customers, dbx.HashExp{"contact": first.Id}); n != 1 {
		t.Fatalf("second invitation made %d accounts", n)
	}

	customersBefore := count(t, app, crm.Customers, nil)
	mailsBefore := len(readMails(t, cfg.MailDir))
	refused := []struct {
		name, token, contact string
		status               int
	}{
		{"readonly staff", testkit.Token(t, staff[crm.RoleReadonly]), noEmail.Id, http.StatusForbidden},
		{"readonly staff, contact with email", testkit.Token(t, staff[crm.RoleReadonly]), second.Id, http.StatusForbidden},
		{"customer", testkit.Token(t, otherCustomer), other.Id, http.StatusForbidden},
		{"anonymous", "", first.Id, http.StatusUnauthorized},
		{"unknown contact", testkit.Token(t, staff[crm.RoleManager]), "zzzzzzzzzzzzzzz", http.StatusNotFound},
	}
	for _, c := range refused {
		if res := invite(c.contact, c.token); res.Status != c.status {
			t.Fatalf("%s: %d, want %d: %s", c.name, res.Status, c.status, res.Body)
		}
	}

	res := invite(noEmail.Id, testkit.Token(t, staff[crm.RoleManager]))
	if res.Status != http.StatusBadRequest {
		t.Fatalf("contact without email: %d %s", res.Status, res.Body)
	}
	var body struct {
		Data map[string]struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"data"`
	}
	res.JSON(t, &body)
	if e, ok := body.Data["email"]; !ok || len(body.Data) != 1 || e.Code != "validation_required" || e.Message == "" {
		t.Fatalf("the 400 must name the field email with a code and a message: %s", res.Body)
	}

	if n := count(t, app, crm.Customers, nil); n != customersBefore {
		t.Fatalf("refused invitations created accounts: %d -> %d", customersBefore, n)
	}
	if n := len(readMails(t, cfg.MailDir)); n != mailsBefore {
		t.Fatalf("refused invitations wrote mail: %d -> %d", mailsBefore, n)
	}
}

// Moving a contact to another company makes their portal account a member
// there: a company admin's role does not travel with them.
func TestMovingAContactEndsTheirAdminRole(t *testing.T) {
	app, _, _ := setup(t)
	first := testkit.Save(t, app, crm.Companies, map[string]any{"name": "Padaria Pão Dourado"})
	second := testkit.Save(t, app, crm.Companies, map[string]any{"name": "Oficina Rota Sul"})
	contact := testkit.Save(t, app, crm.Contacts, map[string]any{"name": "Ana", "email": "ana@padaria.test", "company": first.Id})
	account := testkit.Save(t, app, crm.Customers, map[string]any{"email": "ana@padaria.test", "password": "a-long-test-password",
		"contact": contact.Id, "company_role": crm.CompanyAdmin})

	contact.Set("name", "Ana Luísa") // same company: the role stays
	if err := app.Save(contact); err != nil {
		t.Fatal(err)
	}
	if role := reload(t, app, account).GetString(crm.FieldCompanyRole); role != crm.CompanyAdmin {
		t.Fatalf("a rename changed the role to %s", role)
	}
	contact.Set("company", second.Id)
	if err := app.Save(contact); err != nil {
		t.Fatal(err)
	}
	if role := reload(t, app, account).GetString(crm.FieldCompanyRole); role != crm.CompanyMember {
		t.Errorf("after moving to another company the account is %s, want member", role)
	}
}

func reload(t *testing.T, app core.App, r *core.Record) *core.Record {
	t.Helper()
	fresh, err := app.FindRecordById(r.Collection().Name, r.Id)
	if err != nil {
		t.Fatal(err)
	}
	return fresh
}
