package predictions

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
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
// stores the fit and every contact's scores and suggestions (replacing the
// last fit's) in one transaction. Contacts who may not be profiled get no
// score.
//
// It streams: the purchases are read ordered by customer, twice (model's
// Census, then its Scorer and Holdout), each customer folded into a few
// numbers as their history goes by, and the scores and suggestions are
// written as they come: what the fit holds grows with the customers, not
// with the orders.
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
	discount := Discount(b)
	census := model.NewCensus(model.DefaultOptions(asOf, discount))
	sales, err := StreamSales(app, b, asOf, prof.Allowed, func(h model.History) error { census.Add(h); return nil })
	if err != nil {
		return nil, err
	}
	res := census.Fit()
	scorer := census.Scorer(res)
	split, splitErr := evaluationSplit(res, asOf, req.CalibrationEnd, b.Location())
	hold := model.NewHoldout(split, asOf)

	c, err := app.FindCollectionByNameOrId(crm.PredictionFits)
	if err != nil {
		return nil, err
	}
	fit := core.NewRecord(c)
	fit.Id = core.GenerateDefaultRandomId()
	describeFit(fit, req, asOf, res, sales, b.Currency)
	fit.Set(crm.FitScored, census.Customers())
	fit.Set(crm.FitExcluded, sales.Withheld)
	fit.Set(crm.FitSettings, map[string]any{"discount_rate": discount, "profiling_needs_consent": prof.NeedsConsent})
	err = app.RunInTransaction(func(tx core.App) error {
		w, err := newFitWriter(tx, b, fit, res.Rules, scorer, asOf.AddDate(0, 0, 1))
		if err != nil {
			return err
		}
		defer w.close()
		if _, err := StreamSales(tx, b, asOf, prof.Allowed, func(h model.History) error {
			if splitErr == nil {
				hold.Add(h)
			}
			return w.add(h)
		}); err != nil {
			return err
		}
		ev, evErr := hold.Evaluate()
		if splitErr != nil {
			evErr = splitErr
		}
		setEvaluation(fit, ev, evErr)
		fit.Set(crm.FitDurationMS, time.Since(started).Milliseconds())
		if err := tx.Save(fit); err != nil {
			return err
		}
		return forgetSuggestions(tx, prof, "")
	})
	if err != nil {
		return nil, err
	}
	return fit, nil
}

// describeFit sets the fit's data, models and rules.
func describeFit(fit *core.Record, req Request, asOf time.Time, res model.Result, sales Sales, currency string) {
	fit.Set(crm.FitFittedAt, types.NowDateTime())
	fit.Set(crm.FitTrigger, req.Trigger)
	fit.Set(crm.FitRequestedBy, req.By)
	fit.Set(crm.FitAsOf, dateOf(asOf))
	fit.Set(crm.FitData, dataOf(res, sales, currency))
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
	fit.Set(crm.FitRules, res.Rules)
}

// setEvaluation stores the holdout evaluation, or why there is none.
func setEvaluation(fit *core.Record, ev model.Evaluation, err error) {
	if err != nil {
		fit.Set(crm.FitEvaluation, map[string]any{"error": err.Error(), "calibration_end": ev.CalibrationEnd})
		return
	}
	ev.Fit = clean(ev.Fit)
	fit.Set(crm.FitEvaluation, ev)
	fit.Set(crm.FitCalibrationEnd, ev.CalibrationEnd+" 00:00:00.000Z")
}

// Discount is the business's yearly discount rate for the CLV.
func Discount(b crm.Business) float64 {
	if b.DiscountRate <= 0 {
		return crm.DefaultDiscountRate
	}
	return b.DiscountRate
}

// evaluationSplit is the evaluation's calibration end: the chosen day, or
// DefaultSplit from the first purchase to asOf.
func evaluationSplit(res model.Result, asOf, chosen time.Time, loc *time.Location) (time.Time, error) {
	if !chosen.IsZero() {
		y, m, d := chosen.Date()
		return time.Date(y, m, d, 0, 0, 0, 0, loc), nil
	}
	first, err := time.ParseInLocation(time.DateOnly, res.Data.First, loc)
	if err != nil {
		return asOf, errors.New("no purchases to evaluate on")
	}
	return DefaultSplit(first, asOf), nil
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

// fitWriter writes, in the fit's transaction, each scored customer's score
// and suggestions as their history comes by (prepared inserts, one row at
// a time: nothing gathers).
type fitWriter struct {
	tx     core.App
	fit    *core.Record
	scorer *model.Scorer
	scores *dbx.Query
	sugg   *suggestionWriter
	ctx    suggestContext
	now    string
}

var scoreColumns = []string{"id", crm.ScoreContact, crm.ScoreFit, crm.ScoreRecency, crm.ScoreFrequency, crm.ScoreMonetary,
	crm.ScoreRFMClass, crm.ScorePActive, crm.ScoreExpected30, crm.ScoreExpected90, crm.ScoreExpected365,
	crm.ScoreNextPurchase, crm.ScoreSpend, crm.ScoreCLV, crm.ScoreFittedAt, crm.ScorePurchases,
	crm.ScoreLastPurchase, crm.ScoreTotalSpent, crm.ScoreCycles, "created", "updated"}

// newFitWriter clears the last fit's scores and open suggestions and reads
// what every suggestion shares: the products' names, the open requests,
// the owners, the rules and the value line over every score.
func newFitWriter(tx core.App, b crm.Business, fit *core.Record, rules []model.Rule, scorer *model.Scorer, today time.Time) (*fitWriter, error) {
	if _, err := tx.DB().Delete(crm.CustomerScores, nil).Execute(); err != nil {
		return nil, err
	}
	ctx, err := readContext(tx, b, today, "")
	if err != nil {
		return nil, err
	}
	ctx.rules = rules
	values := make([]float64, scorer.Len())
	for i := range values {
		values[i] = viewOf(scorer.At(i)).value()
	}
	ctx.valueLine = ValueLine(values)
	done, err := clearOpenSuggestions(tx, "")
	if err != nil {
		return nil, err
	}
	w := &fitWriter{tx: tx, fit: fit, scorer: scorer, ctx: ctx, now: fit.GetDateTime(crm.FitFittedAt).String()}
	w.scores = tx.DB().NewQuery(insertSQL(crm.CustomerScores, scoreColumns)).Prepare()
	w.sugg = newSuggestionWriter(tx, done, ctx.owners, fit.Id)
	return w, nil
}

func (w *fitWriter) close() {
	_ = w.scores.Close()
	w.sugg.close()
}

// add scores one customer from their history and writes the score and
// their suggestions; a customer the fit did not hold is skipped.
func (w *fitWriter) add(h model.History) error {
	s, ok := w.scorer.Score(h)
	if !ok {
		return nil
	}
	if err := storeScore(w.scores, w.fit.Id, w.now, s); err != nil {
		return err
	}
	in := w.ctx.inputs(s.Customer, viewOf(s))
	in.Bought, in.LastDay = boughtOf(h)
	return w.sugg.write(s.Customer, Suggest(in))
}

// storeScore inserts one customer's score.
func storeScore(q *dbx.Query, fitID, now string, s model.Score) error {
	next := ""
	if !s.Next.IsZero() {
		next = s.Next.UTC().Format(types.DefaultDateLayout)
	}
	cycles, _ := json.Marshal(s.Cycles)
	p := dbx.Params{"id": security.RandomStringWithAlphabet(core.DefaultIdLength, core.DefaultIdAlphabet),
		crm.ScoreContact: s.Customer, crm.ScoreFit: fitID,
		crm.ScoreRecency: s.R, crm.ScoreFrequency: s.F, crm.ScoreMonetary: s.M, crm.ScoreRFMClass: s.Class,
		crm.ScorePActive: num(s.PAlive), crm.ScoreExpected30: num(s.E30), crm.ScoreExpected90: num(s.E90),
		crm.ScoreExpected365: num(s.E365), crm.ScoreNextPurchase: next, crm.ScoreSpend: num(s.Spend),
		crm.ScoreCLV: num(s.CLV), crm.ScoreFittedAt: now, crm.ScorePurchases: s.Purchases,
		crm.ScoreLastPurchase: dateOf(s.Last), crm.ScoreTotalSpent: round2(s.Total),
		crm.ScoreCycles: string(cycles), "created": now, "updated": now}
	_, err := q.Bind(p).Execute()
	return err
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
// Like Fit it streams, in two passes; the result holds no scores.
func Offline(app core.App, b crm.Business, calEnd, holdEnd time.Time) (model.Result, model.Evaluation, Sales, error) {
	prof, err := ReadProfiling(app, b.ProfilingNeedsConsent)
	if err != nil {
		return model.Result{}, model.Evaluation{}, Sales{}, err
	}
	loc := b.Location()
	calEnd = time.Date(calEnd.Year(), calEnd.Month(), calEnd.Day(), 0, 0, 0, 0, loc)
	census := model.NewCensus(model.DefaultOptions(calEnd, Discount(b)))
	sales, err := StreamSales(app, b, holdEnd, prof.Allowed, func(h model.History) error { census.Add(h); return nil })
	if err != nil {
		return model.Result{}, model.Evaluation{}, sales, err
	}
	until := holdEnd
	if holdEnd.IsZero() {
		holdEnd = census.Latest()
	} else {
		holdEnd = time.Date(holdEnd.Year(), holdEnd.Month(), holdEnd.Day(), 0, 0, 0, 0, loc)
	}
	res := census.Fit()
	hold := model.NewHoldout(calEnd, holdEnd)
	if _, err := StreamSales(app, b, until, prof.Allowed, func(h model.History) error { hold.Add(h); return nil }); err != nil {
		return res, model.Evaluation{}, sales, err
	}
	ev, err := hold.Evaluate()
	return res, ev, sales, err
}

// StreamSales reads the paid orders and paid subscription payments up to
// and including the day until (zero: all) of the contacts allowed (nil:
// all), ordered by customer (one index-led query), and hands each customer's
// purchases to each as their history: on their day in the business's time
// zone, in the business's currency. Withheld counts the others who bought.
// What it holds at once is one customer's purchases.
func StreamSales(app core.App, b crm.Business, until time.Time, allowed func(contact string) bool, each func(model.History) error) (Sales, error) {
	var out Sales
	loc := b.Location()
	rows, err := salesQuery(app, until, loc).Rows()
	if err != nil {
		return out, err
	}
	defer rows.Close()
	var current string
	var buf []model.Purchase
	withheld := false
	done := func() error {
		if withheld {
			out.Withheld++
		}
		if len(buf) == 0 {
			return nil
		}
		h := model.HistoryOf(current, buf)
		buf = buf[:0]
		return each(h)
	}
	for rows.Next() {
		var r saleRow
		if err := rows.Scan(&r.contact, &r.at, &r.amount, &r.currency, &r.items, &r.code, &r.kind); err != nil {
			return out, err
		}
		if r.contact != current {
			if err := done(); err != nil {
				return out, err
			}
			current, withheld = r.contact, false
		}
		if r.kind == 0 {
			out.Orders++
		} else {
			out.Payments++
		}
		if allowed != nil && !allowed(r.contact) {
			withheld = true
			continue
		}
		t, err := types.ParseDateTime(r.at)
		if err != nil || t.IsZero() {
			continue
		}
		buf = append(buf, model.Purchase{Customer: r.contact, Day: model.Day(t.Time(), loc),
			Amount: convert(b, r.amount, r.currency, &out.Unconverted), Products: r.products()})
	}
	if err := rows.Err(); err != nil {
		return out, err
	}
	return out, done()
}

// saleRow is one order (kind 0) or subscription payment (kind 1).
type saleRow struct {
	contact, at     string
	amount          float64
	currency, items string
	code            string
	kind            int
}

func (r saleRow) products() []string {
	if r.kind == 0 {
		return lineProducts(r.items)
	}
	if r.code != "" {
		return []string{r.code}
	}
	return nil
}

// convert is an amount in the business's currency; one in a currency
// without a rate counts as 0 (and in unconverted).
func convert(b crm.Business, amount float64, currency string, unconverted *int) float64 {
	if currency == "" || currency == b.Currency {
		return amount
	}
	if rate, ok := b.Rates[currency]; ok {
		return amount * rate
	}
	*unconverted++
	return 0
}

// ordersByContact is the orders' (contact, placed_at) index
// (pb_migrations/1764006700_fit_reads.go): the read follows it, rather than
// the status index the planner would pick and then sort every order.
const ordersByContact = "idx_orders_contact_placed_at"

// salesQuery is the purchases as ReadSales reads them, orders then payments
// of each customer, ordered by customer: both sides come in that order from
// their (contact, day) index and SQLite merges them (see the plan test).
func salesQuery(app core.App, until time.Time, loc *time.Location) *dbx.Query {
	params := dbx.Params{}
	orderCut, payCut := "", ""
	if !until.IsZero() {
		y, m, d := until.Date()
		params["last"] = time.Date(y, m, d, 0, 0, 0, 0, loc).AddDate(0, 0, 1).UTC().Format(types.DefaultDateLayout)
		orderCut, payCut = " AND o.placed_at < {:last}", " AND p.paid_at < {:last}"
	}
	in := ""
	for i, s := range Bought {
		k := "s" + strconv.Itoa(i)
		params[k] = s
		if i > 0 {
			in += ", "
		}
		in += "{:" + k + "}"
	}
	params["paid"] = crm.PaymentPaid
	sql := "SELECT o.contact AS contact, o.placed_at AS at, o.total AS amount, o.currency AS currency, o.items AS items, '' AS code, 0 AS kind" +
		" FROM " + crm.Orders + " o INDEXED BY " + ordersByContact + " WHERE o.status IN (" + in + ") AND o.contact != ''" + orderCut +
		" UNION ALL SELECT p.contact, p.paid_at, p.amount, p.currency, '', COALESCE(pr.code, ''), 1" +
		" FROM " + crm.Payments + " p LEFT JOIN " + crm.Subscriptions + " s ON s.id = p." + crm.PaySubscription +
		" LEFT JOIN " + crm.Products + " pr ON pr.id = s.product" +
		" WHERE p." + crm.PayState + " = {:paid} AND p." + crm.PaySubscription + " != '' AND p.contact != ''" + payCut +
		" ORDER BY contact"
	return app.DB().NewQuery(sql).Bind(params)
}

// ReadPlan is SQLite's plan for the fit's read (EXPLAIN QUERY PLAN), one
// line a step: the bench prints it and a test checks it reads the orders
// and payments in customer order from their indexes, sorting nothing.
func ReadPlan(app core.App, loc *time.Location) ([]string, error) {
	q := salesQuery(app, time.Now(), loc)
	var rows []struct {
		Detail string `db:"detail"`
	}
	err := app.DB().NewQuery("EXPLAIN QUERY PLAN " + q.SQL()).Bind(q.Params()).All(&rows)
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Detail
	}
	return out, err
}
