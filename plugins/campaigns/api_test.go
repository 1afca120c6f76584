package campaigns_test

import (
	"net/http"
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/plugins/campaigns"
	"vinculo/testkit"
)

// Bad input is a 400 naming the field, and nothing is saved.
func TestBadCampaigns(t *testing.T) {
	w, _ := handMade(t)
	w.Serve(t)
	w.Make(t, "tpOld", crm.NewsTopics, map[string]any{crm.TopicName: "Old", crm.TopicActive: false})
	good := func() map[string]any {
		return map[string]any{crm.CampName: "Spring", crm.CampSegment: w.ID("sgPromo"), crm.CampSubjectEN: "Hi", crm.CampBodyEN: "Hello {{contact.name}}"}
	}
	for _, c := range []struct {
		name, field string
		change      map[string]any
	}{
		{"an unknown variable", crm.CampBodyPT, map[string]any{crm.CampSubjectPT: "Oi", crm.CampBodyPT: "Olá {{contact.shoe_size}}"}},
		{"no message at all", crm.CampBodyEN, map[string]any{crm.CampSubjectEN: "", crm.CampBodyEN: ""}},
		{"a subject without a body", crm.CampBodyPT, map[string]any{crm.CampSubjectPT: "Oi"}},
		{"a window of 400 days", crm.CampWindow, map[string]any{crm.CampWindow: 400}},
		{"a channel that cannot carry it", crm.CampChannel, map[string]any{crm.CampChannel: "in_person"}},
		{"a topic no longer offered", crm.CampTopic, map[string]any{crm.CampTopic: w.ID("tpOld")}},
		{"no segment", crm.CampSegment, map[string]any{crm.CampSegment: ""}},
		{"no name", crm.CampName, map[string]any{crm.CampName: " "}},
	} {
		body := good()
		for k, v := range c.change {
			body[k] = v
		}
		res := w.Do(t, http.MethodPost, "/api/collections/campaigns/records", "agent", body)
		if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), `"`+c.field+`"`) {
			t.Errorf("%s: status %d, want 400 naming %s: %s", c.name, res.Status, c.field, res.Body)
		}
	}
	if n := w.Count(t, crm.Campaigns, "1=1"); n != 0 {
		t.Errorf("%d campaigns saved from bad input", n)
	}
}

// Through the API (news of "Product news", which Tito did not turn off): an agent's draft is theirs; staff preview it; readonly
// and a colleague cannot send it; its owner sends it (in the background),
// a second send queues nothing; a sent campaign is no longer edited; the
// results read back.
func TestCampaignThroughTheAPI(t *testing.T) {
	w, _ := handMade(t)
	w.Serve(t)
	var camp struct {
		ID, Owner, State string
		Window           int `json:"window_days"`
	}
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/collections/campaigns/records", "agent", map[string]any{
		crm.CampName: "Spring", crm.CampSegment: w.ID("sgPromo"), crm.CampOwner: w.ID("manager"),
		crm.CampSubjectPT: "Oi {{contact.first_name}}", crm.CampBodyPT: "Olá {{contact.first_name}}", crm.CampTopic: w.ID("tpNews"),
	}), 200, "create").JSON(t, &camp)
	if camp.Owner != w.ID("agent") || camp.State != crm.CampaignDraft || camp.Window != campaigns.DefaultWindow {
		t.Errorf("created %+v: the agent's own draft, with the default window", camp)
	}
	var p campaigns.Preview
	testkit.Must(t, w.Do(t, http.MethodGet, "/api/crm/campaigns/"+camp.ID+"/preview", "readonly", nil), 200, "preview").JSON(t, &p)
	if p.Members != 9 || p.ByState["queued"] != 3 || p.ByState["waiting"] != 2 || p.ByState["refused"] != 3 || p.ByState["failed"] != 1 {
		t.Errorf("preview %+v", p)
	}
	for _, who := range []string{"readonly", "agent2"} {
		if res := w.Do(t, http.MethodPost, "/api/crm/campaigns/"+camp.ID+"/send", who, nil); res.Status != http.StatusForbidden {
			t.Errorf("%s sent the agent's campaign: %d %s", who, res.Status, res.Body)
		}
	}
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/campaigns/"+camp.ID+"/send", "agent", nil), http.StatusAccepted, "send")
	campaigns.Wait(w.App)
	rows := func() int { return w.Count(t, crm.Outbox, "campaign = {:c}", map[string]any{"c": camp.ID}) }
	if n := rows(); n != 9 {
		t.Fatalf("%d messages queued", n)
	}
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/campaigns/"+camp.ID+"/send", "manager", nil), http.StatusOK, "send again")
	campaigns.Wait(w.App)
	if n := rows(); n != 9 {
		t.Errorf("a second send: %d messages", n)
	}
	if res := w.Do(t, http.MethodPatch, "/api/collections/campaigns/records/"+camp.ID, "manager", map[string]any{crm.CampBodyPT: "Mudou"}); res.Status < 400 {
		t.Errorf("a sent campaign was edited: %d", res.Status)
	}
	var r campaigns.Results
	testkit.Must(t, w.Do(t, http.MethodGet, "/api/crm/campaigns/"+camp.ID+"/results", "readonly", nil), 200, "results").JSON(t, &r)
	if r.State != crm.CampaignSent || r.Messages != 9 || r.ByState["queued"] != 3 || r.Members != 9 {
		t.Errorf("results %+v", r)
	}
	// Nobody queues a campaign's message through the outbox's API.
	res := w.Do(t, http.MethodPost, "/api/collections/outbox/records", "manager", map[string]any{"contact": w.ID("ctA"), "purpose": crm.PurposeMarketing,
		"state": crm.OutboxQueued, "body": "x", crm.OutboxCampaign: camp.ID})
	if res.Status < 400 {
		t.Errorf("a message was queued for a campaign through the API: %d", res.Status)
	}
}
