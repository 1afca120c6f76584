package insights_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"vinculo/plugins/insights"
)

// A period with no data answers zeros and says so: never an error.
func TestEmptyPeriod(t *testing.T) {
	f := newHandFixture(t)
	for _, board := range []string{insights.BoardSales, insights.BoardTeam} {
		a, figs := f.board(t, board, "agent", url.Values{"period": {"custom"}, "from": {"2021-03-01"}, "to": {"2021-03-31"}})
		if !a.Empty || a.Period["from"] != "2021-03-01" || a.Period["to"] != "2021-03-31" || a.Period["previous_from"] != "2021-01-29" {
			t.Errorf("%s: empty %v period %v", board, a.Empty, a.Period)
		}
		for key, fig := range figs {
			if fig.Count != 0 || (fig.Value != nil && *fig.Value != 0) || len(fig.Apart) != 0 {
				t.Errorf("%s/%s in an empty period: %+v", board, key, fig)
			}
		}
		// Money and counts say zero; rates and times have nothing to be of.
		if board == insights.BoardSales && (figs["won_revenue"].Value == nil || figs["win_rate"].Value != nil) {
			t.Errorf("won_revenue %v, win_rate %v", hShow(figs["won_revenue"].Value), hShow(figs["win_rate"].Value))
		}
	}
}

// A wrong parameter is a 400 that names it; nothing else is computed.
func TestBadInput(t *testing.T) {
	f := newHandFixture(t)
	for _, c := range []struct{ query, param string }{
		{"period=custom&from=2026-05-10&to=2026-05-01", "to"},
		{"period=custom&from=2026-05-10", "to"},
		{"period=custom&from=10/05/2026&to=2026-05-01", "from"},
		{"period=custom&from=2027-01-01&to=2027-01-31", "from"},
		{"period=fortnight", "period"},
		{"period=this_month&from=2026-01-01", "from"},
		{"colour=blue", "colour"},
		{"pipeline=nosuchpipeline1", "pipeline"},
		{"owner=nosuchstaff0001", "owner"},
		{"segment=nosuchsegment01", "segment"},
		{"channel=pigeon", "channel"},
		{"team=anyteam", "team"},
		{"limit=0", "limit"},
	} {
		path := "/api/crm/insights/sales?" + c.query
		if c.param == "limit" {
			path = "/api/crm/insights/sales/won_revenue/records?" + c.query
		}
		res := f.Do(t, http.MethodGet, path, "manager", nil)
		var body struct {
			Data map[string]json.RawMessage `json:"data"`
		}
		_ = json.Unmarshal(res.Body, &body)
		if res.Status != http.StatusBadRequest || body.Data[c.param] == nil {
			t.Errorf("%s: %d %s, want 400 naming %s", c.query, res.Status, res.Body, c.param)
		}
	}
	if res := f.Do(t, http.MethodGet, "/api/crm/insights/nosuchboard", "manager", nil); res.Status != http.StatusNotFound {
		t.Errorf("unknown board: %d", res.Status)
	}
	if res := f.Do(t, http.MethodGet, "/api/crm/insights/sales/nosuchfigure/records", "manager", nil); res.Status != http.StatusNotFound {
		t.Errorf("unknown figure: %d", res.Status)
	}
}

// Staff read the boards; customers and the public do not.
func TestOnlyStaff(t *testing.T) {
	f := newHandFixture(t)
	for _, path := range []string{"/api/crm/insights", "/api/crm/insights/sales", "/api/crm/insights/team/deals_won/records", "/api/crm/insights/sales/forecast/csv"} {
		if res := f.Do(t, http.MethodGet, path, "readonly", nil); res.Status != http.StatusOK {
			t.Errorf("readonly %s: %d", path, res.Status)
		}
		if res := f.Do(t, http.MethodGet, path, "cuA", nil); res.Status != http.StatusForbidden {
			t.Errorf("customer %s: %d", path, res.Status)
		}
		if res := f.Do(t, http.MethodGet, path, "", nil); res.Status != http.StatusUnauthorized {
			t.Errorf("anonymous %s: %d", path, res.Status)
		}
	}
}

// The list of boards names every sales and team hFigure with its unit.
func TestListBoards(t *testing.T) {
	f := newHandFixture(t)
	var body struct {
		Figures map[string][]struct{ Key, Unit string }
	}
	f.Do(t, http.MethodGet, "/api/crm/insights", "agent", nil).JSON(t, &body)
	want := map[string][]string{
		insights.BoardSales: {"won_revenue", "new_pipeline", "win_rate", "average_deal_size", "sales_cycle", "stage_conversion", "lost_reasons", "forecast"},
		insights.BoardTeam:  {"requests_open", "requests_closed", "response_time", "deals_won", "tasks_done", "tasks_overdue"},
	}
	for board, keys := range want {
		var got []string
		for _, fig := range body.Figures[board] {
			got = append(got, fig.Key)
		}
		if len(got) != len(keys) {
			t.Errorf("%s: %v, want %v", board, got, keys)
			continue
		}
		for i := range keys {
			if got[i] != keys[i] {
				t.Errorf("%s: %v, want %v", board, got, keys)
				break
			}
		}
	}
}
