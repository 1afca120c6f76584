package portal_test

import (
	"net/http"
	"net/mail"
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/plugins/outbox"
	"vinculo/testkit"
)

// mailWorld is portalWorld with mail kept in the mail folder.
func mailWorld(t *testing.T) *testkit.World {
	t.Helper()
	w := portalWorld(t)
	// The notices go through the outbox: delivered in the background here,
	// and w.Mails waits for it.
	if err := outbox.Configure(w.App, outbox.Options{Now: w.Clock.Now}); err != nil {
		t.Fatal(err)
	}
	w.App.Settings().SMTP.Enabled = false
	if err := w.App.Save(w.App.Settings()); err != nil {
		t.Fatal(err)
	}
	return w
}

// mailsTo are the raw mails written to addr.
func mailsTo(t *testing.T, w *testkit.World, addr string) []string {
	t.Helper()
	var out []string
	for _, m := range w.Mails(t) {
		msg, err := mail.ReadMessage(strings.NewReader(m))
		if err != nil {
			t.Fatal(err)
		}
		if to, err := msg.Header.AddressList("To"); err == nil && len(to) == 1 && to[0].Address == addr {
			out = append(out, m)
		}
	}
	return out
}

// Staff change a customer's contact email: the portal session the customer
// had is over, and the account now signs in with the new address.
func TestStaffEmailChangeEndsPortalSessions(t *testing.T) {
	w := mailWorld(t)
	must(t, w.Do(t, http.MethodGet, "/api/crm/portal/me", "cuA", nil), http.StatusOK, "me before")

	must(t, w.Do(t, http.MethodPatch, "/api/collections/contacts/records/"+w.ID("ctA"), "staff", map[string]any{"email": "ana@new.test"}),
		http.StatusOK, "staff change the contact's email")

	must(t, w.Do(t, http.MethodGet, "/api/crm/portal/me", "cuA", nil), http.StatusUnauthorized, "me with the old token")
	if got := w.Reload(t, w.R("cuA")).Email(); got != "ana@new.test" {
		t.Fatalf("account email %q, want the contact's new one", got)
	}
	if got := mailsTo(t, w, "ana@a.test"); len(got) != 1 || !strings.Contains(got[0], "ana@new.test") {
		t.Fatalf("the old address got %d mails, want the one notice naming the new address", len(got))
	}
}

// The customer's own confirmed email change moves the contact; nothing
// follows back: the account keeps the new address, and the only mail is
// the portal's own notice to the old address.
func TestAccountsOwnEmailChangeDoesNotLoop(t *testing.T) {
	w := mailWorld(t)
	token, err := w.R("cuA").NewEmailChangeToken("ana@mine.test")
	if err != nil {
		t.Fatal(err)
	}
	must(t, w.Do(t, http.MethodPost, "/api/crm/portal/confirm-email-change", "cuA", map[string]any{"token": token}),
		http.StatusOK, "confirm the email change")
	if got := w.Reload(t, w.R("ctA")).GetString(crm.FieldEmail); got != "ana@mine.test" {
		t.Fatalf("contact email %q, want the account's new one", got)
	}
	account := w.Reload(t, w.R("cuA"))
	if account.Email() != "ana@mine.test" || !account.Verified() {
		t.Fatalf("account email %q verified %v", account.Email(), account.Verified())
	}
	mails := w.Mails(t)
	if len(mails) != 1 || strings.Contains(mails[0], "portal sign-in") || strings.Contains(mails[0], "acesso ao portal") {
		t.Fatalf("want only the portal's own notice, got %d mails:\n%s", len(mails), strings.Join(mails, "\n----\n"))
	}
}
