package portal_test

import (
	"net/http"
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/plugins/outbox"
)

// A customer who chose a password confirms it to ask for a new email; once
// the new email is confirmed the old address is told, in the customer's
// language.
func TestPortalEmailChangeGuards(t *testing.T) {
	w := portalWorld(t)
	// Without a password (code sign-in only), the session is enough.
	must(t, w.Do(t, http.MethodPost, "/api/collections/customers/request-email-change", "cuA", map[string]any{"newEmail": "ana.first@a.test"}), http.StatusNoContent, "code-only request")

	var auth struct {
		Token string `json:"token"`
	}
	must(t, w.Do(t, http.MethodPost, "/api/crm/portal/password", "cuA", map[string]any{"password": "ana-long-password", "passwordConfirm": "ana-long-password"}), http.StatusOK, "set password").JSON(t, &auth)
	ask := func(body map[string]any) (int, string) {
		res := w.Srv.Do(t, http.MethodPost, "/api/collections/customers/request-email-change", auth.Token, body)
		return res.Status, string(res.Body)
	}
	for _, body := range []map[string]any{
		{"newEmail": "thief@evil.test"},
		{"newEmail": "thief@evil.test", "password": "wrong-password"},
	} {
		if status, out := ask(body); status != http.StatusBadRequest || !strings.Contains(out, `"password"`) {
			t.Errorf("%v: %d %s, want 400 naming password", body, status, out)
		}
	}
	if mailFolderHas(t, w.Cfg.MailDir, "thief@evil.test") {
		t.Error("a refused request sent a confirmation mail")
	}
	if status, out := ask(map[string]any{"newEmail": "ana.new@a.test", "password": "ana-long-password"}); status != http.StatusNoContent {
		t.Fatalf("with the password: %d %s", status, out)
	}

	customer := w.Find(t, crm.Customers, w.ID("cuA"))
	oldEmail := customer.Email()
	token, err := customer.NewEmailChangeToken("ana.new@a.test")
	if err != nil {
		t.Fatal(err)
	}
	must(t, w.Srv.Do(t, http.MethodPost, "/api/crm/portal/confirm-email-change", auth.Token, map[string]any{"token": token}), http.StatusOK, "confirm")
	if _, err := outbox.Deliver(w.App, w.Clock.Now()); err != nil { // the notice goes through the outbox
		t.Fatal(err)
	}
	if !mailFolderHas(t, w.Cfg.MailDir, "ana.new@a.test. A partir de agora") && !mailFolderHas(t, w.Cfg.MailDir, "ana.new@a.test. From now on") {
		t.Errorf("the old address %s was not told of the change", oldEmail)
	}
}
