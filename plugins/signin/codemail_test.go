package signin_test

import (
	"strings"
	"testing"
	"time"

	"vinculo/crm"
	"vinculo/plugins/signin"
)

// The sign-in code mail speaks the language of who asked for it: the
// account's own, else its contact's, else the business's; and it still
// carries the code.
func TestSignInCodeMailInTheReadersLanguage(t *testing.T) {
	w := newWorld(t, false, signin.Options{})
	set := func(collection, label, lang string) {
		r := w.Find(t, collection, w.ID(label))
		r.Set("language", lang)
		if err := w.App.Save(r); err != nil {
			t.Fatal(err)
		}
	}
	set(crm.Customers, "cuA", "en") // their own
	set(crm.Customers, "cuB", "")   // their contact's
	set(crm.Contacts, "ctB", "en")  //
	set(crm.Customers, "cuC", "")   // nobody's: the business's
	set(crm.Contacts, "ctC", "")    //
	if lang := w.Cfg.BusinessNow().Language; lang != "pt-BR" {
		t.Fatalf("the test business speaks %q", lang)
	}

	cases := []struct{ email, says, notSays string }{
		{"ana@a.test", "Your sign-in code is:", "Seu código"},
		{w.R("ctB").GetString("email"), "Your sign-in code is:", "Seu código"},
		{"carla@c.test", "Seu código de acesso é:", "Your sign-in code"},
	}
	for _, c := range cases {
		before := len(w.Mails(t))
		requestCode(t, w.Srv.URL, addr(1), c.email)
		mails := w.Mails(t)[before:]
		// PocketBase sends the code after answering.
		for wait := 0; len(mails) == 0 && wait < 50; wait++ {
			time.Sleep(100 * time.Millisecond)
			mails = w.Mails(t)[before:]
		}
		if len(mails) != 1 {
			t.Fatalf("%s: %d mails, want 1", c.email, len(mails))
		}
		m := mails[0]
		if !strings.Contains(m, c.says) || strings.Contains(m, c.notSays) || strings.Contains(m, "one-time password") {
			t.Errorf("%s: the code mail does not speak the reader's language:\n%s", c.email, m)
		}
		if !hasCode(m) {
			t.Errorf("%s: no code in the mail:\n%s", c.email, m)
		}
	}
}

// hasCode: the mail holds a run of six or more digits (the code).
func hasCode(mail string) bool {
	run := 0
	for _, r := range mail {
		if r >= '0' && r <= '9' {
			run++
			if run >= 6 {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}
