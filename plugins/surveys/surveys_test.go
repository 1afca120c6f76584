package surveys_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/outbox"
	"vinculo/plugins/surveys"
	"vinculo/testkit"
)

// surveysWorld: the business, served, the outbox sending only when a test
// says, and the surveys on the world's clock.
func surveysWorld(t *testing.T) *testkit.World {
	t.Helper()
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All), testkit.Served(),
		testkit.Then(func(w *testkit.World) error {
			return outbox.Configure(w.App, outbox.Options{Manual: true, Now: w.Clock.Now})
		})).Business(t)
	surveys.Configure(surveys.Options{Now: w.Clock.Now})
	t.Cleanup(func() { surveys.Configure(surveys.Options{}) })
	return w
}

func setting(t *testing.T, w *testkit.World, kind string, fields map[string]any) testkit.Response {
	t.Helper()
	r, err := w.App.FindFirstRecordByData(crm.SurveySettings, crm.SurveySettingKind, kind)
	if err != nil {
		t.Fatal(err)
	}
	return w.Do(t, http.MethodPatch, "/api/collections/"+crm.SurveySettings+"/records/"+r.Id, "manager", fields)
}

func consent(t *testing.T, w *testkit.World, contact, channel, state string) {
	w.Make(t, "", crm.Consents, map[string]any{"contact": w.ID(contact), "purpose": crm.PurposeResearch, "channel": channel, "state": state, "source": "portal"})
}

// surveysOf are the research messages queued for a contact.
func surveysOf(t *testing.T, w *testkit.World, contact string) []*core.Record {
	t.Helper()
	list, err := w.App.FindRecordsByFilter(crm.Outbox, "contact = {:c} && purpose = 'research'", "created", 0, 0, dbx.Params{"c": w.ID(contact)})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// NPS goes at the manager's rhythm, through the outbox, and never to a
// customer without a research consent or who withdrew it.
func TestNPSOnlyWithResearchConsent(t *testing.T) {
	w := surveysWorld(t)
	if n, err := surveys.AskNPS(w.App, w.Cfg, w.Clock.Now()); err != nil || n != 0 {
		t.Fatalf("NPS is off by default: asked %d (%v)", n, err)
	}
	consent(t, w, "ctA", "email", "granted")
	consent(t, w, "ctB", "email", "withdrawn")  // objected
	consent(t, w, "ctX", "whatsapp", "granted") // not on the channel the survey goes on
	// ctC gave no research consent at all. Switching NPS on asks at once.
	testkit.Must(t, setting(t, w, crm.SurveyNPS, map[string]any{"enabled": true, "every_days": 30}), http.StatusOK, "NPS on")
	if n := w.Count(t, crm.SurveyRequests, ""); n != 2 {
		t.Fatalf("%d asked when NPS was switched on, want ctA and ctX", n)
	}
	if n, err := surveys.AskNPS(w.App, w.Cfg, w.Clock.Now()); err != nil || n != 0 {
		t.Fatalf("the job asked %d again (%v)", n, err)
	}
	if got := surveysOf(t, w, "ctA"); len(got) != 1 || got[0].GetString("state") != crm.OutboxQueued {
		t.Fatalf("ctA: %v", got)
	}
	if got := surveysOf(t, w, "ctX"); len(got) != 1 || got[0].GetString("state") != crm.OutboxRefused {
		t.Errorf("ctX (research consent on WhatsApp only): %v", got)
	}
	// Asked straight, the customers without consent are refused by the outbox.
	for _, c := range []string{"ctB", "ctC"} {
		asked, err := surveys.Ask(w.App, w.Cfg, w.ID(c), crm.SurveyNPS, "", w.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if asked.Message.GetString("state") != crm.OutboxRefused {
			t.Errorf("%s: %s (%s)", c, asked.Message.GetString("state"), asked.Message.GetString("reason"))
		}
	}
	if _, err := outbox.Deliver(w.App, w.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	outbox.Wait(w.App)
	var sent []string
	for _, m := range w.Mails(t) {
		if strings.Contains(m, "/portal/survey?t=") {
			sent = append(sent, m)
		}
	}
	if len(sent) != 1 || !strings.Contains(sent[0], "ana@a.test") || !strings.Contains(sent[0], "recomendar") {
		t.Fatalf("%d surveys mailed, want Ana's only: %v", len(sent), sent)
	}

	// The rhythm: nobody again within 30 days; Ana again after.
	w.Clock.Add(29 * 24 * time.Hour)
	if n, _ := surveys.AskNPS(w.App, w.Cfg, w.Clock.Now()); n != 0 {
		t.Errorf("asked %d within 30 days", n)
	}
	w.Clock.Add(2 * 24 * time.Hour)
	if n, _ := surveys.AskNPS(w.App, w.Cfg, w.Clock.Now()); n != 2 {
		t.Errorf("asked %d after 31 days, want 2", n)
	}
	if got := surveysOf(t, w, "ctA"); len(got) != 2 {
		t.Errorf("ctA asked %d times", len(got))
	}
}

var linkRe = regexp.MustCompile(`/portal/survey\?t=([A-Za-z0-9_%-]+)`)

// Answered on the signed page: a wrong score names the field and writes
// nothing; an answer is on the timeline; a second answer to the same link
// replaces the first; an expired link answers 410.
func TestAnswerOnTheSignedPage(t *testing.T) {
	w := surveysWorld(t)
	consent(t, w, "ctA", "email", "granted")
	asked, err := surveys.Ask(w.App, w.Cfg, w.ID("ctA"), crm.SurveyNPS, "", w.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	m := linkRe.FindStringSubmatch(asked.Message.GetString("body"))
	if m == nil {
		t.Fatalf("no link in %q", asked.Message.GetString("body"))
	}
	token, _ := url.QueryUnescape(m[1])
	if token != asked.Token {
		t.Fatalf("the link's token %q is not the survey's", token)
	}
	path := "/api/crm/public/surveys/" + token
	if _, err := outbox.Deliver(w.App, w.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	var page struct {
		Kind, Question, Language string
		Min, Max                 int
		Answer                   *struct {
			Score   int
			Comment string
		}
	}
	testkit.Must(t, w.Do(t, http.MethodGet, path, "", nil), http.StatusOK, "the survey page").JSON(t, &page)
	if page.Kind != crm.SurveyNPS || page.Language != "pt-BR" || !strings.Contains(page.Question, "recomendar") || page.Min != 0 || page.Max != 10 || page.Answer != nil {
		t.Errorf("page: %+v", page)
	}
	if res := w.Do(t, http.MethodGet, "/api/crm/public/surveys/"+strings.Repeat("x", 43), "", nil); res.Status != http.StatusNotFound {
		t.Errorf("a wrong token: %d", res.Status)
	}
	for _, bad := range []map[string]any{{"score": 11}, {"score": -1}, {"comment": "no score"}, {"score": 5, "comment": strings.Repeat("a", 2001)}} {
		res := w.Do(t, http.MethodPost, path, "", bad)
		field := "score"
		if _, ok := bad["score"]; ok && len(bad) == 2 {
			field = "comment"
		}
		if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), `"`+field+`"`) {
			t.Errorf("%v: %d %s", bad, res.Status, res.Body)
		}
	}
	if n := w.Count(t, crm.SurveyAnswers, ""); n != 0 {
		t.Fatalf("%d answers after bad input", n)
	}

	testkit.Must(t, w.Do(t, http.MethodPost, path, "", map[string]any{"score": 9, "comment": "Muito bom"}), http.StatusOK, "answer")
	w.Clock.Add(time.Hour)
	testkit.Must(t, w.Do(t, http.MethodPost, path, "", map[string]any{"score": 6, "comment": "Pensando melhor"}), http.StatusOK, "answer again")
	rows, err := w.App.FindAllRecords(crm.SurveyAnswers, dbx.HashExp{crm.AnswerRequest: asked.Request.Id})
	if err != nil || len(rows) != 1 {
		t.Fatalf("%d answers to one link (%v), want 1", len(rows), err)
	}
	if a := rows[0]; a.GetInt(crm.AnswerScore) != 6 || a.GetString(crm.AnswerComment) != "Pensando melhor" || a.GetString(crm.AnswerContact) != w.ID("ctA") || a.GetString(crm.AnswerKind) != crm.SurveyNPS || a.GetString(crm.AnswerChannel) != "email" {
		t.Errorf("answer: %v", a)
	}
	entries, err := w.App.FindRecordsByFilter(crm.Activities, "contact = {:c} && event ~ 'survey.'", "created", 0, 0, dbx.Params{"c": w.ID("ctA")})
	if err != nil || len(entries) != 2 {
		t.Fatalf("%d timeline entries (%v), want 2", len(entries), err)
	}
	first, second := entries[0], entries[1]
	if first.GetString("event") != surveys.EventAnswered || !strings.Contains(first.GetString("data"), `"score":9`) || first.GetString("body") != "Muito bom" || first.GetString("actor_type") != "customer" {
		t.Errorf("first entry: %s %s %q %s", first.GetString("event"), first.GetString("data"), first.GetString("body"), first.GetString("actor_type"))
	}
	if second.GetString("event") != surveys.EventChanged || !strings.Contains(second.GetString("data"), `"previous":9`) || !strings.Contains(second.GetString("data"), `"score":6`) {
		t.Errorf("second entry: %s %s", second.GetString("event"), second.GetString("data"))
	}
	testkit.Must(t, w.Do(t, http.MethodGet, path, "", nil), http.StatusOK, "the page again").JSON(t, &page)
	if page.Answer == nil || page.Answer.Score != 6 {
		t.Errorf("the page shows %+v", page.Answer)
	}

	// 30 days on, the link no longer takes answers.
	w.Clock.Add(surveys.LinkValid)
	if res := w.Do(t, http.MethodPost, path, "", map[string]any{"score": 10}); res.Status != http.StatusGone {
		t.Errorf("an expired link: %d %s", res.Status, res.Body)
	}
	if a := w.Find(t, crm.SurveyAnswers, rows[0].Id); a.GetInt(crm.AnswerScore) != 6 {
		t.Errorf("an expired link changed the answer to %d", a.GetInt(crm.AnswerScore))
	}
}

// In the portal a customer sees and answers their own surveys only.
func TestAnswerInThePortal(t *testing.T) {
	w := surveysWorld(t)
	mine, err := surveys.Ask(w.App, w.Cfg, w.ID("ctA"), crm.SurveyNPS, "", w.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := surveys.Ask(w.App, w.Cfg, w.ID("ctC"), crm.SurveyNPS, "", w.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Items []struct {
			ID, Question string
		}
	}
	testkit.Must(t, w.Do(t, http.MethodGet, "/api/crm/portal/surveys", "cuA", nil), http.StatusOK, "my surveys").JSON(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != mine.Request.Id {
		t.Fatalf("cuA sees %+v", list.Items)
	}
	if res := w.Do(t, http.MethodPost, "/api/crm/portal/surveys/"+theirs.Request.Id, "cuA", map[string]any{"score": 0}); res.Status != http.StatusNotFound {
		t.Errorf("answering another's survey: %d", res.Status)
	}
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/portal/surveys/"+mine.Request.Id, "cuA", map[string]any{"score": 10, "comment": "Ótimo"}), http.StatusOK, "answer in the portal")
	a, err := w.App.FindFirstRecordByData(crm.SurveyAnswers, crm.AnswerRequest, mine.Request.Id)
	if err != nil || a.GetInt(crm.AnswerScore) != 10 {
		t.Fatalf("answer %v %v", a, err)
	}
	entry, err := w.App.FindFirstRecordByFilter(crm.Activities, "event = {:e} && contact = {:c}", dbx.Params{"e": surveys.EventAnswered, "c": w.ID("ctA")})
	if err != nil || entry.GetString("customer") != w.ID("cuA") || entry.GetString("channel") != "portal" {
		t.Errorf("timeline entry %v %v", entry, err)
	}
	if n := w.Count(t, crm.SurveyAnswers, "request = {:r}", dbx.Params{"r": theirs.Request.Id}); n != 0 {
		t.Errorf("ctC's survey has %d answers", n)
	}
}

// A request's CSAT answer follows its rating, however it is set.
func TestCSATFollowsTheRating(t *testing.T) {
	w := surveysWorld(t)
	kase := w.Make(t, "", crm.Cases, map[string]any{"type": w.ID("tpSup"), "contact": w.ID("ctA"), "subject": "Sem sinal"})
	testkit.Must(t, w.Do(t, http.MethodPatch, "/api/collections/cases/records/"+kase.Id, "agent", map[string]any{"status": "done"}), http.StatusOK, "close")
	csat := func() []*core.Record {
		rows, err := w.App.FindAllRecords(crm.SurveyAnswers, dbx.HashExp{crm.AnswerCase: kase.Id, crm.AnswerKind: crm.SurveyCSAT})
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	if got := csat(); len(got) != 0 {
		t.Fatalf("%d CSAT answers before a rating", len(got))
	}
	// The customer rates it on the request's page in the portal.
	testkit.Must(t, w.Do(t, http.MethodPatch, "/api/collections/cases/records/"+kase.Id, "cuA", map[string]any{"rating": 4, "rating_comment": "Rápido"}), http.StatusOK, "rate")
	got := csat()
	if len(got) != 1 || got[0].GetInt(crm.AnswerScore) != 4 || got[0].GetString(crm.AnswerComment) != "Rápido" || got[0].GetString(crm.AnswerContact) != w.ID("ctA") {
		t.Fatalf("after rating: %v", got)
	}
	// And changes their mind: the same answer changes.
	testkit.Must(t, w.Do(t, http.MethodPatch, "/api/collections/cases/records/"+kase.Id, "cuA", map[string]any{"rating": 2}), http.StatusOK, "rate again")
	if again := csat(); len(again) != 1 || again[0].Id != got[0].Id || again[0].GetInt(crm.AnswerScore) != 2 {
		t.Errorf("after rating again: %v", again)
	}
	// A manager clears the rating: the answer goes with it.
	testkit.Must(t, w.Do(t, http.MethodPatch, "/api/collections/cases/records/"+kase.Id, "manager", map[string]any{"rating": 0}), http.StatusOK, "clear")
	if gone := csat(); len(gone) != 0 {
		t.Errorf("after clearing: %v", gone)
	}
}

// Settings > Surveys: managers change them; bad input names the field.
func TestSurveySettings(t *testing.T) {
	w := surveysWorld(t)
	for field, body := range map[string]map[string]any{
		"every_days":     {"every_days": 0},
		"question_en":    {"enabled": true, "question_en": "  "},
		"question_pt_br": {"enabled": true, "question_pt_br": ""},
		"kind":           {"kind": crm.SurveyCSAT},
	} {
		res := setting(t, w, crm.SurveyNPS, body)
		if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), `"`+field+`"`) {
			t.Errorf("%s: %d %s", field, res.Status, res.Body)
		}
	}
	s, err := surveys.Load(w.App, crm.SurveyNPS)
	if err != nil || s.Enabled || s.EveryDays != 90 {
		t.Errorf("bad input changed the settings: %+v %v", s, err)
	}
	testkit.Must(t, setting(t, w, crm.SurveyNPS, map[string]any{"enabled": true, "every_days": 60, "question_en": "Would you recommend us?"}), http.StatusOK, "save")
	if s, _ := surveys.Load(w.App, crm.SurveyNPS); !s.Enabled || s.EveryDays != 60 || s.QuestionIn("en") != "Would you recommend us?" {
		t.Errorf("saved: %+v", s)
	}
	r, _ := w.App.FindFirstRecordByData(crm.SurveySettings, crm.SurveySettingKind, crm.SurveyNPS)
	if res := w.Do(t, http.MethodPatch, "/api/collections/"+crm.SurveySettings+"/records/"+r.Id, "agent", map[string]any{"enabled": false}); res.Status < 400 {
		t.Errorf("an agent changed the settings: %d", res.Status)
	}
}
