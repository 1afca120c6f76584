package surveys_test

import (
	"net/http"
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/plugins/surveys"
	"vinculo/testkit"
)

// The survey page speaks the language of the customer it was sent to: the
// public API's answer carries it (and the question in it), whatever the
// business's own language; a customer who chose none reads the business's.
func TestSurveyPageSpeaksTheCustomersLanguage(t *testing.T) {
	w := surveysWorld(t)
	for _, c := range []struct{ contact, language, want, question string }{
		{"ctA", "en", "en", "recommend"},
		{"ctB", "pt-BR", "pt-BR", "recomendar"},
		{"ctC", "", w.Cfg.BusinessNow().Language, ""},
	} {
		contact, err := w.App.FindRecordById(crm.Contacts, w.ID(c.contact))
		if err != nil {
			t.Fatal(err)
		}
		contact.Set("language", c.language)
		if err := w.App.Save(contact); err != nil {
			t.Fatal(err)
		}
		asked, err := surveys.Ask(w.App, w.Cfg, contact.Id, crm.SurveyNPS, "", w.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		var page struct{ Language, Question string }
		testkit.Must(t, w.Do(t, http.MethodGet, "/api/crm/public/surveys/"+asked.Token, "", nil), http.StatusOK, "the survey page").JSON(t, &page)
		if page.Language != c.want || !strings.Contains(page.Question, c.question) {
			t.Errorf("%s speaking %q: the page says language %q, question %q; want %q", c.contact, c.language, page.Language, page.Question, c.want)
		}
	}
}
