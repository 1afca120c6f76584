package access_test

import (
	"fmt"
	"net/http"
	"testing"

	"vinculo/crm"
	"vinculo/testkit"
)

// Notifications (plugins/notifications): each staff member lists, views,
// hears about and marks read only their own — managers included; customers
// and anonymous nothing; only the server creates or deletes them (here:
// superusers, whose API is the server's own door).
func init() {
	moreSpecFiles = append(moreSpecFiles, func() []spec { return notificationSpecs(false) })
	staffRoutes := []string{manager, agent, readonly}
	moreRoutes = append(moreRoutes,
		route{http.MethodGet, "/api/crm/notifications/settings", nil, staffRoutes, http.StatusOK},
		route{http.MethodPut, "/api/crm/notifications/settings", map[string]any{"digest_hour": 9}, staffRoutes, http.StatusOK},
		route{http.MethodPost, "/api/crm/notifications/read-all", nil, staffRoutes, http.StatusOK},
	)
}

// ownNotice is the label of the notification told to each staff actor.
var ownNotice = map[string]string{manager: "ntM", agent: "ntG", readonly: "ntR"}

func noticeRow(w *testkit.World, to string) map[string]any {
	return map[string]any{crm.NotifTo: w.ID(to), crm.NotifBy: w.ID("stG2"), crm.NotifEvent: crm.NotifyMentioned,
		crm.NotifCollection: crm.Contacts, crm.NotifRecord: w.ID("ctA"), crm.NotifData: map[string]any{"n": w.Unique()}}
}

// keepNotices makes one notification for each staff actor.
func keepNotices(w *testkit.World) {
	for label, to := range map[string]string{"ntM": "stM", "ntG": "stG", "ntR": "stR"} {
		if !w.Has(label) {
			w.Make(nil2(w), label, crm.Notifications, noticeRow(w, to))
		}
	}
}

func notificationSpecs(withLabels bool) []spec {
	s := spec{
		collection: crm.Notifications,
		sees:       map[string][]string{},
		create:     func(w *testkit.World, _ string) map[string]any { return noticeRow(w, "stG") },
		canCreate:  superOnly,
		// Each staff actor marks their own read; the others try the agent's.
		update: func(w *testkit.World, actor string) (string, map[string]any) {
			keepNotices(w)
			label, ok := ownNotice[actor]
			if !ok {
				label = "ntG"
			}
			return label, map[string]any{crm.NotifReadAt: fmt.Sprintf("2026-11-%02d 10:00:00.000Z", 1+w.Unique()%28)}
		},
		canUpdate: []string{manager, agent, readonly, superuser},
		remove:    func(w *testkit.World) map[string]any { return noticeRow(w, "stG") },
		canDelete: superOnly,
	}
	if withLabels {
		s.labels = []string{"ntM", "ntG", "ntR"}
		s.sees = map[string][]string{manager: {"ntM"}, agent: {"ntG"}, readonly: {"ntR"}, superuser: {"ntM", "ntG", "ntR"}}
	}
	return []spec{s}
}

// TestNotificationReads: one member's notifications are invisible to
// another (a manager too) and to customers, in lists, views and realtime.
func TestNotificationReads(t *testing.T) {
	w := newWorld(t)
	keepNotices(w)
	for _, s := range notificationSpecs(true) {
		t.Run(s.collection, func(t *testing.T) {
			for _, actor := range actors {
				checkListAndView(t, w, s, actor)
			}
			checkRealtime(t, w, s)
		})
	}
}

// TestNotificationOnlyReadAtIsWritable: a member marks their own read and
// changes nothing else of it; nobody marks another's.
func TestNotificationOnlyReadAtIsWritable(t *testing.T) {
	w := newWorld(t)
	keepNotices(w)
	for field, value := range map[string]any{
		crm.NotifTo: w.ID("stM"), crm.NotifEvent: crm.NotifyOverdue, crm.NotifData: map[string]any{"x": 1},
		crm.NotifRecord: "other", crm.NotifMail: crm.NotifMailSent, crm.NotifOnce: "k",
	} {
		before := w.Find(t, crm.Notifications, w.ID("ntG"))
		res := w.Do(t, http.MethodPatch, "/api/collections/notifications/records/"+w.ID("ntG"), agent,
			map[string]any{crm.NotifReadAt: "2026-11-24 10:00:00.000Z", field: value})
		after := w.Find(t, crm.Notifications, w.ID("ntG"))
		if res.Status < 400 || res.Status >= 500 || describe(before.Get(field)) != describe(after.Get(field)) ||
			!after.GetDateTime(crm.NotifReadAt).IsZero() {
			t.Errorf("the agent wrote %s of their notification: status %d, %v -> %v", field, res.Status, before.Get(field), after.Get(field))
		}
	}
	res := w.Do(t, http.MethodPatch, "/api/collections/notifications/records/"+w.ID("ntM"), agent,
		map[string]any{crm.NotifReadAt: "2026-11-24 10:00:00.000Z"})
	if res.Status != http.StatusNotFound || !w.Find(t, crm.Notifications, w.ID("ntM")).GetDateTime(crm.NotifReadAt).IsZero() {
		t.Errorf("the agent marked the manager's notification read: %d %s", res.Status, res.Body)
	}
	testkit.Must(t, w.Do(t, http.MethodPatch, "/api/collections/notifications/records/"+w.ID("ntG"), agent,
		map[string]any{crm.NotifReadAt: "2026-11-24 10:00:00.000Z"}), http.StatusOK, "mark own read")
	// Mark all read: only the caller's own.
	w.Make(t, "ntG2", crm.Notifications, noticeRow(w, "stG"))
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/notifications/read-all", agent, nil), http.StatusOK, "read all")
	if w.Find(t, crm.Notifications, w.ID("ntG2")).GetDateTime(crm.NotifReadAt).IsZero() ||
		!w.Find(t, crm.Notifications, w.ID("ntM")).GetDateTime(crm.NotifReadAt).IsZero() {
		t.Error("mark all read marked the wrong notifications")
	}
}

// Bad settings: a 400 naming the field, nothing saved.
func TestNotificationSettingsBadInput(t *testing.T) {
	w := newWorld(t)
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"digest_hour": 24}, "digest_hour"},
		{map[string]any{"events": map[string]string{crm.NotifyAssigned: "sometimes"}}, "events." + crm.NotifyAssigned},
		{map[string]any{"events": map[string]string{"weather": "now"}}, "events.weather"},
	} {
		res := w.Do(t, http.MethodPut, "/api/crm/notifications/settings", agent, c.body)
		var out struct {
			Data map[string]any `json:"data"`
		}
		res.JSON(t, &out)
		if res.Status != http.StatusBadRequest || out.Data[c.field] == nil {
			t.Errorf("%v: status %d, %s", c.body, res.Status, res.Body)
		}
	}
	var got struct {
		DigestHour int               `json:"digest_hour"`
		Events     map[string]string `json:"events"`
	}
	testkit.Must(t, w.Do(t, http.MethodGet, "/api/crm/notifications/settings", agent, nil), http.StatusOK, "settings").JSON(t, &got)
	if got.DigestHour != 8 || got.Events[crm.NotifyAssigned] != crm.NotifyByMailDigest {
		t.Errorf("settings changed by refused input: %+v", got)
	}
}
