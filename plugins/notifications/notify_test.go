package notifications_test

import (
	"net/http"
	"testing"

	"vinculo/crm"
	"vinculo/plugins/notifications"
	"vinculo/testkit"
)

func TestNotifyWritesOneRowAndNeverTellsTheActor(t *testing.T) {
	w := newWorld(t)
	err := notifications.Notify(w.App, notifications.Notice{To: w.ID("agent"), By: w.ID("manager"),
		Event: crm.NotifyMentioned, Collection: crm.Contacts, Record: w.ID("ctA"), Data: map[string]any{"excerpt": "look"}})
	if err != nil {
		t.Fatal(err)
	}
	got := noticesOf(t, w, "agent", "")
	if len(got) != 1 || got[0].By != w.ID("manager") || got[0].Record != w.ID("ctA") || got[0].Data["excerpt"] != "look" {
		t.Fatalf("agent's notifications = %+v", got)
	}
	if got[0].Mail != crm.NotifMailPending {
		t.Errorf("a mention goes by email at once by default; mail = %q", got[0].Mail)
	}
	// One's own action, nobody, an unknown event.
	_ = notifications.Notify(w.App, notifications.Notice{To: w.ID("agent"), By: w.ID("agent"), Event: crm.NotifyMentioned})
	_ = notifications.Notify(w.App, notifications.Notice{To: "", By: w.ID("agent"), Event: crm.NotifyMentioned})
	if err := notifications.Notify(w.App, notifications.Notice{To: w.ID("agent"), Event: "nonsense"}); err == nil {
		t.Error("an unknown event was accepted")
	}
	if n := w.Count(t, crm.Notifications, ""); n != 1 {
		t.Errorf("%d notifications, want 1", n)
	}
	// Once: a second notice under the same key does nothing.
	for range 2 {
		if err := notifications.Notify(w.App, notifications.Notice{To: w.ID("agent2"), Event: crm.NotifyTaskDue, Once: "k1"}); err != nil {
			t.Fatal(err)
		}
	}
	if got := noticesOf(t, w, "agent2", crm.NotifyTaskDue); len(got) != 1 {
		t.Errorf("a notice with a key fired %d times", len(got))
	}
}

func TestAssignmentNotifiesTheAssigneeNotTheActor(t *testing.T) {
	w := newWorld(t)
	res := testkit.Must(t, w.Do(t, http.MethodPost, "/api/collections/cases/records", "agent", map[string]any{
		"type": w.ID("tpSup"), "contact": w.ID("ctA"), "subject": "Router keeps rebooting", "assignee": w.ID("agent"),
	}), http.StatusOK, "a request the agent takes themselves")
	var c struct{ ID string }
	res.JSON(t, &c)
	if got := noticesOf(t, w, "agent", ""); len(got) != 0 {
		t.Fatalf("the agent was told of their own assignment: %+v", got)
	}
	testkit.Must(t, w.Do(t, http.MethodPatch, "/api/collections/cases/records/"+c.ID, "agent", map[string]any{
		"assignee": w.ID("agent2")}), http.StatusOK, "hand it to agent2")
	got := noticesOf(t, w, "agent2", crm.NotifyAssigned)
	if len(got) != 1 || got[0].By != w.ID("agent") || got[0].Collection != crm.Cases || got[0].Record != c.ID ||
		got[0].Data["title"] != "Router keeps rebooting" || got[0].Data["by_name"] != "Rafael Lima" {
		t.Fatalf("agent2's notifications = %+v", got)
	}
	// Saving again without changing the assignee tells nobody again.
	testkit.Must(t, w.Do(t, http.MethodPatch, "/api/collections/cases/records/"+c.ID, "manager", map[string]any{
		"priority": "high"}), http.StatusOK, "another change")
	if got := noticesOf(t, w, "agent2", crm.NotifyAssigned); len(got) != 1 {
		t.Errorf("agent2 was told %d times", len(got))
	}
	// Deals, tasks and contacts too.
	testkit.Must(t, w.Do(t, http.MethodPatch, "/api/collections/contacts/records/"+w.ID("ctX"), "manager", map[string]any{
		"owner": w.ID("agent")}), http.StatusOK, "give Xavier to the agent")
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/collections/tasks/records", "manager", map[string]any{
		"title": "Call Ana back", "assignee": w.ID("agent"), "status": "open"}), http.StatusOK, "a task for the agent")
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/collections/deals/records", "agent2", map[string]any{
		"title": "Fibre for the bakery", "pipeline": w.ID("pipeline"), "stage": w.ID("stQual"), "owner": w.ID("agent")}),
		http.StatusOK, "a deal for the agent")
	seen := map[string]string{}
	for _, n := range noticesOf(t, w, "agent", crm.NotifyAssigned) {
		seen[n.Collection] = n.By
	}
	want := map[string]string{crm.Contacts: w.ID("manager"), crm.Tasks: w.ID("manager"), crm.Deals: w.ID("agent2")}
	for col, by := range want {
		if seen[col] != by {
			t.Errorf("assigned %s: by %q, want %q (all: %v)", col, seen[col], by, seen)
		}
	}
}

// A hand-over of a contact changes its owner: the new owner gets one
// notice (the hand-over, with its note), not also a plain "assigned".
func TestHandOverSupersedesAssigned(t *testing.T) {
	w := newWorld(t)
	testkit.Must(t, w.Do(t, http.MethodPatch, "/api/collections/contacts/records/"+w.ID("ctX"), "manager", map[string]any{
		"owner": w.ID("agent")}), http.StatusOK, "give Xavier to the agent")
	if err := notifications.Notify(w.App, notifications.Notice{To: w.ID("agent"), By: w.ID("manager"), Event: crm.NotifyHandedOver,
		Collection: crm.Contacts, Record: w.ID("ctX"), Data: map[string]any{"note": "He calls on Mondays"}}); err != nil {
		t.Fatal(err)
	}
	got := noticesOf(t, w, "agent", "")
	if len(got) != 1 || got[0].Event != crm.NotifyHandedOver {
		t.Fatalf("agent's notices = %+v", got)
	}
}
