package insights

import (
	"fmt"
	"math"
	"sort"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// Boards, in the order the workspace shows them.
const (
	BoardSales     = "sales"
	BoardService   = "service"
	BoardCustomers = "customers"
	BoardTeam      = "team"
)

// Boards lists the boards.
var Boards = []string{BoardSales, BoardService, BoardCustomers, BoardTeam}

// Units a figure is measured in; the workspace formats each its own way.
const (
	UnitCount   = "count"
	UnitMoney   = "money"   // in the business's currency
	UnitPercent = "percent" // 0..100
	UnitHours   = "hours"   // business hours
	UnitDays    = "days"
	UnitScore   = "score" // NPS -100..100, CSAT 1..5
)

// Filter names, as the API's query parameters.
const (
	FilterPipeline = "pipeline"
	FilterOwner    = "owner"
	FilterTeam     = "team"
	FilterSegment  = "segment"
	FilterType     = "type"
	FilterChannel  = "channel"
)

// FilterNames lists every filter the API knows.
var FilterNames = []string{FilterPipeline, FilterOwner, FilterTeam, FilterSegment, FilterType, FilterChannel}

// Filters are the query's filters; an empty one does not filter.
type Filters struct {
	Pipeline, Owner, Team, Segment, Type, Channel string
	// People: whose records count (team.People: the team filter's members,
	// or an agent's own teams when the business shows agents only those); nil: everyone's.
	People []string
	// Reader is who reads the figures when the business shows them only
	// part of the CRM (an agent or readonly member in the teams mode):
	// every figure then counts only the records they may see (Where.Visible).
	// nil: every record counts (managers, the "everyone" mode, objectives).
	Reader *core.Record
}

// Get returns the filter of that name.
func (f Filters) Get(name string) string {
	switch name {
	case FilterPipeline:
		return f.Pipeline
	case FilterOwner:
		return f.Owner
	case FilterTeam:
		return f.Team
	case FilterSegment:
		return f.Segment
	case FilterType:
		return f.Type
	case FilterChannel:
		return f.Channel
	}
	return ""
}

// Query is what a figure is computed for: one period [From, To) in the
// business's time zone, and the filters.
type Query struct {
	Period   string // PeriodThisMonth, ..., PeriodCustom
	From, To time.Time
	Filters  Filters
	Now      time.Time
	Loc      *time.Location
	Currency string // the business's currency
	// Business is the business's settings when the query was read (its
	// calendar for business hours, its churn window): ParseQuery sets it
	// from cfg.BusinessNow(); a caller building a Query (objectives) sets it too.
	Business crm.Business
	// shared holds what several figures of one board answer read alike
	// (customers.go): set by ParseQuery for that one request, nil otherwise.
	shared *shared
}

// Point is one value of a figure's chart: a month, a stage, a reason.
type Point struct {
	Label string             `json:"label"`
	Value float64            `json:"value"`
	Parts map[string]float64 `json:"parts,omitempty"` // a stacked value's parts (MRR movements, forecast vs won)
}

// Table is a figure shown as a table (the retention cohorts).
type Table struct {
	Columns []string `json:"columns"`
	Rows    [][]any  `json:"rows"`
}

// Result is a figure's answer for one period. Value is nil when nothing in
// the period counts (a win rate with no closed deal); Count says how many
// records are behind it.
type Result struct {
	Value  *float64           `json:"value"`
	Count  int                `json:"count"`
	Series []Point            `json:"series,omitempty"`
	Table  *Table             `json:"table,omitempty"`
	Apart  map[string]float64 `json:"apart,omitempty"` // amounts in currencies without a rate, never summed
	Extra  map[string]float64 `json:"extra,omitempty"` // companion numbers: "p90" beside a median, "target", "weighted"
}

// Record is one record behind a figure: what a click on the number lists.
type Record struct {
	Collection string   `json:"collection"`
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	Value      *float64 `json:"value,omitempty"`
	Currency   string   `json:"currency,omitempty"`
	When       string   `json:"when,omitempty"`
	Detail     string   `json:"detail,omitempty"`
}

// Def defines a figure of a board.
type Def struct {
	Board   string
	Key     string
	Unit    string
	Better  string   // "up" or "down": which way is good
	Filters []string // the filters it honours; others are ignored (the answer says which applied)
	// Compute answers the figure for q's period. It must use indexes, never
	// scan a whole table (the bench shows the plans).
	Compute func(app core.App, q Query) (Result, error)
	// Records lists the records behind the figure (at most limit).
	Records func(app core.App, q Query, limit int) ([]Record, error)
}

var (
	defsMu sync.RWMutex
	defs   = map[string][]Def{}
)

// Add registers a figure; each board's file adds its own in init().
func Add(d Def) {
	defsMu.Lock()
	defer defsMu.Unlock()
	defs[d.Board] = append(defs[d.Board], d)
}

// Figures returns a board's figures in the order they were added.
func Figures(board string) []Def {
	defsMu.RLock()
	defer defsMu.RUnlock()
	return append([]Def(nil), defs[board]...)
}

// Find returns the figure board/key.
func Find(board, key string) (Def, bool) {
	for _, d := range Figures(board) {
		if d.Key == key {
			return d, true
		}
	}
	return Def{}, false
}

// Keys lists every "board/key", sorted (objectives pick from them).
func Keys() []string {
	var out []string
	for _, b := range Boards {
		for _, d := range Figures(b) {
			out = append(out, b+"/"+d.Key)
		}
	}
	sort.Strings(out)
	return out
}

// Compute answers one figure (objectives measure through it).
func Compute(app core.App, board, key string, q Query) (Result, error) {
	d, ok := Find(board, key)
	if !ok {
		return Result{}, fmt.Errorf("no figure %s/%s", board, key)
	}
	return d.Compute(app, q)
}

// Float returns a pointer to v (a Result's Value).
func Float(v float64) *float64 { return &v }

// Median is the middle value (the mean of the two middle ones for an even
// count); values are sorted in place. ok is false without values.
func Median(values []float64) (float64, bool) {
	n := len(values)
	if n == 0 {
		return 0, false
	}
	sort.Float64s(values)
	if n%2 == 1 {
		return values[n/2], true
	}
	return (values[n/2-1] + values[n/2]) / 2, true
}

// Percentile is the nearest-rank percentile: the smallest value with at
// least p% of the values at or below it (P90 of ten values is the ninth);
// values are sorted in place.
func Percentile(values []float64, p float64) (float64, bool) {
	n := len(values)
	if n == 0 {
		return 0, false
	}
	sort.Float64s(values)
	rank := int(math.Ceil(p / 100 * float64(n)))
	return values[min(max(rank, 1), n)-1], true
}

// Round1 rounds a duration or a percentage to one decimal.
func Round1(v float64) float64 { return math.Round(v*10) / 10 }
