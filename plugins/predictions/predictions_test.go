package predictions_test

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/predictions"
	"vinculo/plugins/predictions/model"
	"vinculo/testkit"
)

// modelWorld is the shipped app with the demo business's cast and a year
// and a half of purchases by 80 more customers, drawn from the CDNOW
// sample's parameters; ctA, ctB and ctC buy too (ctC only an order that
// was cancelled, ctX nothing).
func modelWorld(t *testing.T) *testkit.World {
	t.Helper()
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All), testkit.Served()).Business(t)
	now := w.Clock.Now()
	start := now.AddDate(0, 0, -78*7)
	ps := model.Simulate(model.Simulation{Customers: 80, BGNBD: model.BGNBD{R: 0.5, Alpha: 4, A: 0.8, B: 2.4},
		Spend: model.GammaGamma{P: 6, Q: 4, Gamma: 15}, Start: start, JoinWeeks: 30, Weeks: 77, Products: 4, Seed: 5})
	ids := map[string]string{}
	n := 0
	for _, p := range ps {
		id, ok := ids[p.Customer]
		if !ok {
			c := testkit.Save(t, w.App, crm.Contacts, map[string]any{"name": "Buyer " + p.Customer, "owner": w.ID("agent")})
			id, ids[p.Customer] = c.Id, c.Id
		}
		n++
		order(t, w, id, p.Day.Add(14*time.Hour), p.Amount, "delivered", p.Products...)
	}
	for _, d := range []int{300, 200, 90, 20} {
		order(t, w, w.ID("ctA"), now.AddDate(0, 0, -d), 80, "paid", "F300")
	}
	order(t, w, w.ID("ctB"), now.AddDate(0, 0, -40), 50, "shipped")
	order(t, w, w.ID("ctC"), now.AddDate(0, 0, -40), 50, "cancelled")
	order(t, w, w.ID("ctC"), now.AddDate(0, 0, -30), 50, "placed")
	return w
}

func order(t *testing.T, w *testkit.World, contact string, at time.Time, total float64, status string, products ...string) {
	t.Helper()
	items := []map[string]any{}
	for _, p := range products {
		items = append(items, map[string]any{"product": p, "name": p, "quantity": 1, "unit_price": total / float64(len(products))})
	}
	if len(items) == 0 {
		items = append(items, map[string]any{"name": "Service", "quantity": 1, "unit_price": total})
	}
	fields := map[string]any{"contact": contact, "items": items, "total": total, "currency": "BRL",
		"status": status, "placed_at": at.UTC().Format("2006-01-02 15:04:05.000Z")}
	if status == "cancelled" {
		fields["cancelled_at"] = fields["placed_at"]
	}
	testkit.Save(t, w.App, crm.Orders, fields)
}

func consent(t *testing.T, w *testkit.World, contact, state string) {
	t.Helper()
	r, err := w.App.FindFirstRecordByFilter(crm.Consents, "contact = {:c} && purpose = 'profiling'", dbx.Params{"c": contact})
	if err != nil {
		testkit.Save(t, w.App, crm.Consents, map[string]any{"contact": contact, "purpose": crm.PurposeProfiling,
			"channel": "portal", "state": state, "source": "portal"})
		return
	}
	w.Update(t, r, map[string]any{"state": state})
}

func scored(t *testing.T, w *testkit.World, contact string) bool {
	return w.Count(t, crm.CustomerScores, "contact = {:c}", dbx.Params{"c": contact}) == 1
}

type fitAnswer struct {
	Fit struct {
		ID         string `json:"id"`
		Scored     int    `json:"scored"`
		Excluded   int    `json:"excluded"`
		Error      string `json:"error"`
		BGNBD      *struct{ Params model.BGNBD }
		Data       model.Data       `json:"data"`
		Evaluation model.Evaluation `json:"evaluation"`
		Settings   map[string]any   `json:"settings"`
	} `json:"fit"`
	Products map[string]string `json:"products"`
}

// A manager fits on demand: the paid, shipped and delivered orders are the
// purchases; every buyer is scored; the evaluation holds out the days after
// the chosen split; GET answers the same fit.
func TestFitOnDemand(t *testing.T) {
	w := modelWorld(t)
	consent(t, w, w.ID("ctB"), "withdrawn") // ctB objected to profiling
	res := testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/insights/model/fit", "manager",
		map[string]any{"calibration_end": w.Clock.Now().AddDate(0, 0, -26*7).Format(time.DateOnly)}), http.StatusOK, "fit")
	var got fitAnswer
	res.JSON(t, &got)
	f := got.Fit
	if f.BGNBD == nil || f.Error != "" {
		t.Fatalf("the purchase model was not fitted: %s", res.Body)
	}
	buyers := w.Count(t, crm.Contacts, "name LIKE 'Buyer %'") + 1 // and ctA
	if f.Scored != buyers || f.Excluded != 1 {
		t.Errorf("scored %d (want %d buyers), excluded %d (want ctB)", f.Scored, buyers, f.Excluded)
	}
	if scored(t, w, w.ID("ctB")) || scored(t, w, w.ID("ctC")) || scored(t, w, w.ID("ctX")) {
		t.Error("ctB objected, ctC's orders were cancelled or not paid, ctX bought nothing: none is scored")
	}
	if f.Evaluation.HoldoutWeeks < 25 || f.Evaluation.Customers == 0 || f.Evaluation.Actual == 0 || f.Evaluation.ModelMAE <= 0 {
		t.Errorf("an evaluation over the last 26 weeks: %+v", f.Evaluation)
	}
	if f.Settings["discount_rate"] != crm.DefaultDiscountRate {
		t.Errorf("the fit ran with the default discount rate: %v", f.Settings)
	}
	if got.Products["F300"] != "Fibre 300" && len(got.Products) > 0 && !strings.HasPrefix(fmt.Sprint(got.Products), "map[SKU") {
		t.Errorf("product codes are named: %v", got.Products)
	}
	a, err := w.App.FindFirstRecordByData(crm.CustomerScores, crm.ScoreContact, w.ID("ctA"))
	if err != nil {
		t.Fatal(err)
	}
	if a.GetInt(crm.ScorePurchases) != 4 || a.GetFloat(crm.ScoreTotalSpent) != 320 || a.GetString(crm.ScoreRFMClass) == "" ||
		a.GetFloat(crm.ScorePActive) <= 0 || a.GetFloat(crm.ScorePActive) > 1 || a.GetFloat(crm.ScoreExpected365) < a.GetFloat(crm.ScoreExpected30) {
		t.Errorf("ctA's score: %v", a.PublicExport())
	}
	if !strings.Contains(a.GetString(crm.ScoreCycles), `"product":"F300"`) {
		t.Errorf("ctA bought F300 four times, about every 93 days: %s", a.GetString(crm.ScoreCycles))
	}
	var latest fitAnswer
	testkit.Must(t, w.Do(t, http.MethodGet, "/api/crm/insights/model", "manager", nil), http.StatusOK, "latest").JSON(t, &latest)
	if latest.Fit.ID != f.ID {
		t.Errorf("GET answers the latest fit %s, got %s", f.ID, latest.Fit.ID)
	}
	// A second fit replaces the scores.
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/crm/insights/model/fit", "manager", nil), http.StatusOK, "refit")
	if n := w.Count(t, crm.CustomerScores, ""); n != buyers {
		t.Errorf("after a refit: %d scores, want %d", n, buyers)
	}
}

// Withdrawing the profiling consent removes the stored score at once; the
// business's setting "needs a granted consent" leaves only those who gave it.
func TestProfilingConsent(t *testing.T) {
	w := modelWorld(t)
	if _, err := predictions.Fit(w.App, w.Cfg, predictions.Request{Trigger: crm.FitNightly, Now: w.Clock.Now()}); err != nil {
		t.Fatal(err)
	}
	if !scored(t, w, w.ID("ctA")) || !scored(t, w, w.ID("ctB")) {
		t.Fatal("ctA and ctB bought and are scored")
	}
	consent(t, w, w.ID("ctA"), "granted")
	consent(t, w, w.ID("ctB"), "granted")
	consent(t, w, w.ID("ctB"), "withdrawn")
	if scored(t, w, w.ID("ctB")) || !scored(t, w, w.ID("ctA")) {
		t.Error("ctB's withdrawal removes their score at once; ctA's grant keeps theirs")
	}

	row, err := w.App.FindFirstRecordByFilter(crm.BusinessSettings, "")
	if err != nil {
		t.Fatal(err)
	}
	row.Set(crm.BusinessProfilingNeedsConsent, true)
	row.Set(crm.BusinessDiscountRate, 0.2)
	if err := w.App.Save(row); err != nil {
		t.Fatal(err)
	}
	if n := w.Count(t, crm.CustomerScores, ""); n != 1 || !scored(t, w, w.ID("ctA")) {
		t.Errorf("with a granted consent needed, only ctA keeps a score: %d", n)
	}
	fit, err := predictions.Fit(w.App, w.Cfg, predictions.Request{Trigger: crm.FitNightly, Now: w.Clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if fit.GetInt(crm.FitScored) != 1 || !scored(t, w, w.ID("ctA")) {
		t.Errorf("only ctA is scored: %d", fit.GetInt(crm.FitScored))
	}
	if !strings.Contains(fit.GetString(crm.FitSettings), `"discount_rate":0.2`) {
		t.Errorf("the business's discount rate: %s", fit.GetString(crm.FitSettings))
	}
	if !strings.Contains(fit.GetString(crm.FitError), "too few") {
		t.Errorf("one customer is too few for the purchase model: %q", fit.GetString(crm.FitError))
	}
}

// A split day that is not a day, or too late, is refused naming the field,
// and nothing is fitted.
func TestFitBadInput(t *testing.T) {
	w := modelWorld(t)
	for _, day := range []string{"2026-13-01", "soon", time.Now().Format(time.DateOnly), time.Now().AddDate(0, 0, 3).Format(time.DateOnly)} {
		res := w.Do(t, http.MethodPost, "/api/crm/insights/model/fit", "manager", map[string]any{"calibration_end": day})
		if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "calibration_end") {
			t.Errorf("calibration_end %q: %d %s", day, res.Status, res.Body)
		}
	}
	if n := w.Count(t, crm.PredictionFits, ""); n != 0 {
		t.Errorf("no fit stored after refusals: %d", n)
	}
	if res := w.Do(t, http.MethodGet, "/api/crm/insights/model", "manager", nil); res.Status != http.StatusOK || !strings.Contains(string(res.Body), `"fit":null`) {
		t.Errorf("before any fit: %d %s", res.Status, res.Body)
	}
}

// The model's classes are the names the schema and the UI know.
func TestClassNames(t *testing.T) {
	if fmt.Sprint(model.Classes) != fmt.Sprint(crm.RFMClasses) {
		t.Errorf("model %v, crm %v", model.Classes, crm.RFMClasses)
	}
	if d := predictions.DefaultSplit(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)); d.Format(time.DateOnly) != "2025-09-01" {
		t.Errorf("a year's history holds out its last third (364/3 = 121 days): %s", d.Format(time.DateOnly))
	}
	_ = math.Abs
}
