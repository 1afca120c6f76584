package main

// Part 16 (-parts 16, or predictions): the nightly fit of the customer value
// model at scale. A fresh data dir gets -predict-customers contacts and
// their orders, drawn from known BG/NBD and Gamma-Gamma parameters over two
// years (about ten orders a customer: a million for 100k), by bulk SQL while
// nothing else runs (the fill is not what is measured). Then the nightly fit
// runs in process, as the cron job runs it (plugins/predictions.Fit: read
// the orders, fit both models, the holdout evaluation, every contact's
// scores written): its wall time and peak heap and RSS. Last, the model's
// statistics alone on the same purchases in memory (model.Analyse and
// model.Evaluate), and the holdout error of the model against the naive
// forecast from the fit's evaluation, with the parameters it recovered.

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"

	"vinculo/crm"
	"vinculo/plugins/predictions"
	"vinculo/plugins/predictions/model"
)

var predictCustomers = flag.Int("predict-customers", 100000, "part 16: customers whose orders are drawn (about ten orders each)")

// The parameters the bench's purchases are drawn from (time in weeks).
var (
	benchBG    = model.BGNBD{R: 0.9, Alpha: 4.6, A: 0.5, B: 7}
	benchSpend = model.GammaGamma{P: 6.25, Q: 3.74, Gamma: 15.44}
)

func runPredictionsPart(_ context.Context, _ options, root string) error {
	n := *predictCustomers
	dir := filepath.Join(root, "predictions")
	defer os.RemoveAll(dir)
	loc, _ := time.LoadLocation("America/Sao_Paulo")
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, loc)
	start := now.AddDate(0, 0, -104*7)
	fmt.Printf("[predictions] drawing %d customers' purchases ...\n", n)
	ps := model.Simulate(model.Simulation{Customers: n, BGNBD: benchBG, Spend: benchSpend, Start: start,
		JoinWeeks: 52, Weeks: 104, Products: 60, Seed: 2026})
	// Only the days before today: today's orders wait for tonight.
	kept := ps[:0]
	for _, p := range ps {
		if p.Day.Before(model.Day(now, loc)) {
			kept = append(kept, p)
		}
	}
	ps = kept

	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir, QueryTimeout: time.Hour})
	if err := app.Bootstrap(); err != nil {
		return err
	}
	defer app.ResetBootstrapState()
	if err := app.RunAllMigrations(); err != nil {
		return err
	}
	t0 := time.Now()
	if err := fillPurchases(app, ps); err != nil {
		return err
	}
	fmt.Printf("[predictions] %d contacts and %d orders written in %s\n", n, len(ps), time.Since(t0).Round(time.Second))

	cfg := &crm.Config{Business: crm.Business{Name: "Bench", Timezone: "America/Sao_Paulo", Currency: "BRL", Country: "BR", Language: "en"}}
	runtime.GC()
	sample := startSampling()
	t1 := time.Now()
	fit, err := predictions.Fit(app, cfg, predictions.Request{Trigger: crm.FitNightly, Now: now})
	wall := time.Since(t1)
	heap, rssBefore, rss := sample()
	if err != nil {
		return err
	}
	var ev model.Evaluation
	_ = fit.UnmarshalJSONField(crm.FitEvaluation, &ev)
	var bg struct {
		Params model.BGNBD    `json:"params"`
		Fit    model.Estimate `json:"fit"`
	}
	_ = fit.UnmarshalJSONField(crm.FitBGNBD, &bg)

	hs := model.Histories(ps)
	asOf := model.Day(now, loc).AddDate(0, 0, -1)
	t2 := time.Now()
	model.Analyse(hs, model.DefaultOptions(asOf, 0.1))
	_, _ = model.Evaluate(hs, predictions.DefaultSplit(model.Day(start, loc), asOf), asOf)
	stats := time.Since(t2)

	fmt.Printf("\nPart 16: the nightly fit of the customer value model, %d customers, %d orders (%d scored)\n", n, len(ps), fit.GetInt(crm.FitScored))
	fmt.Printf("  nightly fit, in process (read orders, fit, evaluate, write scores): %s wall, peak heap %.0f MB, RSS %.0f -> %.0f MB\n",
		wall.Round(10*time.Millisecond), float64(heap)/(1<<20), float64(rssBefore)/1024, float64(rss)/1024)
	fmt.Printf("  the statistics alone on the purchases in memory (fit + evaluation): %s\n", stats.Round(10*time.Millisecond))
	fmt.Printf("  BG/NBD drawn from r %.3f alpha %.3f a %.3f b %.3f; fitted r %.3f±%.3f alpha %.3f±%.3f a %.3f±%.3f b %.3f±%.3f\n",
		benchBG.R, benchBG.Alpha, benchBG.A, benchBG.B, bg.Params.R, se(bg.Fit, 0), bg.Params.Alpha, se(bg.Fit, 1),
		bg.Params.A, se(bg.Fit, 2), bg.Params.B, se(bg.Fit, 3))
	fmt.Printf("  holdout after %s up to %s (%.1f weeks, %d customers): purchases actual %.0f, model %.0f, naive %.0f\n",
		ev.CalibrationEnd, ev.HoldoutEnd, ev.HoldoutWeeks, ev.Customers, ev.Actual, ev.Model, ev.Naive)
	fmt.Printf("  mean absolute error per customer: model %.4f, naive %.4f\n", ev.ModelMAE, ev.NaiveMAE)
	return nil
}

func se(e model.Estimate, i int) float64 {
	if i < len(e.StdErr) {
		return e.StdErr[i]
	}
	return 0
}

// fillPurchases writes a contact per customer and an order per purchase,
// delivered, in one transaction of prepared inserts.
func fillPurchases(app core.App, ps []model.Purchase) error {
	stamp := time.Now().UTC().Format("2006-01-02 15:04:05.000Z")
	return app.RunInTransaction(func(tx core.App) error {
		contact := tx.DB().NewQuery("INSERT INTO contacts (id, name, created, updated) VALUES ({:id}, {:name}, {:t}, {:t})").Prepare()
		defer contact.Close()
		order := tx.DB().NewQuery("INSERT INTO orders (id, number, contact, items, total, currency, status, placed_at, created, updated) " +
			"VALUES ({:id}, {:number}, {:contact}, {:items}, {:total}, 'BRL', 'delivered', {:at}, {:t}, {:t})").Prepare()
		defer order.Close()
		ids := map[string]string{}
		for i, p := range ps {
			id, ok := ids[p.Customer]
			if !ok {
				id = security.RandomStringWithAlphabet(core.DefaultIdLength, core.DefaultIdAlphabet)
				ids[p.Customer] = id
				if _, err := contact.Bind(dbx.Params{"id": id, "name": "Customer " + p.Customer, "t": stamp}).Execute(); err != nil {
					return err
				}
			}
			items := "["
			for j, pr := range p.Products {
				if j > 0 {
					items += ","
				}
				items += fmt.Sprintf(`{"product":%q,"name":%q,"quantity":1}`, pr, pr)
			}
			items += "]"
			if _, err := order.Bind(dbx.Params{"id": security.RandomStringWithAlphabet(core.DefaultIdLength, core.DefaultIdAlphabet),
				"number": fmt.Sprintf("ORD-%07d", i+1), "contact": id, "items": items, "total": p.Amount,
				"at": p.Day.Add(15 * time.Hour).UTC().Format("2006-01-02 15:04:05.000Z"), "t": stamp}).Execute(); err != nil {
				return err
			}
		}
		return nil
	})
}
