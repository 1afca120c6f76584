package segments_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"vinculo/crm"
	"vinculo/testkit"
)

// A purchase segment through every door: saved by an agent (theirs,
// whatever owner they send), its members paged, its export, insights'
// segment filter and its figure, and today's snapshot.
func TestSegmentThroughTheAPI(t *testing.T) {
	w := handMade(t)
	w.Serve(t)
	def := json.RawMessage(`{"match":"all","conditions":[{"kind":"bought","op":"bought","product":"F300","days":0}]}`)
	res := w.Do(t, "POST", "/api/collections/segments/records", "agent", map[string]any{
		"name": "Fibre buyers", crm.SegmentDefinition: def, crm.SegmentProposition: "Upgrade to 600", "owner": w.ID("manager")})
	var seg struct {
		ID            string `json:"id"`
		Owner         string `json:"owner"`
		UsesProfiling bool   `json:"uses_profiling"`
	}
	testkit.Must(t, res, 200, "create").JSON(t, &seg)
	if seg.Owner != w.ID("agent") || seg.UsesProfiling {
		t.Errorf("saved %+v: an agent's segment is theirs, and reads no value model", seg)
	}

	var page struct {
		Items []struct {
			ID, Name, Company string
		} `json:"items"`
		TotalItems int `json:"totalItems"`
	}
	testkit.Must(t, w.Do(t, "GET", "/api/crm/segments/"+seg.ID+"/members?perPage=1&page=2", "readonly", nil), 200, "members").JSON(t, &page)
	if page.TotalItems != 2 || len(page.Items) != 1 || page.Items[0].ID != w.ID("ctB") || page.Items[0].Company != "Padaria Pão Dourado" {
		t.Errorf("members page 2: %+v", page)
	}

	csv := testkit.Must(t, w.Do(t, "GET", "/api/crm/export/contacts?format=csv&segment="+seg.ID, "agent", nil), 200, "export")
	if body := string(csv.Body); !strings.Contains(body, "ana@a.test") || !strings.Contains(body, "bruno@a.test") || strings.Contains(body, "xavier@x.test") {
		t.Errorf("export:\n%s", body)
	}

	var board struct {
		Figures []struct {
			Key   string   `json:"key"`
			Value *float64 `json:"value"`
		} `json:"figures"`
	}
	testkit.Must(t, w.Do(t, "GET", "/api/crm/insights/customers?segment="+seg.ID, "manager", nil), 200, "insights").JSON(t, &board)
	found := false
	for _, f := range board.Figures {
		if f.Key == "segment_size" {
			found = true
			if f.Value == nil || *f.Value != 2 {
				t.Errorf("segment_size: %v", f.Value)
			}
		}
	}
	if !found {
		t.Errorf("no segment_size figure on the customers board: %s", res.Body)
	}

	day := time.Now().In(w.Cfg.BusinessNow().Location()).Format(time.DateOnly)
	snap, err := w.App.FindFirstRecordByFilter(crm.SegmentSnapshots, "segment = {:s} && day = {:d}", dbx.Params{"s": seg.ID, "d": day})
	if err != nil || snap.GetInt(crm.SnapMembers) != 2 {
		t.Errorf("today's snapshot: %v %v", snap, err)
	}
}

// Bad definitions are a 400 naming the condition, and nothing is saved;
// the live count answers the same.
func TestBadDefinitionThroughTheAPI(t *testing.T) {
	w := handMade(t)
	w.Serve(t)
	bad := json.RawMessage(`{"match":"all","conditions":[{"kind":"tag","op":"has","value":"vip"},{"kind":"spent","op":"gt","value":"lots","days":30}]}`)
	res := w.Do(t, "POST", "/api/collections/segments/records", "agent", map[string]any{"name": "Bad", crm.SegmentDefinition: bad})
	if res.Status != 400 || !strings.Contains(string(res.Body), "Condition 2: the value must be a number") || !strings.Contains(string(res.Body), `"definition"`) {
		t.Errorf("create: %d %s", res.Status, res.Body)
	}
	if n := w.Count(t, crm.Segments, "name = 'Bad'"); n != 0 {
		t.Errorf("the bad segment was saved")
	}
	res = w.Do(t, "POST", "/api/crm/segments/count", "readonly", map[string]any{"definition": bad})
	if res.Status != 400 || !strings.Contains(string(res.Body), "Condition 2") {
		t.Errorf("count: %d %s", res.Status, res.Body)
	}
	res = w.Do(t, "POST", "/api/crm/segments/count", "readonly", map[string]any{"definition": "DROP TABLE contacts"})
	if res.Status != 400 {
		t.Errorf("count of a string: %d %s", res.Status, res.Body)
	}
	var n struct{ Count int }
	testkit.Must(t, w.Do(t, "POST", "/api/crm/segments/count", "readonly", map[string]any{
		"definition": json.RawMessage(`{"match":"any","conditions":[{"kind":"tag","op":"has","value":"vip"},{"kind":"open_requests","op":"has"}]}`)}), 200, "count").JSON(t, &n)
	if n.Count != 2 {
		t.Errorf("count %d, want 2", n.Count)
	}
	// A saved filter of before keeps working beside the built ones.
	old := w.Make(t, "", crm.Segments, map[string]any{"name": "Leads", "filter": "stage = 'lead'"})
	var page struct{ TotalItems int }
	testkit.Must(t, w.Do(t, "GET", "/api/crm/segments/"+old.Id+"/members", "agent", nil), 200, "members").JSON(t, &page)
	if page.TotalItems != 1 {
		t.Errorf("the saved filter's members: %d", page.TotalItems)
	}
}
