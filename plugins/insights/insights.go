package insights

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/crm/guard"
	"vinculo/plugins/team"
)

// Options are what tests change.
type Options struct {
	Now func() time.Time
}

var opts = Options{Now: time.Now}

// Configure replaces the clock (tests).
func Configure(o Options) {
	if o.Now == nil {
		o.Now = time.Now
	}
	opts = o
}

// Register serves the boards to staff.
func Register(app core.App, cfg *crm.Config) error {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		r := se.Router
		r.GET("/api/crm/insights", listBoards).Bind(guard.Staff())
		r.GET("/api/crm/insights/{board}", func(e *core.RequestEvent) error { return board(e, cfg) }).Bind(guard.Staff())
		r.GET("/api/crm/insights/{board}/{figure}/records", func(e *core.RequestEvent) error { return records(e, cfg, false) }).Bind(guard.Staff())
		r.GET("/api/crm/insights/{board}/{figure}/csv", func(e *core.RequestEvent) error { return records(e, cfg, true) }).Bind(guard.Staff())
		return se.Next()
	})
	registerObjectives(app, cfg) // objectives.go
	bindServiceSummary(app, cfg) // service_summary.go
	bindSalesSums(app)           // sales_sums.go
	return nil
}

type figureInfo struct {
	Key     string   `json:"key"`
	Unit    string   `json:"unit"`
	Better  string   `json:"better"`
	Filters []string `json:"filters"`
}

func listBoards(e *core.RequestEvent) error {
	out := map[string][]figureInfo{}
	for _, b := range Boards {
		out[b] = []figureInfo{}
		for _, d := range Figures(b) {
			out[b] = append(out[b], figureInfo{d.Key, d.Unit, d.Better, d.Filters})
		}
	}
	return e.JSON(http.StatusOK, map[string]any{"boards": Boards, "figures": out, "periods": Periods, "filters": FilterNames})
}

// ParseQuery reads the period and the filters of a request; a wrong one is
// a *ParamError naming it.
func ParseQuery(app core.App, cfg *crm.Config, e *core.RequestEvent) (cur, prev Query, err error) {
	v := e.Request.URL.Query()
	for name := range v {
		if name != "period" && name != "from" && name != "to" && name != "limit" && !slices.Contains(FilterNames, name) {
			return cur, prev, &ParamError{name, "unknown filter"}
		}
	}
	loc := cfg.BusinessNow().Location()
	cur, prev, err = ParsePeriod(v, opts.Now(), loc)
	if err != nil {
		return cur, prev, err
	}
	var f Filters
	for _, name := range FilterNames {
		val := v.Get(name)
		if val == "" {
			continue
		}
		if err := checkFilter(app, name, val); err != nil {
			return cur, prev, err
		}
		setFilter(&f, name, val)
	}
	if f.People, err = team.People(app, e.Auth, f.Team); err != nil {
		return cur, prev, err
	}
	if !team.SeesAll(app, e.Auth) {
		f.Reader = e.Auth
	}
	cur.Filters, prev.Filters = f, f
	cur.shared, prev.shared = &shared{}, &shared{}
	// The business's currency, rates, business hours and churn window.
	return ForBusiness(cfg, cur), ForBusiness(cfg, prev), nil
}

// checkFilter refuses a filter naming nothing that exists.
func checkFilter(app core.App, name, val string) error {
	collection := map[string]string{
		FilterPipeline: crm.Pipelines, FilterOwner: crm.Staff, FilterSegment: crm.Segments, FilterType: crm.CaseTypes,
	}[name]
	switch {
	case name == FilterChannel:
		if !slices.Contains(crm.Channels, val) {
			return &ParamError{name, fmt.Sprintf("unknown channel %q", val)}
		}
	case name == FilterTeam:
		if _, err := app.FindCachedCollectionByNameOrId("teams"); err != nil {
			return &ParamError{name, "this business has no teams yet"}
		}
		if _, err := app.FindRecordById("teams", val); err != nil {
			return &ParamError{name, "no such team"}
		}
	case collection != "":
		if _, err := app.FindRecordById(collection, val); err != nil {
			return &ParamError{name, "no such " + name}
		}
	}
	return nil
}

// DefaultCurrency is the currency of a business that names none.
const DefaultCurrency = "BRL"

// Currency is the business's currency, in which money figures are given
// (Settings > Business, first from business.currency).
func Currency(app core.App, cfg *crm.Config) string {
	if c := cfg.BusinessNow().Currency; c != "" {
		return c
	}
	return DefaultCurrency
}

// ForBusiness gives q the business's settings as they are now (its
// currency and the manager's rates, its calendar, its churn window): a query
// built without ParseQuery, like an objective's daily measure, goes through
// it before Compute.
func ForBusiness(cfg *crm.Config, q Query) Query {
	b := cfg.BusinessNow()
	q.Currency, q.Business = Currency(nil, cfg), b
	if q.Loc == nil {
		q.Loc = b.Location()
	}
	return q
}

func paramError(e *core.RequestEvent, err error) error {
	if pe, ok := err.(*ParamError); ok {
		return e.JSON(http.StatusBadRequest, map[string]any{
			"status": 400, "message": pe.Error(),
			"data": map[string]any{pe.Param: map[string]string{"code": "invalid", "message": pe.Message}},
		})
	}
	return e.InternalServerError("", err)
}

type figureAnswer struct {
	figureInfo
	Applied []string `json:"applied"` // the filters of the query this figure honoured
	Result
	Previous *float64 `json:"previous"`
	Change   *float64 `json:"change"` // (value - previous) / |previous|, nil without both
}

func board(e *core.RequestEvent, cfg *crm.Config) error {
	name := e.Request.PathValue("board")
	if !slices.Contains(Boards, name) {
		return e.NotFoundError("No such board.", nil)
	}
	cur, prev, err := ParseQuery(e.App, cfg, e)
	if err != nil {
		return paramError(e, err)
	}
	empty := true
	figs := []figureAnswer{}
	for _, d := range Figures(name) {
		r, err := d.Compute(e.App, cur)
		if err != nil {
			return e.InternalServerError("", fmt.Errorf("insights %s/%s: %w", name, d.Key, err))
		}
		p, err := d.Compute(e.App, prev)
		if err != nil {
			return e.InternalServerError("", fmt.Errorf("insights %s/%s (previous): %w", name, d.Key, err))
		}
		a := figureAnswer{figureInfo: figureInfo{d.Key, d.Unit, d.Better, d.Filters}, Applied: []string{}, Result: r, Previous: p.Value}
		for _, f := range d.Filters {
			if cur.Filters.Get(f) != "" {
				a.Applied = append(a.Applied, f)
			}
		}
		if r.Value != nil && p.Value != nil && *p.Value != 0 {
			c := (*r.Value - *p.Value) / abs(*p.Value)
			a.Change = &c
		}
		if r.Count > 0 {
			empty = false
		}
		figs = append(figs, a)
	}
	return e.JSON(http.StatusOK, map[string]any{
		"board": name, "currency": cur.Currency, "empty": empty,
		"period": map[string]string{
			"name": cur.Period, "from": day(cur.From), "to": day(cur.To.AddDate(0, 0, -1)),
			"previous_from": day(prev.From), "previous_to": day(prev.To.AddDate(0, 0, -1)),
		},
		"figures": figs,
	})
}

func records(e *core.RequestEvent, cfg *crm.Config, asCSV bool) error {
	d, ok := Find(e.Request.PathValue("board"), e.Request.PathValue("figure"))
	if !ok {
		return e.NotFoundError("No such figure.", nil)
	}
	cur, _, err := ParseQuery(e.App, cfg, e)
	if err != nil {
		return paramError(e, err)
	}
	limit := 500
	if s := e.Request.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100000 {
			return paramError(e, &ParamError{"limit", "a number from 1 to 100000"})
		}
		limit = n
	}
	list := []Record{}
	if d.Records != nil {
		if list, err = d.Records(e.App, cur, limit); err != nil {
			return e.InternalServerError("", err)
		}
	}
	if !asCSV {
		return e.JSON(http.StatusOK, map[string]any{"figure": d.Key, "board": d.Board, "records": list})
	}
	e.Response.Header().Set("Content-Type", "text/csv; charset=utf-8")
	e.Response.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", d.Board+"-"+d.Key+"-"+day(cur.From)+".csv"))
	w := csv.NewWriter(e.Response)
	_ = w.Write([]string{"collection", "id", "title", "value", "currency", "when", "detail"})
	for _, r := range list {
		v := ""
		if r.Value != nil {
			v = strconv.FormatFloat(*r.Value, 'f', -1, 64)
		}
		_ = w.Write([]string{r.Collection, r.ID, crm.NeutraliseCell(r.Title), v, r.Currency, r.When, crm.NeutraliseCell(r.Detail)})
	}
	w.Flush()
	return w.Error()
}

func day(t time.Time) string { return t.Format(time.DateOnly) }

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
