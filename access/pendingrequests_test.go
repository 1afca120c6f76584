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

// Public requests waiting for their email's confirmation (plugins/portal):
// pending_requests belong to nobody yet, so only superusers see or change
// them (the hash of a link's token with them alone: it does not open the
// link).
// Confirming a link is open to anyone who holds one: the same 400 for a
// link that is no good, whoever asks.
func init() {
	moreSpecFiles = append(moreSpecFiles, func() []spec { return pendingRequestSpecs(false) })
	moreRoutes = append(moreRoutes,
		route{http.MethodPost, "/api/crm/public/requests/confirm", map[string]any{"token": "not-a-token"}, actors, http.StatusBadRequest},
	)
}

// pendingRequest is a held request with a token hash of its own.
func pendingRequest(w *testkit.World, subject string) map[string]any {
	return map[string]any{"email": "someone@else.test", "name": "Someone", "type": w.ID("tpSup"), "subject": subject,
		"token_hash": fmt.Sprintf("%064x", w.Unique()), "expires": time.Now().Add(time.Hour).UTC()}
}

// pendingRequestFixtures adds a held request, once.
func pendingRequestFixtures(w *testkit.World) {
	if !w.Has("prA") {
		fields := pendingRequest(w, "Held")
		fields["token_hash"] = strings.Repeat("cd", 32)
		w.Make(nil2(w), "prA", crm.PendingRequests, fields)
	}
}

// pendingRequestSpecs: with labels, the fixture is listed, viewed and heard
// about in realtime (TestPendingRequestAccess makes it first).
func pendingRequestSpecs(withLabels bool) []spec {
	var labels []string
	if withLabels {
		labels = []string{"prA"}
	}
	return []spec{{
		collection: crm.PendingRequests, labels: labels, sees: map[string][]string{superuser: labels},
		create:    func(w *testkit.World, _ string) map[string]any { return pendingRequest(w, "New") },
		canCreate: superOnly,
		update: func(w *testkit.World, _ string) (string, map[string]any) {
			pendingRequestFixtures(w)
			return "prA", map[string]any{"email": "other@else.test"}
		},
		canUpdate: superOnly,
		remove:    func(w *testkit.World) map[string]any { return pendingRequest(w, "Gone") },
		canDelete: superOnly,
	}}
}

func TestPendingRequestAccess(t *testing.T) {
	w := newWorld(t)
	pendingRequestFixtures(w)
	for _, s := range pendingRequestSpecs(true) {
		t.Run(s.collection, func(t *testing.T) { checkSpec(t, w, s) })
	}
	for _, actor := range actors {
		res := w.Do(t, http.MethodGet, "/api/collections/"+crm.PendingRequests+"/records?filter="+url.QueryEscape("token_hash ~ 'cdcd'"), actor, nil)
		if actor != superuser && (res.Status == http.StatusOK || strings.Contains(string(res.Body), strings.Repeat("cd", 32))) {
			t.Errorf("%s filters held requests by their token's hash: %d %s", actor, res.Status, res.Body)
		}
	}
}
