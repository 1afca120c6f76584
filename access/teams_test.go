package access_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	"vinculo/crm"
	"vinculo/testkit"
)

// Teams (plugins/team: teams.go): staff read them, managers write them;
// customers and anonymous see nothing. In the main matrix the records are
// made by the rows themselves (no fixture record is a team there).
func init() {
	moreSpecFiles = append(moreSpecFiles, func() []spec {
		return []spec{{
			collection: crm.Teams,
			sees:       map[string][]string{},
			create: func(w *testkit.World, _ string) map[string]any {
				return map[string]any{crm.TeamName: fmt.Sprintf("Team %d", w.Unique()), crm.TeamMembers: []string{w.ID("stG")}}
			},
			canCreate: managers,
			update: func(w *testkit.World, _ string) (string, map[string]any) {
				if !w.Has("tmMatrix") {
					w.Make(nil2(w), "tmMatrix", crm.Teams, map[string]any{crm.TeamName: "Matrix team", crm.TeamManager: w.ID("stM")})
				}
				return "tmMatrix", map[string]any{crm.TeamDescription: fmt.Sprintf("Changed %d", w.Unique())}
			},
			canUpdate: managers,
			remove: func(w *testkit.World) map[string]any {
				return map[string]any{crm.TeamName: fmt.Sprintf("Gone %d", w.Unique())}
			},
			canDelete: managers,
		}}
	})
}

// The actors of the teams mode: the matrix's agent (stG) and readonly
// member (stR) are in team A, the other agent (stG2) in team B; the partner
// (stP) is an outside technician with one request of their own (csP).
const (
	agentB  = "staff agent B"
	partner = "staff partner"
)

var teamActors = []string{manager, agent, agentB, readonly, partner}

// teamWorld is the matrix's world in the teams mode, with two teams, a
// partner and a few requests assigned to people and teams.
func teamWorld(t *testing.T) *testkit.World {
	w := newWorld(t)
	w.Make(t, "stP", crm.Staff, map[string]any{"email": "p@partner.test", "name": "Paulo Partner", "role": crm.RolePartner})
	w.SetToken(agentB, testkit.Token(t, w.R("stG2")))
	w.SetToken(partner, testkit.Token(t, w.R("stP")))
	w.Make(t, "tmA", crm.Teams, map[string]any{crm.TeamName: "Team A", crm.TeamManager: w.ID("stM"), crm.TeamMembers: []string{w.ID("stG"), w.ID("stR")}})
	w.Make(t, "tmB", crm.Teams, map[string]any{crm.TeamName: "Team B", crm.TeamMembers: []string{w.ID("stG2")}})
	w.Update(t, w.R("csA"), map[string]any{"assignee": w.ID("stG")})
	w.Update(t, w.R("csB"), map[string]any{crm.CaseTeam: w.ID("tmA")})
	w.Update(t, w.R("csC"), map[string]any{"assignee": w.ID("stG2")})
	w.Update(t, w.R("csX"), map[string]any{crm.CaseTeam: w.ID("tmB")})
	w.Make(t, "csP", crm.Cases, map[string]any{"type": w.ID("tpSup"), "contact": w.ID("ctC"), "subject": "Fix the router", "assignee": w.ID("stP")})
	w.Make(t, "cmP", crm.CaseMessages, map[string]any{"case": w.ID("csP"), "body": "Please visit on Monday", "internal": true, "author_staff": w.ID("stM")})
	setVisibility(t, w, crm.VisibilityTeams)
	return w
}

func setVisibility(t *testing.T, w *testkit.World, mode string) {
	t.Helper()
	if _, err := w.App.DB().Update(crm.BusinessSettings, dbx.Params{crm.BusinessTeamVisibility: mode}, nil).Execute(); err != nil {
		t.Fatal(err)
	}
}

// teamSees: per collection, the fixture records each actor of the teams
// mode lists, views and hears about in realtime.
func teamSees() map[string]map[string][]string {
	both := func(a, b, p []string) map[string][]string {
		return map[string][]string{agent: a, readonly: a, agentB: b, partner: p}
	}
	return map[string]map[string][]string{
		crm.Companies: both([]string{"coA"}, []string{"coC"}, nil),
		crm.Contacts:  both([]string{"ctA", "ctB", "ctD"}, []string{"ctC", "ctX", "ctD"}, nil), // the partner views ctC, lists none
		crm.Deals:     both([]string{"dlA"}, []string{"dlC"}, nil),
		crm.Cases: both([]string{"csA", "csAshared", "csAclosed", "csB"},
			[]string{"csAshared", "csAclosed", "csC", "csX", "csP"}, []string{"csP"}),
		crm.CaseMessages:  both([]string{"cmA", "cmAint", "cmAsh", "cmAshInt"}, []string{"cmAsh", "cmAshInt", "cmC", "cmP"}, []string{"cmP"}),
		crm.Activities:    both([]string{"acApub", "acApriv", "acNoteG"}, []string{"acCpub", "acNote", "acNoteG"}, nil),
		crm.Tasks:         both([]string{"tkG"}, []string{"tkG2"}, nil),
		crm.Orders:        both([]string{"orA", "orAco", "orB", "orBco"}, []string{"orC", "orD"}, nil),
		crm.Subscriptions: both([]string{"sbA", "sbBco"}, []string{"sbC"}, nil),
		crm.Consents:      both([]string{"cnA"}, []string{"cnC"}, nil),
		crm.Outbox:        both([]string{"obA"}, nil, nil),
		crm.CaseTypes:     both([]string{"tpSup", "tpOld"}, []string{"tpSup", "tpOld"}, []string{"tpSup", "tpOld"}),
		crm.Staff:         both([]string{"stM", "stG", "stG2", "stR", "stP"}, []string{"stM", "stG", "stG2", "stR", "stP"}, []string{"stP"}),
		crm.Teams:         both([]string{"tmA", "tmB"}, []string{"tmA", "tmB"}, nil),
	}
}

// In the teams mode each agent lists, views and hears about only their
// teams' records, the requests of their teams and the pool; managers see
// everything; the partner only their request. Back in the "everyone" mode,
// every member but the partner sees everything again.
func TestTeamVisibility(t *testing.T) {
	w := teamWorld(t)
	for collection, sees := range teamSees() {
		labels := allLabels(sees)
		sees[manager] = labels
		t.Run(collection, func(t *testing.T) {
			s := spec{collection: collection, labels: labels, sees: sees}
			for _, actor := range teamActors {
				if collection == crm.Contacts && actor == partner {
					continue // TestPartner: a partner views, never lists
				}
				checkListAndView(t, w, s, actor)
			}
			checkTeamRealtime(t, w, s)
		})
	}

	setVisibility(t, w, crm.VisibilityEveryone)
	for collection, sees := range teamSees() {
		labels := allLabels(sees)
		s := spec{collection: collection, labels: labels, sees: map[string][]string{manager: labels, agent: labels, agentB: labels, readonly: labels, partner: sees[partner]}}
		for _, actor := range teamActors {
			if collection == crm.Contacts && actor == partner {
				continue
			}
			checkListAndView(t, w, s, actor)
		}
	}
}

func allLabels(sees map[string][]string) []string {
	var out []string
	for _, labels := range sees {
		for _, l := range labels {
			if !slices.Contains(out, l) {
				out = append(out, l)
			}
		}
	}
	return sorted(out)
}

// checkTeamRealtime: every actor of the teams mode subscribes to the whole
// collection and to each record it may not see; each fixture record changes;
// each actor hears only of what it sees.
func checkTeamRealtime(t *testing.T, w *testkit.World, s spec) {
	clients := map[string]*testkit.RealtimeClient{}
	for _, actor := range teamActors {
		if actor == partner && s.collection == crm.Contacts {
			continue // TestPartner: their customer's contact, by id
		}
		topics := []string{s.collection + "/*"}
		for _, l := range s.labels {
			if !slices.Contains(s.sees[actor], l) {
				topics = append(topics, s.collection+"/"+w.ID(l))
			}
		}
		c, status := w.Srv.Realtime(t, w.Token(t, actor), topics...)
		if actor == partner && status == http.StatusForbidden && len(s.sees[partner]) == 0 {
			continue // refused outright: partners follow only their requests
		}
		if status != http.StatusNoContent {
			t.Fatalf("%s subscribe %s: status %d", actor, s.collection, status)
		}
		clients[actor] = c
	}
	for _, l := range s.labels {
		if err := w.App.Save(w.Find(t, s.collection, w.ID(l))); err != nil {
			t.Fatalf("touch %s: %v", l, err)
		}
	}
	for actor, c := range clients {
		var expect, ids []string
		for _, l := range s.sees[actor] {
			expect = append(expect, w.ID(l))
		}
		for _, e := range c.Drain(t, expect...) {
			ids = append(ids, e.RecordID)
		}
		if got, want := sorted(labelsOf(w, s, ids)), sorted(s.sees[actor]); !slices.Equal(got, want) {
			t.Errorf("%s realtime %s: heard about %v, want %v", actor, s.collection, got, want)
		}
	}
}

// In the teams mode an agent changes and deletes only what they see; a note
// on another team's request is refused.
func TestTeamVisibilityWrites(t *testing.T) {
	w := teamWorld(t)
	for _, c := range []struct {
		actor, collection, label string
		body                     map[string]any
		ok                       bool
	}{
		{agentB, crm.Contacts, "ctA", map[string]any{"job_title": "Spy"}, false},
		{agent, crm.Contacts, "ctA", map[string]any{"job_title": "Chef"}, true},
		{agentB, crm.Deals, "dlA", map[string]any{"amount": 1}, false},
		{agentB, crm.Cases, "csA", map[string]any{"priority": "high"}, false},
		{agentB, crm.Cases, "csX", map[string]any{"priority": "high"}, true},
		{manager, crm.Deals, "dlA", map[string]any{"amount": 5}, true},
	} {
		before := w.Find(t, c.collection, w.ID(c.label))
		res := w.Do(t, http.MethodPatch, "/api/collections/"+c.collection+"/records/"+w.ID(c.label), c.actor, c.body)
		if c.ok != (res.Status == http.StatusOK) {
			t.Errorf("%s update %s/%s: status %d: %s", c.actor, c.collection, c.label, res.Status, res.Body)
		}
		if !c.ok {
			after := w.Find(t, c.collection, w.ID(c.label))
			for f := range c.body {
				if describe(before.Get(f)) != describe(after.Get(f)) {
					t.Errorf("%s update %s/%s refused, yet %s changed", c.actor, c.collection, c.label, f)
				}
			}
		}
	}
	res := w.Do(t, http.MethodPost, "/api/collections/case_messages/records", agentB, map[string]any{"case": w.ID("csA"), "body": "Not mine", "internal": true})
	if res.Status < 400 || res.Status >= 500 {
		t.Errorf("agent B wrote a note on team A's request: %d %s", res.Status, res.Body)
	}
	gone := w.Make(t, "", crm.Contacts, map[string]any{"name": "Team A's", "owner": w.ID("stG")})
	if res := w.Do(t, http.MethodDelete, "/api/collections/contacts/records/"+gone.Id, agentB, nil); res.Status < 400 {
		t.Errorf("agent B deleted team A's contact: %d", res.Status)
	}
}

// Search, export and the 360 page read through the same rules.
func TestTeamVisibilityRoutes(t *testing.T) {
	w := teamWorld(t)
	search := func(who, q string) string {
		res := w.Do(t, http.MethodGet, "/api/crm/search?q="+q, who, nil)
		if res.Status != http.StatusOK {
			t.Fatalf("%s search %s: %d %s", who, q, res.Status, res.Body)
		}
		return string(res.Body)
	}
	if body := search(agentB, "Ana"); strings.Contains(body, w.ID("ctA")) {
		t.Errorf("agent B found team A's contact: %s", body)
	}
	if body := search(agent, "Ana"); !strings.Contains(body, w.ID("ctA")) {
		t.Errorf("agent A did not find their contact: %s", body)
	}
	if body := search(manager, "Carla"); !strings.Contains(body, w.ID("ctC")) {
		t.Errorf("the manager did not find team B's contact: %s", body)
	}

	export := func(who string) string {
		res := w.Do(t, http.MethodGet, "/api/crm/export/contacts?format=json", who, nil)
		if res.Status != http.StatusOK {
			t.Fatalf("%s export: %d %s", who, res.Status, res.Body)
		}
		return string(res.Body)
	}
	if body := export(agentB); strings.Contains(body, "Ana A") || !strings.Contains(body, "Carla C") {
		t.Errorf("agent B's export: %s", body)
	}
	if body := export(manager); !strings.Contains(body, "Ana A") || !strings.Contains(body, "Carla C") {
		t.Errorf("the manager's export: %s", body)
	}

	for who, status := range map[string]int{agentB: http.StatusNotFound, agent: http.StatusOK, manager: http.StatusOK} {
		res := w.Do(t, http.MethodGet, "/api/crm/contacts/"+w.ID("ctA")+"/360", who, nil)
		if res.Status != status {
			t.Errorf("%s 360 of ctA: %d, want %d", who, res.Status, status)
		}
	}
	// On the 360 page of a contact both see (ctD, nobody's), agent B gets
	// none of team A's requests.
	w.Make(t, "csD", crm.Cases, map[string]any{"type": w.ID("tpSup"), "contact": w.ID("ctD"), "subject": "Team A's job", crm.CaseTeam: w.ID("tmA")})
	res := w.Do(t, http.MethodGet, "/api/crm/contacts/"+w.ID("ctD")+"/360", agentB, nil)
	if res.Status != http.StatusOK || strings.Contains(string(res.Body), w.ID("csD")) {
		t.Errorf("agent B's 360 of ctD: %d %s", res.Status, res.Body)
	}
	res = w.Do(t, http.MethodGet, "/api/crm/contacts/"+w.ID("ctD")+"/360", agent, nil)
	if !strings.Contains(string(res.Body), w.ID("csD")) {
		t.Errorf("agent A's 360 of ctD lacks team A's request: %s", res.Body)
	}
}

// A partner reads only the request assigned to them, its messages and its
// customer's name and contact points; writes replies, notes and the status
// (within the type's moves); and reaches no other collection or route.
func TestPartner(t *testing.T) {
	w := teamWorld(t)
	setVisibility(t, w, crm.VisibilityEveryone) // the mode changes nothing for partners

	// Every collection: a list shows nothing but their own, a create is refused.
	own := map[string][]string{crm.Cases: {w.ID("csP")}, crm.CaseMessages: {w.ID("cmP")}, crm.Staff: {w.ID("stP")}}
	open := []string{crm.CaseTypes, crm.BusinessSettings}
	var told []string // the partner's own notifications (of the request assigned to them)
	if err := w.App.DB().Select("id").From(crm.Notifications).Where(dbx.HashExp{crm.NotifTo: w.ID("stP")}).Column(&told); err != nil {
		t.Fatal(err)
	}
	own[crm.Notifications] = told
	for _, name := range crm.AllCollections {
		res := w.Do(t, http.MethodGet, "/api/collections/"+name+"/records?perPage=500", partner, nil)
		var page struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		if res.Status == http.StatusOK {
			res.JSON(t, &page)
		}
		var ids []string
		for _, it := range page.Items {
			ids = append(ids, it.ID)
		}
		if !slices.Contains(open, name) && !slices.Equal(sorted(ids), sorted(own[name])) {
			t.Errorf("partner lists %s: %d %v, want %v", name, res.Status, ids, own[name])
		}
		before := w.Count(t, name, "")
		res = w.Do(t, http.MethodPost, "/api/collections/"+name+"/records", partner, map[string]any{"name": "x", "case": w.ID("csC"), "body": "x"})
		if res.Status < 400 || w.Count(t, name, "") != before {
			t.Errorf("partner created in %s: %d %s", name, res.Status, res.Body)
		}
	}

	// Their customer: viewed by id, cut to the name and contact points.
	res := w.Do(t, http.MethodGet, "/api/collections/contacts/records/"+w.ID("ctC"), partner, nil)
	var contact map[string]any
	res.JSON(t, &contact)
	if res.Status != http.StatusOK || contact["name"] != "Carla C" || contact["phone"] != "+5511900000003" {
		t.Fatalf("partner views their customer: %d %s", res.Status, res.Body)
	}
	for key := range contact {
		if !slices.Contains([]string{"id", "collectionId", "collectionName", "name", "email", "phone", "mobile", "address"}, key) {
			t.Errorf("partner receives the contact's %s", key)
		}
	}
	res = w.Do(t, http.MethodGet, "/api/collections/cases/records/"+w.ID("csP")+"?expand=contact,contact.company", partner, nil)
	if res.Status != http.StatusOK || strings.Contains(string(res.Body), `"owner"`) || strings.Contains(string(res.Body), "Company of C") || !strings.Contains(string(res.Body), "Carla C") {
		t.Errorf("partner expands their customer: %d %s", res.Status, res.Body)
	}
	if res := w.Do(t, http.MethodGet, "/api/collections/contacts/records/"+w.ID("ctA"), partner, nil); res.Status < 400 {
		t.Errorf("partner views another customer: %d", res.Status)
	}
	// Realtime: their customer by id, nothing else.
	c, status := w.Srv.Realtime(t, w.Token(t, partner), "contacts/"+w.ID("ctC"), "contacts/"+w.ID("ctA"))
	if status != http.StatusNoContent {
		t.Fatalf("partner subscribes to their customer: %d", status)
	}
	w.Update(t, w.R("ctA"), map[string]any{"job_title": "Baker"})
	w.Update(t, w.R("ctC"), map[string]any{"job_title": "Chef"})
	for _, e := range c.Drain(t, w.ID("ctC")) {
		if e.RecordID != w.ID("ctC") || strings.Contains(e.Raw, "Chef") {
			t.Errorf("partner heard %s: %s", e.RecordID, e.Raw)
		}
	}
	if _, status := w.Srv.Realtime(t, w.Token(t, partner), "deals/*"); status != http.StatusForbidden {
		t.Errorf("partner subscribes to deals: %d", status)
	}

	// Writes: the status of their request, within the type's moves; replies
	// and notes on it; nothing on another's.
	for _, c := range []struct {
		method, path string
		body         map[string]any
		ok           bool
	}{
		{http.MethodPatch, "/api/collections/cases/records/" + w.ID("csP"), map[string]any{"priority": "high"}, false},
		{http.MethodPatch, "/api/collections/cases/records/" + w.ID("csP"), map[string]any{"assignee": w.ID("stG")}, false},
		{http.MethodPatch, "/api/collections/cases/records/" + w.ID("csC"), map[string]any{"status": "done"}, false},
		{http.MethodPatch, "/api/collections/cases/records/" + w.ID("csP"), map[string]any{"status": "nosuch"}, false},
		{http.MethodPatch, "/api/collections/cases/records/" + w.ID("csP"), map[string]any{"status": "done"}, true},
		{http.MethodPost, "/api/collections/case_messages/records", map[string]any{"case": w.ID("csP"), "body": "On my way", "internal": true}, true},
		{http.MethodPost, "/api/collections/case_messages/records", map[string]any{"case": w.ID("csP"), "body": "Fixed: it was the cable."}, true},
		{http.MethodPost, "/api/collections/case_messages/records", map[string]any{"case": w.ID("csC"), "body": "Not mine"}, false},
		{http.MethodPatch, "/api/collections/case_messages/records/" + w.ID("cmP"), map[string]any{"body": "Rewritten"}, false},
		{http.MethodPatch, "/api/collections/contacts/records/" + w.ID("ctC"), map[string]any{"name": "Renamed"}, false},
	} {
		res := w.Do(t, c.method, c.path, partner, c.body)
		if c.ok != (res.Status == http.StatusOK) || (!c.ok && res.Status >= 500) {
			t.Errorf("partner %s %s %v: %d %s", c.method, c.path, c.body, res.Status, res.Body)
		}
	}
	if got := w.Find(t, crm.Cases, w.ID("csP")); got.GetString("status") != "done" || got.GetString("priority") != "normal" {
		t.Errorf("csP after the partner's changes: %s %s", got.GetString("status"), got.GetString("priority"))
	}
	if n := w.Count(t, crm.CaseMessages, "author_staff = {:p}", dbx.Params{"p": w.ID("stP")}); n != 2 {
		t.Errorf("the partner wrote %d messages, want 2", n)
	}
}

// Every route of the workspace refuses a partner but the bell's.
func TestPartnerRoutes(t *testing.T) {
	w := teamWorld(t)
	routes := append([]route{
		{http.MethodGet, "/api/crm/contacts/{ctC}/360", nil, nil, 0},
		{http.MethodGet, "/api/crm/contacts/{ctC}/timeline", nil, nil, 0},
		{http.MethodGet, "/api/crm/search?q=Carla", nil, nil, 0},
		{http.MethodGet, "/api/crm/export/contacts", nil, nil, 0},
		{http.MethodGet, "/api/crm/insights/sales", nil, nil, 0},
		{http.MethodGet, "/api/files/contacts/{ctC}/x.png", nil, nil, 0},
		{http.MethodPost, "/api/batch", map[string]any{"requests": []any{}}, nil, 0},
	}, moreRoutes...)
	for _, r := range routes {
		if strings.HasPrefix(r.path, "/api/crm/notifications") || slices.Contains(r.allowed, anon) {
			continue // the bell's own routes; public pages and forms
		}
		if res := w.Do(t, r.method, fill(w, r.path), partner, r.body); res.Status != http.StatusForbidden {
			t.Errorf("partner %s %s: %d, want 403: %s", r.method, r.path, res.Status, res.Body)
		}
	}
}

// The boards count, for an agent in the teams mode, only their teams'
// people; the team filter keeps a team's people for everyone.
func TestTeamInsights(t *testing.T) {
	w := teamWorld(t)
	records := func(who, query string) string {
		res := w.Do(t, http.MethodGet, "/api/crm/insights/team/requests_open/records"+query, who, nil)
		if res.Status != http.StatusOK {
			t.Fatalf("%s insights%s: %d %s", who, query, res.Status, res.Body)
		}
		return string(res.Body)
	}
	if body := records(manager, ""); !strings.Contains(body, w.ID("csA")) || !strings.Contains(body, w.ID("csC")) {
		t.Errorf("the manager's open requests: %s", body)
	}
	if body := records(manager, "?team="+w.ID("tmB")); strings.Contains(body, w.ID("csA")) || !strings.Contains(body, w.ID("csC")) {
		t.Errorf("the manager's open requests of team B: %s", body)
	}
	if body := records(agentB, ""); strings.Contains(body, w.ID("csA")) || !strings.Contains(body, w.ID("csC")) {
		t.Errorf("agent B's open requests: %s", body)
	}
	if body := records(agentB, "?team="+w.ID("tmA")); strings.Contains(body, w.ID("csA")) {
		t.Errorf("agent B's open requests of team A: %s", body)
	}
	if res := w.Do(t, http.MethodGet, "/api/crm/insights/service?team=nosuch", manager, nil); res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), `"team"`) {
		t.Errorf("an unknown team: %d %s", res.Status, res.Body)
	}
}
