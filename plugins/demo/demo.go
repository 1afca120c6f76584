// Package demo fills a data dir with a believable small business for trying
// Vinculo and for benchmarks: `vinculo demo`.
package demo

import (
	"fmt"
	"io"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"vinculo/crm"
)

// Command is `vinculo demo`.
func Command(app core.App, cfg *crm.Config) *cobra.Command {
	opts := Options{}
	command := &cobra.Command{
		Use:          "demo",
		Short:        "Fills the data dir with a demo business (safe to run again: it adds only what is missing)",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Contacts < 1 {
				return fmt.Errorf("--contacts must be 1 or more, not %d", opts.Contacts)
			}
			if err := app.RunAllMigrations(); err != nil {
				return err
			}
			start := time.Now()
			opts.Language = cfg.BusinessNow().Language
			opts.Config = cfg
			sum, err := Generate(app, opts)
			if err != nil {
				return err
			}
			PrintSummary(cmd.OutOrStdout(), cfg, sum, time.Since(start))
			return nil
		},
	}
	command.Flags().IntVar(&opts.Contacts, "contacts", baseContacts, "how many contacts (a million, with their consents, takes about two minutes on 2 cores)")
	command.Flags().IntVar(&opts.ActivitiesPerContact, "activities-per-contact", 5, "timeline entries per contact")
	return command
}

// PrintSummary tells who can sign in and where.
func PrintSummary(w io.Writer, cfg *crm.Config, sum *Summary, took time.Duration) {
	fmt.Fprintf(w, "Demo data for %s: %d new contacts, %d rows in bulk (%.0f rows/s), %s in all.\n",
		cfg.Business.Name, sum.NewContacts, sum.NewRows, float64(sum.NewRows)/max(sum.BulkTime.Seconds(), 1e-9), took.Round(time.Millisecond))
	fmt.Fprintln(w, "\nSign in with:")
	for _, l := range sum.Logins {
		fmt.Fprintf(w, "  %-32s %-44s %-24s %s\n", l.Who, l.Email, l.Password, l.Where)
	}
	fmt.Fprintf(w, "\nPortal customers ask for a one-time code at %s/portal/; without SMTP the code is in %s.\n", cfg.PublicURL, cfg.MailDir)
}
