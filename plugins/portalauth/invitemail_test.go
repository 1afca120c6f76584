package portalauth_test

import (
	"mime"
	"net/http"
	"strings"
	"testing"

	"vinculo/crm"
)

// The portal invitation is written in the customer's language: a pt-BR
// contact gets Portuguese, an English one English, and one without a
// language the business's.
func TestInvitationInTheCustomersLanguage(t *testing.T) {
	w := authWorld(t)
	w.Make(t, "manager", crm.Staff, map[string]any{"name": "Gerente", "email": "gerente@vinculo.example", "role": crm.RoleManager})
	business := w.Cfg.BusinessNow()
	business.Name, business.Language = "Fibra Sul", "pt-BR"
	w.Cfg.SetBusiness(business)

	cases := []struct {
		name, language, subject, words string
	}{
		{"Joana Prado", "pt-BR", "Fibra Sul: seu portal do cliente", "convida você para o portal do cliente"},
		{"John Smith", "en", "Fibra Sul: your customer portal", "invites you to its customer portal"},
		{"Sem Idioma", "", "Fibra Sul: seu portal do cliente", "Entre com este endereço de e-mail"},
	}
	dec := new(mime.WordDecoder)
	for i, c := range cases {
		email := strings.ToLower(strings.ReplaceAll(c.name, " ", ".")) + "@example.com"
		contact := w.Make(t, "", crm.Contacts, map[string]any{"name": c.name, "email": email, "language": c.language})
		before := len(readMails(t, w))
		if res := w.Srv.Do(t, http.MethodPost, "/api/crm/contacts/"+contact.Id+"/invite", w.Token(t, "manager"), nil); res.Status != http.StatusOK {
			t.Fatalf("%d: invite: %d %s", i, res.Status, res.Body)
		}
		mails := readMails(t, w)
		if len(mails) != before+1 {
			t.Fatalf("%d: %d new mails, want 1", i, len(mails)-before)
		}
		m := mails[len(mails)-1]
		subject, err := dec.DecodeHeader(m.subject)
		if err != nil {
			t.Fatal(err)
		}
		if m.to != email || subject != c.subject || !strings.Contains(m.body, c.words) || !strings.Contains(m.body, c.name) ||
			!strings.Contains(m.body, w.Cfg.PublicURL+"/portal/") {
			t.Errorf("%s (%q): subject %q body:\n%s", c.name, c.language, subject, m.body)
		}
		if c.language != "en" && strings.Contains(m.body, "invites you") {
			t.Errorf("%s got English: %s", c.name, m.body)
		}
	}
}
