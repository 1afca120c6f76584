package portalauth_test

import (
	"net/http"
	"testing"

	"vinculo/crm"
	"vinculo/testkit"
)

// customerPassword is the password testkit gives every auth record it makes.
const customerPassword = "a-long-test-password"

// customerWithPassword is a contact with a portal account whose password
// the customer chose.
func customerWithPassword(t *testing.T, w *testkit.World) {
	t.Helper()
	contact := w.Make(t, "contact", crm.Contacts, map[string]any{"name": "Ana", "email": "ana@example.com"})
	w.Make(t, "customer", crm.Customers, map[string]any{"email": "ana@example.com", "contact": contact.Id, "company_role": crm.CompanyMember,
		"has_password": true})
}

func passwordSignIn(t *testing.T, w *testkit.World, email, password string) testkit.Response {
	t.Helper()
	return w.Srv.Do(t, http.MethodPost, "/api/collections/customers/auth-with-password", "", map[string]any{"identity": email, "password": password})
}

// names checks a 400 that names field.
func names(t *testing.T, res testkit.Response, field, what string) {
	t.Helper()
	if res.Status != http.StatusBadRequest {
		t.Fatalf("%s: status %d, want 400: %s", what, res.Status, res.Body)
	}
	var body struct {
		Data map[string]any `json:"data"`
	}
	res.JSON(t, &body)
	if _, ok := body.Data[field]; !ok {
		t.Fatalf("%s: the 400 does not name %s: %s", what, field, res.Body)
	}
}

// Nobody but the customer sets their password, email, verification or
// token key through the customers record API: managers, agents and
// superusers get a 400 naming the field, and nothing changes.
func TestStaffCannotTakeOverAPortalAccount(t *testing.T) {
	w := staffWorld(t)
	customerWithPassword(t, w)
	other := w.Make(t, "other", crm.Contacts, map[string]any{"name": "Other", "email": "other@example.com"})
	before := w.R("customer")
	path := "/api/collections/customers/records/" + before.Id
	changes := []struct {
		field string
		body  map[string]any
	}{
		{"password", map[string]any{"password": "set-by-staff-123", "passwordConfirm": "set-by-staff-123"}},
		{"password", map[string]any{"password": "set-by-staff-123", "passwordConfirm": "set-by-staff-123", "oldPassword": "x"}},
		{"passwordConfirm", map[string]any{"passwordConfirm": "set-by-staff-123"}},
		{"email", map[string]any{"email": "attacker@evil.example"}},
		{"verified", map[string]any{"verified": false}},
		{"tokenKey", map[string]any{"tokenKey": "a-token-key-chosen-by-staff-0123456789"}},
		{"contact", map[string]any{"contact": other.Id}},
	}
	for _, who := range []string{"agent", "manager", "superuser"} {
		for _, c := range changes {
			names(t, w.Srv.Do(t, http.MethodPatch, path, w.Token(t, who), c.body), c.field, who+" sets "+c.field)
			after := w.Reload(t, before)
			if after.Email() != before.Email() || after.TokenKey() != before.TokenKey() || !after.Verified() ||
				after.GetString(crm.FieldContact) != before.GetString(crm.FieldContact) || !after.ValidatePassword(customerPassword) {
				t.Fatalf("%s sets %s: the account changed: email %q verified %v token key same %v contact same %v password %v", who, c.field,
					after.Email(), after.Verified(), after.TokenKey() == before.TokenKey(), after.GetString(crm.FieldContact) == before.GetString(crm.FieldContact),
					after.ValidatePassword(customerPassword))
			}
		}
	}
	if res := passwordSignIn(t, w, "ana@example.com", customerPassword); res.Status != http.StatusOK {
		t.Fatalf("the customer's own password no longer signs in: %d %s", res.Status, res.Body)
	}
	if res := passwordSignIn(t, w, "ana@example.com", "set-by-staff-123"); res.Status == http.StatusOK {
		t.Fatal("a password staff chose signs in")
	}

	// What staff may change, they still may; a form sending the stored
	// email and verification back changes nothing and passes.
	res := w.Srv.Do(t, http.MethodPatch, path, w.Token(t, "agent"), map[string]any{"name": "Ana Luísa", "company_role": crm.CompanyAdmin,
		"email": "ana@example.com", "verified": true})
	if res.Status != http.StatusOK {
		t.Fatalf("agent renames the account: %d %s", res.Status, res.Body)
	}

	// The customer still sets their own password, with the old one.
	w.SetToken("ana", testkit.Token(t, w.Reload(t, before)))
	res = w.Srv.Do(t, http.MethodPatch, path, w.Token(t, "ana"), map[string]any{"password": "a-new-own-password",
		"passwordConfirm": "a-new-own-password", "oldPassword": customerPassword})
	if res.Status != http.StatusOK {
		t.Fatalf("the customer changes their own password: %d %s", res.Status, res.Body)
	}
}

// An account made through the record API is an invitation without the
// mail: no password from staff, not verified, the contact's email.
func TestStaffCreateAnAccountWithoutPassword(t *testing.T) {
	w := staffWorld(t)
	contact := w.Make(t, "contact", crm.Contacts, map[string]any{"name": "Bia", "email": "Bia@Example.com"})
	noEmail := w.Make(t, "noEmail", crm.Contacts, map[string]any{"name": "Sem Email"})
	create := func(who string, body map[string]any) testkit.Response {
		return w.Srv.Do(t, http.MethodPost, "/api/collections/customers/records", w.Token(t, who), body)
	}
	base := func(extra map[string]any) map[string]any {
		body := map[string]any{"contact": contact.Id, "company_role": crm.CompanyMember}
		for k, v := range extra {
			body[k] = v
		}
		return body
	}
	for _, who := range []string{"agent", "superuser"} {
		names(t, create(who, base(map[string]any{"email": "bia@example.com", "password": "set-by-staff-123", "passwordConfirm": "set-by-staff-123"})),
			"password", who+" creates with a password")
		names(t, create(who, base(map[string]any{"verified": true})), "verified", who+" creates verified")
		names(t, create(who, base(map[string]any{"email": "attacker@evil.example"})), "email", who+" creates with another email")
		names(t, create(who, map[string]any{"contact": noEmail.Id, "company_role": crm.CompanyMember}), "email", who+" creates for a contact with no email")
	}
	if n := w.Count(t, crm.Customers, ""); n != 0 {
		t.Fatalf("refused creates made %d accounts", n)
	}
	res := create("agent", base(nil))
	if res.Status != http.StatusOK {
		t.Fatalf("agent creates an account: %d %s", res.Status, res.Body)
	}
	var out struct {
		ID string `json:"id"`
	}
	res.JSON(t, &out)
	account := w.Find(t, crm.Customers, out.ID)
	if account.Email() != "bia@example.com" || account.Verified() || account.GetBool("has_password") {
		t.Fatalf("account email %q verified %v has_password %v", account.Email(), account.Verified(), account.GetBool("has_password"))
	}
}

// Staff who may write block, unblock and sign a customer out everywhere;
// a blocked account gets no code and cannot sign in.
func TestBlockUnblockAndSignOut(t *testing.T) {
	w := staffWorld(t)
	customerWithPassword(t, w)
	id := w.ID("customer")
	session := testkit.Token(t, w.R("customer"))
	post := func(action, who string) testkit.Response {
		return w.Srv.Do(t, http.MethodPost, "/api/crm/customers/"+id+"/"+action, w.Token(t, who), nil)
	}
	w.SetToken("self", session)
	for _, action := range []string{"block", "unblock", "sign-out"} {
		for who, want := range map[string]int{"": http.StatusUnauthorized, "readonly": http.StatusForbidden, "self": http.StatusForbidden} {
			if res := post(action, who); res.Status != want {
				t.Fatalf("%q %s: %d, want %d: %s", who, action, res.Status, want, res.Body)
			}
		}
		if res := w.Srv.Do(t, http.MethodPost, "/api/crm/customers/zzzzzzzzzzzzzzz/"+action, w.Token(t, "agent"), nil); res.Status != http.StatusNotFound {
			t.Fatalf("%s an unknown account: %d", action, res.Status)
		}
	}
	// Nobody sets blocked through the record API.
	for _, who := range []string{"agent", "self"} {
		res := w.Srv.Do(t, http.MethodPatch, "/api/collections/customers/records/"+id, w.Token(t, who), map[string]any{"blocked": true})
		if res.Status < 400 || w.Find(t, crm.Customers, id).GetBool("blocked") {
			t.Fatalf("%s set blocked through the record API: %d", who, res.Status)
		}
	}

	if res := post("block", "agent"); res.Status != http.StatusOK {
		t.Fatalf("agent blocks: %d %s", res.Status, res.Body)
	}
	refused(t, w, session, "blocked")
	noCodeFor(t, w, "ana@example.com")
	if res := passwordSignIn(t, w, "ana@example.com", customerPassword); res.Status != http.StatusBadRequest && res.Status != http.StatusForbidden {
		t.Fatalf("a blocked account signs in with its password: %d %s", res.Status, res.Body)
	}

	if res := post("unblock", "manager"); res.Status != http.StatusOK {
		t.Fatalf("manager unblocks: %d %s", res.Status, res.Body)
	}
	res := passwordSignIn(t, w, "ana@example.com", customerPassword)
	if res.Status != http.StatusOK {
		t.Fatalf("unblocked, the password signs in again: %d %s", res.Status, res.Body)
	}
	var auth struct {
		Token string `json:"token"`
	}
	res.JSON(t, &auth)
	requestCode(t, w, "ana@example.com", "ana@example.com")

	if res := post("sign-out", "agent"); res.Status != http.StatusNoContent {
		t.Fatalf("agent signs the customer out: %d %s", res.Status, res.Body)
	}
	refused(t, w, auth.Token, "signed out by staff")
	if w.Find(t, crm.Customers, id).GetBool("blocked") {
		t.Fatal("signing out blocked the account")
	}
}
