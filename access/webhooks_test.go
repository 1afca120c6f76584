package access_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/testkit"
)

// Webhooks: webhook_deliveries are the server's, seen and changed by
// superusers only (a failed one may be set back to pending in the
// dashboard), the secret a delivery keeps with them alone; the inbound
// signatures accepted are a table no API reaches.
func init() {
	moreSpecFiles = append(moreSpecFiles, func() []spec { return webhookSpecs(false) })
}

func webhookDelivery(secret string) map[string]any {
	return map[string]any{"url": "http://127.0.0.1:9/hooks", "secret": secret, "event": "case.opened",
		"payload": map[string]any{"id": "x", "event": "case.opened"}, "state": crm.WebhookFailed, "attempts": 7}
}

// webhookFixtures adds a delivery with its own secret, once.
func webhookFixtures(w *testkit.World) {
	if !w.Has("whA") {
		w.Make(nil2(w), "whA", crm.WebhookDeliveries, webhookDelivery("a-delivery-secret-0123"))
	}
}

// webhookSpecs: with labels, the fixture delivery is listed, viewed and
// heard about in realtime (TestWebhookAccess makes it first).
func webhookSpecs(withLabels bool) []spec {
	var labels []string
	if withLabels {
		labels = []string{"whA"}
	}
	return []spec{{
		collection: crm.WebhookDeliveries, labels: labels, sees: map[string][]string{superuser: labels},
		create:    func(*testkit.World, string) map[string]any { return webhookDelivery("") },
		canCreate: superOnly,
		update: func(w *testkit.World, _ string) (string, map[string]any) {
			webhookFixtures(w)
			return "whA", map[string]any{"state": crm.WebhookFailed, "attempts": 0, "url": "http://127.0.0.1:9/elsewhere"}
		},
		canUpdate: superOnly,
		remove:    func(*testkit.World) map[string]any { return webhookDelivery("") },
		canDelete: superOnly,
	}}
}

func TestWebhookAccess(t *testing.T) {
	w := newWorld(t)
	webhookFixtures(w)
	for _, s := range webhookSpecs(true) {
		t.Run(s.collection, func(t *testing.T) { checkSpec(t, w, s) })
	}
	for _, actor := range actors {
		res := w.Do(t, http.MethodGet, "/api/collections/"+crm.WebhookDeliveries+"/records?filter="+url.QueryEscape("secret ~ 'a-delivery'"), actor, nil)
		if actor != superuser && (res.Status == http.StatusOK || strings.Contains(string(res.Body), "a-delivery-secret-0123")) {
			t.Errorf("%s filters deliveries by their secret: %d %s", actor, res.Status, res.Body)
		}
	}
	for _, actor := range actors {
		res := w.Do(t, http.MethodGet, "/api/collections/"+crm.WebhookSignaturesTable+"/records", actor, nil)
		if res.Status != http.StatusNotFound {
			t.Errorf("%s lists the inbound signatures: %d %s, want 404", actor, res.Status, res.Body)
		}
	}
}
