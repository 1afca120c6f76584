package webforms_test

import (
	"net/http"
	"net/mail"
	"regexp"
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/testkit"
)

const site = "https://www.padaria.example"

var confirmLink = regexp.MustCompile(`/forms/confirm\?token=([A-Za-z0-9_-]+)`)

// world is the app as it ships, served, with the demo business's cast.
func world(t *testing.T, opts ...testkit.Option) *testkit.World {
	t.Helper()
	w := testkit.NewWorld(t, append([]testkit.Option{testkit.Plugins(plugins.All), testkit.Served()}, opts...)...)
	return w.Business(t)
}

// makeForm saves a form as a manager would, with these changes to the usual
// one: name, email, phone, company and message; marketing consent; a lead;
// shown on the bakery's site.
func makeForm(t *testing.T, w *testkit.World, label string, changes map[string]any) string {
	t.Helper()
	body := map[string]any{
		crm.FormName: "Fale conosco",
		crm.FormFields: []map[string]any{{"key": "name", "required": true}, {"key": "email", "required": true},
			{"key": "phone"}, {"key": "company"}, {"key": "message"}},
		crm.FormConsent:  map[string]string{"en": "I want the bakery's news by email.", "pt-BR": "Quero receber as novidades da padaria por e-mail."},
		crm.FormPurposes: []string{crm.PurposeMarketing},
		crm.FormCreates:  crm.FormCreatesLead,
		crm.FormOrigins:  []string{site},
		crm.FormThanks:   map[string]string{"en": "Thanks, we will write soon.", "pt-BR": "Obrigado, escreveremos em breve."},
		crm.FormActive:   true,
	}
	for k, v := range changes {
		body[k] = v
	}
	var made struct{ ID string }
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/collections/"+crm.WebForms+"/records", "manager", body), http.StatusOK, "make form").JSON(t, &made)
	if label != "" {
		w.Keep(label, w.Find(t, crm.WebForms, made.ID))
	}
	return made.ID
}

// send posts a form from origin ("" sends no Origin) with these headers.
func send(t *testing.T, w *testkit.World, form, origin string, body map[string]any, header ...string) testkit.Response {
	t.Helper()
	h := map[string]string{}
	if origin != "" {
		h["Origin"] = origin
	}
	for i := 0; i+1 < len(header); i += 2 {
		h[header[i]] = header[i+1]
	}
	return w.DoWith(t, http.MethodPost, "/api/crm/public/forms/"+form, "", body, h)
}

// visit is a visitor's form: these values, in Portuguese.
func visit(values map[string]any, consent bool) map[string]any {
	return map[string]any{"lang": "pt-BR", "values": values, "consent": consent, "website": ""}
}

// mailsTo are the mails sent to addr, oldest first.
func mailsTo(t *testing.T, w *testkit.World, addr string) []*mail.Message {
	t.Helper()
	var out []*mail.Message
	for _, raw := range w.Mails(t) {
		msg, err := mail.ReadMessage(strings.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if to, err := msg.Header.AddressList("To"); err == nil && len(to) == 1 && to[0].Address == addr {
			out = append(out, msg)
		}
	}
	return out
}

func bodyOf(t *testing.T, m *mail.Message) string {
	t.Helper()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := m.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return b.String()
}

// contains fails unless s has every one of want.
func contains(t *testing.T, what, s string, want ...string) {
	t.Helper()
	for _, x := range want {
		if !strings.Contains(s, x) {
			t.Errorf("%s lacks %q: %s", what, x, s)
		}
	}
}
