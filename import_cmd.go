package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"vinculo/crm"
	"vinculo/plugins/importer"
)

// importCommand is `vinculo import FILE`: the import engine of the staff
// workspace, run in the foreground, with its report printed. Exit codes: 1
// when rows have errors and the run is not --valid-only (nothing was
// written), 2 for bad flags.
func importCommand(app core.App, cfg *crm.Config) *cobra.Command {
	var kind, onDuplicate, mapping, preset string
	var dryRun, validOnly bool
	command := &cobra.Command{
		Use:   "import FILE",
		Short: "Imports contacts or companies from a CSV or vCard file (a dry run first is wise: --dry-run)",
		Long: "Imports contacts or companies from a CSV file (comma, semicolon or tab; UTF-8 or Windows-1252;\n" +
			"the exports of Google Contacts, Outlook and HubSpot are recognised) or a vCard file.\n" +
			"Phones are written in E.164 with business.country as the default country. Rows that\n" +
			"duplicate a stored record or an earlier row (same email, same phone in any spelling, or\n" +
			"same name and company where one of the two has neither email nor phone) are handled as\n" +
			"--on-duplicate says. A row of the same name and company as a record but with an email\n" +
			"or phone of its own is another person: it is imported and listed as a possible duplicate\n" +
			"to review. Without --valid-only, a single bad row means nothing is written and the exit\n" +
			"code is 1.",
		Args:         cobra.ArbitraryArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return badConfig("import: give one file to import (vinculo import contacts.csv)")
			}
			opts := importer.Options{Kind: kind, OnDuplicate: onDuplicate, Mode: importer.ModeAllOrNothing}
			switch {
			case dryRun:
				opts.Mode = importer.ModeDryRun
			case validOnly:
				opts.Mode = importer.ModeValidOnly
			}
			if !slices.Contains(importer.Kinds, kind) {
				return badConfig("--kind must be contacts, companies or orders, not %q", kind)
			}
			if !slices.Contains(importer.OnDuplicates, onDuplicate) {
				return badConfig("--on-duplicate must be one of %s, not %q", strings.Join(importer.OnDuplicates, ", "), onDuplicate)
			}
			if err := app.RunAllMigrations(); err != nil {
				return err
			}
			if preset != "" {
				p, err := app.FindRecordById(crm.ImportPresets, preset)
				if err != nil || p.GetString("kind") != kind {
					return badConfig("--preset: no %s preset with id %q", kind, preset)
				}
				if err := json.Unmarshal([]byte(p.GetString("mapping")), &opts.Mapping); err != nil {
					return badConfig("--preset: its mapping is not a JSON object")
				}
			}
			if mapping != "" {
				opts.Mapping = nil
				if err := json.Unmarshal([]byte(mapping), &opts.Mapping); err != nil {
					return badConfig("--mapping must be a JSON object of column names to fields, like '{\"E-mail\":\"email\"}': %v", err)
				}
			}
			if err := importer.CheckMapping(kind, opts.Mapping); err != nil {
				return badConfig("--mapping: %v", err)
			}
			if _, err := os.Stat(args[0]); err != nil {
				return badConfig("import: %v", err)
			}
			job, err := importer.NewJob(app, opts, args[0], "")
			if err != nil {
				return err
			}
			res, runErr := importer.RunJob(context.Background(), app, cfg, job, args[0], opts, false)
			printImport(cmd.OutOrStdout(), args[0], opts, res, importer.ErrorsPath(cfg, job.Id), runErr != nil)
			if runErr != nil {
				return fmt.Errorf("import: %w", runErr)
			}
			if res.Counts.Errors > 0 && opts.Mode != importer.ModeValidOnly {
				if opts.Mode == importer.ModeDryRun {
					return fmt.Errorf("import: %d rows have errors: an all-or-nothing import would write nothing (or use --valid-only)", res.Counts.Errors)
				}
				return fmt.Errorf("import: %d rows have errors, so nothing was imported (fix them, or use --valid-only)", res.Counts.Errors)
			}
			return nil
		},
	}
	command.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return badConfig("import: %v", err) })
	f := command.Flags()
	f.StringVar(&kind, "kind", importer.KindContacts, "what the file holds: contacts, companies or orders (past orders, as history)")
	f.BoolVar(&dryRun, "dry-run", false, "report what would happen and write nothing")
	f.BoolVar(&validOnly, "valid-only", false, "write the valid rows even when others have errors")
	f.StringVar(&onDuplicate, "on-duplicate", importer.DupSkip, "a row that duplicates a record: skip, fill (its empty fields), overwrite or create (anyway)")
	f.StringVar(&mapping, "mapping", "", `file columns to fields, as JSON: '{"E-mail":"email","Nome":"name"}' (default: recognise the layout)`)
	f.StringVar(&preset, "preset", "", "id of a saved mapping (import_presets)")
	return command
}

// printImport prints the report: counts, then errors as "line N: field: reason".
// A valid-only run that stopped (stopped: it ended with an error) after
// committing batches reports what those batches wrote.
func printImport(w io.Writer, file string, opts importer.Options, res *importer.Result, errorsPath string, stopped bool) {
	if res == nil {
		return
	}
	dialect := ""
	if res.Dialect != nil && res.Format == importer.FormatCSV {
		dialect = ", " + res.Dialect.DelimiterName() + ", " + res.Dialect.Encoding
	}
	fmt.Fprintf(w, "Import of %s from %s (%s, %s layout%s), %s, duplicates: %s\n",
		opts.Kind, file, res.Format, res.Layout, dialect, strings.ReplaceAll(opts.Mode, "_", " "), opts.OnDuplicate)
	if len(res.Mapping) > 0 {
		cols := make([]string, 0, len(res.Mapping))
		for c := range res.Mapping {
			cols = append(cols, c)
		}
		sort.Strings(cols)
		parts := make([]string, len(cols))
		for i, c := range cols {
			parts[i] = fmt.Sprintf("%q -> %s", c, res.Mapping[c])
		}
		fmt.Fprintf(w, "Columns: %s\n", strings.Join(parts, ", "))
	}
	verb, c := "would be", res.Counts
	if res.Written {
		verb = "were"
	}
	if stopped && res.Written {
		fmt.Fprintf(w, "Stopped after %d rows read; the batches committed before it stopped stay imported:\n", res.Processed)
		c = res.Committed
	}
	fmt.Fprintf(w, "%d rows read: %d %s created, %d updated, %d duplicates, %d skipped, %d with errors; %d companies created along.\n",
		c.Processed, c.Created, verb, c.Updated, c.Duplicate, c.Skipped, c.Errors, c.CompaniesCreated)
	if stopped && res.Written {
		fmt.Fprintln(w, "Run the file again with --on-duplicate skip to import the rest.")
	}
	for _, d := range res.Duplicates[:min(len(res.Duplicates), 20)] {
		fmt.Fprintf(w, "  duplicate %s\n", d)
	}
	if c.Possible > 0 {
		fmt.Fprintf(w, "%d %s created beside a record or row of the same name and company, with emails and phones of their own: "+
			"possible duplicates to review (all of them in %s):\n", c.Possible, verb, errorsPath)
		for _, p := range res.PossibleDuplicates[:min(len(res.PossibleDuplicates), 20)] {
			fmt.Fprintf(w, "  %s (%s)\n", p.Reason, p.Value)
		}
	}
	if res.Counts.Errors > 0 {
		fmt.Fprintf(w, "Errors (all of them in %s):\n", errorsPath)
		for _, e := range res.Errors {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
	if !res.Written {
		fmt.Fprintln(w, "Nothing was written.")
	}
}
