package predictions

import (
	"encoding/json"
	"errors"
	"math"
	"sync/atomic"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
	"vinculo/plugins/predictions/model"
)

// Request asks for a fit.
type Request struct {
	Trigger        string    // crm.FitNightly or crm.FitOnDemand
	By             string    // the staff member who asked (on demand)
	Now            time.Time // the moment of the fit; zero: now
	CalibrationEnd time.Time // the evaluation's split day; zero: DefaultSplit
}

// ErrRunning is returned while another fit runs.
var ErrRunning = errors.New("a fit is running already")

var running atomic.Bool

// Running tells whether a fit is running now.
func Running() bool { return running.Load() }

// DefaultSplit is the evaluation's calibration end when nobody chose one:
// the last third of the history is held out, at most a year, at least a week.
func DefaultSplit(first, last time.Time) time.Time {
	span := int(last.Sub(first).Hours()/24 + 0.5)
	hold := min(365, span/3)
	return last.AddDate(0, 0, -max(7, hold))
}

// Fit reads the orders and subscription payments of the contacts who may be
// profiled, fits the model on all of them, evaluates it on a holdout, and
// stores the fit and every contact's scores (replacing the last fit's) in
// one transaction. Contacts who may not be profiled get no score.
func Fit(app core.App, cfg *crm.Config, req Request) (*core.Record, error) {
	if !running.CompareAndSwap(false, true) {
		return nil, ErrRunning
	}
	defer running.Store(false)
	started := time.Now()
	if req.Now.IsZero() {
		req.Now = started
	}
	b := cfg.BusinessNow()
	asOf := model.Day(req.Now, b.Location()).AddDate(0, 0, -1) // the last whole day
	prof, err := ReadProfiling(app, b.ProfilingNeedsConsent)
	if err != nil {
		return nil, err
	}
	sales, err := ReadSales(app, b, asOf, prof.Allowed)
	if err != nil {
		return nil, err
	}
	hs := model.Histories(sales.Purchases)
	sales.Purchases = nil
	discount := Discount(b)
	res := model.Analyse(hs, model.DefaultOptions(asOf, discount))
	ev, evErr := evaluate(hs, res, asOf, req.CalibrationEnd, b.Location())

	c, err := app.FindCollectionByNameOrId(crm.PredictionFits)
	if err != nil {
		return nil, err
	}
	fit := core.NewRecord(c)
	fit.Set(crm.FitFittedAt, types.NowDateTime())
	fit.Set(crm.FitTrigger, req.Trigger)
	fit.Set(crm.FitRequestedBy, req.By)
	fit.Set(crm.FitAsOf, dateOf(asOf))
	fit.Set(crm.FitData, dataOf(res, sales, b.Currency))
	if res.BGNBD != nil {
		fit.Set(crm.FitBGNBD, map[string]any{"params": res.BGNBD, "fit": clean(res.BGFit)})
	} else {
		fit.Set(crm.FitError, res.BGError)
	}
	if res.Spend != nil {
		fit.Set(crm.FitSpend, map[string]any{"params": res.Spend, "fit": clean(res.SpendFit), "correlation": res.Correlation})
	}
	if res.Refusal != nil {
		fit.Set(crm.FitRefusal, res.Refusal)
	}
	if evErr != nil {
		fit.Set(crm.FitEvaluation, map[string]any{"error": evErr.Error(), "calibration_end": ev.CalibrationEnd})
	} else {
		ev.Fit = clean(ev.Fit)
		fit.Set(crm.FitEvaluation, ev)
		fit.Set(crm.FitCalibrationEnd, ev.CalibrationEnd+" 00:00:00.000Z")
	}
	fit.Set(crm.FitRules, res.Rules)
	fit.Set(crm.FitScored, len(res.Scores))
	fit.Set(crm.FitExcluded, sales.Withheld)
	fit.Set(crm.FitSettings, map[string]any{"discount_rate": discount, "profiling_needs_consent": prof.NeedsConsent})
	err = app.RunInTransaction(func(tx core.App) error {
		fit.Set(crm.FitDurationMS, time.Since(started).Milliseconds())
		if err := tx.Save(fit); err != nil {
			return err
		}
		if err := storeScores(tx, fit, res); err != nil {
			return err
		}
		return suggestAfterFit(tx, b, fit, res, hs, prof, asOf.AddDate(0, 0, 1)) // suggest_store.go
	})
	if err != nil {
		return nil, err
	}
	return fit, nil
}

// Discount is the business's yearly discount rate for the CLV.
func Discount(b crm.Business) float64 {
	if b.DiscountRate <= 0 {
		return crm.DefaultDiscountRate
	}
	return b.DiscountRate
}

// evaluate splits at the chosen day, or DefaultSplit, and holds out the
// days after it up to asOf.
func evaluate(hs []model.History, res model.Result, asOf, chosen time.Time, loc *time.Location) (model.Evaluation, error) {
	split := chosen
	if split.IsZero() {
		first, err := time.ParseInLocation(time.DateOnly, res.Data.First, loc)
		if err != nil {
			return model.Evaluation{}, errors.New("no purchases to evaluate on")
		}
		split = DefaultSplit(first, asOf)
	} else {
		y, m, d := split.Date()
		split = time.Date(y, m, d, 0, 0, 0, 0, loc)
	}
	ev, err := model.Evaluate(hs, split, asOf)
	ev.CalibrationEnd = split.Format(time.DateOnly)
	return ev, err
}

func dataOf(res model.Result, s Sales, currency string) map[string]any {
	raw, _ := json.Marshal(res.Data)
	out := map[string]any{}
	_ = json.Unmarshal(raw, &out)
	out["orders"], out["payments"], out["unconverted"], out["currency"] = s.Orders, s.Payments, s.Unconverted, currency
	return out
}

// clean makes an estimate storable as JSON: a standard error that could
// not be worked out is null.
func clean(e model.Estimate) model.Estimate {
	for i, v := range e.StdErr {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			e.StdErr[i] = -1
		}
	}
	return e
}

func dateOf(t time.Time) string {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Format(types.DefaultDateLayout)
}

// storeScores replaces every stored score with the fit's, in bulk (one
// prepared insert: the fit may score a hundred thousand contacts).
func storeScores(tx core.App, fit *core.Record, res model.Result) error {
	if _, err := tx.DB().Delete(crm.CustomerScores, nil).Execute(); err != nil {
		return err
	}
	cols := []string{"id", crm.ScoreContact, crm.ScoreFit, crm.ScoreRecency, crm.ScoreFrequency, crm.ScoreMonetary,
		crm.ScoreRFMClass, crm.ScorePActive, crm.ScoreExpected30, crm.ScoreExpected90, crm.ScoreExpected365,
		crm.ScoreNextPurchase, crm.ScoreSpend, crm.ScoreCLV, crm.ScoreFittedAt, crm.ScorePurchases,
		crm.ScoreLastPurchase, crm.ScoreTotalSpent, crm.ScoreCycles, "created", "updated"}
	sql := "INSERT INTO " + crm.CustomerScores + " ("
	vals := ""
	for i, c := range cols {
		if i > 0 {
			sql += ", "
			vals += ", "
		}
		sql += "[[" + c + "]]"
		vals += "{:" + c + "}"
	}
	q := tx.DB().NewQuery(sql + ") VALUES (" + vals + ")").Prepare()
	defer q.Close()
	now := fit.GetDateTime(crm.FitFittedAt).String()
	for _, s := range res.Scores {
		next := ""
		if !s.Next.IsZero() {
			next = s.Next.UTC().Format(types.DefaultDateLayout)
		}
		cycles, _ := json.Marshal(s.Cycles)
		p := dbx.Params{"id": security.RandomStringWithAlphabet(core.DefaultIdLength, core.DefaultIdAlphabet),
			crm.ScoreContact: s.Customer, crm.ScoreFit: fit.Id,
			crm.ScoreRecency: s.R, crm.ScoreFrequency: s.F, crm.ScoreMonetary: s.M, crm.ScoreRFMClass: s.Class,
			crm.ScorePActive: num(s.PAlive), crm.ScoreExpected30: num(s.E30), crm.ScoreExpected90: num(s.E90),
			crm.ScoreExpected365: num(s.E365), crm.ScoreNextPurchase: next, crm.ScoreSpend: num(s.Spend),
			crm.ScoreCLV: num(s.CLV), crm.ScoreFittedAt: now, crm.ScorePurchases: s.Purchases,
			crm.ScoreLastPurchase: dateOf(s.Last), crm.ScoreTotalSpent: round2(s.Total),
			crm.ScoreCycles: string(cycles), "created": now, "updated": now}
		if _, err := q.Bind(p).Execute(); err != nil {
			return err
		}
	}
	return nil
}

// num stores what the model could not say (NaN) as 0: the fit's row says why.
func num(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// Offline fits on the purchases up to calEnd and evaluates on those after
// it up to holdEnd (zero: the last purchase's day), storing nothing: the
// `predict` command's report. b is the business's settings as stored.
func Offline(app core.App, b crm.Business, calEnd, holdEnd time.Time) (model.Result, model.Evaluation, Sales, error) {
	prof, err := ReadProfiling(app, b.ProfilingNeedsConsent)
	if err != nil {
		return model.Result{}, model.Evaluation{}, Sales{}, err
	}
	sales, err := ReadSales(app, b, holdEnd, prof.Allowed)
	if err != nil {
		return model.Result{}, model.Evaluation{}, sales, err
	}
	hs := model.Histories(sales.Purchases)
	sales.Purchases = nil
	loc := b.Location()
	calEnd = time.Date(calEnd.Year(), calEnd.Month(), calEnd.Day(), 0, 0, 0, 0, loc)
	if holdEnd.IsZero() {
		for _, h := range hs {
			if last := h.Occasions[len(h.Occasions)-1].Day; last.After(holdEnd) {
				holdEnd = last
			}
		}
	} else {
		holdEnd = time.Date(holdEnd.Year(), holdEnd.Month(), holdEnd.Day(), 0, 0, 0, 0, loc)
	}
	res := model.Analyse(hs, model.DefaultOptions(calEnd, Discount(b)))
	ev, err := model.Evaluate(hs, calEnd, holdEnd)
	return res, ev, sales, err
}
