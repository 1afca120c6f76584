package access_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"vinculo/crm"
	"vinculo/plugins/campaigns"
	"vinculo/testkit"
)

// Campaigns (plugins/campaigns): staff read them; writers create drafts
// (theirs) and edit their own, managers any; the state and the send's
// figures are the server's; managers (an agent, their own) delete drafts
// only. Customers never see one. Staff preview and read results; writers
// send (an agent only their own campaign); readonly never sends.
func init() {
	moreSpecFiles = append(moreSpecFiles, func() []spec { return campaignSpecs(false) })
}

func campaignBody(w *testkit.World, extra map[string]any) map[string]any {
	body := map[string]any{crm.CampName: fmt.Sprintf("Campaign %d", w.Unique()), crm.CampSegment: w.ID("sgG"),
		crm.CampSubjectEN: "News", crm.CampBodyEN: "Hello {{contact.first_name}}"}
	for k, v := range extra {
		body[k] = v
	}
	return body
}

// campaignFixtures: the agent's draft, and a campaign another agent sent.
func campaignFixtures(w *testkit.World) {
	if w.Has("cpG") {
		return
	}
	w.Make(nil2(w), "cpG", crm.Campaigns, campaignBody(w, map[string]any{crm.CampOwner: w.ID("stG"), crm.CampState: crm.CampaignDraft}))
	w.Make(nil2(w), "cpS", crm.Campaigns, campaignBody(w, map[string]any{crm.CampOwner: w.ID("stG2"), crm.CampState: crm.CampaignSent}))
}

func campaignSpecs(withLabels bool) []spec {
	s := spec{
		collection: crm.Campaigns, sees: map[string][]string{},
		create:    func(w *testkit.World, _ string) map[string]any { return campaignBody(w, nil) },
		canCreate: writers,
		update: func(w *testkit.World, _ string) (string, map[string]any) {
			campaignFixtures(w)
			return "cpG", map[string]any{crm.CampBodyEN: fmt.Sprintf("Hello again %d", w.Unique())}
		},
		canUpdate: writers,
		remove: func(w *testkit.World) map[string]any {
			return campaignBody(w, map[string]any{crm.CampOwner: w.ID("stG2"), crm.CampState: crm.CampaignDraft})
		},
		canDelete: managers,
	}
	if withLabels {
		s.labels, s.sees = []string{"cpG", "cpS"}, staffOnly("cpG", "cpS")
	}
	return []spec{s}
}

// TestCampaignsAccess: list, view, realtime and writes of campaigns; no
// one but the server moves a campaign's state or edits a sent one; every
// actor on every campaign route.
func TestCampaignsAccess(t *testing.T) {
	w := newWorld(t)
	if err := campaigns.Register(w.App, w.Cfg); err != nil { // a no-op once plugins.All has it
		t.Fatal(err)
	}
	campaignFixtures(w)
	for _, s := range campaignSpecs(true) {
		t.Run(s.collection, func(t *testing.T) { checkSpec(t, w, s) })
	}
	for _, actor := range []string{manager, agent} {
		if res := w.Do(t, http.MethodPatch, "/api/collections/campaigns/records/"+w.ID("cpG"), actor, map[string]any{crm.CampState: crm.CampaignSent}); res.Status < 400 {
			t.Errorf("%s moved a campaign's state: %d", actor, res.Status)
		}
		if res := w.Do(t, http.MethodPatch, "/api/collections/campaigns/records/"+w.ID("cpS"), actor, map[string]any{crm.CampBodyEN: "Changed"}); res.Status < 400 {
			t.Errorf("%s edited a sent campaign: %d", actor, res.Status)
		}
		if res := w.Do(t, http.MethodPost, "/api/collections/campaigns/records", actor, campaignBody(w, map[string]any{crm.CampQueued: 5})); res.Status < 400 {
			t.Errorf("%s set a campaign's figures: %d", actor, res.Status)
		}
	}
}

// TestCampaignRoutes: every actor on the preview, results and send routes.
// The send runs last, on the agent's draft: a colleague's campaign is
// refused to an agent, and sending a sent one again is a 200 that queues nothing.
func TestCampaignRoutes(t *testing.T) {
	w := newWorld(t)
	if err := campaigns.Register(w.App, w.Cfg); err != nil {
		t.Fatal(err)
	}
	campaignFixtures(w)
	routes := []route{
		{http.MethodGet, "/api/crm/campaigns/{cpG}/preview", nil, staffAll, http.StatusOK},
		{http.MethodGet, "/api/crm/campaigns/{cpS}/results", nil, staffAll, http.StatusOK},
		{http.MethodPost, "/api/crm/campaigns/{cpS}/send", nil, []string{manager, superuser}, http.StatusOK},
	}
	for _, r := range routes {
		path := fill(w, r.path)
		for _, actor := range actors {
			res := w.Do(t, r.method, path, actor, r.body)
			want := r.okStatus
			switch {
			case slices.Contains(r.allowed, actor):
			case actor == anon:
				want = http.StatusUnauthorized
			default:
				want = http.StatusForbidden
			}
			if res.Status != want {
				t.Errorf("%s %s %s: status %d, want %d: %s", actor, r.method, r.path, res.Status, want, res.Body)
			}
		}
	}
	send := "/api/crm/campaigns/" + w.ID("cpG") + "/send"
	for _, actor := range []string{anon, custA, custB, custC, readonly} {
		if res := w.Do(t, http.MethodPost, send, actor, nil); res.Status != http.StatusUnauthorized && res.Status != http.StatusForbidden {
			t.Errorf("%s sent a campaign: %d", actor, res.Status)
		}
	}
	if res := w.Do(t, http.MethodPost, send, agent, nil); res.Status != http.StatusAccepted {
		t.Errorf("the agent sent their own draft: %d %s", res.Status, res.Body)
	}
	campaigns.Wait(w.App)
}
