package access_test

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/testkit"
)

// spec is one collection's row block of the matrix.
type spec struct {
	collection string
	labels     []string            // the fixture records of this collection
	sees       map[string][]string // actor -> labels it may list, view and hear about in realtime
	// create: the body an actor tries (valid for the actors allowed), and who may.
	create    func(w *testkit.World, actor string) map[string]any
	canCreate []string
	// update: the record and change an actor tries, and who may.
	update    func(w *testkit.World, actor string) (label string, body map[string]any)
	canUpdate []string
	// remove: a fresh record an actor tries to delete, and who may.
	remove    func(w *testkit.World) map[string]any
	canDelete []string
}

var (
	staffAll   = []string{manager, agent, readonly, superuser}
	writers    = []string{manager, agent, superuser}
	managers   = []string{manager, superuser}
	superOnly  = []string{superuser}
	customers3 = []string{custA, custB, custC}
)

// moreSpecs adds the row blocks kept in other files (one file per
// capability), so capabilities add their collections without editing specs().
var moreSpecFiles []func() []spec

func moreSpecs() []spec {
	var out []spec
	for _, f := range moreSpecFiles {
		out = append(out, f()...)
	}
	return out
}

func staffOnly(labels ...string) map[string][]string {
	return map[string][]string{manager: labels, agent: labels, readonly: labels, superuser: labels}
}

func with(m map[string][]string, actor string, labels ...string) map[string][]string {
	m[actor] = labels
	return m
}

func fixed(label string, body map[string]any) func(*testkit.World, string) (string, map[string]any) {
	return func(*testkit.World, string) (string, map[string]any) { return label, body }
}

func specs() []spec {
	authBody := func(w *testkit.World, extra map[string]any) map[string]any {
		n := w.Unique()
		body := map[string]any{"email": fmt.Sprintf("new%d@matrix.test", n), "password": "a-long-test-password", "passwordConfirm": "a-long-test-password"}
		for k, v := range extra {
			body[k] = v
		}
		return body
	}
	ownContact := map[string]string{custA: "ctA", custB: "ctB", custC: "ctC"}
	ownCustomer := map[string]string{custA: "cuA", custB: "cuB", custC: "cuC"}

	return []spec{
		{
			collection: crm.Staff, labels: []string{"stM", "stG", "stG2", "stR"},
			sees: staffOnly("stM", "stG", "stG2", "stR"),
			create: func(w *testkit.World, _ string) map[string]any {
				return authBody(w, map[string]any{"name": "New", "role": crm.RoleAgent})
			},
			canCreate: managers,
			update:    fixed("stG2", map[string]any{"name": "Renamed"}),
			canUpdate: managers,
			remove: func(w *testkit.World) map[string]any {
				return authBody(w, map[string]any{"name": "Leaving", "role": crm.RoleAgent})
			},
			canDelete: managers,
		},
		{
			collection: crm.Companies, labels: []string{"coA", "coC"},
			sees:      with(with(with(staffOnly("coA", "coC"), custA, "coA"), custB, "coA"), custC, "coC"),
			create:    func(*testkit.World, string) map[string]any { return map[string]any{"name": "New company"} },
			canCreate: writers,
			update:    fixed("coA", map[string]any{"industry": "Bakery"}),
			canUpdate: writers,
			remove:    func(w *testkit.World) map[string]any { return map[string]any{"name": "Gone", "owner": w.ID("stG2")} },
			canDelete: managers,
		},
		{
			collection: crm.Contacts, labels: []string{"ctA", "ctB", "ctC", "ctX", "ctD"},
			sees:      with(with(with(staffOnly("ctA", "ctB", "ctC", "ctX", "ctD"), custA, "ctA"), custB, "ctB"), custC, "ctC"),
			create:    func(*testkit.World, string) map[string]any { return map[string]any{"name": "New contact"} },
			canCreate: writers,
			update: func(w *testkit.World, actor string) (string, map[string]any) {
				if c, ok := ownContact[actor]; ok {
					return c, map[string]any{"name": "Keeps own name", "mobile": "+5511999990000", "preferred_channel": "whatsapp"}
				}
				return "ctX", map[string]any{"job_title": "Chef"}
			},
			canUpdate: append(slices.Clone(writers), customers3...),
			remove:    func(w *testkit.World) map[string]any { return map[string]any{"name": "Gone", "owner": w.ID("stG2")} },
			canDelete: managers,
		},
		{
			collection: crm.Customers, labels: []string{"cuA", "cuB", "cuC", "cuD"},
			sees: with(with(with(staffOnly("cuA", "cuB", "cuC", "cuD"), custA, "cuA"), custB, "cuB"), custC, "cuC"),
			// An account made by staff is an invitation: no password (only the
			// customer sets one) and the contact's email (plugins/portalauth).
			create: func(w *testkit.World, _ string) map[string]any {
				contact := w.Make(nil2(w), "", crm.Contacts, map[string]any{"name": "Invited", "email": fmt.Sprintf("invited%d@matrix.test", w.Unique())})
				return map[string]any{"contact": contact.Id, "company_role": crm.CompanyMember}
			},
			canCreate: writers,
			update: func(w *testkit.World, actor string) (string, map[string]any) {
				if c, ok := ownCustomer[actor]; ok {
					return c, map[string]any{"name": "Own name"}
				}
				return "cuA", map[string]any{"name": "Set by staff"}
			},
			canUpdate: append(slices.Clone(writers), customers3...),
			remove: func(w *testkit.World) map[string]any {
				contact := w.Make(nil2(w), "", crm.Contacts, map[string]any{"name": "Leaving"})
				return authBody(w, map[string]any{"contact": contact.Id, "company_role": crm.CompanyMember})
			},
			canDelete: managers,
		},
		{
			collection: crm.Pipelines, labels: []string{"pl1"}, sees: staffOnly("pl1"),
			create:    func(*testkit.World, string) map[string]any { return map[string]any{"name": "Renewals"} },
			canCreate: managers, update: fixed("pl1", map[string]any{"name": "Sales 2"}), canUpdate: managers,
			remove: func(*testkit.World) map[string]any { return map[string]any{"name": "Gone"} }, canDelete: managers,
		},
		{
			collection: crm.PipelineStages, labels: []string{"ps1"}, sees: staffOnly("ps1"),
			create: func(w *testkit.World, _ string) map[string]any {
				return map[string]any{"pipeline": w.ID("pl1"), "name": "Won", "position": 9, "kind": "won"}
			},
			canCreate: managers, update: fixed("ps1", map[string]any{"probability": 50}), canUpdate: managers,
			remove: func(w *testkit.World) map[string]any {
				return map[string]any{"pipeline": w.ID("pl1"), "name": "Gone", "position": 8, "kind": "open"}
			},
			canDelete: managers,
		},
		{
			collection: crm.Deals, labels: []string{"dlA", "dlC"}, sees: staffOnly("dlA", "dlC"),
			create: func(w *testkit.World, _ string) map[string]any {
				return map[string]any{"title": "New deal", "pipeline": w.ID("pl1"), "stage": w.ID("ps1")} // the status is the server's
			},
			canCreate: writers, update: fixed("dlA", map[string]any{"amount": 2000}), canUpdate: writers,
			remove: func(w *testkit.World) map[string]any {
				return map[string]any{"title": "Gone", "pipeline": w.ID("pl1"), "stage": w.ID("ps1"), "status": "open", "owner": w.ID("stG2")}
			},
			canDelete: managers,
		},
		{
			collection: crm.CaseTypes, labels: []string{"tpSup", "tpOld"},
			sees: with(with(with(staffOnly("tpSup", "tpOld"), custA, "tpSup"), custB, "tpSup"), custC, "tpSup"),
			create: func(w *testkit.World, _ string) map[string]any {
				return map[string]any{"name": "New type", "code": fmt.Sprintf("NT%s", letters(w.Unique())), "category": "information",
					"statuses": []map[string]any{{"key": "new", "label": "New", "public_label": "Received"}}}
			},
			canCreate: managers, update: fixed("tpSup", map[string]any{"description": "Help"}), canUpdate: managers,
			remove: func(w *testkit.World) map[string]any {
				return map[string]any{"name": "Gone", "code": "GN" + letters(w.Unique()), "category": "information",
					"statuses": []map[string]any{{"key": "new", "label": "New", "public_label": "Received"}}}
			},
			canDelete: managers,
		},
		{
			collection: crm.Cases, labels: []string{"csA", "csAshared", "csAclosed", "csB", "csC", "csX"},
			sees: with(with(with(staffOnly("csA", "csAshared", "csAclosed", "csB", "csC", "csX"),
				custA, "csA", "csAshared", "csAclosed"), custB, "csB", "csAshared"), custC, "csC"),
			create: func(w *testkit.World, actor string) map[string]any {
				if c, ok := ownContact[actor]; ok {
					return map[string]any{"type": w.ID("tpSup"), "contact": w.ID(c), "subject": "Help, please", "shared": true}
				}
				return map[string]any{"type": w.ID("tpSup"), "contact": w.ID("ctX"), "subject": "Logged by phone"}
			},
			canCreate: append(slices.Clone(writers), customers3...),
			update: func(w *testkit.World, actor string) (string, map[string]any) {
				if _, ok := ownContact[actor]; ok {
					return "csAclosed", map[string]any{"rating": 5, "rating_comment": "Thanks!"} // A's closed request
				}
				return "csA", map[string]any{"priority": "high"}
			},
			canUpdate: append(slices.Clone(writers), custA),
			remove: func(w *testkit.World) map[string]any {
				return map[string]any{"type": w.ID("tpSup"), "contact": w.ID("ctX"), "subject": "Gone"}
			},
			canDelete: managers,
		},
		{
			collection: crm.CaseMessages, labels: []string{"cmA", "cmAint", "cmAsh", "cmAshInt", "cmC"},
			sees: with(with(with(staffOnly("cmA", "cmAint", "cmAsh", "cmAshInt", "cmC"),
				custA, "cmA", "cmAsh"), custB, "cmAsh"), custC, "cmC"),
			create: func(w *testkit.World, actor string) map[string]any {
				own := map[string]string{custA: "csA", custB: "csB", custC: "csC"}
				if c, ok := own[actor]; ok {
					return map[string]any{"case": w.ID(c), "body": "A question from me"}
				}
				return map[string]any{"case": w.ID("csA"), "body": "An answer from us"}
			},
			canCreate: append(slices.Clone(writers), customers3...),
			update:    fixed("cmA", map[string]any{"body": "Edited answer"}), // written by the agent
			canUpdate: writers,
			remove: func(w *testkit.World) map[string]any {
				return map[string]any{"case": w.ID("csA"), "body": "Gone", "author_staff": w.ID("stG2")}
			},
			canDelete: managers,
		},
		{
			collection: crm.Products, labels: []string{"prOn", "prOff"},
			sees: with(with(with(staffOnly("prOn", "prOff"), custA, "prOn"), custB, "prOn"), custC, "prOn"),
			create: func(w *testkit.World, _ string) map[string]any {
				return map[string]any{"name": "Router", "code": fmt.Sprintf("R-%d", w.Unique()), "price": 300, "currency": "BRL", "kind": "one_off"}
			},
			canCreate: managers, update: fixed("prOn", map[string]any{"price": 1}), canUpdate: managers,
			remove: func(w *testkit.World) map[string]any {
				return map[string]any{"name": "Gone", "code": fmt.Sprintf("G-%d", w.Unique()), "price": 1, "currency": "BRL", "kind": "one_off"}
			},
			canDelete: managers,
		},
		{
			collection: crm.Orders, labels: []string{"orA", "orAco", "orB", "orBco", "orC", "orD"},
			sees: with(with(with(staffOnly("orA", "orAco", "orB", "orBco", "orC", "orD"),
				custA, "orA", "orAco"), custB, "orAco", "orB", "orBco"), custC, "orC"),
			create:    func(w *testkit.World, _ string) map[string]any { return orderBody(w, "ctA") },
			canCreate: writers, update: fixed("orA", map[string]any{"total": 1}), canUpdate: writers,
			remove: func(w *testkit.World) map[string]any { return orderBody(w, "ctX") }, canDelete: managers,
		},
		{
			collection: crm.Subscriptions, labels: []string{"sbA", "sbBco", "sbC"},
			sees: with(with(with(staffOnly("sbA", "sbBco", "sbC"),
				custA, "sbA"), custB, "sbBco"), custC, "sbC"),
			create: func(w *testkit.World, _ string) map[string]any {
				return map[string]any{"contact": w.ID("ctA"), "product": w.ID("prOn"), "price": 100, "currency": "BRL", "status": "active"}
			},
			canCreate: writers, update: fixed("sbA", map[string]any{"status": "paused"}), canUpdate: writers,
			remove: func(w *testkit.World) map[string]any {
				return map[string]any{"contact": w.ID("ctX"), "product": w.ID("prOn"), "price": 1, "currency": "BRL", "status": "active"}
			},
			canDelete: managers,
		},
		{
			collection: crm.Activities, labels: []string{"acApub", "acApriv", "acCpub", "acNote", "acNoteG"},
			sees: with(with(with(staffOnly("acApub", "acApriv", "acCpub", "acNote", "acNoteG"),
				custA, "acApub"), custB), custC, "acCpub"),
			create: func(w *testkit.World, actor string) map[string]any {
				self := map[string]string{manager: "stM", agent: "stG", readonly: "stR"}[actor]
				if self == "" {
					self = "stM"
				}
				return map[string]any{"type": "call", "actor_type": "staff", "staff": w.ID(self), "contact": w.ID("ctA"), "outcome": "interested", "duration_minutes": 5}
			},
			canCreate: writers,
			update:    fixed("acNote", map[string]any{"body": "edited"}), // a note by the other agent
			canUpdate: managers,
			remove: func(w *testkit.World) map[string]any {
				return map[string]any{"type": "note", "actor_type": "staff", "staff": w.ID("stG2"), "body": "gone"}
			},
			canDelete: managers,
		},
		{
			collection: crm.Tasks, labels: []string{"tkG", "tkG2"}, sees: staffOnly("tkG", "tkG2"),
			create: func(*testkit.World, string) map[string]any {
				return map[string]any{"title": "Follow up", "status": "open"}
			},
			canCreate: writers, update: fixed("tkG2", map[string]any{"status": "done"}), canUpdate: writers,
			remove: func(w *testkit.World) map[string]any {
				return map[string]any{"title": "Gone", "status": "open", "assignee": w.ID("stG2"), "created_by": w.ID("stG2")}
			},
			canDelete: managers,
		},
		{
			collection: crm.Consents, labels: []string{"cnA", "cnC"},
			sees: with(with(with(staffOnly("cnA", "cnC"), custA, "cnA"), custB), custC, "cnC"),
			create: func(w *testkit.World, actor string) map[string]any {
				if c, ok := ownContact[actor]; ok {
					return map[string]any{"contact": w.ID(c), "purpose": "research", "channel": "sms", "state": "granted", "text": "I agree to surveys by SMS."}
				}
				contact := w.Make(nil2(w), "", crm.Contacts, map[string]any{"name": "Gave consent by phone"})
				return map[string]any{"contact": contact.Id, "purpose": "marketing", "channel": "phone", "state": "granted", "source": "phone"}
			},
			canCreate: append(slices.Clone(writers), customers3...),
			update: func(w *testkit.World, actor string) (string, map[string]any) {
				if actor == custC {
					return "cnC", map[string]any{"state": "withdrawn"}
				}
				return "cnA", map[string]any{"state": "withdrawn"}
			},
			canUpdate: append(slices.Clone(writers), custA, custC),
			remove: func(w *testkit.World) map[string]any {
				return map[string]any{"contact": w.ID("ctX"), "purpose": "profiling", "channel": fmt.Sprint(crm.Channels[w.Unique()%len(crm.Channels)]), "state": "granted"}
			},
			canDelete: superOnly, // consent history is never deleted through the API
		},
		{
			collection: crm.Outbox, labels: []string{"obA"}, sees: staffOnly("obA"),
			create: func(w *testkit.World, _ string) map[string]any {
				return map[string]any{"contact": w.ID("ctA"), "purpose": "service", "state": "queued", "subject": "Hello"}
			},
			canCreate: writers, update: fixed("obA", map[string]any{"state": "sent"}), canUpdate: managers,
			remove: func(w *testkit.World) map[string]any {
				return map[string]any{"contact": w.ID("ctX"), "purpose": "service", "state": "queued"}
			},
			canDelete: managers,
		},
		{
			collection: crm.Segments, labels: []string{"sgG", "sgG2"}, sees: staffOnly("sgG", "sgG2"),
			create: func(*testkit.World, string) map[string]any {
				return map[string]any{"name": "Leads", "filter": "stage='lead'"}
			},
			canCreate: writers, update: fixed("sgG2", map[string]any{"name": "Renamed"}), canUpdate: managers,
			remove: func(w *testkit.World) map[string]any {
				return map[string]any{"name": "Gone", "filter": "stage='lead'", "owner": w.ID("stG2")}
			},
			canDelete: managers,
		},
		{
			collection: crm.AuditLog, labels: []string{"alA", "alC"},
			sees: map[string][]string{manager: {"alA", "alC"}, superuser: {"alA", "alC"}, custA: {"alA"}, custC: {"alC"}},
			create: func(*testkit.World, string) map[string]any {
				return map[string]any{"actor_type": "system", "action": "read", "collection": "contacts"}
			},
			canCreate: superOnly, update: fixed("alA", map[string]any{"reason": "rewritten"}), canUpdate: superOnly,
			remove:    func(*testkit.World) map[string]any { return map[string]any{"actor_type": "system", "action": "read"} },
			canDelete: superOnly,
		},
	}
}

func orderBody(w *testkit.World, contact string) map[string]any {
	return map[string]any{"number": fmt.Sprintf("NEW-%d", w.Unique()), "contact": w.ID(contact),
		"items": []map[string]any{{"name": "Router", "quantity": 1}}, "total": 300, "currency": "BRL", "status": "placed",
		"placed_at": "2026-11-20 10:00:00.000Z"}
}

// letters spells n with capital letters, for codes that allow no digits.
func letters(n int) string {
	s := ""
	for n >= 0 {
		s = string(rune('A'+n%26)) + s
		n = n/26 - 1
	}
	return s
}

// nil2 lets fixture helpers run inside spec functions, which have no *testing.T:
// a failure there panics and fails the test.
func nil2(*testkit.World) testing.TB { return panicTB{} }

type panicTB struct{ testing.TB }

func (panicTB) Helper()                        {}
func (panicTB) Fatal(args ...any)              { panic(fmt.Sprint(args...)) }
func (panicTB) Fatalf(format string, a ...any) { panic(fmt.Sprintf(format, a...)) }

// TestAccessMatrix: every collection × the eight actors × list, view,
// realtime, create, update and delete.
func TestAccessMatrix(t *testing.T) {
	w := newWorld(t)
	all := append(specs(), moreSpecs()...)

	covered := map[string]bool{}
	for _, s := range all {
		covered[s.collection] = true
	}
	for _, name := range crm.AllCollections {
		if !covered[name] {
			t.Errorf("collection %s has no rows in the access matrix", name)
		}
	}

	for _, s := range all {
		t.Run(s.collection, func(t *testing.T) { checkSpec(t, w, s) })
	}
}

// checkSpec runs one collection's rows: every actor lists, views, hears in
// realtime, creates, updates and deletes.
func checkSpec(t *testing.T, w *testkit.World, s spec) {
	for _, actor := range actors {
		checkListAndView(t, w, s, actor)
	}
	checkRealtime(t, w, s)
	for _, actor := range actors {
		checkCreate(t, w, s, actor)
		checkUpdate(t, w, s, actor)
		checkDelete(t, w, s, actor)
	}
}

func labelsOf(w *testkit.World, s spec, ids []string) []string {
	var out []string
	for _, l := range s.labels {
		if slices.Contains(ids, w.ID(l)) {
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out
}

func sorted(in []string) []string {
	out := slices.Clone(in)
	sort.Strings(out)
	if out == nil {
		out = []string{}
	}
	return out
}

func checkListAndView(t *testing.T, w *testkit.World, s spec, actor string) {
	res := w.Do(t, http.MethodGet, "/api/collections/"+s.collection+"/records?perPage=500", actor, nil)
	want := sorted(s.sees[actor])
	var ids []string
	if res.Status == http.StatusOK {
		var page struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		res.JSON(t, &page)
		for _, it := range page.Items {
			ids = append(ids, it.ID)
		}
	} else if len(want) > 0 {
		t.Errorf("%s list %s: status %d, want 200: %s", actor, s.collection, res.Status, res.Body)
	}
	if got := sorted(labelsOf(w, s, ids)); !slices.Equal(got, want) {
		t.Errorf("%s list %s: sees %v, want %v", actor, s.collection, got, want)
	}

	for _, l := range s.labels {
		res := w.Do(t, http.MethodGet, "/api/collections/"+s.collection+"/records/"+w.ID(l), actor, nil)
		may := slices.Contains(want, l)
		if may && res.Status != http.StatusOK {
			t.Errorf("%s view %s/%s: status %d, want 200", actor, s.collection, l, res.Status)
		}
		if !may && (res.Status < 400 || res.Status >= 500 || strings.Contains(string(res.Body), w.ID(l))) {
			t.Errorf("%s view %s/%s: status %d, want a 4xx without the record: %s", actor, s.collection, l, res.Status, res.Body)
		}
	}
}

// checkRealtime subscribes every actor to the whole collection and to each
// record it may not see, changes every fixture record, and compares what each
// actor heard with what it may see.
func checkRealtime(t *testing.T, w *testkit.World, s spec) {
	clients := map[string]*realtimeSub{}
	for _, actor := range actors {
		topics := []string{s.collection + "/*"}
		for _, l := range s.labels {
			if !slices.Contains(s.sees[actor], l) {
				topics = append(topics, s.collection+"/"+w.ID(l)) // hostile: subscribe to someone else's record
			}
		}
		c, status := w.Srv.Realtime(t, w.Token(t, actor), topics...)
		if status != http.StatusNoContent {
			t.Fatalf("%s subscribe %s: status %d", actor, s.collection, status)
		}
		clients[actor] = &realtimeSub{c: c}
	}
	for _, l := range s.labels {
		r := w.Find(t, s.collection, w.ID(l))
		if err := w.App.Save(r); err != nil {
			t.Fatalf("touch %s: %v", l, err)
		}
	}
	for _, actor := range actors {
		heard := map[string]bool{}
		var expect []string
		for _, l := range s.sees[actor] {
			expect = append(expect, w.ID(l))
		}
		for _, e := range clients[actor].c.Drain(t, expect...) {
			heard[e.RecordID] = true
		}
		var ids []string
		for id := range heard {
			ids = append(ids, id)
		}
		if got, want := sorted(labelsOf(w, s, ids)), sorted(s.sees[actor]); !slices.Equal(got, want) {
			t.Errorf("%s realtime %s: heard about %v, want %v", actor, s.collection, got, want)
		}
	}
}

type realtimeSub struct{ c *testkit.RealtimeClient }

func checkCreate(t *testing.T, w *testkit.World, s spec, actor string) {
	body := s.create(w, actor)
	before := w.Count(t, s.collection, "")
	res := w.Do(t, http.MethodPost, "/api/collections/"+s.collection+"/records", actor, body)
	after := w.Count(t, s.collection, "")
	if slices.Contains(s.canCreate, actor) {
		if res.Status != http.StatusOK || after != before+1 {
			t.Errorf("%s create %s: status %d (%d -> %d records), want 200: %s", actor, s.collection, res.Status, before, after, res.Body)
		}
		return
	}
	if res.Status < 400 || res.Status >= 500 || after != before {
		t.Errorf("%s create %s: status %d (%d -> %d records), want a 4xx and nothing written: %s", actor, s.collection, res.Status, before, after, res.Body)
	}
}

func checkUpdate(t *testing.T, w *testkit.World, s spec, actor string) {
	label, body := s.update(w, actor)
	before := w.Find(t, s.collection, w.ID(label))
	res := w.Do(t, http.MethodPatch, "/api/collections/"+s.collection+"/records/"+w.ID(label), actor, body)
	after := w.Find(t, s.collection, w.ID(label))
	if slices.Contains(s.canUpdate, actor) {
		if res.Status != http.StatusOK {
			t.Errorf("%s update %s/%s: status %d, want 200: %s", actor, s.collection, label, res.Status, res.Body)
		}
		return
	}
	if res.Status < 400 || res.Status >= 500 {
		t.Errorf("%s update %s/%s: status %d, want a 4xx: %s", actor, s.collection, label, res.Status, res.Body)
	}
	for field := range body {
		if describe(before.Get(field)) != describe(after.Get(field)) {
			t.Errorf("%s update %s/%s: refused, yet %s changed from %v to %v", actor, s.collection, label, field, before.Get(field), after.Get(field))
		}
	}
}

func checkDelete(t *testing.T, w *testkit.World, s spec, actor string) {
	victim := w.Make(t, "", s.collection, s.remove(w))
	res := w.Do(t, http.MethodDelete, "/api/collections/"+s.collection+"/records/"+victim.Id, actor, nil)
	_, err := w.App.FindRecordById(s.collection, victim.Id)
	gone := err != nil
	if slices.Contains(s.canDelete, actor) {
		if res.Status != http.StatusNoContent || !gone {
			t.Errorf("%s delete %s: status %d (gone: %v), want 204: %s", actor, s.collection, res.Status, gone, res.Body)
		}
		return
	}
	if res.Status < 400 || res.Status >= 500 || gone {
		t.Errorf("%s delete %s: status %d (gone: %v), want a 4xx and the record kept: %s", actor, s.collection, res.Status, gone, res.Body)
	}
}
