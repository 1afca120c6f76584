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
	command.Flags().IntVar(&opts.Contacts, "contacts", baseContacts, fmt.Sprintf("how many contacts (a million, with %d timeline entries each and their consents, takes about %.0f minutes on 2 idle cores; "+
		"more when other work shares them)", DefaultActivities, MillionFill.Minutes()))
	command.Flags().IntVar(&opts.ActivitiesPerContact, "activities-per-contact", DefaultActivities, "timeline entries per contact")
	return command
}

// DefaultActivities is how many timeline entries each contact gets unless
// told.
const DefaultActivities = 5

// MillionFill is how long the help says a million contacts take with
// DefaultActivities entries each (about 8.3 million rows with their
// consents), measured on 2 idle cores; make bench (part 3, goal 8) holds
// every fill it runs to it.
const MillionFill = 15 * time.Minute

// ClaimedFill is what the help claims for contacts with perContact entries
// each: MillionFill scaled by the rows written (a contact, its entries and
// about 2.3 consents; the fill's time grows with them).
func ClaimedFill(contacts, perContact int) time.Duration {
	rows := func(c, k int) float64 { return float64(c) * (float64(k) + 3.33) }
	return time.Duration(float64(MillionFill) * rows(contacts, perContact) / rows(1000000, DefaultActivities))
}

// PrintSummary tells who can sign in and where.
func PrintSummary(w io.Writer, cfg *crm.Config, sum *Summary, took time.Duration) {
	fmt.Fprintf(w, "Demo data for %s: %d new contacts, %d rows in bulk (%.0f rows/s), %d of them indexed for search in bulk, %s in all.\n",
		cfg.Business.Name, sum.NewContacts, sum.NewRows, float64(sum.NewRows)/max(sum.BulkTime.Seconds(), 1e-9), sum.Indexed, took.Round(time.Millisecond))
	fmt.Fprintln(w, "\nSign in with:")
	for _, l := range sum.Logins {
		fmt.Fprintf(w, "  %-32s %-44s %-24s %s\n", l.Who, l.Email, l.Password, l.Where)
	}
	fmt.Fprintf(w, "\nPortal customers ask for a one-time code at %s/portal/; without SMTP the code is in %s.\n", cfg.PublicURL, cfg.MailDir)
}
