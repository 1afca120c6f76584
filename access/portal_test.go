package access_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/testkit"
)

// The customer portal's routes (plugins/portal) × the eight actors. Rows
// that change state use bodies that stop at validation for the allowed
// actors, so that every actor meets the same record: what is checked here is
// who gets through, not what the action does (plugins/portal tests that).
func init() {
	customersOnly := slices.Clone(customers3)
	moreRoutes = append(moreRoutes,
		route{http.MethodGet, "/api/crm/portal/branding", nil, actors, http.StatusOK},
		route{http.MethodGet, "/api/crm/portal/me", nil, customersOnly, http.StatusOK},
		route{http.MethodGet, "/api/crm/portal/cases/{csA}", nil, []string{custA}, http.StatusOK},
		route{http.MethodGet, "/api/crm/portal/cases/{csAshared}", nil, []string{custA, custB}, http.StatusOK},
		route{http.MethodGet, "/api/crm/portal/cases/{csC}", nil, []string{custC}, http.StatusOK},
		route{http.MethodPost, "/api/crm/portal/cases/{csA}/read", nil, []string{custA}, http.StatusOK},
		route{http.MethodPost, "/api/crm/portal/cases/{csAshared}/read", nil, []string{custA}, http.StatusOK},
		route{http.MethodPost, "/api/crm/cases/{csA}/read", nil, writers, http.StatusOK}, // readonly staff only read
		route{http.MethodPost, "/api/crm/portal/subscriptions/{sbA}/action", map[string]any{"action": "fly"}, []string{custA}, http.StatusBadRequest},
		route{http.MethodPost, "/api/crm/portal/subscriptions/{sbBco}/action", map[string]any{"action": "fly"}, []string{custB}, http.StatusBadRequest},
		route{http.MethodPost, "/api/crm/portal/subscriptions/{sbC}/action", map[string]any{"action": "fly"}, []string{custC}, http.StatusBadRequest},
		route{http.MethodGet, "/api/crm/portal/my-data?format=json", nil, customersOnly, http.StatusBadRequest}, // retired: the full copy
		route{http.MethodGet, "/api/crm/portal/my-data?format=vcf", nil, customersOnly, http.StatusOK},
		route{http.MethodPost, "/api/crm/portal/password", map[string]any{"password": "short", "passwordConfirm": "short"}, customersOnly, http.StatusBadRequest},
		route{http.MethodDelete, "/api/crm/portal/password", nil, customersOnly, http.StatusBadRequest},
		route{http.MethodPost, "/api/crm/portal/mfa", map[string]any{"enabled": false}, customersOnly, http.StatusOK},
		route{http.MethodPost, "/api/crm/portal/confirm-email-change", map[string]any{"token": "not-a-token"}, customersOnly, http.StatusBadRequest},
		// public: the same answer whoever asks (an unknown type, an unknown code)
		route{http.MethodPost, "/api/crm/public/requests", map[string]any{"type": "NOPE", "name": "X", "email": "x@x.test", "subject": "Y"}, actors, http.StatusBadRequest},
		route{http.MethodGet, "/api/crm/public/request-types", nil, actors, http.StatusOK},
		route{http.MethodPost, "/api/crm/public/track", map[string]any{"reference": "SUP-999999", "email": "a@cust.test"}, actors, http.StatusNotFound},
	)
}

// Signing out everywhere ends the customer's sessions; the matrix above
// runs with tokens it must keep, so this route gets a World of its own.
func TestPortalSignOutEverywhereRoute(t *testing.T) {
	w := newWorld(t)
	for _, actor := range []string{anon, manager, agent, readonly, superuser, custA, custB, custC} {
		res := w.Do(t, http.MethodPost, "/api/crm/portal/sign-out-everywhere", actor, nil)
		want := http.StatusForbidden
		switch {
		case actor == anon:
			want = http.StatusUnauthorized
		case slices.Contains(customers3, actor):
			want = http.StatusNoContent
		}
		if res.Status != want {
			t.Errorf("%s: status %d, want %d: %s", actor, res.Status, want, res.Body)
		}
	}
	for _, actor := range customers3 {
		if res := w.Do(t, http.MethodGet, "/api/crm/portal/me", actor, nil); res.Status != http.StatusUnauthorized {
			t.Errorf("%s still signed in after signing out everywhere: %d", actor, res.Status)
		}
	}
	if res := w.Do(t, http.MethodGet, "/api/crm/contacts/"+w.ID("ctA")+"/360", manager, nil); res.Status != http.StatusOK {
		t.Errorf("staff signed out by a customer: %d", res.Status)
	}
}

// The portal's new fields are the system's: nobody writes them through the
// record API (read state: the read routes; has_password and mfa: the
// portal's password and MFA routes).
func TestPortalFieldsAreSystemWritten(t *testing.T) {
	w := newWorld(t)
	stamp := "2026-01-01 00:00:00.000Z"
	ownCase := map[string]string{custA: "csA", custB: "csB", custC: "csC"}
	ownCustomer := map[string]string{custA: "cuA", custB: "cuB", custC: "cuC"}
	for _, actor := range actors {
		for _, field := range []string{"read_by_customer_at", "read_by_staff_at"} {
			kase := ownCase[actor]
			if kase == "" {
				kase = "csA"
			}
			before := w.Count(t, crm.CaseMessages, "")
			res := w.Do(t, http.MethodPost, "/api/collections/case_messages/records", actor, map[string]any{"case": w.ID(kase), "body": "hi", field: stamp})
			if actor != superuser && (res.Status < 400 || w.Count(t, crm.CaseMessages, "") != before) {
				t.Errorf("%s created a message with %s: %d %s", actor, field, res.Status, res.Body)
			}
			res = w.Do(t, http.MethodPatch, "/api/collections/case_messages/records/"+w.ID("cmA"), actor, map[string]any{field: stamp})
			if actor != superuser && (res.Status < 400 || w.Find(t, crm.CaseMessages, w.ID("cmA")).GetString(field) != "") {
				t.Errorf("%s set %s on a message: %d %s", actor, field, res.Status, res.Body)
			}
		}
		for _, field := range []string{"has_password", "mfa"} {
			target := ownCustomer[actor]
			if target == "" {
				target = "cuA"
			}
			res := w.Do(t, http.MethodPatch, "/api/collections/customers/records/"+w.ID(target), actor, map[string]any{field: true})
			if actor != superuser && (res.Status < 400 || w.Find(t, crm.Customers, w.ID(target)).GetBool(field)) {
				t.Errorf("%s set %s on %s: %d %s", actor, field, target, res.Status, res.Body)
			}
		}
	}
}

// Two customers of different companies (A and C) and two colleagues (A,
// a member, and B, the company admin): through the portal's routes, the
// record API and realtime, nobody sees another's data unless the company
// role allows it (B sees what A shares with the company).
func TestPortalIsolation(t *testing.T) {
	w := newWorld(t)
	// REST: the portal's request page
	for actor, cases := range map[string]map[string]int{
		custA: {"csA": 200, "csAshared": 200, "csB": 403, "csC": 403, "csX": 403},
		custB: {"csA": 403, "csAshared": 200, "csB": 200, "csC": 403},
		custC: {"csA": 403, "csAshared": 403, "csB": 403, "csC": 200},
	} {
		for label, want := range cases {
			res := w.Do(t, http.MethodGet, "/api/crm/portal/cases/"+w.ID(label), actor, nil)
			if res.Status != want {
				t.Errorf("%s portal case %s: %d, want %d", actor, label, res.Status, want)
			}
			if want != 200 && strings.Contains(string(res.Body), w.ID(label)) {
				t.Errorf("%s portal case %s: the answer names it", actor, label)
			}
		}
	}
	// The full copy holds only their own (the team's notes on their own
	// requests are theirs: access/fullcopy_test.go)
	for actor, forbidden := range map[string][]string{
		custA: {"csB", "csC", "orB", "orBco", "orC", "sbBco", "sbC", "cnC", "ctB", "ctC"},
		custB: {"csA", "csAshared", "csC", "orA", "orAco", "sbA", "cnA", "ctA", "ctC", "cmA", "cmAsh"},
		custC: {"csA", "csB", "orA", "orB", "sbA", "sbBco", "cnA", "ctA", "ctB", "cmA"},
	} {
		text := fullCopyText(t, w, actor)
		for _, label := range forbidden {
			if strings.Contains(text, w.ID(label)) {
				t.Errorf("%s's full copy holds %s", actor, label)
			}
		}
	}
	// REST: the record API lists
	for _, c := range []struct {
		actor, collection string
		want              []string
	}{
		{custA, crm.Cases, []string{"csA", "csAshared", "csAclosed"}},
		{custB, crm.Cases, []string{"csAshared", "csB"}},
		{custC, crm.Cases, []string{"csC"}},
		{custA, crm.Subscriptions, []string{"sbA"}},
		{custB, crm.Subscriptions, []string{"sbBco"}},
		{custC, crm.Subscriptions, []string{"sbC"}},
	} {
		_, ids, body := list(t, w, c.actor, c.collection, nil)
		if got := sorted(labelsFor(w, ids, "csA", "csAshared", "csAclosed", "csB", "csC", "csX", "sbA", "sbBco", "sbC")); !slices.Equal(got, sorted(c.want)) {
			t.Errorf("%s lists %s: %v, want %v (%s)", c.actor, c.collection, got, c.want, body)
		}
	}

	// realtime: each subscribes to every request and message, and to the
	// others' by id; staff move every request and answer on it
	type sub struct {
		actor string
		hears []string
	}
	subs := []sub{
		{custA, []string{"csA", "csAshared", "csAclosed"}},
		{custB, []string{"csAshared", "csB"}},
		{custC, []string{"csC"}},
	}
	all := []string{"csA", "csAshared", "csAclosed", "csB", "csC", "csX"}
	clients := map[string]*realtimeSub{}
	for _, s := range subs {
		topics := []string{"cases/*", "case_messages/*"}
		for _, l := range all {
			topics = append(topics, "cases/"+w.ID(l))
		}
		c, status := w.Srv.Realtime(t, w.Token(t, s.actor), topics...)
		if status != http.StatusNoContent {
			t.Fatalf("%s subscribe: %d", s.actor, status)
		}
		clients[s.actor] = &realtimeSub{c: c}
	}
	for _, l := range all {
		res := w.Do(t, http.MethodPatch, "/api/collections/cases/records/"+w.ID(l), agent, map[string]any{"subject": "moved " + l})
		if res.Status != http.StatusOK {
			t.Fatalf("staff change %s: %d %s", l, res.Status, res.Body)
		}
	}
	for _, s := range subs {
		var expect []string
		for _, l := range s.hears {
			expect = append(expect, w.ID(l))
		}
		heard := map[string]bool{}
		for _, e := range clients[s.actor].c.Drain(t, expect...) {
			if strings.HasPrefix(e.Topic, "cases") {
				heard[e.RecordID] = true
			}
			for _, internal := range []string{`"assignee"`, `"priority"`, `"status":`} {
				if strings.Contains(e.Raw, internal) {
					t.Errorf("%s heard an internal field %s: %s", s.actor, internal, e.Raw)
				}
			}
		}
		var ids []string
		for id := range heard {
			ids = append(ids, id)
		}
		if got := sorted(labelsFor(w, ids, all...)); !slices.Equal(got, sorted(s.hears)) {
			t.Errorf("%s heard about %v, want %v", s.actor, got, s.hears)
		}
	}
}

func labelsFor(w *testkit.World, ids []string, labels ...string) []string {
	var out []string
	for _, l := range labels {
		if slices.Contains(ids, w.ID(l)) {
			out = append(out, l)
		}
	}
	return out
}
