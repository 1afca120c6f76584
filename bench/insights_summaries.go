package main

// The Insights summaries of a data dir filled by plain SQL (part 12): the
// triggers noted every request the fill wrote; the summaries are made again
// here, in process and before the server starts, as the server would on its
// own start (where it would count against the start's time limit).

import (
	"fmt"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/business"
	"vinculo/plugins/insights"
)

// ensureInsightsSummaries brings the summaries of dir up to date for the
// business's settings as stored there.
func ensureInsightsSummaries(dir string) error {
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	if err := app.Bootstrap(); err != nil {
		return err
	}
	defer app.ResetBootstrapState()
	b, err := storedBusiness(app)
	if err != nil {
		return err
	}
	t0 := time.Now()
	if err := insights.EnsureServiceSummary(app, b); err != nil {
		return fmt.Errorf("the Service summary: %w", err)
	}
	if err := insights.EnsureCustomerSummary(app, b); err != nil {
		return fmt.Errorf("the Customers summary: %w", err)
	}
	fmt.Printf("[insights] summaries up to date in %s (load average %s)\n", time.Since(t0).Round(time.Second), loadAverage())
	return nil
}

// storedBusiness is the business's settings as the server reads them
// (plugins/business), so that figures computed in process are the server's.
func storedBusiness(app core.App) (crm.Business, error) {
	row, err := business.Row(app)
	if err != nil {
		return crm.Business{}, fmt.Errorf("the business's settings: %w", err)
	}
	return business.FromRecord(row)
}
