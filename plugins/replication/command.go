package replication

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
)

// restoreRun is a `vinculo restore` about to run: its flags, and what it did.
type restoreRun struct {
	cmd      *cobra.Command
	restored []Restored
	done     bool
	parseErr error // its flags could not be read: nothing is restored or opened
}

// addRestoreCommand adds `vinculo restore` to the program's commands. The
// restore itself runs before PocketBase opens the data dir (it would create
// an empty database there); the command reports it.
func addRestoreCommand(app core.App, r *Replicator) {
	pb, ok := app.(*pocketbase.PocketBase)
	if !ok {
		return
	}
	run := &restoreRun{}
	run.cmd = &cobra.Command{
		Use:   "restore",
		Short: "Restore data.db and auxiliary.db from the replica (replication.url) into the data dir",
		Long: `Restore data.db and auxiliary.db from the replica named by replication.url into
the data dir (--dir), as they were at --timestamp or, without it, as last
replicated. The data dir must hold no data.db: stop the server and move the
data dir aside first, or restore into another dir with --dir.`,
		Example: "  vinculo restore\n  vinculo restore --timestamp 2026-12-06T14:03:00Z\n  vinculo restore --dir /tmp/drill",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if !run.done {
				return errors.New("the restore did not run")
			}
			for _, d := range run.restored {
				switch {
				case d.Skipped:
					fmt.Fprintf(c.OutOrStdout(), "%s: no copy in the replica for that moment; a new one is started\n", d.Name)
				default:
					fmt.Fprintf(c.OutOrStdout(), "%s: restored\n", d.Name)
				}
			}
			fmt.Fprintf(c.OutOrStdout(), "Restored into %s from %s. Start the server with the same data dir.\n", app.DataDir(), Shown(r.cfg.URL))
			return nil
		},
	}
	run.cmd.Flags().String("timestamp", "", "the moment to restore to, e.g. 2026-12-06T14:03:00Z (default: the latest)")
	pb.RootCmd.AddCommand(run.cmd)
	r.restore = run
}

// restoreRequested is the restore command when it is the one running.
func restoreRequested(app core.App, run *restoreRun) *restoreRun {
	pb, ok := app.(*pocketbase.PocketBase)
	if !ok || run == nil {
		return nil
	}
	found, args, err := pb.RootCmd.Find(os.Args[1:])
	if err != nil || found != run.cmd {
		return nil
	}
	// A flag it cannot read (a mistyped --timestamp) stops the restore
	// before the data dir is opened: restoring the latest state instead
	// of the moment asked for, or leaving an empty data.db behind, would
	// both be wrong.
	run.parseErr = run.cmd.ParseFlags(args)
	return run
}

func (run *restoreRun) run(ctx context.Context, r *Replicator, dataDir string) error {
	if run.parseErr != nil {
		return fmt.Errorf("restore: %w", run.parseErr)
	}
	var at time.Time
	if ts, _ := run.cmd.Flags().GetString("timestamp"); ts != "" {
		t, err := ParseTime(ts)
		if err != nil {
			return err
		}
		at = t
	}
	restored, err := Restore(ctx, r.cfg, dataDir, at)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	run.restored, run.done = restored, true
	return nil
}
