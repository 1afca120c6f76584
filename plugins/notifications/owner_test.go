package notifications_test

import (
	"testing"

	"vinculo/crm"
	"vinculo/plugins/hooksapi"
	"vinculo/testkit"
)

// A customer who opens a request tells their contact's owner
// (hooks/10_notify_owner.pb.js through $crm.notify): a notification in the
// bell, mailed as the owner chose for the event (at once by default, never
// when they turned it off); a request staff opened for the customer tells
// nobody this way.
func TestCustomerOpenedTellsTheOwnerByTheirChoice(t *testing.T) {
	w := newWorld(t, testkit.Configure(func(cfg *crm.Config) { cfg.Automations.NotifyOwner = true }),
		testkit.Plugins(hooksapi.Register)) // the shipped hooks, as the binary loads them
	open := func(who, subject string) string {
		res := w.Do(t, "POST", "/api/collections/cases/records", who, map[string]any{
			"type": w.ID("tpSup"), "contact": w.ID("ctA"), "subject": subject, "description": "Since last night.", "channel": "portal"})
		var out struct{ ID string }
		testkit.Must(t, res, 200, who+" opens a request").JSON(t, &out)
		return out.ID
	}
	first := open("cuA", "No signal")
	got := noticesOf(t, w, "agent", crm.NotifyCustomerOpened)
	if len(got) != 1 || got[0].Record != first || got[0].Collection != crm.Cases || got[0].Mail != crm.NotifMailPending ||
		got[0].Data["customer"] != "Ana Souza" || got[0].Data["title"] != "No signal" || got[0].Data["reference"] == "" {
		t.Fatalf("the owner's notices: %+v", got)
	}
	if n := len(noticesOf(t, w, "manager", crm.NotifyCustomerOpened)); n != 0 {
		t.Errorf("the manager, who owns nothing here, was told %d times", n)
	}

	testkit.Must(t, w.Do(t, "PUT", "/api/crm/notifications/settings", "agent", map[string]any{
		"events": map[string]string{crm.NotifyCustomerOpened: crm.NotifyByMailOff}}), 200, "settings")
	second := open("cuA", "Wrong bill")
	got = noticesOf(t, w, "agent", crm.NotifyCustomerOpened)
	if len(got) != 2 || got[1].Record != second || got[1].Mail != crm.NotifMailNone {
		t.Errorf("with email off, the bell only: %+v", got)
	}

	open("manager", "Opened for her by phone")
	if n := len(noticesOf(t, w, "agent", crm.NotifyCustomerOpened)); n != 2 {
		t.Errorf("a request staff opened told the owner: %d notices", n)
	}
}
