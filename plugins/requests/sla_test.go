package requests_test

import (
	"net/http"
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/plugins/requests"
	"vinculo/testkit"
)

// SLAs count the business's open hours in its own time zone: weekends and
// holidays do not count, and the local day decides, not the UTC one.
func TestDueTimesInBusinessHours(t *testing.T) {
	w, slaType := slaWorld(t)
	staff := w.Token(t, "agent")
	customer := w.Token(t, "customer")

	for _, c := range []struct {
		name, created, firstDue, resolutionDue string
		token                                  string
	}{
		// Fri 16:00 local: 2h on Friday, the weekend and Monday's holiday
		// skipped, then Tuesday and Wednesday.
		{"friday afternoon, across a weekend and a holiday", "2026-03-06T19:00:00Z", "2026-03-10T14:00:00Z", "2026-03-11T17:00:00Z", customer},
		// Saturday 01:30 in UTC is Friday 22:30 in São Paulo, after hours:
		// the clock starts on Tuesday 09:00 local (12:00 UTC).
		{"saturday in UTC, friday night in São Paulo", "2026-03-07T01:30:00Z", "2026-03-10T16:00:00Z", "2026-03-11T19:00:00Z", staff},
		// Friday 02:30 in UTC is Thursday 23:30 in São Paulo: the clock
		// starts on Friday 09:00 local, not at 09:00 UTC.
		{"friday in UTC, thursday night in São Paulo", "2026-03-06T02:30:00Z", "2026-03-06T16:00:00Z", "2026-03-10T19:00:00Z", staff},
	} {
		t.Run(c.name, func(t *testing.T) {
			requests.SetClock(t, at(t, c.created))
			res, out := create(t, w, c.token, map[string]any{"type": slaType.Id, "contact": w.ID("contact"), "subject": "Sem sinal"})
			if res.Status != http.StatusOK {
				t.Fatalf("create: %d %s", res.Status, res.Body)
			}
			want := map[string]string{
				"created":            stamp(at(t, c.created)),
				"first_response_due": stamp(at(t, c.firstDue)),
				"resolution_due":     stamp(at(t, c.resolutionDue)),
				"first_response_at":  "",
			}
			stored := w.Find(t, crm.Cases, out["id"].(string))
			for field, v := range want {
				if out[field] != v || stored.GetString(field) != v {
					t.Errorf("%s: answer %v, stored %q, want %q", field, out[field], stored.GetString(field), v)
				}
			}
			if out["overdue"] != false {
				t.Errorf("a new case is overdue")
			}
		})
	}

	t.Run("a type without SLA has no due times; due times given are kept", func(t *testing.T) {
		requests.SetClock(t, at(t, "2026-03-10T13:00:00Z"))
		_, out := create(t, w, staff, map[string]any{"type": w.ID("support"), "contact": w.ID("contact"), "subject": "Dúvida"})
		if out["first_response_due"] != "" || out["resolution_due"] != "" {
			t.Errorf("no SLA, yet due times %v %v", out["first_response_due"], out["resolution_due"])
		}
		_, out = create(t, w, staff, map[string]any{"type": slaType.Id, "contact": w.ID("contact"), "subject": "Acordado",
			"resolution_due": "2026-04-01 12:00:00.000Z"})
		if out["resolution_due"] != "2026-04-01 12:00:00.000Z" || out["first_response_due"] != stamp(at(t, "2026-03-10T17:00:00Z")) {
			t.Errorf("given resolution_due %v, computed first_response_due %v", out["resolution_due"], out["first_response_due"])
		}
	})
}

// The overdue flag follows the time RefreshOverdue is given, both ways; the
// first response is met only by a public message from staff.
func TestOverdueFlags(t *testing.T) {
	w, slaType := slaWorld(t)
	staff := w.Token(t, "agent")
	customer := w.Token(t, "customer")

	// Tuesday 10:00 local: first response due at 14:00 local (17:00 UTC),
	// resolution at Wednesday 17:00 local (20:00 UTC).
	requests.SetClock(t, at(t, "2026-03-10T13:00:00Z"))
	_, a := create(t, w, customer, map[string]any{"type": slaType.Id, "contact": w.ID("contact"), "subject": "Fatura errada"})
	_, b := create(t, w, staff, map[string]any{"type": slaType.Id, "contact": w.ID("stranger"), "subject": "Sem retorno"})
	caseA, caseB := a["id"].(string), b["id"].(string)
	if a["first_response_due"] != "2026-03-10 17:00:00.000Z" || a["resolution_due"] != "2026-03-11 20:00:00.000Z" {
		t.Fatalf("due times: %v %v", a["first_response_due"], a["resolution_due"])
	}

	refresh := func(when string, wantChanged int, wantA, wantB bool) {
		t.Helper()
		changed, err := requests.RefreshOverdue(w.App, at(t, when))
		if err != nil {
			t.Fatal(err)
		}
		if changed != wantChanged {
			t.Errorf("RefreshOverdue(%s) changed %d cases, want %d", when, changed, wantChanged)
		}
		checkOverdue(t, w, caseA, wantA)
		checkOverdue(t, w, caseB, wantB)
	}

	refresh("2026-03-10T16:59:00Z", 0, false, false)
	refresh("2026-03-10T17:01:00Z", 2, true, true) // no first response in time

	// The customer writing again is no response; neither is an internal note.
	requests.SetClock(t, at(t, "2026-03-10T17:10:00Z"))
	message(t, w, customer, caseA, false)
	requests.SetClock(t, at(t, "2026-03-10T17:20:00Z"))
	message(t, w, staff, caseA, true)
	if got := w.Find(t, crm.Cases, caseA).GetString("first_response_at"); got != "" {
		t.Fatalf("first_response_at set by a customer message or an internal note: %s", got)
	}
	refresh("2026-03-10T17:25:00Z", 0, true, true)

	// A public answer from staff: the first response is met, late; the flag
	// goes at once, the resolution clock still runs.
	requests.SetClock(t, at(t, "2026-03-10T17:30:00Z"))
	message(t, w, staff, caseA, false)
	if got := w.Find(t, crm.Cases, caseA).GetString("first_response_at"); got != "2026-03-10 17:30:00.000Z" {
		t.Fatalf("first_response_at = %q", got)
	}
	checkOverdue(t, w, caseA, false)
	// A second answer does not move it.
	requests.SetClock(t, at(t, "2026-03-10T18:00:00Z"))
	message(t, w, staff, caseA, false)
	if got := w.Find(t, crm.Cases, caseA).GetString("first_response_at"); got != "2026-03-10 17:30:00.000Z" {
		t.Fatalf("first_response_at moved to %q", got)
	}
	refresh("2026-03-10T17:35:00Z", 0, false, true)

	refresh("2026-03-11T19:59:00Z", 0, false, true)
	refresh("2026-03-11T20:01:00Z", 1, true, true)  // past resolution
	refresh("2026-03-11T19:00:00Z", 1, false, true) // and back, at an earlier time
	refresh("2026-03-11T20:01:00Z", 1, true, true)

	// Closing ends both clocks: the flag goes at once and never returns.
	requests.SetClock(t, at(t, "2026-03-11T20:30:00Z"))
	for _, id := range []string{caseA, caseB} {
		if res := patch(t, w, staff, id, map[string]any{"status": "solved"}); res.Status != http.StatusOK {
			t.Fatalf("close: %d %s", res.Status, res.Body)
		}
	}
	checkOverdue(t, w, caseA, false)
	checkOverdue(t, w, caseB, false)
	refresh("2026-04-01T12:00:00Z", 0, false, false)
}

func checkOverdue(t *testing.T, w *testkit.World, id string, want bool) {
	t.Helper()
	if got := w.Find(t, crm.Cases, id).GetBool("overdue"); got != want {
		t.Errorf("case %s overdue = %v, want %v", id, got, want)
	}
}

// Reopening continues the resolution clock with the business time that was
// left when the case closed; none left means due at once.
func TestReopenContinuesResolution(t *testing.T) {
	w, slaType := slaWorld(t)
	staff := w.Token(t, "agent")

	requests.SetClock(t, at(t, "2026-03-10T13:00:00Z")) // Tue 10:00 local; resolution due Wed 17:00 local
	_, out := create(t, w, staff, map[string]any{"type": slaType.Id, "contact": w.ID("contact"), "subject": "Sem sinal"})
	id := out["id"].(string)
	firstDue := out["first_response_due"]
	message(t, w, staff, id, false) // answered at once: only resolution counts below

	move := func(clock, status string) {
		t.Helper()
		requests.SetClock(t, at(t, clock))
		if res := patch(t, w, staff, id, map[string]any{"status": status}); res.Status != http.StatusOK {
			t.Fatalf("to %s: %d %s", status, res.Status, res.Body)
		}
	}

	// Closed on Tuesday 12:00 local: 6h left that day + 8h on Wednesday.
	move("2026-03-10T15:00:00Z", "solved")
	if got := w.Find(t, crm.Cases, id).GetString("closed_at"); got != "2026-03-10 15:00:00.000Z" {
		t.Fatalf("closed_at = %q", got)
	}
	// Reopened on Friday 17:00 local: 1h on Friday, 9h on Monday, 4h on
	// Tuesday -> Tuesday 13:00 local.
	move("2026-03-13T20:00:00Z", "working")
	stored := w.Find(t, crm.Cases, id)
	if got := stored.GetString("resolution_due"); got != "2026-03-17 16:00:00.000Z" {
		t.Errorf("resolution_due after reopening = %q, want 2026-03-17 16:00:00.000Z", got)
	}
	if stored.GetString("closed_at") != "" || stored.GetBool("closed") || stored.GetString("first_response_due") != firstDue {
		t.Errorf("reopened: closed_at %q closed %v first_response_due %q", stored.GetString("closed_at"), stored.GetBool("closed"), stored.GetString("first_response_due"))
	}

	// Closed late (Wednesday 12:00 local, after Tuesday 13:00): nothing
	// left, so when reopened it is due at once and soon overdue.
	move("2026-03-18T15:00:00Z", "solved")
	move("2026-03-19T20:00:00Z", "working") // Thursday 17:00 local, open
	checkOverdue(t, w, id, false)
	if got := w.Find(t, crm.Cases, id).GetString("resolution_due"); got != "2026-03-19 20:00:00.000Z" {
		t.Errorf("resolution_due after a late close and reopening = %q", got)
	}
	if n, err := requests.RefreshOverdue(w.App, at(t, "2026-03-19T20:01:00Z")); err != nil || n != 1 {
		t.Errorf("RefreshOverdue: %d, %v", n, err)
	}
	checkOverdue(t, w, id, true)
}

// The overdue job and the open_cases counts are served by indexes, never by
// a scan of all cases.
func TestQueriesUseIndexes(t *testing.T) {
	w := newWorld(t)
	plans, err := requests.QueryPlans(w.App, w.R("contact"), w.R("company"), w.R("customer"))
	if err != nil {
		t.Fatal(err)
	}
	if len(plans) != 7 {
		t.Errorf("%d plans, want 7: %v", len(plans), plans)
	}
	for name, plan := range plans {
		joined := strings.Join(plan, " | ")
		if !strings.Contains(joined, "USING INDEX") && !strings.Contains(joined, "USING COVERING INDEX") {
			t.Errorf("%s: no index used: %s", name, joined)
		}
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN "+crm.Cases) {
				t.Errorf("%s: scans the cases table: %s", name, joined)
			}
		}
	}
}

// Register schedules the refresh every minute (cron runs only under serve).
func TestOverdueJobIsScheduled(t *testing.T) {
	w := newWorld(t)
	for _, job := range w.App.Cron().Jobs() {
		if job.Id() == "requests_overdue" && job.Expression() == "* * * * *" {
			return
		}
	}
	t.Fatal("no requests_overdue cron job")
}
