package insights

import (
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
)

// The Service board: requests opened and closed, the backlog by age, first
// response and resolution times in business hours against each type's
// targets, the share within SLA, and CSAT. docs/insights.md defines each.
//
// A reopened request is closed once: at its last close (closed_at keeps only
// the last, plugins/requests clears it on reopening), and its resolution time
// runs from its opening to that last close.

// Service figure keys.
const (
	ServiceOpened        = "requests_opened"
	ServiceClosed        = "requests_closed"
	ServiceBacklog       = "backlog_age"
	ServiceFirstResponse = "first_response_time"
	ServiceResolution    = "resolution_time"
	ServiceWithinSLA     = "within_sla"
	ServiceCSAT          = "csat"
)

// Fields of cases and case_types the board reads.
const (
	caseCreated       = "created"
	caseClosed        = "closed"
	caseClosedAt      = "closed_at"
	caseFirstAt       = "first_response_at"
	caseFirstDue      = "first_response_due"
	caseResolutionDue = "resolution_due"
	caseRating        = "rating"
	caseRatedAt       = "rated_at"
	typeFirstHours    = "sla_first_response_hours"
	typeResolution    = "sla_resolution_hours"
)

// serviceFilters are the filters every Service figure honours.
var serviceFilters = []string{FilterType, FilterChannel, FilterOwner, FilterTeam, FilterSegment}

// Backlog age buckets, in calendar days since the request was opened.
var backlogBuckets = []struct {
	Label string
	Days  float64 // upper bound (exclusive)
}{{"0-1", 1}, {"1-3", 3}, {"3-7", 7}, {"7-30", 30}, {"30+", 1e9}}

func init() {
	add := func(key, unit, better string, compute func(core.App, Query) (Result, error), list func(core.App, Query, int) ([]Record, error)) {
		Add(Def{Board: BoardService, Key: key, Unit: unit, Better: better, Filters: serviceFilters, Compute: compute, Records: list})
	}
	add(ServiceOpened, UnitCount, "", countCases(openedWhere, mOpened, "created"), listCases(openedWhere, caseCreated, nil))
	add(ServiceClosed, UnitCount, "", countCases(closedWhere, mClosed, "closed_at"), listCases(closedWhere, caseClosedAt, nil))
	add(ServiceBacklog, UnitCount, "down", backlog, listCases(backlogWhere, caseCreated, nil))
	add(ServiceFirstResponse, UnitHours, "down", times(firstWhere, firstResponse, firstTimes), listCases(firstWhere, caseFirstAt, firstResponse))
	add(ServiceResolution, UnitHours, "down", times(closedWhere, resolution, resolTimes), listCases(closedWhere, caseClosedAt, resolution))
	add(ServiceWithinSLA, UnitPercent, "up", withinSLA, listCases(slaWhere, caseClosedAt, slaMet))
	add(ServiceCSAT, UnitScore, "up", csat, csatRecords)
}

// caseRow is what the board reads of a request.
type caseRow struct {
	ID               string         `db:"id"`
	Reference        string         `db:"reference"`
	Subject          string         `db:"subject"`
	Type             string         `db:"type"`
	Channel          string         `db:"channel"`
	Assignee         string         `db:"assignee"`
	Created          types.DateTime `db:"created"`
	FirstResponseAt  types.DateTime `db:"first_response_at"`
	FirstResponseDue types.DateTime `db:"first_response_due"`
	ClosedAt         types.DateTime `db:"closed_at"`
	ResolutionDue    types.DateTime `db:"resolution_due"`
	Rating           float64        `db:"rating"`
	RatedAt          types.DateTime `db:"rated_at"`
}

var caseColumns = []string{"id", "reference", "subject", "type", "channel", "assignee", caseCreated,
	caseFirstAt, caseFirstDue, caseClosedAt, caseResolutionDue, caseRating, caseRatedAt}

// where is one indexed condition on cases for q (with its parameters).
type where func(q Query) []dbx.Expression

// end is the moment a period's state is read at: its end, or now for the
// period that is still running.
func end(q Query) time.Time {
	if !q.Now.IsZero() && q.Now.Before(q.To) {
		return q.Now
	}
	return q.To
}

// openedWhere: opened in the period (cases.created).
func openedWhere(q Query) []dbx.Expression {
	return []dbx.Expression{dbx.NewExp("created >= {:from} AND created < {:to}", dbx.Params{"from": DBTime(q.From), "to": DBTime(q.To)})}
}

// closedWhere: closed now, its last close in the period (closed_at: a
// reopened request has none until it closes again).
func closedWhere(q Query) []dbx.Expression {
	return []dbx.Expression{dbx.NewExp("closed_at >= {:from} AND closed_at < {:to}", dbx.Params{"from": DBTime(q.From), "to": DBTime(q.To)})}
}

// firstWhere: first answered in the period (first_response_at).
func firstWhere(q Query) []dbx.Expression {
	return []dbx.Expression{dbx.NewExp("first_response_at >= {:from} AND first_response_at < {:to}", dbx.Params{"from": DBTime(q.From), "to": DBTime(q.To)})}
}

// slaWhere: closed in the period, with a due time to keep.
func slaWhere(q Query) []dbx.Expression {
	return []dbx.Expression{dbx.And(closedWhere(q)[0], dbx.NewExp("(first_response_due != '' OR resolution_due != '')"))}
}

// backlogWhere: open at the period's end — still open and opened before it
// (closed, created), or closed after it (closed_at). Two queries, one index
// each.
func backlogWhere(q Query) []dbx.Expression {
	at := dbx.Params{"at": DBTime(end(q))}
	return []dbx.Expression{
		dbx.NewExp("closed = FALSE AND created < {:at}", at),
		dbx.NewExp("closed_at >= {:at} AND +created < {:at}", at),
	}
}

// filterCases adds q's filters to a condition on cases.
func filterCases(app core.App, q Query, cond dbx.Expression) (dbx.Expression, error) {
	parts := []dbx.Expression{cond}
	parts = append(parts, caseConds(q, "")...)
	if seen, err := visibleExp(app, q, "id", crm.Cases); err != nil {
		return nil, err
	} else if seen != nil {
		parts = append(parts, seen)
	}
	if q.Filters.Segment != "" {
		seg, err := segmentContacts(app, q, crm.FieldContact)
		if err != nil {
			return nil, err
		}
		parts = append(parts, seg)
	}
	return dbx.And(parts...), nil
}

// loadCases reads the requests matching w under q's filters.
func loadCases(app core.App, q Query, w where) ([]caseRow, error) {
	var out []caseRow
	seen := map[string]bool{}
	for _, cond := range w(q) {
		full, err := filterCases(app, q, cond)
		if err != nil {
			return nil, err
		}
		var rows []caseRow
		if err := app.DB().Select(caseColumns...).From(crm.Cases).Where(full).All(&rows); err != nil {
			return nil, err
		}
		for _, r := range rows {
			if !seen[r.ID] {
				seen[r.ID] = true
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// countCases counts the requests matching w by type: from the summary's
// measure (its date column col) when it may, else in SQL (the date's index,
// one pass).
func countCases(w where, measure, col string) func(core.App, Query) (Result, error) {
	return func(app core.App, q Query) (Result, error) {
		byID := map[string]float64{}
		total := 0
		conds := w(q)
		if ok, err := fromSummary(app, q, false); err != nil {
			return Result{}, err
		} else if ok {
			if byID, total, err = countByType(app, q, measure, col, q.From, q.To); err != nil {
				return Result{}, err
			}
			conds = nil
		}
		for _, cond := range conds {
			full, err := filterCases(app, q, cond)
			if err != nil {
				return Result{}, err
			}
			err = eachRow(app.DB().Select("type", "COUNT(*)").From(crm.Cases).Where(full).GroupBy("type").Build(), func(r *sql.Rows) error {
				var id string
				var n int
				if err := r.Scan(&id, &n); err != nil {
					return err
				}
				byID[id] += float64(n)
				total += n
				return nil
			})
			if err != nil {
				return Result{}, err
			}
		}
		tps, err := loadTypeIDs(app, byID)
		if err != nil {
			return Result{}, err
		}
		by := map[string]float64{}
		for id, n := range byID {
			by[tps.name(id)] += n
		}
		return Result{Value: Float(float64(total)), Count: total, Series: sortedPoints(by)}, nil
	}
}

// backlog counts the open requests at the period's end by age bucket in one
// SQL pass: the two conditions of backlogWhere, OR-ed (each by its index).
// A bucket holds ages below its bound: created after end − bound.
func backlog(app core.App, q Query) (Result, error) {
	if ok, err := fromSummary(app, q, false); err != nil || ok {
		if err != nil {
			return Result{}, err
		}
		return summaryBacklog(app, q)
	}
	at := end(q)
	conds := backlogWhere(q)
	full, err := filterCases(app, q, dbx.Or(conds...))
	if err != nil {
		return Result{}, err
	}
	bucket := "(CASE"
	params := dbx.Params{}
	for i, b := range backlogBuckets[:len(backlogBuckets)-1] {
		name := "b" + strconv.Itoa(i)
		params[name] = DBTime(at.Add(-time.Duration(b.Days * 24 * float64(time.Hour))))
		bucket += fmt.Sprintf(" WHEN created > {:%s} THEN %d", name, i)
	}
	bucket += fmt.Sprintf(" ELSE %d END)", len(backlogBuckets)-1)
	counts := make([]float64, len(backlogBuckets))
	total := 0
	err = eachRow(app.DB().Select(bucket+" AS bucket", "COUNT(*)").From(crm.Cases).Where(full).GroupBy("bucket").Bind(params).Build(), func(r *sql.Rows) error {
		var i, n int
		if err := r.Scan(&i, &n); err != nil {
			return err
		}
		counts[i] += float64(n)
		total += n
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	series := make([]Point, len(backlogBuckets))
	for i, b := range backlogBuckets {
		series[i] = Point{Label: b.Label, Value: counts[i]}
	}
	return Result{Value: Float(float64(total)), Count: total, Series: series}, nil
}

func bucketOf(age time.Duration) int {
	days := age.Hours() / 24
	for i, b := range backlogBuckets {
		if days < b.Days {
			return i
		}
	}
	return len(backlogBuckets) - 1
}

// measure is a request's time for a figure, in business hours, with the
// type's target field; ok is false when the request has none.
type measure struct {
	target string
	column string // the moment it runs to from created (first_response_at, closed_at)
	hours  func(cal crm.Calendar, r caseRow) (float64, bool)
}

var firstResponse = &measure{target: typeFirstHours, column: caseFirstAt, hours: func(cal crm.Calendar, r caseRow) (float64, bool) {
	if r.FirstResponseAt.IsZero() {
		return 0, false
	}
	return cal.OpenBetween(r.Created.Time(), r.FirstResponseAt.Time()).Hours(), true
}}

var resolution = &measure{target: typeResolution, column: caseClosedAt, hours: func(cal crm.Calendar, r caseRow) (float64, bool) {
	if r.ClosedAt.IsZero() {
		return 0, false
	}
	return cal.OpenBetween(r.Created.Time(), r.ClosedAt.Time()).Hours(), true
}}

// slaMet is 1 for a request that kept its SLA, 0 for one that did not (as
// a record's value).
var slaMet = &measure{hours: func(_ crm.Calendar, r caseRow) (float64, bool) {
	met, counted := keptSLA(r)
	if !counted {
		return 0, false
	}
	if met {
		return 1, true
	}
	return 0, true
}}

// times answers a median in business hours, with p90 and the target beside
// it, and a series per type (parts p90 and target).
func times(w where, m *measure, tm timeMeasure) func(core.App, Query) (Result, error) {
	return func(app core.App, q Query) (Result, error) {
		if ok, err := fromSummary(app, q, true); err != nil || ok {
			if err != nil {
				return Result{}, err
			}
			return summaryTimes(app, q, m, tm)
		}
		var typeOf []string
		var pairs [][2]int64
		for _, cond := range w(q) {
			full, err := filterCases(app, q, cond)
			if err != nil {
				return Result{}, err
			}
			err = eachRow(app.DB().Select("type", caseCreated, m.column).From(crm.Cases).Where(full).Build(), func(r *sql.Rows) error {
				var tp, from, to string
				if err := r.Scan(&tp, &from, &to); err != nil {
					return err
				}
				a, okA := stampNanos(from)
				b, okB := stampNanos(to)
				if !okB { // no answer or no close: nothing to measure
					return nil
				}
				if !okA {
					a = time.Time{}.UnixNano()
				}
				typeOf, pairs = append(typeOf, tp), append(pairs, [2]int64{a, b})
				return nil
			})
			if err != nil {
				return Result{}, err
			}
		}
		all := openPairs(q.Business.Calendar(), pairs)
		byType := map[string][]float64{}
		for i, h := range all {
			byType[typeOf[i]] = append(byType[typeOf[i]], h)
		}
		stats := map[string][2]float64{}
		for id, hs := range byType {
			stats[id] = [2]float64{median(hs), p90(hs)}
		}
		var overall [2]float64
		if len(all) > 0 {
			overall = [2]float64{median(all), p90(all)}
		}
		return timesResult(app, m, len(all), overall, stats)
	}
}

// summaryTimes is times from the summary: the same medians and p90s, read
// by rank.
func summaryTimes(app core.App, q Query, m *measure, tm timeMeasure) (Result, error) {
	tv, err := loadTimeValues(app, q, tm)
	if err != nil {
		return Result{}, err
	}
	n := tv.count("")
	var overall [2]float64
	stats := map[string][2]float64{}
	if n > 0 {
		if overall[0], overall[1], err = tv.medianP90(""); err != nil {
			return Result{}, err
		}
		for tp := range tv.hist {
			if tv.count(tp) == 0 {
				continue
			}
			a, b, err := tv.medianP90(tp)
			if err != nil {
				return Result{}, err
			}
			stats[tp] = [2]float64{a, b}
		}
	}
	return timesResult(app, m, n, overall, stats)
}

// timesResult is a time figure's answer: n times, their median and p90
// overall and per type id, with the types' targets.
func timesResult(app core.App, m *measure, n int, overall [2]float64, byType map[string][2]float64) (Result, error) {
	ids := map[string]float64{}
	for id := range byType {
		ids[id] = 1
	}
	tps, err := loadTypeIDs(app, ids)
	if err != nil {
		return Result{}, err
	}
	targets := map[float64]bool{}
	for id := range byType {
		targets[tps.target(id, m.target)] = true
	}
	res := Result{Count: n, Extra: map[string]float64{}}
	if n == 0 {
		return res, nil
	}
	res.Value = Float(round2(overall[0]))
	res.Extra["p90"] = round2(overall[1])
	if len(targets) == 1 {
		for t := range targets {
			if t > 0 {
				res.Extra["target"] = t
			}
		}
	}
	for id, st := range byType {
		p := Point{Label: tps.name(id), Value: round2(st[0]), Parts: map[string]float64{"p90": round2(st[1])}}
		if t := tps.target(id, m.target); t > 0 {
			p.Parts["target"] = t
		}
		res.Series = append(res.Series, p)
	}
	sort.Slice(res.Series, func(i, j int) bool { return res.Series[i].Label < res.Series[j].Label })
	return res, nil
}

// keptSLA: a request closed in the period kept its SLA when it was answered
// by its first-response due time (a request closed without an answer counts
// its close as the answer) and closed by its resolution due time. counted is
// false when its type set neither.
func keptSLA(r caseRow) (met, counted bool) {
	if r.FirstResponseDue.IsZero() && r.ResolutionDue.IsZero() {
		return false, false
	}
	met = true
	if !r.FirstResponseDue.IsZero() {
		answered := r.FirstResponseAt
		if answered.IsZero() {
			answered = r.ClosedAt
		}
		met = !answered.IsZero() && !answered.After(r.FirstResponseDue)
	}
	if !r.ResolutionDue.IsZero() && (r.ClosedAt.IsZero() || r.ClosedAt.After(r.ResolutionDue)) {
		met = false
	}
	return met, true
}

// slaKeptSQL is keptSLA in SQL, for a request with a due time to keep
// (stored dates compare as text).
const slaKeptSQL = `(first_response_due = '' OR (COALESCE(NULLIF(first_response_at, ''), closed_at) != ''
	AND COALESCE(NULLIF(first_response_at, ''), closed_at) <= first_response_due))
	AND (resolution_due = '' OR (closed_at != '' AND closed_at <= resolution_due))`

// withinSLA tallies the requests closed in the period by type, channel and
// assignee in one SQL pass, then adds the groups up per dimension.
// slaGroup is one type, channel and assignee's requests with a due time.
type slaGroup struct {
	tp, channel, assignee string
	met, total            int
}

func withinSLA(app core.App, q Query) (Result, error) {
	var list []slaGroup
	if ok, err := fromSummary(app, q, false); err != nil {
		return Result{}, err
	} else if ok {
		if list, err = summarySLA(app, q); err != nil {
			return Result{}, err
		}
	} else {
		full, err := filterCases(app, q, slaWhere(q)[0])
		if err != nil {
			return Result{}, err
		}
		err = eachRow(app.DB().Select("type", "channel", "assignee", "SUM("+slaKeptSQL+")", "COUNT(*)").From(crm.Cases).
			Where(full).GroupBy("type", "channel", "assignee").Build(), func(r *sql.Rows) error {
			var g slaGroup
			if err := r.Scan(&g.tp, &g.channel, &g.assignee, &g.met, &g.total); err != nil {
				return err
			}
			list = append(list, g)
			return nil
		})
		if err != nil {
			return Result{}, err
		}
	}
	return slaResult(app, list)
}

// slaResult adds the groups up per type, channel and assignee.
func slaResult(app core.App, list []slaGroup) (Result, error) {
	types, staffIDs := map[string]float64{}, map[string]bool{}
	for _, g := range list {
		types[g.tp] = 1
		if g.assignee != "" {
			staffIDs[g.assignee] = true
		}
	}
	tps, err := loadTypeIDs(app, types)
	if err != nil {
		return Result{}, err
	}
	staff, err := staffNamesOf(app, staffIDs)
	if err != nil {
		return Result{}, err
	}
	type tally struct{ met, total int }
	groups := map[string]map[string]*tally{"type": {}, "channel": {}, "assignee": {}}
	var all tally
	for _, g := range list {
		all.met, all.total = all.met+g.met, all.total+g.total
		for dim, key := range map[string]string{"type": tps.name(g.tp), "channel": g.channel, "assignee": staff[g.assignee]} {
			if groups[dim][key] == nil {
				groups[dim][key] = &tally{}
			}
			groups[dim][key].met += g.met
			groups[dim][key].total += g.total
		}
	}
	res := Result{Count: all.total}
	if all.total == 0 {
		return res, nil
	}
	res.Value = Float(percent(all.met, all.total))
	table := &Table{Columns: []string{"by", "name", "within", "total", "percent"}}
	for _, dim := range []string{"type", "channel", "assignee"} {
		keys := make([]string, 0, len(groups[dim]))
		for k := range groups[dim] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			t := groups[dim][k]
			table.Rows = append(table.Rows, []any{dim, k, t.met, t.total, percent(t.met, t.total)})
			if dim == "type" {
				res.Series = append(res.Series, Point{Label: k, Value: percent(t.met, t.total)})
			}
		}
	}
	res.Table = table
	return res, nil
}

func percent(n, of int) float64 { return round2(100 * float64(n) / float64(of)) }

// listCases lists the requests behind a figure, newest first by field, with
// the figure's value for each when m gives one.
func listCases(w where, field string, m *measure) func(core.App, Query, int) ([]Record, error) {
	return func(app core.App, q Query, limit int) ([]Record, error) {
		rows, err := loadCases(app, q, w)
		if err != nil {
			return nil, err
		}
		tps, err := loadTypes(app, rows)
		if err != nil {
			return nil, err
		}
		cal := q.Business.Calendar()
		at := func(r caseRow) types.DateTime {
			switch field {
			case caseClosedAt:
				return r.ClosedAt
			case caseFirstAt:
				return r.FirstResponseAt
			}
			return r.Created
		}
		sort.Slice(rows, func(i, j int) bool { return at(rows[i]).After(at(rows[j])) })
		out := []Record{}
		for _, r := range rows {
			rec := Record{Collection: crm.Cases, ID: r.ID, Title: strings.TrimSpace(r.Reference + " " + r.Subject),
				When: at(r).Time().In(q.Business.Location()).Format(time.DateTime), Detail: tps.name(r.Type)}
			if m != nil {
				v, ok := m.hours(cal, r)
				if !ok {
					continue
				}
				rec.Value = Float(round2(v))
			}
			out = append(out, rec)
			if len(out) >= limit {
				break
			}
		}
		return out, nil
	}
}

// typeInfo is what the board reads of the request types it meets.
type typeInfo map[string]struct {
	Name        string  `db:"name"`
	FirstHours  float64 `db:"sla_first_response_hours"`
	ResolveHour float64 `db:"sla_resolution_hours"`
}

func (t typeInfo) name(id string) string {
	if v, ok := t[id]; ok {
		return v.Name
	}
	return id
}

func (t typeInfo) target(id, field string) float64 {
	switch field {
	case typeFirstHours:
		return t[id].FirstHours
	case typeResolution:
		return t[id].ResolveHour
	}
	return 0
}

// loadTypes reads the request types of rows, by id (the primary key).
func loadTypes(app core.App, rows []caseRow) (typeInfo, error) {
	ids := map[string]float64{}
	for _, r := range rows {
		ids[r.Type] = 1
	}
	return loadTypeIDs(app, ids)
}

// loadTypeIDs reads the request types whose ids are ids' keys.
func loadTypeIDs(app core.App, ids map[string]float64) (typeInfo, error) {
	out := typeInfo{}
	if len(ids) == 0 {
		return out, nil
	}
	var list []struct {
		ID          string  `db:"id"`
		Name        string  `db:"name"`
		FirstHours  float64 `db:"sla_first_response_hours"`
		ResolveHour float64 `db:"sla_resolution_hours"`
	}
	if err := app.DB().Select("id", "name", typeFirstHours, typeResolution).From(crm.CaseTypes).
		Where(dbx.In("id", anyKeys(ids)...)).All(&list); err != nil {
		return nil, err
	}
	for _, l := range list {
		out[l.ID] = struct {
			Name        string  `db:"name"`
			FirstHours  float64 `db:"sla_first_response_hours"`
			ResolveHour float64 `db:"sla_resolution_hours"`
		}{l.Name, l.FirstHours, l.ResolveHour}
	}
	return out, nil
}

// staffNames names the assignees of rows ("" for none).
func staffNames(app core.App, rows []caseRow) (map[string]string, error) {
	ids := map[string]bool{}
	for _, r := range rows {
		if r.Assignee != "" {
			ids[r.Assignee] = true
		}
	}
	return staffNamesOf(app, ids)
}

// staffNamesOf names the staff of ids ("" for none).
func staffNamesOf(app core.App, ids map[string]bool) (map[string]string, error) {
	out := map[string]string{"": ""}
	if len(ids) == 0 {
		return out, nil
	}
	var list []struct {
		ID   string `db:"id"`
		Name string `db:"name"`
	}
	if err := app.DB().Select("id", "name").From(crm.Staff).Where(dbx.In("id", keysOf(ids)...)).All(&list); err != nil {
		return nil, err
	}
	for _, l := range list {
		out[l.ID] = l.Name
	}
	return out, nil
}

func anyKeys(set map[string]float64) []any {
	out := make([]any, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	return out
}

func keysOf(set map[string]bool) []any {
	out := make([]any, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	return out
}

func sortedPoints(by map[string]float64) []Point {
	out := make([]Point, 0, len(by))
	for k, v := range by {
		out = append(out, Point{Label: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Label < out[j].Label })
	return out
}

// median and p90 are Median and Percentile(90) of figures.go.
func median(v []float64) float64 { m, _ := Median(v); return m }

func p90(v []float64) float64 { p, _ := Percentile(v, 90); return p }

func round2(v float64) float64 { return Round2(v) }

// csatAnswer is one CSAT score counted.
type csatAnswer struct {
	ID      string         `db:"id"`
	Score   float64        `db:"score"`
	Case    string         `db:"case"`
	Contact string         `db:"contact"`
	At      types.DateTime `db:"answered_at"`
}

// csatScores are the CSAT answers of the period: every survey answer of
// kind csat answered in it, and the ratings given on requests in it
// (cases.rating, rated_at) for requests without a CSAT survey answer —
// the survey answer wins, so no request is counted twice.
func csatScores(app core.App, q Query) (answers, ratings []csatAnswer, err error) {
	period := dbx.Params{"from": DBTime(q.From), "to": DBTime(q.To), "kind": crm.SurveyCSAT}
	cond := []dbx.Expression{dbx.NewExp("a.kind = {:kind} AND a.answered_at >= {:from} AND a.answered_at < {:to}", period)}
	caseFilter := q.Filters.Type != "" || q.Filters.Channel != "" || q.Filters.Owner != ""
	sel := app.DB().Select("a.id", "a.score", "a.case", "a.contact", "a.answered_at").From(crm.SurveyAnswers + " a")
	if caseFilter {
		sel = sel.InnerJoin(crm.Cases+" c", dbx.NewExp("c.id = a.`case`"))
		cond = append(cond, caseConds(q, "c.")...)
	}
	if q.Filters.Segment != "" {
		seg, err := segmentContacts(app, q, "a.contact")
		if err != nil {
			return nil, nil, err
		}
		cond = append(cond, seg)
	}
	if seen, err := visibleExp(app, q, "a.id", crm.SurveyAnswers); err != nil {
		return nil, nil, err
	} else if seen != nil {
		cond = append(cond, seen)
	}
	if err := sel.Where(dbx.And(cond...)).All(&answers); err != nil {
		return nil, nil, err
	}
	rated, err := loadCases(app, q, func(q Query) []dbx.Expression {
		return []dbx.Expression{dbx.NewExp("rated_at >= {:from} AND rated_at < {:to} AND rating > 0", period)}
	})
	if err != nil || len(rated) == 0 {
		return answers, nil, err
	}
	ids := make([]any, len(rated))
	for i, r := range rated {
		ids[i] = r.ID
	}
	var surveyed []struct {
		Case string `db:"case"`
	}
	// By the answers' index on their request, whatever the planner would
	// make of a short table and a long list.
	in := make([]string, len(ids))
	params := dbx.Params{"kind": crm.SurveyCSAT}
	for i, id := range ids {
		in[i] = "{:c" + strconv.Itoa(i) + "}"
		params["c"+strconv.Itoa(i)] = id
	}
	if err := app.DB().NewQuery("SELECT `case` FROM " + crm.SurveyAnswers + " INDEXED BY idx_" + crm.SurveyAnswers + "_" + crm.AnswerCase +
		" WHERE `case` IN (" + strings.Join(in, ",") + ") AND +kind = {:kind}").Bind(params).All(&surveyed); err != nil {
		return nil, nil, err
	}
	skip := map[string]bool{}
	for _, s := range surveyed {
		skip[s.Case] = true
	}
	for _, r := range rated {
		if !skip[r.ID] {
			ratings = append(ratings, csatAnswer{ID: r.ID, Score: r.Rating, Case: r.ID, At: r.RatedAt})
		}
	}
	return answers, ratings, nil
}

// segmentContacts keeps the rows whose contact column names a contact of
// q's segment (filters.go).
func segmentContacts(app core.App, q Query, column string) (dbx.Expression, error) {
	w := NewWhere()
	if err := w.Segment(app, column, q); err != nil {
		return nil, err
	}
	return dbx.NewExp(w.SQL(), w.Params()), nil
}

// caseConds are q's request filters on the cases aliased by prefix. Each
// is written +column so that SQLite keeps reading the period's date index
// (one type or one assignee may hold most of the requests).
func caseConds(q Query, prefix string) []dbx.Expression {
	var out []dbx.Expression
	for _, f := range []struct{ col, val string }{{"type", q.Filters.Type}, {"channel", q.Filters.Channel}, {"assignee", q.Filters.Owner}} {
		if f.val != "" {
			out = append(out, dbx.NewExp("+"+prefix+"[["+f.col+"]] = {:f_"+f.col+"}", dbx.Params{"f_" + f.col: f.val}))
		}
	}
	// The team filter: requests assigned to one of its members. (An agent
	// in the teams mode has People too, their own teams': what they may see
	// is their visibility, Filters.Reader, not only their teams' requests.)
	if q.Filters.Team != "" && q.Filters.People != nil {
		in, params := []string{"''"}, dbx.Params{}
		for i, id := range q.Filters.People {
			key := fmt.Sprintf("f_person%d", i)
			in, params[key] = append(in, "{:"+key+"}"), id
		}
		out = append(out, dbx.NewExp("+"+prefix+"[[assignee]] != '' AND +"+prefix+"[[assignee]] IN ("+strings.Join(in, ", ")+")", params))
	}
	return out
}

func csat(app core.App, q Query) (Result, error) {
	answers, ratings, err := csatScores(app, q)
	if err != nil {
		return Result{}, err
	}
	all := append(answers, ratings...)
	res := Result{Count: len(all)}
	if len(all) == 0 {
		return res, nil
	}
	sum := 0.0
	hist := map[string]float64{}
	for _, a := range all {
		sum += a.Score
		hist[fmt.Sprint(int(a.Score))]++
	}
	res.Value = Float(round2(sum / float64(len(all))))
	for s := 1; s <= 5; s++ {
		res.Series = append(res.Series, Point{Label: fmt.Sprint(s), Value: hist[fmt.Sprint(s)]})
	}
	res.Extra = map[string]float64{"surveys": float64(len(answers)), "ratings": float64(len(ratings))}
	return res, nil
}

func csatRecords(app core.App, q Query, limit int) ([]Record, error) {
	answers, ratings, err := csatScores(app, q)
	if err != nil {
		return nil, err
	}
	out := []Record{}
	for _, a := range answers {
		out = append(out, Record{Collection: crm.SurveyAnswers, ID: a.ID, Title: a.Case, Value: Float(a.Score),
			When: a.At.Time().In(q.Business.Location()).Format(time.DateTime), Detail: crm.SurveyCSAT})
	}
	for _, r := range ratings {
		out = append(out, Record{Collection: crm.Cases, ID: r.ID, Title: r.ID, Value: Float(r.Score),
			When: r.At.Time().In(q.Business.Location()).Format(time.DateTime), Detail: caseRating})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].When > out[j].When })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
