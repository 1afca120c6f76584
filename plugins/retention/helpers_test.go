package retention_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/outbox"
	"vinculo/plugins/retention"
	"vinculo/testkit"
)

// newWorld is the app as it ships with the business's cast, the outbox's
// background delivery off, and the retention on the world's clock, set to
// the real time: records the test does not backdate are new.
func newWorld(t *testing.T) *testkit.World {
	t.Helper()
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All), testkit.Then(func(w *testkit.World) error {
		retention.Configure(w.App, retention.Options{Now: w.Clock.Now})
		return outbox.Configure(w.App, outbox.Options{Now: w.Clock.Now, Manual: true})
	}))
	w.Clock.Set(time.Now().In(testkit.SaoPaulo()))
	return w.Business(t)
}

// monthsAgo is the world's now, months (and two days) ago: due for a rule
// of that many months at any hour (a retention day ends at 03:00, the
// business's time, after the night's run).
func monthsAgo(w *testkit.World, months int) time.Time {
	return w.Clock.Now().AddDate(0, -months, -2)
}

// backdate sets the dates of a record the test made (created, updated and
// any other date column named) at a time past.
func backdate(t *testing.T, w *testkit.World, r *core.Record, at time.Time, columns ...string) {
	t.Helper()
	set := dbx.Params{}
	for _, c := range append([]string{"created", "updated"}, columns...) {
		if r.Collection().Fields.GetByName(c) != nil {
			set[c] = at.UTC().Format("2006-01-02 15:04:05.000Z")
		}
	}
	if _, err := w.App.DB().Update(r.Collection().Name, set, dbx.HashExp{"id": r.Id}).Execute(); err != nil {
		t.Fatal(err)
	}
}

// setRule switches a kind's rule and sets its months, as a manager does.
func setRule(t *testing.T, w *testkit.World, kind string, enabled bool, months int) {
	t.Helper()
	r, err := w.App.FindFirstRecordByData(crm.RetentionRules, crm.RetentionKind, kind)
	if err != nil {
		t.Fatal(err)
	}
	testkit.Must(t, w.Do(t, http.MethodPatch, "/api/collections/"+crm.RetentionRules+"/records/"+r.Id, "manager",
		map[string]any{crm.RetentionEnabled: enabled, crm.RetentionMonths: months}), http.StatusOK, "set the rule "+kind)
}

type rulePreview struct {
	Kind     string `json:"kind"`
	Action   string `json:"action"`
	Months   int    `json:"months"`
	Enabled  bool   `json:"enabled"`
	Cutoff   string `json:"cutoff"`
	Count    int    `json:"count"`
	Examples []struct {
		ID    string `json:"id"`
		Label string `json:"label"`
		At    string `json:"at"`
	} `json:"examples"`
}

// preview asks the route what the next run changes, per kind.
func preview(t *testing.T, w *testkit.World) map[string]rulePreview {
	t.Helper()
	var body struct {
		Rules []rulePreview `json:"rules"`
	}
	testkit.Must(t, w.Do(t, http.MethodGet, "/api/crm/retention/preview", "manager", nil), http.StatusOK, "preview").JSON(t, &body)
	out := map[string]rulePreview{}
	for _, r := range body.Rules {
		out[r.Kind] = r
	}
	if len(out) != len(crm.RetentionKinds) {
		t.Fatalf("the preview lists %d rules, want one per kind: %+v", len(out), body.Rules)
	}
	return out
}

type runResult struct {
	Kind     string `json:"kind"`
	Months   int    `json:"months"`
	Changed  int    `json:"changed"`
	Errors   int    `json:"errors"`
	Stopped  bool   `json:"stopped"`
	Failures []struct {
		ID     string `json:"id"`
		Code   string `json:"code"`
		Detail string `json:"detail"`
	} `json:"failures"`
}

type runRecord struct {
	ID       string      `json:"id"`
	Trigger  string      `json:"trigger"`
	By       string      `json:"by"`
	Started  string      `json:"started"`
	Finished string      `json:"finished"`
	Changed  int         `json:"changed"`
	Errors   int         `json:"errors"`
	Results  []runResult `json:"results"`
}

// runNow runs the rules as a manager does and reads the run's record back
// from the database.
func runNow(t *testing.T, w *testkit.World) (runRecord, map[string]runResult) {
	t.Helper()
	var answered runRecord
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/retention/run", "manager", nil), http.StatusOK, "run now").JSON(t, &answered)
	stored, err := w.App.FindRecordById(crm.RetentionRuns, answered.ID)
	if err != nil {
		t.Fatalf("the run %q is not recorded: %v", answered.ID, err)
	}
	var run runRecord
	raw, _ := json.Marshal(stored)
	if err := json.Unmarshal(raw, &run); err != nil {
		t.Fatal(err)
	}
	byKind := map[string]runResult{}
	for _, r := range run.Results {
		byKind[r.Kind] = r
	}
	return run, byKind
}
