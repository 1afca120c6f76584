package retention

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/erasure"
)

// ErrRunning: another run of the rules has not finished.
var ErrRunning = errors.New("retention: a run is under way")

// running holds the apps whose rules are being run: one run at a time.
var running sync.Map // core.App -> struct{}

// dbTime is a time as PocketBase stores dates.
func dbTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000Z") }

// Cutoff is the start of the business's day months before now's: records
// dated before it are due. The same all day long, so a preview in the
// afternoon names what the night's run changes.
func Cutoff(now time.Time, loc *time.Location, months int) time.Time {
	local := now.In(loc)
	y, m := local.Year(), local.Month()-time.Month(months)
	first := time.Date(y, m, 1, 0, 0, 0, 0, loc) // normalised: month 0 is last December
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(local.Day(), last), 0, 0, 0, 0, loc)
}

// dayCloses is the business's hour a retention day ends: the nightly run
// (nightlyHour, 02:xx) closes the day before it. A preview at any time of
// that day, a run asked for then and the night's run that follows all
// share one cut-off, even when the business's midnight falls between them.
const dayCloses = nightlyHour + 1

// dueCutoff is the cut-off of a rule of months for a run or a preview at
// now: Cutoff of the retention day now falls in.
func dueCutoff(now time.Time, loc *time.Location, months int) time.Time {
	return Cutoff(now.Add(-dayCloses*time.Hour), loc, months)
}

// Result is what a run did with one rule.
type Result struct {
	Kind     string    `json:"kind"`
	Action   string    `json:"action"`
	Months   int       `json:"months"`
	Cutoff   time.Time `json:"cutoff"`
	Changed  int       `json:"changed"`
	Errors   int       `json:"errors"`
	Failures []failure `json:"failures,omitempty"` // the first few
	Stopped  bool      `json:"stopped,omitempty"`  // the rule ended early (see its failures)
}

// maxFailures keeps a run's record small when a rule fails on every row.
const maxFailures = 20

// Run applies every rule that is on, each in batches, each batch in its own
// transaction, and records the run. trigger is crm.RetentionNightly or
// crm.RetentionManual; by is the manager who asked ("" for none).
func Run(app core.App, cfg *crm.Config, trigger, by string, now time.Time) (*core.Record, error) {
	if _, busy := running.LoadOrStore(app, struct{}{}); busy {
		return nil, ErrRunning
	}
	defer running.Delete(app)
	rules, err := Rules(app)
	if err != nil {
		return nil, err
	}
	runs, err := app.FindCachedCollectionByNameOrId(crm.RetentionRuns)
	if err != nil {
		return nil, err
	}
	run := core.NewRecord(runs)
	run.Set(crm.RetentionRunTrigger, trigger)
	run.Set(crm.RetentionRunBy, by)
	run.Set(crm.RetentionRunStarted, now.UTC())
	run.Set(crm.RetentionRunResults, []Result{})
	if err := app.Save(run); err != nil {
		return nil, err
	}
	loc := cfg.BusinessNow().Location()
	results := []Result{}
	changed, errs := 0, 0
	for _, r := range rules {
		if !r.GetBool(crm.RetentionEnabled) {
			continue
		}
		res := runRule(app, cfg, r, loc, now)
		changed += res.Changed
		errs += res.Errors
		results = append(results, res)
	}
	run.Set(crm.RetentionRunFinished, time.Now().UTC())
	run.Set(crm.RetentionRunChanged, changed)
	run.Set(crm.RetentionRunErrors, errs)
	run.Set(crm.RetentionRunResults, results)
	if err := app.Save(run); err != nil {
		return nil, err
	}
	return run, nil
}

// runRule walks a rule's due rows in id order, a batch per transaction.
// A row that failed is passed by, so a run always ends.
func runRule(app core.App, cfg *crm.Config, rule *core.Record, loc *time.Location, now time.Time) Result {
	kindName := rule.GetString(crm.RetentionKind)
	k := kinds[kindName]
	months := rule.GetInt(crm.RetentionMonths)
	cut := dueCutoff(now, loc, months)
	res := Result{Kind: kindName, Action: crm.RetentionActionOf[kindName], Months: months, Cutoff: cut.UTC()}
	where, params := k.where(dbTime(cut))
	last := ""
	for {
		var ids []string
		var changed int
		var failures []failure
		err := app.RunInTransaction(func(tx core.App) error {
			p := dbx.Params{"last": last}
			for key, v := range params {
				p[key] = v
			}
			q := fmt.Sprintf("SELECT t.id FROM `%s` t WHERE (%s) AND t.id > {:last} ORDER BY t.id LIMIT %d", k.table, where, k.batch)
			if err := tx.DB().NewQuery(q).Bind(p).Column(&ids); err != nil {
				return err
			}
			if len(ids) == 0 {
				return nil
			}
			var err error
			changed, failures, err = k.apply(tx, cfg, ids, now)
			return err
		})
		if len(ids) == 0 && err == nil {
			if res.Changed > 0 {
				// What was cleared or anonymised leaves the write-ahead logs
				// too, as after an erasure.
				erasure.Settle(app)
			}
			return res
		}
		if err != nil {
			changed = 0 // the batch was rolled back
			if len(failures) == 0 {
				failures = []failure{{Code: failBatch, Detail: err.Error()}}
			}
		}
		res.Changed += changed
		res.Errors += len(failures)
		for _, f := range failures {
			if len(res.Failures) < maxFailures {
				res.Failures = append(res.Failures, f)
			}
		}
		if err != nil && k.batch > 1 {
			// A whole batch failed: the next ones would fail the same way.
			res.Stopped = true
			app.Logger().Error("retention: a rule stopped", "kind", kindName, "error", err)
			return res
		}
		last = ids[len(ids)-1]
	}
}

// Rules are the business's rules, one per kind, in the settings' order
// (a kind whose rule was removed gets its rule back, off).
func Rules(app core.App) ([]*core.Record, error) {
	rows, err := app.FindAllRecords(crm.RetentionRules)
	if err != nil {
		return nil, err
	}
	byKind := map[string]*core.Record{}
	for _, r := range rows {
		byKind[r.GetString(crm.RetentionKind)] = r
	}
	out := make([]*core.Record, 0, len(crm.RetentionKinds))
	for _, kind := range crm.RetentionKinds {
		r, ok := byKind[kind]
		if !ok {
			c, err := app.FindCachedCollectionByNameOrId(crm.RetentionRules)
			if err != nil {
				return nil, err
			}
			r = core.NewRecord(c)
			r.Set(crm.RetentionKind, kind)
			r.Set(crm.RetentionMonths, crm.RetentionDefaultMonths[kind])
			r.Set(crm.RetentionAction, crm.RetentionActionOf[kind])
			r.Set(crm.RetentionEnabled, false)
			if err := app.Save(r); err != nil {
				return nil, err
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// nightlyHour is the business's hour the nightly run starts in: the
// quietest of the night, before backups usually run.
const nightlyHour = 2

// RunNightly runs the rules when now is in the business's nightly hour and
// no nightly run started yet on the business's day, and when at least one
// rule is on. The hourly cron calls it; it tells whether it ran.
func RunNightly(app core.App, cfg *crm.Config, now time.Time) (bool, error) {
	loc := cfg.BusinessNow().Location()
	local := now.In(loc)
	if local.Hour() != nightlyHour {
		return false, nil
	}
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	done, err := app.CountRecords(crm.RetentionRuns, dbx.HashExp{crm.RetentionRunTrigger: crm.RetentionNightly},
		dbx.NewExp(crm.RetentionRunStarted+" >= {:midnight}", dbx.Params{"midnight": dbTime(midnight)}))
	if err != nil || done > 0 {
		return false, err
	}
	on, err := app.CountRecords(crm.RetentionRules, dbx.HashExp{crm.RetentionEnabled: true})
	if err != nil || on == 0 {
		return false, err
	}
	_, err = Run(app, cfg, crm.RetentionNightly, "", now)
	return err == nil, err
}
