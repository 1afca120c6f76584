package insights

// Objectives: a manager sets a target on a figure of the boards ("churn rate
// at most 2% a month by 2027-06-30", "CSAT at least 4.5"), and the figure is
// measured once a day into objective_snapshots, so that its history
// survives later edits of the data. The rules are written in
// docs/insights.md (Objectives).

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/crm/guard"
)

// Objective states.
const (
	StateNoData   = "no_data"  // nothing measured yet
	StateOnTrack  = "on_track" // the trend reaches the target by the due date
	StateAtRisk   = "at_risk"  // it does not
	StateAchieved = "achieved" // the due date passed with the target met
	StateMissed   = "missed"   // the due date passed without it
)

// catchUpDays is how far back a missed day is still measured.
const catchUpDays = 31

// fitDays is how many of the latest days the trend is fitted on.
const fitDays = 30

// registerObjectives checks what managers save and measures every day.
func registerObjectives(app core.App, cfg *crm.Config) {
	app.OnRecordValidate(crm.Objectives).BindFunc(func(e *core.RecordEvent) error {
		if errs := checkObjective(e.App, e.Record); len(errs) > 0 {
			return errs
		}
		return e.Next()
	})
	// A snapshot is what was measured that day: nobody writes one through the API.
	measured := func(e *core.RecordRequestEvent) error {
		return e.ForbiddenError("Snapshots are measured by Vinculo once a day.", nil)
	}
	app.OnRecordCreateRequest(crm.ObjectiveSnapshots).BindFunc(measured)
	app.OnRecordUpdateRequest(crm.ObjectiveSnapshots).BindFunc(measured)
	app.OnRecordDeleteRequest(crm.ObjectiveSnapshots).BindFunc(measured)
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.GET("/api/crm/objectives", func(e *core.RequestEvent) error { return listObjectives(e, cfg) }).Bind(guard.Staff())
		se.Router.GET("/api/crm/objectives/{id}", func(e *core.RequestEvent) error { return oneObjective(e, cfg) }).Bind(guard.Staff())
		return se.Next()
	})
	app.Cron().MustAdd("objectives_snapshots", "7 * * * *", func() {
		if n, err := Snapshot(app, cfg, opts.Now()); err != nil {
			app.Logger().Error("Failed to measure the objectives", "error", err)
		} else if n > 0 {
			app.Logger().Info("Measured the objectives", "snapshots", n)
		}
	})
}

// splitFigure reads "board/key" and finds its figure.
func splitFigure(figure string) (Def, bool) {
	board, key, ok := strings.Cut(figure, "/")
	if !ok {
		return Def{}, false
	}
	return Find(board, key)
}

// objectiveFilters reads the objective's filters.
func objectiveFilters(r *core.Record) (map[string]string, error) {
	out := map[string]string{}
	raw := r.GetString(crm.ObjectiveFilters)
	if raw == "" || raw == "null" {
		return out, nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return nil, err
	}
	for k, v := range m {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("filter %s is not text", k)
		}
		if s != "" {
			out[k] = s
		}
	}
	return out, nil
}

// checkObjective names every field at fault. The figure, its filters and
// how it is measured are fixed once the objective has snapshots: a history
// measured one way is not continued another way (set a new objective).
func checkObjective(app core.App, r *core.Record) validation.Errors {
	errs := validation.Errors{}
	r.Set(crm.ObjectiveName, strings.TrimSpace(r.GetString(crm.ObjectiveName)))
	d, ok := splitFigure(r.GetString(crm.ObjectiveFigure))
	if !ok {
		errs[crm.ObjectiveFigure] = validation.NewError("validation_figure", "Choose a figure of the boards (board/key).")
	}
	filters, err := objectiveFilters(r)
	if err != nil {
		errs[crm.ObjectiveFilters] = validation.NewError("validation_filters", "Filters are names with text values.")
	}
	for name, val := range filters {
		if ok && !slices.Contains(d.Filters, name) {
			errs[crm.ObjectiveFilters] = validation.NewError("validation_filters", fmt.Sprintf("This figure is not filtered by %s.", name))
		} else if err := checkFilter(app, name, val); err != nil {
			errs[crm.ObjectiveFilters] = validation.NewError("validation_filters", err.Error())
		}
	}
	start, due := r.GetDateTime(crm.ObjectiveStart).Time(), r.GetDateTime(crm.ObjectiveDue).Time()
	if !start.IsZero() && !due.IsZero() && due.Before(start) {
		errs[crm.ObjectiveDue] = validation.NewError("validation_due_before_start", "The due date is before the start date.")
	}
	if r.IsNew() {
		return errs
	}
	var n int
	_ = app.DB().NewQuery("SELECT COUNT(*) FROM " + crm.ObjectiveSnapshots + " WHERE objective = {:o}").
		Bind(dbx.Params{"o": r.Id}).Row(&n)
	if n == 0 {
		return errs
	}
	orig := r.Original()
	for _, f := range []string{crm.ObjectiveFigure, crm.ObjectivePeriod} {
		if orig.GetString(f) != r.GetString(f) {
			errs[f] = validation.NewError("validation_fixed", "This objective has been measured: set a new objective to measure another way.")
		}
	}
	if before, _ := objectiveFilters(orig); !mapsEqual(before, filters) {
		errs[crm.ObjectiveFilters] = validation.NewError("validation_fixed", "This objective has been measured: set a new objective to measure another way.")
	}
	return errs
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// localDay is t's calendar day in loc, at midnight.
func localDay(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}

// Window is what an objective measures on day (midnight, business time):
// [from, day+1). ok is false before the objective starts.
func Window(period string, start, day time.Time) (from, to time.Time, ok bool) {
	loc := day.Location()
	to = day.AddDate(0, 0, 1)
	switch period {
	case crm.MeasureMonthToDate:
		from = time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, loc)
	case crm.MeasureQuarterToDate:
		from = time.Date(day.Year(), time.Month((int(day.Month())-1)/3*3+1), 1, 0, 0, 0, 0, loc)
	case crm.MeasureYearToDate:
		from = time.Date(day.Year(), 1, 1, 0, 0, 0, 0, loc)
	case crm.MeasureRolling30:
		from = to.AddDate(0, 0, -30)
	default: // since_start
		from = start
	}
	return from, to, !day.Before(start)
}

// periodEnd is the last day of the measuring period that holds day (the
// due date for rolling and since-start objectives).
func periodEnd(period string, day, due time.Time) time.Time {
	loc := day.Location()
	var end time.Time
	switch period {
	case crm.MeasureMonthToDate:
		end = time.Date(day.Year(), day.Month()+1, 1, 0, 0, 0, 0, loc).AddDate(0, 0, -1)
	case crm.MeasureQuarterToDate:
		end = time.Date(day.Year(), time.Month((int(day.Month())-1)/3*3+4), 1, 0, 0, 0, 0, loc).AddDate(0, 0, -1)
	case crm.MeasureYearToDate:
		end = time.Date(day.Year()+1, 1, 1, 0, 0, 0, 0, loc).AddDate(0, 0, -1)
	default:
		return due
	}
	if due.Before(end) {
		return due
	}
	return end
}

// Measure computes the objective's figure over its window of day.
func Measure(app core.App, cfg *crm.Config, obj *core.Record, day time.Time) (*float64, bool, error) {
	d, ok := splitFigure(obj.GetString(crm.ObjectiveFigure))
	if !ok {
		return nil, false, fmt.Errorf("objective %s: no figure %q", obj.Id, obj.GetString(crm.ObjectiveFigure))
	}
	loc := day.Location()
	start := localDay(obj.GetDateTime(crm.ObjectiveStart).Time(), loc)
	from, to, ok := Window(obj.GetString(crm.ObjectivePeriod), start, day)
	if !ok {
		return nil, false, nil
	}
	filters, err := objectiveFilters(obj)
	if err != nil {
		return nil, false, err
	}
	q := ForBusiness(cfg, Query{Period: PeriodCustom, From: from, To: to, Now: to, Loc: loc})
	for name, val := range filters {
		setFilter(&q.Filters, name, val)
	}
	r, err := d.Compute(app, q)
	return r.Value, true, err
}

// setFilter sets the filter of that name (the API's parameter and an
// objective's saved filters share it).
func setFilter(f *Filters, name, val string) {
	switch name {
	case FilterPipeline:
		f.Pipeline = val
	case FilterOwner:
		f.Owner = val
	case FilterTeam:
		f.Team = val
	case FilterSegment:
		f.Segment = val
	case FilterType:
		f.Type = val
	case FilterChannel:
		f.Channel = val
	}
}

// Snapshot measures every objective on each day that has ended (business
// time) since its last snapshot, from its start to its due date: one row
// per objective per day, whenever it runs and however often. A day missed
// (the server was down) is measured late over its own window, with the
// data as it is then; days more than catchUpDays ago are left as gaps,
// never filled in. It answers how many snapshots it wrote.
func Snapshot(app core.App, cfg *crm.Config, now time.Time) (int, error) {
	loc := cfg.BusinessNow().Location()
	yesterday := localDay(now, loc).AddDate(0, 0, -1)
	earliest := yesterday.AddDate(0, 0, -(catchUpDays - 1))
	list, err := app.FindRecordsByFilter(crm.Objectives, "start_date <= {:y} && due_date >= {:e}", "", 0, 0,
		dbx.Params{"y": stampOf(yesterday.AddDate(0, 0, 1)), "e": stampOf(earliest.AddDate(0, 0, -1))})
	if err != nil {
		return 0, err
	}
	written := 0
	for _, obj := range list {
		n, err := snapshotOne(app, cfg, obj, earliest, yesterday, now)
		written += n
		if err != nil {
			return written, err
		}
	}
	return written, nil
}

// snapshotOne writes obj's missing days in [earliest, last].
func snapshotOne(app core.App, cfg *crm.Config, obj *core.Record, earliest, last, now time.Time) (int, error) {
	loc := last.Location()
	from := maxTime(earliest, localDay(obj.GetDateTime(crm.ObjectiveStart).Time(), loc))
	var latest string
	_ = app.DB().NewQuery("SELECT COALESCE(MAX(day), '') FROM " + crm.ObjectiveSnapshots + " WHERE objective = {:o}").
		Bind(dbx.Params{"o": obj.Id}).Row(&latest)
	if l, err := time.ParseInLocation(time.DateOnly, latest, loc); err == nil {
		from = maxTime(from, l.AddDate(0, 0, 1))
	}
	until := minTime(last, localDay(obj.GetDateTime(crm.ObjectiveDue).Time(), loc))
	c, err := app.FindCachedCollectionByNameOrId(crm.ObjectiveSnapshots)
	if err != nil {
		return 0, err
	}
	n := 0
	for day := from; !day.After(until); day = day.AddDate(0, 0, 1) {
		v, ok, err := Measure(app, cfg, obj, day)
		if err != nil {
			return n, err
		}
		if !ok {
			continue
		}
		s := core.NewRecord(c)
		s.Load(map[string]any{
			crm.SnapshotObjective: obj.Id, crm.SnapshotDay: day.Format(time.DateOnly), crm.SnapshotNoValue: v == nil,
			crm.SnapshotTarget: obj.GetFloat(crm.ObjectiveTarget), crm.SnapshotMeasuredAt: now,
		})
		if v != nil {
			s.Set(crm.SnapshotValue, *v)
		}
		if err := app.Save(s); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// stampOf is how PocketBase stores a time, for comparisons in filters.
func stampOf(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000Z") }

// DayValue is one measured day of an objective.
type DayValue struct {
	Day    string   `json:"day"`
	Value  *float64 `json:"value"`
	Target float64  `json:"target"`
}

// Status is how an objective stands on a day.
type Status struct {
	State     string   `json:"state"`
	Value     *float64 `json:"value"`     // the latest value
	Projected *float64 `json:"projected"` // the trend's value on the day it is judged by
	JudgedOn  string   `json:"judged_on"` // that day
}

// meets says whether v meets the target in the objective's direction.
func meets(direction string, v, target float64) bool {
	if direction == crm.ObjectiveAtMost {
		return v <= target
	}
	return v >= target
}

var errNoPoints = errors.New("no points")

// fit is the least-squares line through the points (x in days).
func fit(xs, ys []float64) (a, b float64, err error) {
	n := float64(len(xs))
	if n == 0 {
		return 0, 0, errNoPoints
	}
	var sx, sy, sxx, sxy float64
	for i := range xs {
		sx, sy, sxx, sxy = sx+xs[i], sy+ys[i], sxx+xs[i]*xs[i], sxy+xs[i]*ys[i]
	}
	den := n*sxx - sx*sx
	if den == 0 {
		return sy / n, 0, nil
	}
	b = (n*sxy - sx*sy) / den
	return (sy - b*sx) / n, b, nil
}

// Judge says how an objective stands on today (midnight, business time)
// from its measured days (oldest first; today's own value may be last):
//   - after the due date: achieved when the value of the due date (else the
//     last one before it) meets the target, else missed;
//   - before: the least-squares line through the values of the current
//     measuring period (a to-date period starts again each month, quarter
//     or year) or, for rolling and since-start ones, the last 30 days, is
//     projected to the day the objective is judged by (the due date, or the
//     period's last day when that comes first): on track when the
//     projection meets the target, at risk when it does not. With fewer than
//     three values the latest value stands for the projection;
//   - nothing measured: no data.
func Judge(obj *core.Record, today time.Time, days []DayValue) Status {
	loc := today.Location()
	direction, target, period := obj.GetString(crm.ObjectiveDirection), obj.GetFloat(crm.ObjectiveTarget), obj.GetString(crm.ObjectivePeriod)
	due := localDay(obj.GetDateTime(crm.ObjectiveDue).Time(), loc)
	type pt struct {
		day time.Time
		v   float64
	}
	var pts []pt
	for _, d := range days {
		if t, err := time.ParseInLocation(time.DateOnly, d.Day, loc); err == nil && d.Value != nil {
			pts = append(pts, pt{t, *d.Value})
		}
	}
	if len(pts) == 0 {
		return Status{State: StateNoData}
	}
	if today.After(due) {
		var last *pt
		for i := range pts {
			if !pts[i].day.After(due) {
				last = &pts[i]
			}
		}
		if last == nil {
			return Status{State: StateMissed, JudgedOn: due.Format(time.DateOnly)}
		}
		st := Status{State: StateMissed, Value: Float(last.v), Projected: Float(last.v), JudgedOn: due.Format(time.DateOnly)}
		if meets(direction, last.v, target) {
			st.State = StateAchieved
		}
		return st
	}
	judged := periodEnd(period, today, due)
	first := today.AddDate(0, 0, -(fitDays - 1))
	if from, _, _ := Window(period, time.Time{}, today); period != crm.MeasureRolling30 && period != crm.MeasureSinceStart {
		first = from
	}
	var xs, ys []float64
	for _, p := range pts {
		if !p.day.Before(first) {
			xs, ys = append(xs, daysBetween(first, p.day)), append(ys, p.v)
		}
	}
	latest := pts[len(pts)-1].v
	projected := latest
	if len(xs) >= 3 {
		a, b, _ := fit(xs, ys)
		projected = a + b*daysBetween(first, judged)
	}
	st := Status{State: StateAtRisk, Value: Float(latest), Projected: Float(projected), JudgedOn: judged.Format(time.DateOnly)}
	if meets(direction, projected, target) {
		st.State = StateOnTrack
	}
	return st
}

// historyDays is how many days of snapshots an answer carries.
const historyDays = 120

// objectiveJSON is an objective with its figure, measured days (the live
// value of today last), and status.
func objectiveJSON(app core.App, cfg *crm.Config, obj *core.Record, today time.Time) (map[string]any, error) {
	var rows []struct {
		Day     string  `db:"day"`
		Value   float64 `db:"value"`
		NoValue bool    `db:"no_value"`
		Target  float64 `db:"target"`
	}
	err := app.DB().NewQuery("SELECT day, value, no_value, target FROM " + crm.ObjectiveSnapshots +
		" WHERE objective = {:o} AND day >= {:from} ORDER BY day").
		Bind(dbx.Params{"o": obj.Id, "from": today.AddDate(0, 0, -historyDays).Format(time.DateOnly)}).All(&rows)
	if err != nil {
		return nil, err
	}
	days := make([]DayValue, 0, len(rows)+1)
	for _, r := range rows {
		d := DayValue{Day: r.Day, Target: r.Target}
		if !r.NoValue {
			d.Value = Float(r.Value)
		}
		days = append(days, d)
	}
	due := localDay(obj.GetDateTime(crm.ObjectiveDue).Time(), today.Location())
	if !today.After(due) {
		v, ok, err := Measure(app, cfg, obj, today)
		if err != nil {
			return nil, err
		}
		if ok {
			days = append(days, DayValue{Day: today.Format(time.DateOnly), Value: v, Target: obj.GetFloat(crm.ObjectiveTarget)})
		}
	}
	d, _ := splitFigure(obj.GetString(crm.ObjectiveFigure))
	filters, _ := objectiveFilters(obj)
	return map[string]any{
		"id": obj.Id, "name": obj.GetString(crm.ObjectiveName), "figure": obj.GetString(crm.ObjectiveFigure),
		"board": d.Board, "key": d.Key, "unit": d.Unit, "better": d.Better, "filters": filters,
		"target": obj.GetFloat(crm.ObjectiveTarget), "direction": obj.GetString(crm.ObjectiveDirection),
		"period":     obj.GetString(crm.ObjectivePeriod),
		"start_date": obj.GetDateTime(crm.ObjectiveStart).Time().In(today.Location()).Format(time.DateOnly),
		"due_date":   due.Format(time.DateOnly), "cost": obj.GetFloat(crm.ObjectiveCost), "owner": obj.GetString(crm.ObjectiveOwner),
		"series": days, "status": Judge(obj, today, days),
	}, nil
}

// listObjectives is GET /api/crm/objectives: every objective, or with
// ?scope=mine those the reader owns (all of them for a manager: the home
// page's card).
func listObjectives(e *core.RequestEvent, cfg *crm.Config) error {
	scope := e.Request.URL.Query().Get("scope")
	if scope != "" && scope != "mine" && scope != "all" {
		return paramError(e, &ParamError{"scope", "mine or all"})
	}
	filter, params := "", dbx.Params{}
	if scope == "mine" && !guard.IsManager(e.Auth) {
		filter, params = "owner = {:me}", dbx.Params{"me": e.Auth.Id}
	}
	list, err := e.App.FindRecordsByFilter(crm.Objectives, filter, "due_date,name", 200, 0, params)
	if err != nil {
		return e.InternalServerError("", err)
	}
	today := localDay(opts.Now(), cfg.BusinessNow().Location())
	items := make([]map[string]any, 0, len(list))
	for _, obj := range list {
		o, err := objectiveJSON(e.App, cfg, obj, today)
		if err != nil {
			return e.InternalServerError("", err)
		}
		items = append(items, o)
	}
	return e.JSON(200, map[string]any{"items": items, "figures": Keys()})
}

// oneObjective is GET /api/crm/objectives/{id}.
func oneObjective(e *core.RequestEvent, cfg *crm.Config) error {
	obj, err := e.App.FindRecordById(crm.Objectives, e.Request.PathValue("id"))
	if err != nil {
		return e.NotFoundError("No such objective.", nil)
	}
	o, err := objectiveJSON(e.App, cfg, obj, localDay(opts.Now(), cfg.BusinessNow().Location()))
	if err != nil {
		return e.InternalServerError("", err)
	}
	return e.JSON(200, o)
}

// daysBetween counts whole calendar days from a to b.
func daysBetween(a, b time.Time) float64 { return math.Round(b.Sub(a).Hours() / 24) }
