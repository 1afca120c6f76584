package portalauth_test

import (
	"io"
	"net/http"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/mailfolder"
	"vinculo/plugins/outbox"
	"vinculo/plugins/portalauth"
	"vinculo/testkit"
)

// authWorld is an app with the mail folder and portal sign-in registered,
// no SMTP server, and a real HTTP server in front of it.
func authWorld(t *testing.T) *testkit.World {
	t.Helper()
	return testkit.NewWorld(t,
		testkit.Plugins(mailfolder.Register, outbox.Register, portalauth.Register), // mail to customers goes through the outbox
		testkit.Then(func(w *testkit.World) error {
			w.App.Settings().SMTP.Enabled = false
			return w.App.Save(w.App.Settings())
		}),
		testkit.Served(),
	)
}

type mailFile struct {
	to, subject, body string
}

// readMails are the mails in the world's mail folder, oldest first.
func readMails(t *testing.T, w *testkit.World) []mailFile {
	t.Helper()
	var out []mailFile
	for i, raw := range w.Mails(t) {
		msg, err := mail.ReadMessage(strings.NewReader(raw))
		if err != nil {
			t.Fatalf("mail %d: %v", i, err)
		}
		body, _ := io.ReadAll(msg.Body)
		to, err := msg.Header.AddressList("To")
		if err != nil || len(to) != 1 {
			t.Fatalf("mail %d: To %q: %v", i, msg.Header.Get("To"), err)
		}
		out = append(out, mailFile{to: to[0].Address, subject: msg.Header.Get("Subject"), body: string(body)})
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
func requestCode(t *testing.T, w *testkit.World, email, sentTo string) (otpID, code string) {
	t.Helper()
	before := len(readMails(t, w))
	res := w.Do(t, http.MethodPost, "/api/collections/customers/request-otp", "", map[string]any{"email": email})
	if res.Status != http.StatusOK {
		t.Fatalf("request-otp %s: %d %s", email, res.Status, res.Body)
	}
	var out map[string]string
	res.JSON(t, &out)
	otpID = out["otpId"]
	waitFor(t, "the sign-in code mail", func() bool { return len(readMails(t, w)) > before })
	waitFor(t, "the OTP to be marked as sent", func() bool {
		otp, err := w.App.FindOTPById(otpID)
		return err == nil && otp.SentTo() != ""
	})
	mails := readMails(t, w)
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
	w := authWorld(t)
	company := w.Make(t, "company", crm.Companies, map[string]any{"name": "Padaria Pão Dourado Ltda."})
	contact := w.Make(t, "contact", crm.Contacts, map[string]any{
		"name": "João Conceição", "email": "joao@padaria.example", "company": company.Id, "language": "pt-BR",
	})

	// An email no contact has: same answer, nothing created, nothing sent.
	unknown := w.Srv.Do(t, http.MethodPost, "/api/collections/customers/request-otp", "", map[string]any{"email": "nobody@nowhere.example"})

	otpID, _ := requestCode(t, w, "joao@padaria.example", "joao@padaria.example")

	if unknown.Status != http.StatusOK {
		t.Fatalf("unknown email: status %d, want %d like a known one: %s", unknown.Status, http.StatusOK, unknown.Body)
	}
	var unknownBody map[string]any
	unknown.JSON(t, &unknownBody)
	fake, ok := unknownBody["otpId"].(string)
	if len(unknownBody) != 1 || !ok || len(fake) != len(otpID) {
		t.Fatalf("unknown email answer %s differs in shape from a known one {\"otpId\": %q}", unknown.Body, otpID)
	}

	if n := w.Count(t, crm.Customers, ""); n != 1 {
		t.Fatalf("want exactly 1 customer, got %d", n)
	}
	customer, err := w.App.FindFirstRecordByData(crm.Customers, "contact", contact.Id)
	if err != nil {
		t.Fatalf("no customer linked to the contact: %v", err)
	}
	if customer.Email() != "joao@padaria.example" || customer.GetString(crm.FieldCompanyRole) != crm.CompanyMember ||
		customer.GetString("name") != "João Conceição" {
		t.Fatalf("customer = email %q role %q name %q", customer.Email(), customer.GetString(crm.FieldCompanyRole), customer.GetString("name"))
	}

	// Asking again sends a new code but makes no second account.
	otpID2, code2 := requestCode(t, w, "joao@padaria.example", "joao@padaria.example")
	if n := w.Count(t, crm.Customers, ""); n != 1 {
		t.Fatalf("asking again made a second account: %d customers", n)
	}
	if n := w.Count(t, crm.Customers, "contact = {:c}", dbx.Params{"c": contact.Id}); n != 1 {
		t.Fatalf("want 1 account for the contact, got %d", n)
	}

	// Only the known address got mail.
	for _, m := range readMails(t, w) {
		if m.to != "joao@padaria.example" {
			t.Fatalf("mail written to %q, an address that belongs to no contact", m.to)
		}
	}
	if n := len(readMails(t, w)); n != 2 {
		t.Fatalf("want 2 mails (two codes asked for), got %d", n)
	}

	// A wrong code is refused; the right one signs the customer in.
	if res := w.Srv.Do(t, http.MethodPost, "/api/collections/customers/auth-with-otp", "",
		map[string]any{"otpId": otpID2, "password": wrong(code2)}); res.Status != http.StatusBadRequest {
		t.Fatalf("wrong code: %d %s", res.Status, res.Body)
	}
	res := w.Srv.Do(t, http.MethodPost, "/api/collections/customers/auth-with-otp", "", map[string]any{"otpId": otpID2, "password": code2})
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
	if r := w.Srv.Do(t, http.MethodGet, "/api/collections/contacts/records/"+contact.Id, auth.Token, nil); r.Status != http.StatusOK {
		t.Fatalf("customer token cannot read own contact: %d %s", r.Status, r.Body)
	}

	// Nothing was ever created for the unknown address.
	if n := w.Count(t, crm.Customers, "email = {:e}", dbx.Params{"e": "nobody@nowhere.example"}); n != 0 {
		t.Fatalf("an account was created for an unknown email")
	}
}

func TestRequestOTPMatchesEmailCaseInsensitively(t *testing.T) {
	w := authWorld(t)
	contact := w.Make(t, "contact", crm.Contacts, map[string]any{"name": "Ana Luísa Gonçalves", "email": "ana@example.com"})

	requestCode(t, w, "Ana@Example.COM", "ana@example.com")
	customer, err := w.App.FindFirstRecordByData(crm.Customers, "contact", contact.Id)
	if err != nil {
		t.Fatalf("no account for the contact: %v", err)
	}
	if customer.Email() != "ana@example.com" {
		t.Fatalf("account email %q", customer.Email())
	}
	requestCode(t, w, "ANA@example.com", "ana@example.com")
	if n := w.Count(t, crm.Customers, ""); n != 1 {
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
	w := authWorld(t)
	for _, role := range []string{crm.RoleManager, crm.RoleAgent, crm.RoleReadonly} {
		w.Make(t, role, crm.Staff, map[string]any{"name": role, "email": role + "@vinculo.example", "role": role})
	}
	first := w.Make(t, "first", crm.Contacts, map[string]any{"name": "Marta Simões", "email": "Marta@Example.com"})
	second := w.Make(t, "second", crm.Contacts, map[string]any{"name": "Caio Araújo", "email": "caio@example.com"})
	noEmail := w.Make(t, "noEmail", crm.Contacts, map[string]any{"name": "Sem Email"})
	other := w.Make(t, "other", crm.Contacts, map[string]any{"name": "Other", "email": "other@example.com"})
	w.Make(t, "otherCustomer", crm.Customers, map[string]any{
		"email": "other@example.com", "contact": other.Id, "company_role": crm.CompanyMember,
	})

	invite := func(contactID, token string) testkit.Response {
		return w.Srv.Do(t, http.MethodPost, "/api/crm/contacts/"+contactID+"/invite", token, nil)
	}

	for role, contact := range map[string]*core.Record{crm.RoleManager: first, crm.RoleAgent: second} {
		before := len(readMails(t, w))
		res := invite(contact.Id, w.Token(t, role))
		if res.Status != http.StatusOK {
			t.Fatalf("%s invites: %d %s", role, res.Status, res.Body)
		}
		customer, err := w.App.FindFirstRecordByData(crm.Customers, "contact", contact.Id)
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
		mails := readMails(t, w)
		if len(mails) != before+1 {
			t.Fatalf("%s invites: want 1 new mail, got %d", role, len(mails)-before)
		}
		m := mails[len(mails)-1]
		if m.to != email || !strings.Contains(m.body, w.Cfg.PublicURL+"/portal/") || !strings.Contains(m.body, contact.GetString("name")) {
			t.Fatalf("invitation mail to %q:\n%s", m.to, m.body)
		}
	}

	// Inviting again reuses the account.
	if res := invite(first.Id, w.Token(t, crm.RoleAgent)); res.Status != http.StatusOK {
		t.Fatalf("second invitation: %d %s", res.Status, res.Body)
	}
	if n := w.Count(t, crm.Customers, "contact = {:c}", dbx.Params{"c": first.Id}); n != 1 {
		t.Fatalf("second invitation made %d accounts", n)
	}

	customersBefore := w.Count(t, crm.Customers, "")
	mailsBefore := len(readMails(t, w))
	refused := []struct {
		name, token, contact string
		status               int
	}{
		{"readonly staff", w.Token(t, crm.RoleReadonly), noEmail.Id, http.StatusForbidden},
		{"readonly staff, contact with email", w.Token(t, crm.RoleReadonly), second.Id, http.StatusForbidden},
		{"customer", w.Token(t, "otherCustomer"), other.Id, http.StatusForbidden},
		{"anonymous", "", first.Id, http.StatusUnauthorized},
		{"unknown contact", w.Token(t, crm.RoleManager), "zzzzzzzzzzzzzzz", http.StatusNotFound},
	}
	for _, c := range refused {
		if res := invite(c.contact, c.token); res.Status != c.status {
			t.Fatalf("%s: %d, want %d: %s", c.name, res.Status, c.status, res.Body)
		}
	}

	res := invite(noEmail.Id, w.Token(t, crm.RoleManager))
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

	if n := w.Count(t, crm.Customers, ""); n != customersBefore {
		t.Fatalf("refused invitations created accounts: %d -> %d", customersBefore, n)
	}
	if n := len(readMails(t, w)); n != mailsBefore {
		t.Fatalf("refused invitations wrote mail: %d -> %d", mailsBefore, n)
	}
}

// Moving a contact to another company makes their portal account a member
// there: a company admin's role does not travel with them.
func TestMovingAContactEndsTheirAdminRole(t *testing.T) {
	w := authWorld(t)
	first := w.Make(t, "first", crm.Companies, map[string]any{"name": "Padaria Pão Dourado"})
	second := w.Make(t, "second", crm.Companies, map[string]any{"name": "Oficina Rota Sul"})
	contact := w.Make(t, "contact", crm.Contacts, map[string]any{"name": "Ana", "email": "ana@padaria.test", "company": first.Id})
	account := w.Make(t, "account", crm.Customers, map[string]any{"email": "ana@padaria.test", "password": "a-long-test-password",
		"contact": contact.Id, "company_role": crm.CompanyAdmin})

	contact.Set("name", "Ana Luísa") // same company: the role stays
	if err := w.App.Save(contact); err != nil {
		t.Fatal(err)
	}
	if role := w.Reload(t, account).GetString(crm.FieldCompanyRole); role != crm.CompanyAdmin {
		t.Fatalf("a rename changed the role to %s", role)
	}
	contact.Set("company", second.Id)
	if err := w.App.Save(contact); err != nil {
		t.Fatal(err)
	}
	if role := w.Reload(t, account).GetString(crm.FieldCompanyRole); role != crm.CompanyMember {
		t.Errorf("after moving to another company the account is %s, want member", role)
	}
}

// "The oldest contact with this email" is the first created, whatever the
// order of the ids; at the same moment, the lowest id. A sign-in code makes
// the portal account of that contact.
func TestOldestContactWithEmail(t *testing.T) {
	w := authWorld(t)
	morning := testkit.Wall(t, "2026-11-24 09:00")
	// The older contact has the higher id, and is saved second.
	w.MakeCreated(t, "newer", crm.Contacts, "aaaaaaaaaaaaaaa", morning.Add(time.Hour), map[string]any{"name": "Newer", "email": "same@example.com"})
	w.MakeCreated(t, "older", crm.Contacts, "zzzzzzzzzzzzzzz", morning, map[string]any{"name": "Older", "email": "same@example.com"})
	// Created together: the lower id comes first.
	w.MakeCreated(t, "tieHigh", crm.Contacts, "yyyyyyyyyyyyyyy", morning, map[string]any{"name": "Tie high", "email": "tie@example.com"})
	w.MakeCreated(t, "tieLow", crm.Contacts, "bbbbbbbbbbbbbbb", morning, map[string]any{"name": "Tie low", "email": "tie@example.com"})

	for email, want := range map[string]string{"same@example.com": "older", "tie@example.com": "tieLow", "nobody@example.com": ""} {
		got, err := portalauth.OldestContactWithEmail(w.App, email)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case want == "" && got != nil:
			t.Errorf("%s: found %s, want none", email, got.Id)
		case want != "" && (got == nil || got.Id != w.ID(want)):
			t.Errorf("%s: found %v, want %s (%s)", email, got, want, w.ID(want))
		}
	}

	requestCode(t, w, "same@example.com", "same@example.com")
	account, err := w.App.FindFirstRecordByData(crm.Customers, "email", "same@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if account.GetString(crm.FieldContact) != w.ID("older") || account.GetString("name") != "Older" {
		t.Errorf("the sign-in made the account of contact %s, want the older %s", account.GetString(crm.FieldContact), w.ID("older"))
	}
}
