package restriction_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/campaigns"
	"vinculo/plugins/outbox"
	"vinculo/plugins/predictions"
	"vinculo/plugins/restriction"
	"vinculo/testkit"
)

// world: the business's cast, served, an outbox that decides on the
// world's clock and delivers only when told, Ana (ctA) and Bruno (ctB)
// consenting to marketing by email.
func world(t *testing.T) *testkit.World {
	t.Helper()
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All), testkit.Served(), testkit.Then(func(w *testkit.World) error {
		return outbox.Configure(w.App, outbox.Options{Now: w.Clock.Now, Manual: true})
	})).Business(t)
	for _, c := range []string{"ctA", "ctB"} {
		w.Make(t, "", crm.Consents, map[string]any{"contact": w.ID(c), "purpose": crm.PurposeMarketing, "channel": "email", "state": "granted", "source": "portal"})
	}
	return w
}

type state struct {
	Restricted bool   `json:"restricted"`
	Since      string `json:"since"`
	History    []struct {
		Action         string `json:"action"`
		At             string `json:"at"`
		Source         string `json:"source"`
		Note           string `json:"note"`
		RecordedByName string `json:"recorded_by_name"`
	} `json:"history"`
	Marketing struct {
		Objected bool   `json:"objected"`
		Since    string `json:"since"`
	} `json:"marketing"`
	Profiling struct {
		Objected bool   `json:"objected"`
		Since    string `json:"since"`
	} `json:"profiling"`
}

func do(t *testing.T, w *testkit.World, method, path, who string, body any, status int) state {
	t.Helper()
	res := w.Do(t, method, path, who, body)
	var s state
	testkit.Must(t, res, status, who+" "+method+" "+path)
	if status == http.StatusOK {
		res.JSON(t, &s)
	}
	return s
}

// badField: a 400 whose data names field, and nothing changed.
func badField(t *testing.T, w *testkit.World, method, path, who string, body any, field string) {
	t.Helper()
	res := testkit.Must(t, w.Do(t, method, path, who, body), http.StatusBadRequest, "bad "+field)
	if !strings.Contains(string(res.Body), `"`+field+`":{"code"`) {
		t.Errorf("%s %s with a bad %s: the answer does not name it: %s", method, path, field, res.Body)
	}
}

func decide(t *testing.T, w *testkit.World, contact, purpose string) outbox.Decision {
	t.Helper()
	d, err := outbox.Decide(w.App, outbox.Queued{Contact: contact, Purpose: purpose, Subject: "Hello", Body: "Hello there"})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func restrictedAt(t *testing.T, w *testkit.World, label string) string {
	t.Helper()
	return w.Reload(t, w.R(label)).GetString(crm.ContactRestrictedAt)
}

// A customer restricts their processing in the portal with one click: the
// server dates it and keeps the proof; the outbox refuses every message
// but a service one, with the reason; lifting restores. Bad input names
// the field and changes nothing; a second click changes nothing either.
func TestPortalRestrictAndLift(t *testing.T) {
	w := world(t)
	if d := decide(t, w, w.ID("ctA"), crm.PurposeMarketing); d.Code == outbox.ReasonRestricted || d.State == crm.OutboxRefused {
		t.Fatalf("before: marketing to Ana is %s %s", d.State, d.Code)
	}

	badField(t, w, http.MethodPost, "/api/crm/portal/restriction", "cuA", map[string]any{"at": "2020-01-01 00:00:00.000Z"}, "at")
	badField(t, w, http.MethodPost, "/api/crm/portal/restriction", "cuA", map[string]any{"source": "phone"}, "source")
	badField(t, w, http.MethodPost, "/api/crm/portal/restriction", "cuA", map[string]any{"text": strings.Repeat("x", 5001)}, "text")
	badField(t, w, http.MethodPost, "/api/crm/portal/restriction", "cuA", map[string]any{"note": strings.Repeat("x", 1001)}, "note")
	if at := restrictedAt(t, w, "ctA"); at != "" || w.Count(t, crm.ProcessingRestrictions, "1=1") != 0 {
		t.Fatalf("bad input changed something: restricted_at %q", at)
	}

	before := time.Now().UTC().Add(-time.Second)
	s := do(t, w, http.MethodPost, "/api/crm/portal/restriction", "cuA", map[string]any{"text": "Restrict the processing of my data", "note": "Until my complaint is answered"}, http.StatusOK)
	if !s.Restricted || s.Since == "" || len(s.History) != 1 || s.History[0].Action != crm.RestrictionOn || s.History[0].Source != "portal" {
		t.Fatalf("after restricting: %+v", s)
	}
	row, err := w.App.FindFirstRecordByData(crm.ProcessingRestrictions, crm.RestrictContact, w.ID("ctA"))
	if err != nil {
		t.Fatal(err)
	}
	if at := row.GetDateTime(crm.RestrictAt).Time(); at.Before(before) || row.GetString(crm.RestrictIP) == "" ||
		row.GetString(crm.RestrictText) != "Restrict the processing of my data" || row.GetString(crm.RestrictNote) != "Until my complaint is answered" {
		t.Errorf("the proof: at %v ip %q text %q note %q", at, row.GetString(crm.RestrictIP), row.GetString(crm.RestrictText), row.GetString(crm.RestrictNote))
	}
	if restrictedAt(t, w, "ctA") == "" {
		t.Fatal("the contact is not restricted")
	}
	// A second click: nothing new.
	if s := do(t, w, http.MethodPost, "/api/crm/portal/restriction", "cuA", nil, http.StatusOK); len(s.History) != 1 {
		t.Errorf("a second click added history: %+v", s.History)
	}

	for _, purpose := range []string{crm.PurposeMarketing, crm.PurposeResearch, crm.PurposeProfiling} {
		d := decide(t, w, w.ID("ctA"), purpose)
		if d.State != crm.OutboxRefused || d.Code != outbox.ReasonRestricted || d.Data["since"] == "" {
			t.Errorf("%s to a restricted customer: %s %s %v", purpose, d.State, d.Code, d.Data)
		}
	}
	if d := decide(t, w, w.ID("ctA"), crm.PurposeService); d.State == crm.OutboxRefused || d.State == crm.OutboxFailed {
		t.Errorf("a service message to a restricted customer: %s %s (%s)", d.State, d.Code, d.Reason)
	}
	// A reply on her request is queued and goes; a newsletter is refused.
	msg, err := outbox.Queue(w.App, outbox.Queued{Contact: w.ID("ctA"), Purpose: crm.PurposeService, Subject: "Your request", Body: "We answered"})
	if err != nil {
		t.Fatal(err)
	}
	if st := w.Reload(t, msg).GetString("state"); st == crm.OutboxRefused {
		t.Errorf("the service message: %s", st)
	}
	news, err := outbox.Queue(w.App, outbox.Queued{Contact: w.ID("ctA"), Purpose: crm.PurposeMarketing, Subject: "Offers", Body: "20% off"})
	if err != nil {
		t.Fatal(err)
	}
	if r := w.Reload(t, news); r.GetString("state") != crm.OutboxRefused || r.GetString("reason_code") != outbox.ReasonRestricted {
		t.Errorf("the newsletter: %s %s", r.GetString("state"), r.GetString("reason_code"))
	}
	// Bruno is not restricted: his marketing still goes.
	if d := decide(t, w, w.ID("ctB"), crm.PurposeMarketing); d.Code == outbox.ReasonRestricted {
		t.Error("Bruno is refused for Ana's restriction")
	}

	s = do(t, w, http.MethodDelete, "/api/crm/portal/restriction", "cuA", map[string]any{"text": "Lift the restriction"}, http.StatusOK)
	if s.Restricted || len(s.History) != 2 || s.History[0].Action != crm.RestrictionLifted {
		t.Fatalf("after lifting: %+v", s)
	}
	if restrictedAt(t, w, "ctA") != "" {
		t.Error("still restricted after lifting")
	}
	if d := decide(t, w, w.ID("ctA"), crm.PurposeMarketing); d.Code == outbox.ReasonRestricted || d.State == crm.OutboxRefused {
		t.Errorf("after lifting, marketing to Ana: %s %s", d.State, d.Code)
	}
}

// Only the server sets restricted_at and writes the history: the record
// API refuses both, for staff, customers and superusers alike. A customer
// cannot restrict another: the portal acts on their own contact, the staff
// route is not theirs. Staff record one asked by phone; readonly cannot.
func TestWhoMayRestrict(t *testing.T) {
	w := world(t)
	contactPath := "/api/collections/contacts/records/"
	badField(t, w, http.MethodPatch, contactPath+w.ID("ctB"), "manager", map[string]any{crm.ContactRestrictedAt: "2026-01-01 00:00:00.000Z"}, crm.ContactRestrictedAt)
	res := w.Do(t, http.MethodPatch, contactPath+w.ID("ctA"), "cuA", map[string]any{crm.ContactRestrictedAt: "2026-01-01 00:00:00.000Z"})
	if res.Status < 400 || res.Status >= 500 {
		t.Errorf("a customer setting restricted_at: %d %s", res.Status, res.Body)
	}
	w.Make(t, "root", core.CollectionNameSuperusers, map[string]any{"email": "root@staff.test"})
	res = w.Do(t, http.MethodPost, "/api/collections/"+crm.ProcessingRestrictions+"/records", "root",
		map[string]any{crm.RestrictContact: w.ID("ctB"), crm.RestrictAction: crm.RestrictionOn, crm.RestrictAt: "2026-01-01 00:00:00.000Z", crm.RestrictSource: "api"})
	testkit.Must(t, res, http.StatusForbidden, "a superuser writing the history")

	testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/contacts/"+w.ID("ctB")+"/restriction", "cuA", nil), http.StatusForbidden, "Ana restricting Bruno")
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/contacts/"+w.ID("ctB")+"/restriction", "readonly", nil), http.StatusForbidden, "readonly restricting")
	if restrictedAt(t, w, "ctB") != "" || restrictedAt(t, w, "ctA") != "" || w.Count(t, crm.ProcessingRestrictions, "1=1") != 0 {
		t.Fatal("a refused request changed something")
	}

	path := "/api/crm/contacts/" + w.ID("ctB") + "/restriction"
	badField(t, w, http.MethodPost, path, "agent", map[string]any{"source": "carrier pigeon"}, "source")
	badField(t, w, http.MethodPost, path, "agent", map[string]any{"recorded_by": w.ID("manager")}, "recorded_by")
	s := do(t, w, http.MethodPost, path, "agent", map[string]any{"source": "phone", "note": "Called: restrict until the dispute ends"}, http.StatusOK)
	if !s.Restricted || len(s.History) != 1 || s.History[0].Source != "phone" || s.History[0].RecordedByName == "" {
		t.Fatalf("recorded by phone: %+v", s)
	}
	row, err := w.App.FindFirstRecordByData(crm.ProcessingRestrictions, crm.RestrictContact, w.ID("ctB"))
	if err != nil || row.GetString(crm.RestrictRecordedBy) != w.ID("agent") {
		t.Fatalf("who recorded it: %v %v", row, err)
	}
	// Everyone on the team sees it on the record; Bruno sees it in the portal, Ana does not see his.
	if s := do(t, w, http.MethodGet, path, "readonly", nil, http.StatusOK); !s.Restricted {
		t.Error("readonly staff do not see the restriction")
	}
	if s := do(t, w, http.MethodGet, "/api/crm/portal/restriction", "cuB", nil, http.StatusOK); !s.Restricted || s.History[0].Note == "" {
		t.Errorf("Bruno's own page: %+v", s)
	}
	if s := do(t, w, http.MethodGet, "/api/crm/portal/restriction", "cuA", nil, http.StatusOK); s.Restricted || len(s.History) != 0 {
		t.Errorf("Ana's page shows Bruno's restriction: %+v", s)
	}
	list := testkit.Must(t, w.Do(t, http.MethodGet, "/api/collections/"+crm.ProcessingRestrictions+"/records", "cuA", nil), http.StatusOK, "Ana lists the history")
	if strings.Contains(string(list.Body), w.ID("ctB")) {
		t.Errorf("Ana reads Bruno's history: %s", list.Body)
	}
	s = do(t, w, http.MethodDelete, path, "manager", map[string]any{"source": "paper"}, http.StatusOK)
	if s.Restricted || len(s.History) != 2 || s.History[0].Source != "paper" {
		t.Errorf("lifted by letter: %+v", s)
	}
	testkit.Must(t, w.Do(t, http.MethodGet, "/api/crm/contacts/nosuchcontact00/restriction", "agent", nil), http.StatusNotFound, "no such contact")
}

// Objecting to marketing withdraws every marketing consent at once, dated
// by the server with the request's proof, the earlier versions kept; the
// outbox then refuses marketing for the withdrawn consent. The page shows
// the objections to marketing and to profiling (the predictions plugin's).
func TestObjections(t *testing.T) {
	w := world(t)
	w.Make(t, "", crm.Consents, map[string]any{"contact": w.ID("ctA"), "purpose": crm.PurposeMarketing, "channel": "sms", "state": "granted", "source": "staff"})
	badField(t, w, http.MethodPost, "/api/crm/portal/marketing/objection", "cuA", map[string]any{"ip": "10.0.0.1"}, "ip")
	if n := w.Count(t, crm.Consents, "contact = {:c} AND purpose = 'marketing' AND state = 'granted'", dbx.Params{"c": w.ID("ctA")}); n != 2 {
		t.Fatalf("bad input withdrew consents: %d granted left", n)
	}
	s := do(t, w, http.MethodPost, "/api/crm/portal/marketing/objection", "cuA", map[string]any{"text": "I object to marketing"}, http.StatusOK)
	if !s.Marketing.Objected || s.Marketing.Since == "" || s.Profiling.Objected || s.Restricted {
		t.Fatalf("after objecting to marketing: %+v", s)
	}
	rows, err := w.App.FindAllRecords(crm.Consents, dbx.HashExp{"contact": w.ID("ctA"), "purpose": crm.PurposeMarketing})
	if err != nil || len(rows) != 2 {
		t.Fatalf("consents: %d %v", len(rows), err)
	}
	for _, r := range rows {
		if r.GetString("state") != "withdrawn" || r.GetString("source") != "portal" || r.GetString(crm.ConsentIP) == "" ||
			r.GetString("text") != "I object to marketing" || !strings.Contains(r.GetString("history"), `"state":"granted"`) {
			t.Errorf("consent on %s: state %s source %s ip %q history %s", r.GetString("channel"), r.GetString("state"),
				r.GetString("source"), r.GetString(crm.ConsentIP), r.GetString("history"))
		}
	}
	if d := decide(t, w, w.ID("ctA"), crm.PurposeMarketing); d.State != crm.OutboxRefused || d.Code != outbox.ReasonConsentWithdrawn {
		t.Errorf("marketing after the objection: %s %s", d.State, d.Code)
	}
	// Xavier has no portal account; Carla had no marketing consent: her objection is still recorded.
	s = do(t, w, http.MethodPost, "/api/crm/portal/marketing/objection", "cuC", nil, http.StatusOK)
	if !s.Marketing.Objected || w.Count(t, crm.Consents, "contact = {:c} AND purpose = 'marketing' AND state = 'withdrawn'", dbx.Params{"c": w.ID("ctC")}) != 1 {
		t.Errorf("Carla's objection with no consent: %+v", s)
	}
	// Profiling, through the predictions plugin's own objection: shown here too.
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/portal/profiling/objection", "cuA", map[string]any{"text": "I object to profiling"}), http.StatusOK, "profiling objection")
	if s := do(t, w, http.MethodGet, "/api/crm/contacts/"+w.ID("ctA")+"/restriction", "agent", nil, http.StatusOK); !s.Profiling.Objected || !s.Marketing.Objected {
		t.Errorf("the staff's view of Ana: %+v", s)
	}
}

// predictionWorld: Ana buys F300 every 30 days, Bruno bread once, twelve
// bakers bread and butter, four others milk — enough for a fit to score
// Ana and suggest her a reorder.
func predictionWorld(t *testing.T) *testkit.World {
	t.Helper()
	w := world(t)
	predictions.SetClock(w.App, w.Clock.Now)
	now := w.Clock.Now()
	for _, d := range []int{117, 87, 57, 27} {
		order(t, w, w.ID("ctA"), now.AddDate(0, 0, -d), 80, "F300")
	}
	order(t, w, w.ID("ctB"), now.AddDate(0, 0, -10), 12, "BREAD")
	for i := range 12 {
		c := testkit.Save(t, w.App, crm.Contacts, map[string]any{"name": "Baker " + string(rune('A'+i))})
		products := []string{"BREAD", "BUTTER"}
		if i >= 8 {
			products = products[:1]
		}
		order(t, w, c.Id, now.AddDate(0, 0, -60-i), 20, products...)
	}
	for i := range 4 {
		c := testkit.Save(t, w.App, crm.Contacts, map[string]any{"name": "Milk buyer " + string(rune('A'+i))})
		order(t, w, c.Id, now.AddDate(0, 0, -70-i), 5, "MILK")
	}
	return w
}

func order(t *testing.T, w *testkit.World, contact string, at time.Time, total float64, products ...string) {
	t.Helper()
	items := []map[string]any{}
	for _, p := range products {
		items = append(items, map[string]any{"product": p, "name": p, "quantity": 1, "unit_price": total / float64(len(products))})
	}
	testkit.Save(t, w.App, crm.Orders, map[string]any{"contact": contact, "items": items, "total": total, "currency": "BRL",
		"status": "delivered", "placed_at": at.UTC().Format("2006-01-02 15:04:05.000Z")})
}

func fit(t *testing.T, w *testkit.World) {
	t.Helper()
	if _, err := predictions.Fit(w.App, w.Cfg, predictions.Request{Trigger: crm.FitNightly, Now: w.Clock.Now()}); err != nil {
		t.Fatal(err)
	}
}

func modelRows(t *testing.T, w *testkit.World, contact string) (scores, suggestions int) {
	t.Helper()
	p := dbx.Params{"c": contact}
	return w.Count(t, crm.CustomerScores, "contact = {:c}", p), w.Count(t, crm.Suggestions, "contact = {:c}", p)
}

// A restricted contact is treated as a profiling objector: their score and
// suggestions are deleted in the restriction's own transaction (a failure
// after the deletion keeps them, and the contact unrestricted), every fit
// leaves them out, a refresh suggests nothing; lifting scores them again
// from the next fit.
func TestPredictionsLeaveRestrictedOut(t *testing.T) {
	w := predictionWorld(t)
	fit(t, w)
	ana := w.ID("ctA")
	if s, g := modelRows(t, w, ana); s != 1 || g == 0 {
		t.Fatalf("before: Ana has %d scores and %d suggestions", s, g)
	}

	// The history row cannot be written: nothing happens, the score stays.
	fail := w.App.OnRecordCreate(crm.ProcessingRestrictions).BindFunc(func(e *core.RecordEvent) error {
		return errors.New("the disk is full")
	})
	if _, err := restriction.Restrict(w.App, ana, restriction.Proof{Source: "staff"}); err == nil {
		t.Fatal("the restriction went through without its history")
	}
	w.App.OnRecordCreate(crm.ProcessingRestrictions).Unbind(fail)
	if s, g := modelRows(t, w, ana); s != 1 || g == 0 || restrictedAt(t, w, "ctA") != "" {
		t.Fatalf("a failed restriction: %d scores, %d suggestions, restricted_at %q", s, g, restrictedAt(t, w, "ctA"))
	}

	do(t, w, http.MethodPost, "/api/crm/portal/restriction", "cuA", nil, http.StatusOK)
	if s, g := modelRows(t, w, ana); s != 0 || g != 0 {
		t.Fatalf("restricted: Ana keeps %d scores and %d suggestions", s, g)
	}
	fit(t, w)
	if s, g := modelRows(t, w, ana); s != 0 || g != 0 {
		t.Errorf("a fit scored a restricted contact: %d scores, %d suggestions", s, g)
	}
	if err := predictions.RefreshSuggestions(w.App, w.Cfg, ana); err != nil {
		t.Fatal(err)
	}
	if _, g := modelRows(t, w, ana); g != 0 {
		t.Errorf("a refresh suggested %d things to a restricted contact", g)
	}
	if s, g := modelRows(t, w, w.ID("ctB")); s != 1 {
		t.Errorf("Bruno, not restricted, has %d scores (%d suggestions)", s, g)
	}

	do(t, w, http.MethodDelete, "/api/crm/portal/restriction", "cuA", nil, http.StatusOK)
	fit(t, w)
	if s, g := modelRows(t, w, ana); s != 1 || g == 0 {
		t.Errorf("after lifting and a fit: %d scores, %d suggestions", s, g)
	}
}

// Segments hold no restricted contact — count, members and the portal's
// "your segments" — so no campaign reaches them; a campaign's preview still
// counts them and says why they will get nothing, and its send queues no
// message for them. Lifting puts them back.
func TestSegmentsAndCampaigns(t *testing.T) {
	w := world(t)
	def := map[string]any{"match": "all", "conditions": []any{map[string]any{"kind": "company", "op": "eq", "value": w.ID("coA")}}}
	seg := w.Make(t, "sgA", crm.Segments, map[string]any{"name": "Company A", "owner": w.ID("agent"), crm.SegmentDefinition: def})
	count := func() int {
		var c struct {
			Count int `json:"count"`
		}
		testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/segments/count", "agent", map[string]any{"definition": def}), http.StatusOK, "count").JSON(t, &c)
		return c.Count
	}
	members := func() string {
		return string(testkit.Must(t, w.Do(t, http.MethodGet, "/api/crm/segments/"+seg.Id+"/members", "agent", nil), http.StatusOK, "members").Body)
	}
	if n := count(); n != 2 || !strings.Contains(members(), w.ID("ctA")) {
		t.Fatalf("before: %d members", n)
	}
	do(t, w, http.MethodPost, "/api/crm/portal/restriction", "cuA", nil, http.StatusOK)
	if n := count(); n != 1 {
		t.Errorf("count with Ana restricted: %d", n)
	}
	if m := members(); strings.Contains(m, w.ID("ctA")) || !strings.Contains(m, w.ID("ctB")) {
		t.Errorf("members with Ana restricted: %s", m)
	}
	if body := string(testkit.Must(t, w.Do(t, http.MethodGet, "/api/crm/portal/profiling", "cuA", nil), http.StatusOK, "Ana's profile").Body); strings.Contains(body, "Company A") {
		t.Errorf("Ana's portal lists a segment: %s", body)
	}

	camp := w.Make(t, "", crm.Campaigns, map[string]any{crm.CampName: "Spring", crm.CampSegment: seg.Id, crm.CampOwner: w.ID("agent"),
		crm.CampSubjectEN: "Spring offers", crm.CampBodyEN: "Hello", crm.CampSubjectPT: "Ofertas", crm.CampBodyPT: "Olá", crm.CampWindow: 30})
	p, err := campaigns.Compute(context.Background(), w.App, w.Cfg, camp)
	if err != nil {
		t.Fatal(err)
	}
	restricted := 0
	for _, r := range p.Reasons {
		if r.Reason == outbox.ReasonRestricted && r.State == crm.OutboxRefused {
			restricted += r.Count
		}
	}
	if p.Members != 2 || restricted != 1 || p.ByState[crm.OutboxRefused] < 1 {
		t.Errorf("the preview: members %d, never for a restriction %d, by state %v, reasons %+v", p.Members, restricted, p.ByState, p.Reasons)
	}
	if err := campaigns.Send(w.App, camp.Id, w.ID("agent")); err != nil {
		t.Fatal(err)
	}
	if n := w.Count(t, crm.Outbox, crm.OutboxCampaign+" = {:c} AND contact = {:a}", dbx.Params{"c": camp.Id, "a": w.ID("ctA")}); n != 0 {
		t.Errorf("the campaign queued %d messages for a restricted contact", n)
	}
	if n := w.Count(t, crm.Outbox, crm.OutboxCampaign+" = {:c}", dbx.Params{"c": camp.Id}); n != 1 {
		t.Errorf("the campaign queued %d messages, want Bruno's", n)
	}

	do(t, w, http.MethodDelete, "/api/crm/portal/restriction", "cuA", nil, http.StatusOK)
	if n := count(); n != 2 {
		t.Errorf("after lifting: %d members", n)
	}
}
