package notifications_test

import (
	"testing"

	"vinculo/crm"
	"vinculo/testkit"
)

// The 80% warning and the overdue escalation, in business hours (Mon–Fri
// 09:00–18:00 in São Paulo): a request opened on Monday at 16:00 with a
// first response due in 4 business hours is due on Tuesday at 11:00; 80% of
// it is 3h12 of open time, Tuesday at 10:12 — while 80% of the wall time
// between would be Tuesday at 07:12.
func TestDeadlineWarningAndEscalationFireOnceInBusinessHours(t *testing.T) {
	w := newWorld(t)
	w.Make(t, "manager2", crm.Staff, map[string]any{"name": "Paula Prado", "email": "manager2@staff.test", "role": crm.RoleManager})
	w.Make(t, "tSupport", crm.Teams, map[string]any{"name": "Support", "manager": w.ID("manager"), "members": []string{w.ID("agent")}})
	w.Make(t, "tSales", crm.Teams, map[string]any{"name": "Sales", "manager": w.ID("manager2"), "members": []string{w.ID("agent2")}})
	c := makeAt(t, w, "csLate", crm.Cases, testkit.Wall(t, "2026-11-23 16:00"), map[string]any{
		"type": w.ID("tpSup"), "contact": w.ID("ctA"), "subject": "No signal since Sunday", "assignee": w.ID("agent"),
		"first_response_due": testkit.Wall(t, "2026-11-24 11:00").UTC(), "resolution_due": testkit.Wall(t, "2026-11-30 11:00").UTC()})
	counts := func() (near, overdue, escalated, others int) {
		near = len(noticesOf(t, w, "agent", crm.NotifyDeadlineNear))
		overdue = len(noticesOf(t, w, "agent", crm.NotifyOverdue))
		escalated = len(noticesOf(t, w, "manager", crm.NotifyEscalated))
		others = len(noticesOf(t, w, "manager2", "")) + len(noticesOf(t, w, "agent2", ""))
		return
	}
	for _, step := range []struct {
		at                               string
		near, overdue, escalated, others int
	}{
		{"2026-11-24 08:00", 0, 0, 0, 0}, // 80% of the wall time, the business closed
		{"2026-11-24 10:11", 0, 0, 0, 0},
		{"2026-11-24 10:13", 1, 0, 0, 0},
		{"2026-11-24 10:40", 1, 0, 0, 0},
		{"2026-11-24 11:01", 1, 1, 1, 0},
		{"2026-11-24 11:30", 1, 1, 1, 0},
	} {
		w.Clock.Set(testkit.Wall(t, step.at))
		check(t, w)
		near, overdue, escalated, others := counts()
		if near != step.near || overdue != step.overdue || escalated != step.escalated || others != step.others {
			t.Fatalf("at %s: near %d overdue %d escalated %d others %d; want %d %d %d %d", step.at,
				near, overdue, escalated, others, step.near, step.overdue, step.escalated, step.others)
		}
	}
	n := noticesOf(t, w, "manager", crm.NotifyEscalated)[0]
	if n.Record != c.Id || n.Data["which"] != "first_response" || n.Data["assignee_name"] != "Rafael Lima" || n.By != "" {
		t.Errorf("escalation = %+v", n)
	}
	if near := noticesOf(t, w, "agent", crm.NotifyDeadlineNear)[0]; near.Data["percent"] != float64(80) {
		t.Errorf("warning = %+v", near)
	}
}

// A manager sets the share: at 50% the warning comes at 2 business hours.
func TestDeadlineShareIsTheManagersSetting(t *testing.T) {
	w := newWorld(t)
	if _, err := w.App.DB().NewQuery("UPDATE business_settings SET " + crm.BusinessSLAWarnPercent + " = 50").Execute(); err != nil {
		t.Fatal(err)
	}
	makeAt(t, w, "cs", crm.Cases, testkit.Wall(t, "2026-11-23 16:00"), map[string]any{
		"type": w.ID("tpSup"), "contact": w.ID("ctA"), "subject": "Slow", "assignee": w.ID("agent"),
		"first_response_due": testkit.Wall(t, "2026-11-24 11:00").UTC(), "resolution_due": testkit.Wall(t, "2026-11-30 11:00").UTC()})
	w.Clock.Set(testkit.Wall(t, "2026-11-23 17:59"))
	check(t, w)
	if got := noticesOf(t, w, "agent", crm.NotifyDeadlineNear); len(got) != 0 {
		t.Fatalf("warned before half the time: %+v", got)
	}
	w.Clock.Set(testkit.Wall(t, "2026-11-24 09:00"))
	check(t, w)
	if got := noticesOf(t, w, "agent", crm.NotifyDeadlineNear); len(got) != 1 || got[0].Data["percent"] != float64(50) {
		t.Fatalf("warnings at half the time: %+v", got)
	}
}

// A deal that stays in its stage longer than the stage allows (14 days
// when the stage says nothing, as on the deals board) tells its owner once.
func TestStaleDealNotifiesItsOwnerOnce(t *testing.T) {
	w := newWorld(t)
	d := w.Make(t, "dl", crm.Deals, map[string]any{"title": "Fibre for the bakery", "pipeline": w.ID("pipeline"),
		"stage": w.ID("stQual"), "owner": w.ID("agent")})
	if _, err := w.App.DB().NewQuery("UPDATE deals SET stage_changed_at = {:at} WHERE id = {:id}").Bind(map[string]any{
		"at": testkit.Wall(t, "2026-11-09 10:00").UTC().Format("2006-01-02 15:04:05.000Z"), "id": d.Id}).Execute(); err != nil {
		t.Fatal(err)
	}
	w.Clock.Set(testkit.Wall(t, "2026-11-23 09:59"))
	check(t, w)
	if got := noticesOf(t, w, "agent", crm.NotifyDealStale); len(got) != 0 {
		t.Fatalf("stale before 14 days: %+v", got)
	}
	for _, at := range []string{"2026-11-23 10:01", "2026-11-24 10:00", "2026-11-25 10:00"} {
		w.Clock.Set(testkit.Wall(t, at))
		check(t, w)
	}
	got := noticesOf(t, w, "agent", crm.NotifyDealStale)
	if len(got) != 1 || got[0].Record != d.Id || got[0].Data["days"] != float64(14) {
		t.Fatalf("stale notices = %+v", got)
	}
	if others := len(noticesOf(t, w, "agent2", "")) + len(noticesOf(t, w, "manager", "")); others != 0 {
		t.Errorf("%d notices to others", others)
	}
}

// A task of mine falls due: told once.
func TestTaskDueTellsItsAssigneeOnce(t *testing.T) {
	w := newWorld(t)
	w.Make(t, "tk", crm.Tasks, map[string]any{"title": "Call Ana back", "assignee": w.ID("agent"), "status": "open",
		"due": testkit.Wall(t, "2026-11-24 14:00").UTC()})
	for _, at := range []string{"2026-11-24 13:59", "2026-11-24 14:01", "2026-11-24 15:00"} {
		w.Clock.Set(testkit.Wall(t, at))
		check(t, w)
	}
	if got := noticesOf(t, w, "agent", crm.NotifyTaskDue); len(got) != 1 || got[0].Data["title"] != "Call Ana back" {
		t.Fatalf("task due notices = %+v", got)
	}
}
