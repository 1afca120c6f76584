package access_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"vinculo/crm"
	"vinculo/testkit"
)

// Web-to-lead (plugins/channels/webforms): staff read the forms, managers
// write them; the consents waiting for their confirmation link belong to
// nobody yet, so only superusers see them (the hash of a link's token with
// them alone: it does not open the link). The public doors answer anyone
// alike: an unknown form is closed, a bad link is refused.
func init() {
	moreSpecFiles = append(moreSpecFiles, func() []spec { return webFormSpecs(false) })
	moreRoutes = append(moreRoutes,
		route{http.MethodPost, "/api/crm/public/forms/nosuchform00000", map[string]any{"values": map[string]any{"email": "a@b.example"}}, actors, http.StatusNotFound},
		route{http.MethodGet, "/forms/nosuchform00000", nil, actors, http.StatusNotFound},
		route{http.MethodGet, "/forms/nosuchform00000.js", nil, actors, http.StatusNotFound},
		route{http.MethodGet, "/forms/confirm?token=not-a-token", nil, actors, http.StatusBadRequest},
		route{http.MethodPost, "/forms/confirm", map[string]any{"token": "not-a-token"}, actors, http.StatusBadRequest},
	)
}

// webFormBody is a form that is off (no site needed).
func webFormBody(w *testkit.World, label string) map[string]any {
	return map[string]any{
		crm.FormName:    fmt.Sprintf("%s %d", label, w.Unique()),
		crm.FormFields:  []map[string]any{{"key": "name", "required": true}, {"key": "email", "required": true}},
		crm.FormCreates: crm.FormCreatesLead, crm.FormActive: false,
	}
}

// optInBody is a consent waiting for its link, with a token hash of its own.
func optInBody(w *testkit.World, _ string) map[string]any {
	return map[string]any{
		crm.OptInContact: w.ID("ctX"), crm.OptInEmail: "xavier@x.test", crm.OptInPurposes: []string{crm.PurposeMarketing},
		crm.OptInText: "I agree", crm.OptInTokenHash: fmt.Sprintf("%064x", w.Unique()), crm.OptInExpires: time.Now().Add(time.Hour).UTC(),
	}
}

// webFormFixtures adds a form and a waiting consent, once.
func webFormFixtures(w *testkit.World) {
	if !w.Has("wfA") {
		w.Make(nil2(w), "wfA", crm.WebForms, webFormBody(w, "Kept"))
	}
	if !w.Has("woA") {
		body := optInBody(w, "")
		body[crm.OptInTokenHash] = strings.Repeat("ef", 32)
		w.Make(nil2(w), "woA", crm.WebFormOptIns, body)
	}
}

func webFormSpecs(withLabels bool) []spec {
	forms := spec{
		collection: crm.WebForms, sees: map[string][]string{},
		create:    func(w *testkit.World, _ string) map[string]any { return webFormBody(w, "New") },
		canCreate: managers,
		update: func(w *testkit.World, _ string) (string, map[string]any) {
			webFormFixtures(w)
			return "wfA", map[string]any{crm.FormName: fmt.Sprintf("Renamed %d", w.Unique())}
		},
		canUpdate: managers,
		remove:    func(w *testkit.World) map[string]any { return webFormBody(w, "Gone") },
		canDelete: managers,
	}
	optins := spec{
		collection: crm.WebFormOptIns, sees: map[string][]string{},
		create:    optInBody,
		canCreate: superOnly,
		update: func(w *testkit.World, _ string) (string, map[string]any) {
			webFormFixtures(w)
			return "woA", map[string]any{crm.OptInText: fmt.Sprintf("Changed %d", w.Unique())}
		},
		canUpdate: superOnly,
		remove:    func(w *testkit.World) map[string]any { return optInBody(w, "") },
		canDelete: superOnly,
	}
	if withLabels {
		forms.labels, forms.sees = []string{"wfA"}, staffOnly("wfA")
		optins.labels, optins.sees = []string{"woA"}, map[string][]string{superuser: {"woA"}}
	}
	return []spec{forms, optins}
}

// TestWebFormReads: the list, view and realtime rows of both collections;
// nobody but a superuser finds a waiting consent by its token's hash.
func TestWebFormReads(t *testing.T) {
	w := newWorld(t)
	webFormFixtures(w)
	for _, s := range webFormSpecs(true) {
		t.Run(s.collection, func(t *testing.T) {
			for _, actor := range actors {
				checkListAndView(t, w, s, actor)
			}
			checkRealtime(t, w, s)
		})
	}
	for _, actor := range actors {
		res := w.Do(t, http.MethodGet, "/api/collections/"+crm.WebFormOptIns+"/records?filter="+url.QueryEscape("token_hash ~ 'efef'"), actor, nil)
		if actor != superuser && (res.Status == http.StatusOK || strings.Contains(string(res.Body), strings.Repeat("ef", 32))) {
			t.Errorf("%s filters waiting consents by their token's hash: %d %s", actor, res.Status, res.Body)
		}
	}
}

// Nobody sends a consent's proof through the API: the server writes it
// when a link is confirmed.
func TestConsentProofIsTheServers(t *testing.T) {
	w := newWorld(t)
	for _, actor := range []string{manager, agent, custB} {
		res := w.Do(t, http.MethodPost, "/api/collections/consents/records", actor, map[string]any{crm.FieldContact: w.ID("ctB"),
			"purpose": "research", "channel": "sms", "state": "granted", crm.ConsentProof: map[string]any{"ip": "203.0.113.9"}})
		if res.Status == http.StatusOK {
			t.Errorf("%s sends a proof: %s", actor, res.Body)
		}
	}
	res := w.Do(t, http.MethodGet, "/api/collections/consents/records?filter="+url.QueryEscape("proof ~ '203.0.113.9'"), superuser, nil)
	if strings.Contains(string(res.Body), "203.0.113.9") {
		t.Errorf("a proof was stored: %s", res.Body)
	}
}
