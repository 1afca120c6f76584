package predictions_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	"vinculo/crm"
	"vinculo/testkit"
)

type profileAnswer struct {
	Consent struct {
		State string `json:"state"`
		At    string `json:"at"`
	} `json:"consent"`
	Allowed bool `json:"allowed"`
	Score   *struct {
		Class     string `json:"class"`
		Purchases int    `json:"purchases"`
	} `json:"score"`
	Segments []struct {
		Name          string `json:"name"`
		Proposition   string `json:"proposition"`
		UsesProfiling bool   `json:"uses_profiling"`
	} `json:"segments"`
	Suggestions []struct {
		ID      string           `json:"id"`
		Kind    string           `json:"kind"`
		Reasons []map[string]any `json:"reasons"`
	} `json:"suggestions"`
}

func profile(t *testing.T, w *testkit.World, who string) (profileAnswer, string) {
	t.Helper()
	var p profileAnswer
	res := testkit.Must(t, w.Do(t, http.MethodGet, "/api/crm/portal/profiling", who, nil), http.StatusOK, "profile of "+who)
	res.JSON(t, &p)
	return p, string(res.Body)
}

// profilingSegment is a segment that reads the value model (every scored
// contact with a recency score) and one that does not.
func profilingSegment(t *testing.T, w *testkit.World) {
	t.Helper()
	w.Make(t, "", crm.Segments, map[string]any{"name": "Scored customers", crm.SegmentProposition: "Early access to new plans",
		crm.SegmentDefinition: map[string]any{"match": "all", "conditions": []any{
			map[string]any{"kind": "score", "field": crm.ScoreRecency, "op": "gte", "value": 1}}}})
	w.Make(t, "", crm.Segments, map[string]any{"name": "Everyone at company A",
		crm.SegmentDefinition: map[string]any{"match": "all", "conditions": []any{
			map[string]any{"kind": "company", "op": "eq", "value": w.ID("coA")}}}})
}

// A customer sees their own profile: the model's class, their segments and
// their suggestions' reasons without the team's notes; another customer
// sees only theirs. One click objects: a withdrawal the server dates,
// scores and suggestions gone at once (decided ones too), out of the
// profiling segment, and a refit leaves them out; granting again undoes it.
func TestPortalObjection(t *testing.T) {
	w := handMadeWorld(t)
	profilingSegment(t, w)
	fit(t, w)
	rows, _ := suggestionsOf(t, w, w.ID("ctA"))
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/suggestions/"+rows[0].Id+"/accept", "agent",
		map[string]any{"task_title": "Call Ana", "note": "SECRET staff note"}), http.StatusOK, "accept")

	p, body := profile(t, w, "cuA")
	if !p.Allowed || p.Score == nil || p.Score.Purchases != 4 || p.Score.Class == "" {
		t.Errorf("Ana's profile: %s", body)
	}
	if len(p.Suggestions) != 1 || p.Suggestions[0].Kind != crm.SuggestReorder || p.Suggestions[0].Reasons[0]["event"] != crm.ReasonCycle {
		t.Errorf("Ana's suggestion and its reasons: %s", body)
	}
	for _, secret := range []string{"SECRET", "decided_by", "note", w.ID("agent")} {
		if strings.Contains(body, secret) {
			t.Errorf("the portal shows the team's %q: %s", secret, body)
		}
	}
	names := ""
	for _, s := range p.Segments {
		names += s.Name + ";"
	}
	if names != "Everyone at company A;Scored customers;" {
		t.Errorf("Ana's segments: %q", names)
	}
	pb, bodyB := profile(t, w, "cuB")
	for _, s := range pb.Suggestions {
		if s.ID == rows[0].Id {
			t.Errorf("Bruno sees Ana's suggestion: %s", bodyB)
		}
	}
	if len(pb.Suggestions) != 1 || pb.Suggestions[0].Kind != crm.SuggestCrossSell {
		t.Errorf("Bruno's own: %s", bodyB)
	}
	// Customers never read the collection itself.
	res := w.Do(t, http.MethodGet, "/api/collections/suggestions/records", "cuA", nil)
	if res.Status == http.StatusOK && !strings.Contains(string(res.Body), `"totalItems":0`) {
		t.Errorf("a customer lists suggestions: %s", res.Body)
	}

	// One click.
	res = testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/portal/profiling/objection", "cuA",
		map[string]any{"text": "I object to profiling"}), http.StatusOK, "object")
	var after profileAnswer
	res.JSON(t, &after)
	if after.Allowed || after.Consent.State != "withdrawn" || after.Consent.At == "" || after.Score != nil || len(after.Suggestions) != 0 {
		t.Errorf("after the objection: %s", res.Body)
	}
	for _, s := range after.Segments {
		if s.UsesProfiling {
			t.Errorf("after the objection Ana is in a profiling segment: %s", res.Body)
		}
	}
	if len(after.Segments) != 1 {
		t.Errorf("Ana stays in the segment that reads no profile: %s", res.Body)
	}
	gone := func(when string) {
		t.Helper()
		if scored(t, w, w.ID("ctA")) || w.Count(t, crm.Suggestions, "contact = {:c}", dbx.Params{"c": w.ID("ctA")}) != 0 {
			t.Errorf("%s: Ana still has a score or a suggestion", when)
		}
	}
	gone("at once")
	c, err := w.App.FindFirstRecordByFilter(crm.Consents, "contact = {:c} && purpose = 'profiling'", dbx.Params{"c": w.ID("ctA")})
	if err != nil || c.GetString("source") != "portal" || c.GetString("text") != "I object to profiling" || c.GetDateTime("at").IsZero() {
		t.Errorf("the objection is a consent withdrawal through the portal, dated: %v %v", c, err)
	}
	staff := testkit.Must(t, w.Do(t, http.MethodGet, "/api/collections/suggestions/records?filter="+
		"contact%3D%27"+w.ID("ctA")+"%27", "manager", nil), http.StatusOK, "staff list")
	if !strings.Contains(string(staff.Body), `"totalItems":0`) {
		t.Errorf("staff still list Ana's suggestions: %s", staff.Body)
	}
	fit(t, w)
	gone("after a refit")
	if pb2, b2 := profile(t, w, "cuB"); len(pb2.Suggestions) != 1 {
		t.Error("Bruno's suggestion is untouched by Ana's objection", b2)
	}

	// Undo: granting profiling again; the next fit scores her again.
	res = testkit.Must(t, w.Do(t, http.MethodDelete, "/api/crm/portal/profiling/objection", "cuA", nil), http.StatusOK, "undo")
	res.JSON(t, &after)
	if !after.Allowed || after.Consent.State != "granted" {
		t.Errorf("after undoing: %s", res.Body)
	}
	fit(t, w)
	if !scored(t, w, w.ID("ctA")) {
		t.Error("after undoing, the next fit scores Ana again")
	}
	// Staff and the signed-out cannot use the customer's routes.
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/portal/profiling/objection", "manager", nil), http.StatusForbidden, "staff")
	testkit.Must(t, w.Do(t, http.MethodGet, "/api/crm/portal/profiling", "", nil), http.StatusUnauthorized, "anonymous")
	res = w.Do(t, http.MethodPost, "/api/crm/portal/profiling/objection", "cuA", map[string]any{"text": strings.Repeat("x", 5001)})
	if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), `"text"`) {
		t.Errorf("a too long wording: %d %s", res.Status, res.Body)
	}
}

// Withdrawing the profiling consent anywhere (here staff record it from a
// phone call) deletes the contact's suggestions, decided ones too, at once.
func TestWithdrawnConsentForgetsSuggestions(t *testing.T) {
	w := handMadeWorld(t)
	fit(t, w)
	rows, _ := suggestionsOf(t, w, w.ID("ctB"))
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/suggestions/"+rows[0].Id+"/dismiss", "agent", map[string]any{}), http.StatusOK, "dismiss")
	consent(t, w, w.ID("ctB"), "withdrawn")
	if n := w.Count(t, crm.Suggestions, "contact = {:c}", dbx.Params{"c": w.ID("ctB")}); n != 0 || scored(t, w, w.ID("ctB")) {
		t.Errorf("Bruno withdrew: %d suggestions left", n)
	}
	if n := w.Count(t, crm.Suggestions, "contact = {:c}", dbx.Params{"c": w.ID("ctA")}); n != 1 {
		t.Errorf("Ana's is kept: %d", n)
	}
	// A business that starts asking for a granted consent: nobody granted.
	row, err := w.App.FindFirstRecordByFilter(crm.BusinessSettings, "")
	if err != nil {
		t.Fatal(err)
	}
	row.Set(crm.BusinessProfilingNeedsConsent, true)
	if err := w.App.Save(row); err != nil {
		t.Fatal(err)
	}
	if n := w.Count(t, crm.Suggestions, ""); n != 0 {
		t.Errorf("without granted consents: %d suggestions left", n)
	}
}
