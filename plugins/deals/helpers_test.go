package deals_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/deals"
	"vinculo/plugins/hooksapi"
	"vinculo/testkit"
)

// moveHook is a business's JavaScript: a route that moves a deal with
// $app.save, as the system, or marked as a staff member's move.
const moveHook = `
routerAdd("POST", "/api/test/deals/{id}/move", (e) => {
  const body = e.requestInfo().body
  const deal = $app.findRecordById("deals", e.request.pathValue("id"))
  deal.set("stage", body.stage)
  if (body.lost_reason) deal.set("lost_reason", body.lost_reason)
  if (body.staff) deal.set("@pbInternalVinculoActor", { type: "staff", staff: body.staff })
  $app.save(deal)
  return e.json(200, { status: deal.getString("status") })
})
`

// newWorld is the app as it ships with the business's hook above, served,
// with the demo business and the deals' clock on the test's clock.
func newWorld(t *testing.T) *testkit.World {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "90_move_deal.pb.js"), []byte(moveHook), 0o644); err != nil {
		t.Fatal(err)
	}
	w := testkit.NewWorld(t,
		testkit.Configure(func(cfg *crm.Config) { cfg.HooksDir = dir; cfg.HooksPoolSize = 1 }),
		testkit.Plugins(hooksapi.Register, plugins.All),
		testkit.Then(func(w *testkit.World) error {
			deals.Configure(w.App, deals.Options{Now: w.Clock.Now})
			return nil
		}),
		testkit.Served())
	w.Business(t)
	su := w.Make(t, "", core.CollectionNameSuperusers, map[string]any{"email": "root@staff.test"})
	w.SetToken("superuser", testkit.Token(t, su))
	return w
}

// postDeal creates a deal through the record API as who.
func postDeal(t *testing.T, w *testkit.World, who string, body map[string]any) string {
	t.Helper()
	res := testkit.Must(t, w.Do(t, http.MethodPost, "/api/collections/deals/records", who, body), http.StatusOK, "create deal")
	var out struct{ ID string }
	res.JSON(t, &out)
	return out.ID
}

func patchDeal(t *testing.T, w *testkit.World, who, id string, body map[string]any) testkit.Response {
	t.Helper()
	return w.Do(t, http.MethodPatch, "/api/collections/deals/records/"+id, who, body)
}

// history is the deal's stage history, oldest first.
func history(t *testing.T, w *testkit.World, deal string) []*core.Record {
	t.Helper()
	rows, err := w.App.FindRecordsByFilter(crm.DealStageHistory, "deal = {:d}", "at,created", 0, 0, dbx.Params{"d": deal})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// row checks one history row.
type row struct {
	from, to, status, by string
	at                   time.Time
	days                 float64
}

func checkRow(t *testing.T, what string, got *core.Record, want row) {
	t.Helper()
	if got.GetString(crm.HistoryFromStage) != want.from || got.GetString(crm.HistoryToStage) != want.to ||
		got.GetString(crm.HistoryStatus) != want.status || got.GetString(crm.HistoryBy) != want.by ||
		!got.GetDateTime(crm.HistoryAt).Time().Equal(want.at) || got.GetFloat(crm.HistoryDaysIn) != want.days {
		t.Errorf("%s: history row from %q to %q status %q by %q at %v days %v; want %+v", what,
			got.GetString(crm.HistoryFromStage), got.GetString(crm.HistoryToStage), got.GetString(crm.HistoryStatus),
			got.GetString(crm.HistoryBy), got.GetDateTime(crm.HistoryAt).Time(), got.GetFloat(crm.HistoryDaysIn), want)
	}
}

// checkDeal checks the fields the server owns.
func checkDeal(t *testing.T, what string, d *core.Record, status string, changedAt, closedAt time.Time, reason string) {
	t.Helper()
	gotClosed := d.GetDateTime(crm.FieldClosedAt).Time()
	if d.GetString(crm.FieldDealStatus) != status || !d.GetDateTime(crm.FieldStageChangedAt).Time().Equal(changedAt) ||
		!gotClosed.Equal(closedAt) || d.GetString(crm.FieldLostReason) != reason {
		t.Errorf("%s: status %q, stage changed %v, closed %v, reason %q; want %q, %v, %v, %q", what,
			d.GetString(crm.FieldDealStatus), d.GetDateTime(crm.FieldStageChangedAt).Time(), gotClosed, d.GetString(crm.FieldLostReason),
			status, changedAt, closedAt, reason)
	}
}

// utc is the clock's time as PocketBase stores it (milliseconds, UTC).
func utc(w *testkit.World) time.Time { return w.Clock.Now().UTC().Truncate(time.Millisecond) }
