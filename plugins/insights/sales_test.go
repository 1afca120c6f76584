package insights_test

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sort"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/business"
	"vinculo/plugins/deals"
	"vinculo/plugins/insights"
	"vinculo/testkit"
)

// The fixed dataset every board test reads. The clock stands at Tuesday
// 2026-11-24 10:00 in São Paulo (the business's zone, open mon-fri
// 09:00-18:00): "this month" is November 2026, the previous one October.
// The business's currency is BRL; a manager keeps one rate, USD = 5 BRL;
// EUR has none, so EUR amounts are shown apart.
//
// Deals (pipeline Sales: Qualification 20% → Proposal 60% → Won | Lost), all
// moved on the deals' clock at 10:00 on the days given:
//
//	D1 Padaria     1000 BRL agent  ctA  created 11-02 in Qual; → Prop 11-05, → Qual 11-06 (back), → Prop 11-09, → Won 11-12
//	D2 Oficina      200 USD agent2 ctC  created 11-03 in Qual; → Won 11-07 (skipping Proposal)
//	D3 Euro         300 EUR agent  ctA  created 11-04 in Qual; → Prop 11-05, → Won 11-10
//	D4 Price        500 BRL agent2 ctA  created 11-01 in Qual; → Lost 11-08 "Price"
//	D5 Timing       400 BRL agent  ctA  created 10-20 in Qual; → Prop 10-25, → Lost 11-11 "Timing"
//	D6 October      700 BRL agent  ctA  created 10-01 in Qual; → Won 10-15
//	D7 Open prop   2000 BRL agent  ctA  created 11-10 in Prop, expected to close 11-28 (stage's 60%)
//	D8 Open usd    1000 USD agent2 ctC  created 11-15 in Qual, its own 50%, expected 11-30
//	D9 December    1000 BRL agent  ctA  created 11-16 in Qual, expected 12-10
type hFixture struct {
	*testkit.World
	sp *time.Location
}

func hAt(loc *time.Location, month, day, hour int) time.Time {
	return time.Date(2026, time.Month(month), day, hour, 0, 0, 0, loc)
}

func newHandFixture(t *testing.T) *hFixture {
	t.Helper()
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All), testkit.Served())
	w.Business(t)
	f := &hFixture{World: w, sp: testkit.SaoPaulo()}
	deals.Configure(w.App, deals.Options{Now: w.Clock.Now})
	insights.Configure(insights.Options{Now: w.Clock.Now})
	t.Cleanup(func() { insights.Configure(insights.Options{}) })
	row, err := business.Row(w.App)
	if err != nil {
		t.Fatal(err)
	}
	w.Update(t, row, map[string]any{crm.BusinessRates: map[string]float64{"USD": 5}})
	w.Update(t, w.R("stQual"), map[string]any{"probability": 20})
	w.Update(t, w.R("stProp"), map[string]any{"probability": 60})
	f.deals(t)
	f.requests(t)
	f.tasks(t)
	w.Clock.Set(hAt(f.sp, 11, 24, 10))
	return f
}

// deal creates a deal in stage at the clock's time, then makes each move.
func (f *hFixture) deal(t *testing.T, label string, fields map[string]any, created time.Time, moves ...any) {
	t.Helper()
	f.Clock.Set(created)
	fields["pipeline"] = f.ID("pipeline")
	d := f.Make(t, label, crm.Deals, fields)
	f.setRaw(t, crm.Deals, d.Id, "created", created)
	for i := 0; i < len(moves); i += 2 {
		f.Clock.Set(moves[i].(time.Time))
		change := map[string]any{"stage": f.ID(moves[i+1].(string))}
		if moves[i+1] == "stLost" {
			change["lost_reason"] = map[string]string{"D4": "Price", "D5": "Timing"}[label]
		}
		d = f.Update(t, f.Find(t, crm.Deals, d.Id), change)
	}
	f.Keep(label, d)
}

// setRaw writes a date column as stored, as a record brought from the past.
func (f *hFixture) setRaw(t *testing.T, table, id, column string, v time.Time) {
	t.Helper()
	val := ""
	if !v.IsZero() {
		val = insights.DBTime(v)
	}
	if _, err := f.App.DB().Update(table, dbx.Params{column: val}, dbx.HashExp{"id": id}).Execute(); err != nil {
		t.Fatal(err)
	}
}

func (f *hFixture) deals(t *testing.T) {
	sp := f.sp
	d := func(title string, amount float64, cur, owner, contact, stage string) map[string]any {
		return map[string]any{"title": title, "amount": amount, "currency": cur, "owner": f.ID(owner), "contact": f.ID(contact), "stage": f.ID(stage)}
	}
	f.deal(t, "D1", d("Padaria", 1000, "BRL", "agent", "ctA", "stQual"), hAt(sp, 11, 2, 10),
		hAt(sp, 11, 5, 10), "stProp", hAt(sp, 11, 6, 10), "stQual", hAt(sp, 11, 9, 10), "stProp", hAt(sp, 11, 12, 10), "stWon")
	f.deal(t, "D2", d("Oficina", 200, "USD", "agent2", "ctC", "stQual"), hAt(sp, 11, 3, 10), hAt(sp, 11, 7, 10), "stWon")
	f.deal(t, "D3", d("Euro", 300, "EUR", "agent", "ctA", "stQual"), hAt(sp, 11, 4, 10),
		hAt(sp, 11, 5, 10), "stProp", hAt(sp, 11, 10, 10), "stWon")
	f.deal(t, "D4", d("Price", 500, "BRL", "agent2", "ctA", "stQual"), hAt(sp, 11, 1, 10), hAt(sp, 11, 8, 10), "stLost")
	f.deal(t, "D5", d("Timing", 400, "BRL", "agent", "ctA", "stQual"), hAt(sp, 10, 20, 10),
		hAt(sp, 10, 25, 10), "stProp", hAt(sp, 11, 11, 10), "stLost")
	f.deal(t, "D6", d("October", 700, "BRL", "agent", "ctA", "stQual"), hAt(sp, 10, 1, 10), hAt(sp, 10, 15, 10), "stWon")
	d7 := d("Open prop", 2000, "BRL", "agent", "ctA", "stProp")
	d7["expected_close"] = hAt(sp, 11, 28, 12)
	f.deal(t, "D7", d7, hAt(sp, 11, 10, 10))
	d8 := d("Open usd", 1000, "USD", "agent2", "ctC", "stQual")
	d8["expected_close"], d8["probability"] = hAt(sp, 11, 30, 12), 50
	f.deal(t, "D8", d8, hAt(sp, 11, 15, 10))
	d9 := d("December", 1000, "BRL", "agent", "ctA", "stQual")
	d9["expected_close"] = hAt(sp, 12, 10, 12)
	f.deal(t, "D9", d9, hAt(sp, 11, 16, 10))
}

// hFigure is one hFigure of a board's answer.
type hFigure struct {
	Key      string             `json:"key"`
	Value    *float64           `json:"value"`
	Count    int                `json:"count"`
	Previous *float64           `json:"previous"`
	Change   *float64           `json:"change"`
	Applied  []string           `json:"applied"`
	Apart    map[string]float64 `json:"apart"`
	Extra    map[string]float64 `json:"extra"`
	Series   []insights.Point   `json:"series"`
}

type hBoard struct {
	Board    string    `json:"board"`
	Currency string    `json:"currency"`
	Empty    bool      `json:"empty"`
	Figures  []hFigure `json:"figures"`
	Period   map[string]string
}

func (f *hFixture) board(t *testing.T, name, who string, query url.Values) (hBoard, map[string]hFigure) {
	t.Helper()
	res := f.Do(t, http.MethodGet, "/api/crm/insights/"+name+"?"+query.Encode(), who, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("%s board: %d %s", name, res.Status, res.Body)
	}
	var a hBoard
	res.JSON(t, &a)
	out := map[string]hFigure{}
	for _, fig := range a.Figures {
		out[fig.Key] = fig
	}
	return a, out
}

// near compares to the rounding the API applies (cents, tenths).
func hNear(a, b float64) bool { return math.Abs(a-b) < 0.051 }

func hValue(t *testing.T, fig hFigure, want float64) {
	t.Helper()
	if fig.Value == nil || !hNear(*fig.Value, want) {
		t.Errorf("%s = %v, want %v", fig.Key, hShow(fig.Value), want)
	}
}

func hShow(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

func hSeries(t *testing.T, fig hFigure, want ...any) {
	t.Helper()
	var got []string
	for _, p := range fig.Series {
		got = append(got, fmt.Sprintf("%s=%.1f", p.Label, p.Value))
	}
	var exp []string
	for i := 0; i < len(want); i += 2 {
		exp = append(exp, fmt.Sprintf("%s=%.1f", want[i], hNum(want[i+1])))
	}
	if fmt.Sprint(got) != fmt.Sprint(exp) {
		t.Errorf("%s series %v, want %v", fig.Key, got, exp)
	}
}

func hNum(v any) float64 {
	switch n := v.(type) {
	case int:
		return float64(n)
	case float64:
		return n
	}
	panic(v)
}

// Every Sales hFigure for November, worked out by hand from the dataset.
func TestSalesBoardByHand(t *testing.T) {
	f := newHandFixture(t)
	a, figs := f.board(t, insights.BoardSales, "readonly", url.Values{"period": {"this_month"}})
	if a.Currency != "BRL" || a.Empty {
		t.Fatalf("currency %q, empty %v", a.Currency, a.Empty)
	}
	const usd = 5.0

	// Won revenue: deals won in November. D1 1000 BRL + D2 200 USD × 5 =
	// 2000 BRL; D3's 300 EUR has no rate: apart. Three deals behind it.
	// October: D6 700. Change (2000 − 700) ÷ 700.
	won := figs["won_revenue"]
	hValue(t, won, 1000+200*usd)
	if won.Count != 3 || won.Apart["EUR"] != 300 || len(won.Apart) != 1 {
		t.Errorf("won_revenue count %d apart %v", won.Count, won.Apart)
	}
	if won.Previous == nil || *won.Previous != 700 || won.Change == nil || !hNear(*won.Change, (2000.0-700)/700) {
		t.Errorf("won_revenue previous %v change %v", hShow(won.Previous), hShow(won.Change))
	}
	hSeries(t, won, "2026-11", 2000)

	// New pipeline: deals created in November, whatever became of them:
	// D1 1000 + D2 200×5 + D4 500 + D7 2000 + D8 1000×5 + D9 1000 = 10500;
	// D3 EUR 300 apart; 7 deals. October: D5 400 + D6 700 = 1100.
	np := figs["new_pipeline"]
	hValue(t, np, 1000+200*usd+500+2000+1000*usd+1000)
	if np.Count != 7 || np.Apart["EUR"] != 300 || hShow(np.Previous) != 1100.0 {
		t.Errorf("new_pipeline count %d apart %v previous %v", np.Count, np.Apart, hShow(np.Previous))
	}

	// Win rate: closed in November: won D1 D2 D3, lost D4 D5: 3 ÷ 5. The
	// currency of a deal does not matter to a count. October: D6 won alone: 100%.
	wr := figs["win_rate"]
	hValue(t, wr, 100*3.0/5)
	if wr.Count != 5 || wr.Extra["won"] != 3 || wr.Extra["lost"] != 2 || hShow(wr.Previous) != 100.0 {
		t.Errorf("win_rate %+v", wr)
	}

	// Average deal size: converted won amounts ÷ their number: (1000 +
	// 1000) ÷ 2; D3 in EUR is apart, out of both sums.
	ads := figs["average_deal_size"]
	hValue(t, ads, (1000+200*usd)/2)
	if ads.Apart["EUR"] != 300 {
		t.Errorf("average_deal_size apart %v", ads.Apart)
	}

	// Sales cycle: creation to win, days: D1 11-02 → 11-12 = 10, D2 11-03 →
	// 11-07 = 4, D3 11-04 → 11-10 = 6. Median of {4, 6, 10} = 6; p90 by
	// nearest rank: ceil(0.9 × 3) = 3rd = 10.
	sc := figs["sales_cycle"]
	hValue(t, sc, 6)
	if sc.Extra["p90"] != 10 || sc.Count != 3 {
		t.Errorf("sales_cycle %+v", sc)
	}

	// Stage conversion: deals that entered a stage in November, and of
	// those the ones that moved forward out of it (to a later stage, not
	// lost). Qualification: D1 D2 D3 D4 D8 D9 entered (6); D1 (→ Prop), D2
	// (→ Won, skipping), D3 moved forward (3): 50%. Proposal: D1 D3 D7
	// entered (D5 entered in October); D1 went back to Qualification and
	// forward again — one deal, counted once — and was won, D3 was won, D7
	// stays: 2 of 3. Overall (3 + 2) ÷ (6 + 3).
	conv := figs["stage_conversion"]
	hValue(t, conv, 100*5.0/9)
	hSeries(t, conv, "Qualification → Proposal", 100*3.0/6, "Proposal → Won", 100*2.0/3)
	if conv.Count != 9 {
		t.Errorf("stage_conversion count %d", conv.Count)
	}

	// Lost reasons: D4 "Price", D5 "Timing", one each, in November.
	lr := figs["lost_reasons"]
	hValue(t, lr, 2)
	hSeries(t, lr, "Price", 1, "Timing", 1)

	// Forecast: open deals expected to close in November, weighted: D7 2000
	// × 60% (its stage's) + D8 1000 USD × 50% (its own) × 5 = 1200 + 2500.
	// D9 closes in December. Beside it, what was won: 2000.
	fc := figs["forecast"]
	hValue(t, fc, 2000*0.6+1000*0.5*usd)
	if fc.Count != 2 || fc.Extra["won"] != 2000 || len(fc.Series) != 1 ||
		fc.Series[0].Parts["weighted"] != 3700 || fc.Series[0].Parts["won"] != 2000 {
		t.Errorf("forecast %+v", fc)
	}

	// The year: won revenue by month, October 700 and November 2000; the
	// forecast reaches D9 in December: 1000 × 20%.
	_, year := f.board(t, insights.BoardSales, "agent", url.Values{"period": {"this_year"}})
	wy := year["won_revenue"]
	hValue(t, wy, 2700)
	if len(wy.Series) != 12 || wy.Series[9].Value != 700 || wy.Series[10].Value != 2000 || wy.Series[11].Label != "2026-12" {
		t.Errorf("year series %+v", wy.Series)
	}
	hValue(t, year["forecast"], 3700+1000*0.2)
}

// The filters narrow every sales hFigure alike.
func TestSalesFilters(t *testing.T) {
	f := newHandFixture(t)
	// Owner agent2: D2 won (1000), D4 lost: win rate 50%.
	_, figs := f.board(t, insights.BoardSales, "agent", url.Values{"owner": {f.ID("agent2")}})
	hValue(t, figs["won_revenue"], 1000)
	hValue(t, figs["win_rate"], 50)
	if a := figs["won_revenue"].Applied; len(a) != 1 || a[0] != "owner" {
		t.Errorf("applied %v", a)
	}
	// A segment is a saved filter over contacts: Oficina Central's, Carla
	// (ctC), whose deals are D2 (won, 200 USD) and D8 (open).
	seg := f.Make(t, "segC", crm.Segments, map[string]any{"name": "Oficina", "filter": "company = '" + f.ID("coC") + "'"})
	_, figs = f.board(t, insights.BoardSales, "agent", url.Values{"segment": {seg.Id}})
	hValue(t, figs["won_revenue"], 1000)
	hValue(t, figs["new_pipeline"], 200*5+1000*5)
	hValue(t, figs["forecast"], 2500)
	// The pipeline: the only one, so the same as no filter.
	_, figs = f.board(t, insights.BoardSales, "agent", url.Values{"pipeline": {f.ID("pipeline")}})
	hValue(t, figs["won_revenue"], 2000)
}

// A click on a number lists the records behind it; the CSV holds the same.
func TestSalesRecords(t *testing.T) {
	f := newHandFixture(t)
	res := f.Do(t, http.MethodGet, "/api/crm/insights/sales/won_revenue/records", "agent", nil)
	var body struct{ Records []insights.Record }
	res.JSON(t, &body)
	var ids []string
	for _, r := range body.Records {
		ids = append(ids, r.ID)
		if r.Collection != crm.Deals {
			t.Errorf("record %+v", r)
		}
	}
	sort.Strings(ids)
	want := f.IDs("D1", "D2", "D3")
	sort.Strings(want)
	if fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Errorf("won revenue records %v, want %v", ids, want)
	}
	res = f.Do(t, http.MethodGet, "/api/crm/insights/sales/stage_conversion/records", "agent", nil)
	res.JSON(t, &body)
	moved := map[string]string{}
	for _, r := range body.Records {
		moved[r.ID+" "+r.Detail[:4]] = r.Detail
	}
	if len(body.Records) != 9 || moved[f.ID("D7")+" Prop"] != "Proposal: stayed" || moved[f.ID("D1")+" Prop"] != "Proposal: moved forward" {
		t.Errorf("conversion records %v", moved)
	}
	csv := f.Do(t, http.MethodGet, "/api/crm/insights/sales/lost_reasons/csv", "agent", nil)
	if csv.Status != http.StatusOK || !hContains(string(csv.Body), "collection,id,title", "Price", "Timing") {
		t.Errorf("csv %d %s", csv.Status, csv.Body)
	}
}
