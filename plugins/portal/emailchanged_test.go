package portal_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/business"
	"vinculo/plugins/outbox"
	"vinculo/testkit"
)

// mailTo is the one mail sent to addr, flattened (quoted-printable undone
// for what the tests look for), or "" when there is none.
func mailTo(t *testing.T, dir, addr string) string {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	found := ""
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		flat := strings.NewReplacer("=\r\n", "", "=\n", "", "=3D", "=").Replace(string(raw))
		if strings.Contains(strings.ToLower(flat), "\nto: <"+strings.ToLower(addr)+">") { // PocketBase keeps addresses in lower case
			if found != "" {
				t.Errorf("two mails to %s", addr)
			}
			found = flat
		}
	}
	return found
}

// The old address is told of an email change in the customer's language,
// else the contact's, else the business's, signed with the business's name.
func TestEmailChangedNoticeLanguageAndName(t *testing.T) {
	w := testkit.NewWorld(t,
		testkit.Configure(func(cfg *crm.Config) { cfg.Business.Name = "Oficina Norte"; cfg.Business.Language = "en" }),
		testkit.Plugins(plugins.All),
		testkit.Served(),
	)
	people := []struct{ label, customerLang, contactLang string }{
		{"none", "", ""},
		{"contactPt", "", "pt-BR"},
		{"customerPt", "pt-BR", "en"},
		{"customerEn", "en", ""},
		{"noneLater", "", ""},
	}
	for _, p := range people {
		w.Make(t, "ct"+p.label, crm.Contacts, map[string]any{"name": p.label, "email": p.label + "@old.test", "language": p.contactLang})
		w.Make(t, "cu"+p.label, crm.Customers, map[string]any{"email": p.label + "@old.test", "contact": w.ID("ct" + p.label),
			"company_role": crm.CompanyMember, "name": p.label, "language": p.customerLang})
	}
	change := func(label string) string {
		t.Helper()
		token, err := w.Find(t, crm.Customers, w.ID("cu"+label)).NewEmailChangeToken(label + "@new.test")
		if err != nil {
			t.Fatal(err)
		}
		must(t, w.Do(t, http.MethodPost, "/api/crm/portal/confirm-email-change", "cu"+label, map[string]any{"token": token}), http.StatusOK, "confirm "+label)
		outbox.Wait(w.App) // the notice goes through the outbox
		return mailTo(t, w.Cfg.MailDir, label+"@old.test")
	}
	const en, pt = "Your email was changed", "Seu e-mail foi alterado"
	for label, want := range map[string]string{"none": en, "contactPt": pt, "customerPt": pt, "customerEn": en} {
		got := change(label)
		if !strings.Contains(got, want) || !strings.Contains(got, label+"@new.test") {
			t.Errorf("%s: want %q about the new address, got:\n%s", label, want, got)
		}
		if !strings.Contains(got, "\nOficina Norte") || strings.Contains(got, "Vinculo Test") {
			t.Errorf("%s: not signed with the business's name:\n%s", label, got)
		}
	}
	// The business now speaks Portuguese: so does a notice to a customer without a language.
	row, err := business.Row(w.App)
	if err != nil {
		t.Fatal(err)
	}
	w.Update(t, row, map[string]any{"language": "pt-BR"})
	if got := change("noneLater"); !strings.Contains(got, pt) || !strings.Contains(got, "A partir de agora escrevemos") {
		t.Errorf("a customer without a language of a Portuguese business: got\n%s", got)
	}
}
