package main

// Part 16 (-parts 16, or predictions): the nightly fit of the customer value
// model at scale, at each size of -predict-sizes (customers; about ten
// orders each: a million orders for 100k). A fresh data dir per size gets
// the contacts and their orders, drawn from known BG/NBD and Gamma-Gamma
// parameters over two years, by bulk SQL while nothing else runs (the fill
// is not measured; the drawn purchases are dropped and the memory given back
// to the OS before the fit). Then the nightly fit runs in process, as the
// cron job runs it (plugins/predictions.Fit: two streamed passes over the
// orders ordered by customer, both models fitted, the holdout evaluation,
// every contact's score and suggestions written): its wall time, the Go
// heap's peak (sampled every 20 ms) and the process's peak RSS, and the
// heap's growth per customer and per order. Last, the holdout error of the
// model against the naive forecast, from the fit's own evaluation, with
// the parameters it recovered; and the goals (under 60 s; memory growing
// with the customers only; the model beating the naive forecast) met or not.

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"

	"vinculo/crm"
	"vinculo/plugins/predictions"
	"vinculo/plugins/predictions/model"
)

var (
	predictSizes   = flag.String("predict-sizes", "20000,100000", "part 16: customer counts, comma separated (about ten orders each)")
	predictProfile = flag.String("predict-cpuprofile", "", "part 16: write a CPU profile of the last size's nightly fit to this file")
)

// The parameters the bench's purchases are drawn from (time in weeks).
var (
	benchBG    = model.BGNBD{R: 0.9, Alpha: 4.6, A: 0.5, B: 7}
	benchSpend = model.GammaGamma{P: 6.25, Q: 3.74, Gamma: 15.44}
)

// fitFigures is one size's measurement.
type fitFigures struct {
	customers, orders, scored int
	wall                      time.Duration
	heapBefore, heapPeak      uint64
	rssBefore, rssPeak        int64
	ev                        model.Evaluation
}

func runPredictionsPart(_ context.Context, _ options, root string) error {
	var sizes []int
	for _, f := range strings.Split(*predictSizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 100 {
			return fmt.Errorf("-predict-sizes: bad size %q", f)
		}
		sizes = append(sizes, n)
	}
	var all []fitFigures
	for i, n := range sizes {
		f, err := measureFit(root, n, i == len(sizes)-1)
		if err != nil {
			return err
		}
		all = append(all, f)
	}
	fmt.Printf("\nPart 16: the nightly fit, in process (two streamed reads of the orders, both models, the holdout evaluation, every score and suggestion written)\n")
	fmt.Printf("  %9s %9s %9s %10s %11s %11s %11s %11s %9s %9s\n", "customers", "orders", "scored", "wall", "heap before", "heap peak", "RSS before", "RSS peak", "MAE model", "MAE naive")
	for _, f := range all {
		fmt.Printf("  %9d %9d %9d %10s %8.0f MB %8.0f MB %8.0f MB %8.0f MB %9.4f %9.4f\n", f.customers, f.orders, f.scored,
			f.wall.Round(10*time.Millisecond), mbOf(f.heapBefore), mbOf(f.heapPeak), float64(f.rssBefore)/1024, float64(f.rssPeak)/1024,
			f.ev.ModelMAE, f.ev.NaiveMAE)
	}
	for _, f := range all {
		grow := float64(f.heapPeak) - float64(f.heapBefore)
		fmt.Printf("  %d customers: the fit's heap grew %.0f MB = %.0f bytes a customer, %.0f bytes an order\n",
			f.customers, grow/(1<<20), grow/float64(f.customers), grow/float64(f.orders))
		fmt.Printf("    holdout %s to %s (%.1f weeks, %d customers): purchases actual %.0f, model %.0f, naive %.0f\n",
			f.ev.CalibrationEnd, f.ev.HoldoutEnd, f.ev.HoldoutWeeks, f.ev.Customers, f.ev.Actual, f.ev.Model, f.ev.Naive)
		fmt.Printf("    goal: under 60 s: %s (%s); the model's holdout error below the naive forecast's: %s (%.4f against %.4f)\n",
			metOrNot(f.wall < time.Minute), f.wall.Round(10*time.Millisecond), metOrNot(f.ev.ModelMAE < f.ev.NaiveMAE), f.ev.ModelMAE, f.ev.NaiveMAE)
	}
	if len(all) > 1 {
		a, b := all[0], all[len(all)-1]
		ga, gb := float64(a.heapPeak)-float64(a.heapBefore), float64(b.heapPeak)-float64(b.heapBefore)
		perCustomer := (gb - ga) / float64(b.customers-a.customers)
		fmt.Printf("  from %d to %d customers (%d to %d orders): the heap's growth went from %.0f MB to %.0f MB, %.0f bytes for each added customer (%.0f for each added order)\n",
			a.customers, b.customers, a.orders, b.orders, ga/(1<<20), gb/(1<<20), perCustomer, (gb-ga)/float64(b.orders-a.orders))
		fmt.Printf("  goal: memory grows with the customers only, by small fixed structs (under 1 kB a customer): %s\n", metOrNot(perCustomer < 1024))
	}
	return nil
}

func mbOf(b uint64) float64 { return float64(b) / (1 << 20) }

func metOrNot(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// measureFit fills a fresh data dir with n customers' orders and measures
// the nightly fit on it.
func measureFit(root string, n int, profile bool) (fitFigures, error) {
	out := fitFigures{customers: n}
	dir := filepath.Join(root, fmt.Sprintf("predictions-%d", n))
	defer os.RemoveAll(dir)
	loc, _ := time.LoadLocation("America/Sao_Paulo")
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, loc)
	start := now.AddDate(0, 0, -104*7)
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir, QueryTimeout: time.Hour})
	if err := app.Bootstrap(); err != nil {
		return out, err
	}
	defer app.ResetBootstrapState()
	if err := app.RunAllMigrations(); err != nil {
		return out, err
	}
	fmt.Printf("[predictions] drawing %d customers' purchases ...\n", n)
	t0 := time.Now()
	ps := model.Simulate(model.Simulation{Customers: n, BGNBD: benchBG, Spend: benchSpend, Start: start,
		JoinWeeks: 52, Weeks: 104, Products: 60, Seed: 2026})
	kept := ps[:0] // only the days before today: today's orders wait for tonight
	for _, p := range ps {
		if p.Day.Before(model.Day(now, loc)) {
			kept = append(kept, p)
		}
	}
	out.orders = len(kept)
	if err := fillPurchases(app, kept); err != nil {
		return out, err
	}
	ps, kept = nil, nil
	fmt.Printf("[predictions] %d contacts and %d orders written in %s\n", n, out.orders, time.Since(t0).Round(time.Second))

	plan, err := predictions.ReadPlan(app, loc)
	if err != nil {
		return out, err
	}
	fmt.Printf("[predictions] the fit's read, EXPLAIN QUERY PLAN: %s\n", strings.Join(plan, " | "))
	cfg := &crm.Config{Business: crm.Business{Name: "Bench", Timezone: "America/Sao_Paulo", Currency: "BRL", Country: "BR", Language: "en"}}
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	out.heapBefore = ms.HeapInuse
	sample := startSampling()
	if profile && *predictProfile != "" {
		f, err := os.Create(*predictProfile)
		if err != nil {
			return out, err
		}
		defer f.Close()
		_ = pprof.StartCPUProfile(f)
	}
	t1 := time.Now()
	fit, err := predictions.Fit(app, cfg, predictions.Request{Trigger: crm.FitNightly, Now: now})
	out.wall = time.Since(t1)
	if profile && *predictProfile != "" {
		pprof.StopCPUProfile()
	}
	out.heapPeak, out.rssBefore, out.rssPeak = sample()
	if err != nil {
		return out, err
	}
	out.scored = fit.GetInt(crm.FitScored)
	_ = fit.UnmarshalJSONField(crm.FitEvaluation, &out.ev)
	var bg struct {
		Params model.BGNBD    `json:"params"`
		Fit    model.Estimate `json:"fit"`
	}
	_ = fit.UnmarshalJSONField(crm.FitBGNBD, &bg)
	fmt.Printf("[predictions] %d customers: fit in %s; BG/NBD drawn from r %.3f alpha %.3f a %.3f b %.3f, fitted r %.3f±%.3f alpha %.3f±%.3f a %.3f±%.3f b %.3f±%.3f\n",
		n, out.wall.Round(10*time.Millisecond), benchBG.R, benchBG.Alpha, benchBG.A, benchBG.B, bg.Params.R, se(bg.Fit, 0), bg.Params.Alpha, se(bg.Fit, 1),
		bg.Params.A, se(bg.Fit, 2), bg.Params.B, se(bg.Fit, 3))
	return out, nil
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
