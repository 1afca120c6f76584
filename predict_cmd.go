package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"vinculo/crm"
	"vinculo/plugins/business"
	"vinculo/plugins/predictions"
	"vinculo/plugins/predictions/model"
)

// predictCommand is `vinculo predict --calibration-end DATE`: the customer
// value model fitted on the purchases up to DATE, its parameters (time in
// weeks) and its evaluation on the purchases after DATE against the naive
// forecast. It stores nothing. Exit code 2 for bad flags, 1 when the model
// cannot be fitted or evaluated.
func predictCommand(app core.App, cfg *crm.Config) *cobra.Command {
	var calibration, holdout string
	command := &cobra.Command{
		Use:   "predict --calibration-end DATE",
		Short: "Fits the customer value model on the orders up to a day and evaluates it on the days after",
		Long: "Fits the BG/NBD and Gamma-Gamma models on the paid orders and subscription payments up to\n" +
			"--calibration-end (a customer's orders on one day are one purchase; time in weeks from their\n" +
			"first), prints the parameters, and compares the purchases each customer made after that day\n" +
			"(up to --holdout-end, or the last purchase) with the model's prediction and with the naive\n" +
			"forecast that each keeps their calibration rate. Contacts who withdrew the profiling consent\n" +
			"are left out. Nothing is stored.",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			calEnd, err := time.Parse(time.DateOnly, calibration)
			if err != nil {
				return badConfig("--calibration-end must be a day written YYYY-MM-DD, not %q", calibration)
			}
			var holdEnd time.Time
			if holdout != "" {
				if holdEnd, err = time.Parse(time.DateOnly, holdout); err != nil || !holdEnd.After(calEnd) {
					return badConfig("--holdout-end must be a day after --calibration-end, written YYYY-MM-DD, not %q", holdout)
				}
			}
			if err := app.RunAllMigrations(); err != nil {
				return err
			}
			b := cfg.BusinessNow()
			if row, err := business.Row(app); err == nil {
				if stored, err := business.FromRecord(row); err == nil {
					b = stored
				}
			}
			res, ev, sales, err := predictions.Offline(app, b, calEnd, holdEnd)
			out := cmd.OutOrStdout()
			printFit(out, res, sales, b)
			if res.BGNBD == nil {
				return errors.New("predict: the purchase model could not be fitted: " + res.BGError)
			}
			if err != nil {
				return fmt.Errorf("predict: no evaluation: %w", err)
			}
			printEvaluation(out, ev)
			return nil
		},
	}
	command.Flags().StringVar(&calibration, "calibration-end", "", "the last day the model is fitted on (YYYY-MM-DD)")
	command.Flags().StringVar(&holdout, "holdout-end", "", "the last day of the holdout (YYYY-MM-DD; default the last purchase's)")
	return command
}

func printFit(out io.Writer, res model.Result, sales predictions.Sales, b crm.Business) {
	d := res.Data
	fmt.Fprintf(out, "Data up to %s: %d customers, %d purchase occasions (%d orders, %d subscription payments read), %d repeat buyers, first purchase %s.\n",
		d.AsOf, d.Customers, d.Occasions, sales.Orders, sales.Payments, d.RepeatBuyers, d.First)
	if sales.Withheld > 0 {
		fmt.Fprintf(out, "Left out: %d contacts who may not be profiled.\n", sales.Withheld)
	}
	if sales.Unconverted > 0 {
		fmt.Fprintf(out, "%d purchases in a currency without a rate to %s count as purchases, not as spend.\n", sales.Unconverted, b.Currency)
	}
	if res.BGNBD == nil {
		fmt.Fprintf(out, "BG/NBD: not fitted: %s\n", res.BGError)
		return
	}
	m, se := res.BGNBD, res.BGFit.StdErr
	fmt.Fprintf(out, "BG/NBD (time in weeks), log-likelihood %.2f%s:\n", res.BGFit.LogLikelihood, settled(res.BGFit))
	fmt.Fprintf(out, "  r      %9.4f ± %.4f   shape of the purchase rate across customers\n", m.R, se[0])
	fmt.Fprintf(out, "  alpha  %9.4f ± %.4f   its scale: a typical active customer buys r/alpha = %.3f times a week\n", m.Alpha, se[1], m.R/m.Alpha)
	fmt.Fprintf(out, "  a      %9.4f ± %.4f   drop-out after a purchase: a/(a+b) = %.3f on average\n", m.A, se[2], m.A/(m.A+m.B))
	fmt.Fprintf(out, "  b      %9.4f ± %.4f\n", m.B, se[3])
	fmt.Fprintf(out, "  repeat purchases over the data: %.1f expected by the model, %.0f made\n", d.ExpectedRepeat, d.ActualRepeat)
	if res.Spend == nil {
		fmt.Fprintf(out, "Gamma-Gamma: refused: %s\n", res.Refusal.Reason)
		return
	}
	g, gse := res.Spend, res.SpendFit.StdErr
	fmt.Fprintf(out, "Gamma-Gamma (spend per purchase), correlation of frequency and spend %.3f:\n", res.Correlation)
	fmt.Fprintf(out, "  p      %9.4f ± %.4f\n  q      %9.4f ± %.4f\n  gamma  %9.4f ± %.4f\n", g.P, gse[0], g.Q, gse[1], g.Gamma, gse[2])
	fmt.Fprintf(out, "  mean spend per purchase across customers: %.2f %s\n", g.Spend(0, 0), b.Currency)
}

func settled(e model.Estimate) string {
	if e.Converged {
		return ""
	}
	return " (the optimiser had not settled)"
}

func printEvaluation(out io.Writer, ev model.Evaluation) {
	fmt.Fprintf(out, "Holdout after %s up to %s (%.1f weeks), %d customers:\n", ev.CalibrationEnd, ev.HoldoutEnd, ev.HoldoutWeeks, ev.Customers)
	fmt.Fprintf(out, "  purchases        actual %.0f   model %.1f   naive %.1f\n", ev.Actual, ev.Model, ev.Naive)
	fmt.Fprintf(out, "  MAE per customer model %.4f   naive %.4f\n", ev.ModelMAE, ev.NaiveMAE)
	fmt.Fprintln(out, "  repeat purchases in calibration: customers, mean actual / model / naive in the holdout")
	for _, b := range ev.ByFrequency {
		fmt.Fprintf(out, "    %-3s %7d   %7.3f / %7.3f / %7.3f\n", b.Repeat, b.Customers, b.Actual, b.Model, b.Naive)
	}
	if math.IsNaN(ev.ModelMAE) {
		fmt.Fprintln(out, "  (no customer to compare)")
	}
}
