package signin

import (
	"fmt"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"vinculo/crm"
)

// Command is `vinculo unlock EMAIL`: forget an account's failed sign-ins, for
// a person locked out by someone else's guesses.
func Command(app core.App) *cobra.Command {
	var collection string
	command := &cobra.Command{
		Use:          "unlock EMAIL",
		Short:        "Lets an account sign in again after too many failed sign-ins (forgets its failures)",
		Args:         cobra.ExactArgs(1),
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if collection != crm.Staff && collection != crm.Customers {
				return fmt.Errorf("--collection must be %s or %s, not %q", crm.Staff, crm.Customers, collection)
			}
			email := strings.ToLower(strings.TrimSpace(args[0]))
			if email == "" {
				return fmt.Errorf("give the account's email")
			}
			if err := app.RunAllMigrations(); err != nil {
				return err
			}
			if err := Clear(app, collection, email); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s (%s) may sign in again.\n", email, collection)
			return nil
		},
	}
	command.Flags().StringVar(&collection, "collection", crm.Customers, "whose account: staff or customers")
	return command
}
