package segments_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"vinculo/crm"
	"vinculo/plugins/segments/segdef"
	"vinculo/testkit"
)

// members runs a definition given as JSON on the hand-made world and
// returns the labels of the contacts it holds, sorted.
func members(t *testing.T, w *testkit.World, def string) []string {
	t.Helper()
	d, err := segdef.Parse([]byte(def))
	if err != nil {
		t.Fatalf("%s: %v", def, err)
	}
	c, err := segdef.Compile(w.App, d, time.Now(), "sg")
	if err != nil {
		t.Fatalf("%s: %v", def, err)
	}
	var ids []string
	if err := w.App.DB().NewQuery(c.IDs()).Bind(c.Params).Column(&ids); err != nil {
		t.Fatalf("%s: %v\n%s", def, err, c.IDs())
	}
	n, err := segdef.Count(context.Background(), w.App, c)
	if err != nil || n != len(ids) {
		t.Fatalf("%s: count %d (%v), ids %d", def, n, err, len(ids))
	}
	var labels []string
	for _, l := range []string{"ctA", "ctB", "ctC", "ctX"} {
		if slices.Contains(ids, w.ID(l)) {
			labels = append(labels, l)
		}
	}
	if len(labels) != len(ids) {
		t.Fatalf("%s: %d contacts beyond the cast", def, len(ids)-len(labels))
	}
	return labels
}

func one(kind string, fields string) string {
	return `{"match":"all","conditions":[{"kind":"` + kind + `",` + fields + `}]}`
}

// Every kind of condition on the hand-made world (world_test.go).
func TestEachConditionKind(t *testing.T) {
	w := handMade(t)
	cases := []struct {
		name, def string
		want      []string
	}{
		{"no conditions: everyone", `{"match":"all","conditions":[]}`, []string{"ctA", "ctB", "ctC", "ctX"}},
		{"field text eq, any case", one("field", `"field":"name","op":"eq","value":"ana souza"`), []string{"ctA"}},
		{"field contains", one("field", `"field":"email","op":"contains","value":"@a.test"`), []string{"ctA", "ctB"}},
		{"field contains a wildcard literally", one("field", `"field":"email","op":"contains","value":"%"`), nil},
		{"field select", one("field", `"field":"stage","op":"eq","value":"lead"`), []string{"ctC"}},
		{"field select empty", one("field", `"field":"stage","op":"empty"`), []string{"ctA", "ctB", "ctX"}},
		{"custom field number", one("field", `"field":"cf_visits","op":"gte","value":5`), []string{"ctA"}},
		{"custom field number as text", one("field", `"field":"cf_visits","op":"lt","value":"5"`), []string{"ctB", "ctC", "ctX"}},
		{"date within days", one("field", `"field":"created","op":"within_days","value":1`), []string{"ctA", "ctB", "ctC", "ctX"}},
		{"date before", one("field", `"field":"created","op":"before","value":"2001-01-01"`), nil},
		{"tag has, any case", one("tag", `"op":"has","value":"vip"`), []string{"ctA", "ctX"}},
		{"tag has not", one("tag", `"op":"has_not","value":"wholesale"`), []string{"ctA", "ctB", "ctC"}},
		{"company", one("company", `"op":"eq","value":"`+w.ID("coA")+`"`), []string{"ctA", "ctB"}},
		{"no company", one("company", `"op":"empty"`), []string{"ctX"}},
		{"owner", one("owner", `"op":"eq","value":"`+w.ID("agent2")+`"`), []string{"ctC", "ctX"}},
		{"bought anything in 90 days", one("bought", `"op":"bought","days":90`), []string{"ctA", "ctX"}},
		{"bought F300 in 20 days", one("bought", `"op":"bought","product":"F300","days":20`), []string{"ctA"}},
		{"bought F300 ever (a cancelled order is no purchase)", one("bought", `"op":"bought","product":"F300"`), []string{"ctA", "ctB"}},
		{"not bought in 90 days", one("bought", `"op":"not_bought","days":90`), []string{"ctB", "ctC"}},
		{"spent more than 250 in 60 days", one("spent", `"op":"gt","value":250,"days":60`), []string{"ctA", "ctX"}},
		{"spent more than 250 in 20 days", one("spent", `"op":"gt","value":250,"days":20`), []string{"ctX"}},
		{"orders at least 2", one("orders", `"op":"gte","value":2`), []string{"ctA"}},
		{"orders none", one("orders", `"op":"eq","value":0`), []string{"ctC"}},
		{"open request", one("open_requests", `"op":"has"`), []string{"ctA"}},
		{"no open request", one("open_requests", `"op":"has_not"`), []string{"ctB", "ctC", "ctX"}},
		{"rfm class (Carla objected)", one("score", `"field":"rfm_class","op":"eq","value":"champions"`), []string{"ctA"}},
		{"p_active below 0.5", one("score", `"field":"p_active","op":"lt","value":0.5`), []string{"ctB"}},
		{"clv at least 600 (Carla objected)", one("score", `"field":"clv","op":"gte","value":600`), []string{"ctA"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := members(t, w, c.def); !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

// All and any, and groups inside.
func TestAndOrGroups(t *testing.T) {
	w := handMade(t)
	vip := `{"kind":"tag","op":"has","value":"vip"}`
	recent := `{"kind":"bought","op":"bought","days":20}`
	lead := `{"kind":"field","field":"stage","op":"eq","value":"lead"}`
	for _, c := range []struct {
		def  string
		want []string
	}{
		{`{"match":"all","conditions":[` + vip + `,` + recent + `]}`, []string{"ctA", "ctX"}},
		{`{"match":"all","conditions":[` + vip + `,{"kind":"open_requests","op":"has"}]}`, []string{"ctA"}},
		{`{"match":"any","conditions":[` + lead + `,{"kind":"orders","op":"gte","value":2}]}`, []string{"ctA", "ctC"}},
		{`{"match":"any","conditions":[` + lead + `,{"kind":"group","match":"all","conditions":[` + vip + `,{"kind":"spent","op":"gt","value":500}]}]}`, []string{"ctC", "ctX"}},
		// A value-model condition anywhere leaves the objector out, even on a branch she does not need it for.
		{`{"match":"any","conditions":[` + lead + `,{"kind":"score","field":"p_active","op":"lt","value":0.5}]}`, []string{"ctB"}},
	} {
		if got := members(t, w, c.def); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.def, got, c.want)
		}
	}
}

// Bad input is refused naming the condition, and never runs.
func TestBadDefinitions(t *testing.T) {
	w := handMade(t)
	for _, c := range []struct{ def, want string }{
		{one("field", `"field":"password","op":"eq","value":"x"`), `Condition 1: contacts have no field "password"`},
		{one("field", `"field":"name; DROP TABLE contacts","op":"eq","value":"x"`), "Condition 1: contacts have no field"},
		{one("field", `"field":"tags","op":"eq","value":"x"`), "Condition 1: contacts have no field"},
		{one("field", `"field":"name","op":"gt","value":"x"`), "Condition 1: op for name must be one of"},
		{one("field", `"field":"stage","op":"eq","value":"king"`), "Condition 1: the value for stage must be one of"},
		{one("field", `"field":"cf_visits","op":"gt","value":"many"`), "Condition 1: the value for cf_visits must be a number"},
		{one("field", `"field":"created","op":"before","value":"yesterday"`), "Condition 1: the date for created must be a day"},
		{one("tag", `"op":"has","value":""`), "Condition 1: name the tag"},
		{one("company", `"op":"eq","value":"nosuchcompany1"`), `Condition 1: there is no company "nosuchcompany1"`},
		{one("bought", `"op":"bought","product":"NOPE","days":30`), `Condition 1: there is no product with the code "NOPE"`},
		{one("bought", `"op":"bought","days":99999`), "Condition 1: days must be between 0 (ever) and 3650"},
		{one("spent", `"op":"gt","value":-1`), "Condition 1: the value must be a number of 0 or more"},
		{one("spent", `"op":"like","value":1`), "Condition 1: op must be one of eq"},
		{one("score", `"field":"secret","op":"eq","value":1`), "Condition 1: field must be one of"},
		{one("score", `"field":"rfm_class","op":"gt","value":"champions"`), "Condition 1: op must be one of eq, neq"},
		{one("nonsense", `"op":"x"`), `Condition 1: kind must be one of`},
		{`{"match":"all","conditions":[{"kind":"tag","op":"has","value":"vip"},{"kind":"group","match":"any","conditions":[{"kind":"tag","op":"has","value":"a"},{"kind":"orders","op":"gte","value":"x"}]}]}`, "Condition 2.2: the value must be a number"},
		{`{"match":"some","conditions":[]}`, "match must be all or any"},
		{`{"match":"all","conditions":[{"kind":"group","match":"all","conditions":[]}]}`, "Condition 1: a group needs at least one condition"},
	} {
		d, err := segdef.Parse([]byte(c.def))
		if err == nil {
			_, err = segdef.Compile(w.App, d, time.Now(), "sg")
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.def, err, c.want)
		}
	}
	if _, err := segdef.Parse([]byte(`{"match":"all","conditions":[],"sql":"1=1"}`)); err == nil {
		t.Error("an unknown member of the definition was taken")
	}
	deep := `{"kind":"tag","op":"has","value":"x"}`
	for range 4 {
		deep = `{"kind":"group","match":"all","conditions":[` + deep + `]}`
	}
	d, _ := segdef.Parse([]byte(`{"match":"all","conditions":[` + deep + `]}`))
	if _, err := segdef.Compile(w.App, d, time.Now(), "sg"); err == nil || !strings.Contains(err.Error(), "groups go at most") {
		t.Errorf("a group 4 deep: %v", err)
	}
	if n := w.Count(t, crm.Contacts, "1=1"); n != 4 {
		t.Errorf("contacts: %d after the bad definitions", n)
	}
}

// Profiling: a segment reading the value model never holds a contact whose
// profiling consent is withdrawn, through every door (count, members,
// export, insights' filter, the 360 page).
func TestProfilingExclusion(t *testing.T) {
	w := handMade(t)
	def := json.RawMessage(one("score", `"field":"rfm_class","op":"eq","value":"champions"`))
	srv := w.Serve(t)
	_ = srv
	res := w.Do(t, "POST", "/api/crm/segments/count", "agent", map[string]any{"definition": def})
	var count struct {
		Count         int  `json:"count"`
		UsesProfiling bool `json:"uses_profiling"`
	}
	testkit.Must(t, res, 200, "count").JSON(t, &count)
	if count.Count != 1 || !count.UsesProfiling {
		t.Errorf("count %+v, want 1 with profiling", count)
	}
	if n := w.Count(t, crm.CustomerScores, "contact = {:c}", dbx.Params{"c": w.ID("ctC")}); n != 1 {
		t.Fatalf("Carla has %d score rows: the test needs her stale one", n)
	}
	seg := w.Make(t, "sgChamp", crm.Segments, map[string]any{"name": "Champions", crm.SegmentDefinition: def, "owner": w.ID("agent")})
	if !w.Reload(t, seg).GetBool(crm.SegmentUsesProfiling) {
		t.Error("the segment is not marked as using profiling")
	}
	in, err := segdef.Contains(context.Background(), w.App, seg, w.ID("ctC"))
	if err != nil || in {
		t.Errorf("Carla in the segment: %v %v", in, err)
	}
	if in, _ := segdef.Contains(context.Background(), w.App, seg, w.ID("ctA")); !in {
		t.Error("Ana is not in the segment")
	}
	// She grants it again: she is back (the consent, not a stale row, decides).
	cn, err := w.App.FindFirstRecordByFilter(crm.Consents, "contact = {:c} && purpose = 'profiling'", dbx.Params{"c": w.ID("ctC")})
	if err != nil {
		t.Fatal(err)
	}
	w.Update(t, cn, map[string]any{"state": "granted"})
	if in, _ := segdef.Contains(context.Background(), w.App, seg, w.ID("ctC")); !in {
		t.Error("Carla granted profiling again and is still left out")
	}
}

// When the business asks for a granted profiling consent, a profiling
// segment holds only the contacts who granted it.
func TestProfilingNeedsConsent(t *testing.T) {
	w := handMade(t)
	b := w.Cfg.BusinessNow()
	b.ProfilingNeedsConsent = true
	w.Cfg.SetBusiness(b)
	def := one("score", `"field":"p_active","op":"gte","value":0`)
	if got := members(t, w, def); len(got) != 0 {
		t.Errorf("without consents: %v", got)
	}
	w.Make(t, "", crm.Consents, map[string]any{"contact": w.ID("ctA"), "purpose": crm.ConsentProfiling, "channel": "email", "state": "granted"})
	if got := members(t, w, def); !slices.Equal(got, []string{"ctA"}) {
		t.Errorf("Ana granted it: %v", got)
	}
	// Conditions on purchases alone are no profiling: everyone stays.
	if got := members(t, w, one("bought", `"op":"bought","product":"F300"`)); !slices.Equal(got, []string{"ctA", "ctB"}) {
		t.Errorf("purchases: %v", got)
	}
}
