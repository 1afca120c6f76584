package portalauth_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/portalauth"
	"vinculo/testkit"
)

// signIn asks for a code for email (mailed to email) and signs in with it:
// the token and the account's id.
func signIn(t *testing.T, w *testkit.World, email string) (token, id string) {
	t.Helper()
	otpID, code := requestCode(t, w, email, email)
	res := w.Srv.Do(t, http.MethodPost, "/api/collections/customers/auth-with-otp", "", map[string]any{"otpId": otpID, "password": code})
	if res.Status != http.StatusOK {
		t.Fatalf("auth-with-otp %s: %d %s", email, res.Status, res.Body)
	}
	var auth struct {
		Token  string `json:"token"`
		Record struct {
			ID string `json:"id"`
		} `json:"record"`
	}
	res.JSON(t, &auth)
	return auth.Token, auth.Record.ID
}

// noCodeFor asks for a code for email and checks that nothing was mailed
// and that the otpId answered signs nobody in.
func noCodeFor(t *testing.T, w *testkit.World, email string) {
	t.Helper()
	before := len(readMails(t, w))
	res := w.Srv.Do(t, http.MethodPost, "/api/collections/customers/request-otp", "", map[string]any{"email": email})
	if res.Status != http.StatusOK {
		t.Fatalf("request-otp %s: %d %s", email, res.Status, res.Body)
	}
	var out map[string]string
	res.JSON(t, &out)
	if _, err := w.App.FindOTPById(out["otpId"]); err == nil {
		t.Fatalf("%s: a sign-in code was made", email)
	}
	if n := len(readMails(t, w)); n != before {
		t.Fatalf("%s: %d mails written, want none", email, n-before)
	}
}

// refused checks that token no longer signs anyone in.
func refused(t *testing.T, w *testkit.World, token, what string) {
	t.Helper()
	if res := w.Srv.Do(t, http.MethodPost, "/api/collections/customers/auth-refresh", token, nil); res.Status != http.StatusUnauthorized {
		t.Fatalf("%s: the old session still works: %d %s", what, res.Status, res.Body)
	}
}

// lastMailTo is the newest mail written to addr.
func lastMailTo(t *testing.T, w *testkit.World, addr string) (mailFile, bool) {
	t.Helper()
	mails := readMails(t, w)
	for i := len(mails) - 1; i >= 0; i-- {
		if mails[i].to == addr {
			return mails[i], true
		}
	}
	return mailFile{}, false
}

func staffWorld(t *testing.T) *testkit.World {
	t.Helper()
	w := authWorld(t)
	w.Make(t, "agent", crm.Staff, map[string]any{"name": "Agent", "email": "agent@vinculo.example", "role": crm.RoleAgent})
	w.Make(t, "manager", crm.Staff, map[string]any{"name": "Manager", "email": "manager@vinculo.example", "role": crm.RoleManager})
	w.Make(t, "readonly", crm.Staff, map[string]any{"name": "Readonly", "email": "readonly@vinculo.example", "role": crm.RoleReadonly})
	w.Make(t, "superuser", core.CollectionNameSuperusers, map[string]any{"email": "root@vinculo.example", "password": "a-long-root-password"})
	return w
}

// Staff change a contact's email: the portal account moves with it, its
// sessions end, the old address is told and signs nobody in any more.
func TestStaffEmailChangeMovesThePortalAccount(t *testing.T) {
	w := staffWorld(t)
	contact := w.Make(t, "contact", crm.Contacts, map[string]any{"name": "João Conceição", "email": "joao@old.example", "language": "pt-BR"})
	oldToken, account := signIn(t, w, "joao@old.example")

	res := w.Srv.Do(t, http.MethodPatch, "/api/collections/contacts/records/"+contact.Id, w.Token(t, "agent"), map[string]any{"email": "Joao@New.example"})
	if res.Status != http.StatusOK {
		t.Fatalf("agent changes the contact's email: %d %s", res.Status, res.Body)
	}
	moved := w.Find(t, crm.Customers, account)
	if moved.Email() != "joao@new.example" || moved.Verified() {
		t.Fatalf("account email %q verified %v, want the contact's new email, not yet confirmed", moved.Email(), moved.Verified())
	}
	refused(t, w, oldToken, "after the contact's email changed")

	notice, ok := lastMailTo(t, w, "joao@old.example")
	if !ok || notice.subject != "Seu acesso ao portal mudou" || !strings.Contains(notice.body, "joao@new.example") || !strings.Contains(notice.body, "fale com") {
		t.Fatalf("the old address was not told in Portuguese: %+v", notice)
	}
	noCodeFor(t, w, "joao@old.example")

	_, again := signIn(t, w, "joao@new.example")
	if again != account {
		t.Fatalf("the new address signed in to %s, want the contact's account %s", again, account)
	}
	if n := w.Count(t, crm.Customers, ""); n != 1 {
		t.Fatalf("%d portal accounts, want 1", n)
	}
}

// A change made by a hook or in Go (any save) moves the account too, and
// an English-speaking customer is told in English.
func TestAnySaveOfTheContactMovesTheAccount(t *testing.T) {
	w := staffWorld(t)
	contact := w.Make(t, "contact", crm.Contacts, map[string]any{"name": "Ana", "email": "ana@old.example", "language": "en"})
	account := w.Make(t, "account", crm.Customers, map[string]any{"email": "ana@old.example", "contact": contact.Id,
		"company_role": crm.CompanyMember, "language": "en", "password": "a-long-test-password"})
	w.Update(t, contact, map[string]any{"email": "ana@new.example"})
	if got := w.Reload(t, account); got.Email() != "ana@new.example" || got.TokenKey() == account.TokenKey() {
		t.Fatalf("account email %q (token key renewed: %v)", got.Email(), got.TokenKey() != account.TokenKey())
	}
	notice, ok := lastMailTo(t, w, "ana@old.example")
	if !ok || notice.subject != "Your portal sign-in changed" || !strings.Contains(notice.body, "ana@new.example") {
		t.Fatalf("the old address was not told in English: %+v", notice)
	}
}

// An email another portal account signs in with is refused, naming the
// field; nothing changes.
func TestContactEmailOfAnotherAccountIsRefused(t *testing.T) {
	w := staffWorld(t)
	ana := w.Make(t, "ana", crm.Contacts, map[string]any{"name": "Ana", "email": "ana@example.com"})
	bia := w.Make(t, "bia", crm.Contacts, map[string]any{"name": "Bia", "email": "bia@example.com"})
	anaAccount := w.Make(t, "anaAccount", crm.Customers, map[string]any{"email": "ana@example.com", "contact": ana.Id, "company_role": crm.CompanyMember})
	w.Make(t, "biaAccount", crm.Customers, map[string]any{"email": "bia@example.com", "contact": bia.Id, "company_role": crm.CompanyMember})
	mails := len(readMails(t, w))

	res := w.Srv.Do(t, http.MethodPatch, "/api/collections/contacts/records/"+ana.Id, w.Token(t, "manager"), map[string]any{"email": "bia@example.com"})
	if res.Status != http.StatusBadRequest {
		t.Fatalf("taking another account's email: %d %s", res.Status, res.Body)
	}
	var body struct {
		Data map[string]struct {
			Code string `json:"code"`
		} `json:"data"`
	}
	res.JSON(t, &body)
	if _, ok := body.Data["email"]; !ok {
		t.Fatalf("the 400 does not name email: %s", res.Body)
	}
	if got := w.Reload(t, ana).GetString(crm.FieldEmail); got != "ana@example.com" {
		t.Fatalf("the contact's email changed to %q", got)
	}
	if got := w.Reload(t, anaAccount).Email(); got != "ana@example.com" {
		t.Fatalf("the account's email changed to %q", got)
	}
	if n := len(readMails(t, w)); n != mails {
		t.Fatalf("a refused change wrote %d mails", n-mails)
	}
}

// A contact whose email is cleared leaves its account without one: its
// sessions end and the old address can no longer sign in.
func TestClearedContactEmailLeavesTheAccountWithoutOne(t *testing.T) {
	w := staffWorld(t)
	contact := w.Make(t, "contact", crm.Contacts, map[string]any{"name": "Caio", "email": "caio@example.com", "language": "en"})
	oldToken, account := signIn(t, w, "caio@example.com")

	res := w.Srv.Do(t, http.MethodPatch, "/api/collections/contacts/records/"+contact.Id, w.Token(t, "agent"), map[string]any{"email": ""})
	if res.Status != http.StatusOK {
		t.Fatalf("clearing the contact's email: %d %s", res.Status, res.Body)
	}
	if got := w.Find(t, crm.Customers, account).Email(); got != "" {
		t.Fatalf("account email %q, want none", got)
	}
	refused(t, w, oldToken, "after the contact's email was cleared")
	if _, ok := lastMailTo(t, w, "caio@example.com"); !ok {
		t.Fatal("the old address was not told")
	}
	noCodeFor(t, w, "caio@example.com")

	// An address again: the same account takes it.
	w.Update(t, w.Reload(t, contact), map[string]any{"email": "caio@new.example"})
	if _, again := signIn(t, w, "caio@new.example"); again != account {
		t.Fatalf("signed in to %s, want %s", again, account)
	}
}

// Imports and merges write contacts without saving them one by one:
// Reconcile brings every account to its contact's email.
func TestReconcileAfterAWriteWithoutHooks(t *testing.T) {
	w := staffWorld(t)
	contact := w.Make(t, "contact", crm.Contacts, map[string]any{"name": "Eva", "email": "eva@example.com"})
	oldToken, account := signIn(t, w, "eva@example.com")
	if _, err := w.App.DB().NewQuery("UPDATE contacts SET email = 'eva@new.example' WHERE id = {:id}").
		Bind(map[string]any{"id": contact.Id}).Execute(); err != nil {
		t.Fatal(err)
	}
	if err := portalauth.Reconcile(w.App, w.Cfg); err != nil {
		t.Fatal(err)
	}
	if got := w.Find(t, crm.Customers, account).Email(); got != "eva@new.example" {
		t.Fatalf("account email %q after Reconcile", got)
	}
	refused(t, w, oldToken, "after Reconcile")
	if _, ok := lastMailTo(t, w, "eva@example.com"); !ok {
		t.Fatal("the old address was not told")
	}
	// A code asked for the new address goes there, to the same account.
	if _, again := signIn(t, w, "eva@new.example"); again != account {
		t.Fatalf("signed in to %s, want %s", again, account)
	}
}
