package importer

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Kinds, modes, duplicate policies, formats, layouts and job statuses: the
// values of the import_jobs fields.
const (
	KindContacts  = "contacts"
	KindCompanies = "companies"

	ModeDryRun       = "dry_run"        // report what would happen, write nothing
	ModeAllOrNothing = "all_or_nothing" // one transaction: any bad row, nothing written
	ModeValidOnly    = "valid_only"     // write the good rows, report the others

	DupSkip      = "skip"      // keep the existing record as it is
	DupFill      = "fill"      // fill the existing record's empty fields
	DupOverwrite = "overwrite" // replace the existing record's fields with the file's non-empty ones
	DupCreate    = "create"    // create a new record anyway

	FormatCSV   = "csv"
	FormatVCard = "vcard"

	LayoutGoogle  = "google"
	LayoutOutlook = "outlook"
	LayoutHubSpot = "hubspot"
	LayoutGeneric = "generic"
	LayoutVCard   = "vcard"
	LayoutMapped  = "mapped"

	StatusQueued  = "queued"
	StatusRunning = "running"
	StatusDone    = "done"
	StatusFailed  = "failed"
)

var (
	Kinds        = []string{KindContacts, KindCompanies, KindOrders}
	Modes        = []string{ModeDryRun, ModeAllOrNothing, ModeValidOnly}
	OnDuplicates = []string{DupSkip, DupFill, DupOverwrite, DupCreate}
	Formats      = []string{FormatCSV, FormatVCard}
	Layouts      = []string{LayoutGoogle, LayoutOutlook, LayoutHubSpot, LayoutGeneric, LayoutVCard, LayoutMapped}
	Statuses     = []string{StatusQueued, StatusRunning, StatusDone, StatusFailed}
)

// MaxReportedProblems is how many errors (and duplicates) a report keeps;
// the full error list goes to Options.OnProblem (the job's errors.csv).
const MaxReportedProblems = 200

// Options of one import.
type Options struct {
	Kind        string
	Mode        string
	OnDuplicate string
	Mapping     map[string]string // file column -> field; nil: recognise the layout
	Country     string            // ISO 3166 alpha-2 for phone numbers without a country code
	Currency    string            // orders: the currency of rows that name none (the business's)
	Location    *time.Location    // orders: the time zone of days without a time (the business's)
	// Job is the import_jobs record whose counts every commit updates, in
	// the commit's transaction; "" for none.
	Job string
	// OnStart is called once the file's format and layout are known.
	OnStart func(*Result)
	// OnProgress is called at most every ProgressEvery while rows are read.
	OnProgress func(*Result)
	// OnProblem receives every error with the value at fault.
	OnProblem func(Problem)
	// OnNotice receives every row created beside a record of the same name
	// and company, a possible duplicate to review (see nameKeys).
	OnNotice func(Problem)
}

// ProgressEvery is the least time between two progress calls.
var ProgressEvery = 250 * time.Millisecond

// Counts of what an import did (or, in a dry run or a rolled back run,
// would have done).
type Counts struct {
	Processed        int64 `json:"processed"`
	Created          int64 `json:"created"`
	Updated          int64 `json:"updated"`
	Skipped          int64 `json:"skipped"`
	Duplicate        int64 `json:"duplicate"`
	Errors           int64 `json:"errors"`
	CompaniesCreated int64 `json:"companies_created"`
	// Possible counts rows created beside a record of the same name and
	// company (in Created too): possible duplicates to review.
	Possible int64 `json:"possible_duplicates"`
}

// Result is an import's report.
type Result struct {
	Format     string            `json:"format"`
	Layout     string            `json:"layout"`
	Dialect    *Dialect          `json:"-"`
	Mapping    map[string]string `json:"mapping"`
	Counts                       // as computed, whether or not written
	Errors     []Problem         `json:"errors"`     // the first MaxReportedProblems
	Duplicates []Problem         `json:"duplicates"` // the first MaxReportedProblems
	// PossibleDuplicates are the first MaxReportedProblems rows created
	// beside a record of the same name and company, for review.
	PossibleDuplicates []Problem `json:"possible_duplicates"`
	Written            bool      `json:"written"` // something was committed (in valid_only, at least one batch)
	// Committed counts what the commits so far wrote: all of Counts after
	// a run that committed at the end; in a valid-only run that stopped,
	// the batches committed before it stopped.
	Committed Counts `json:"committed"`
}

// Report is the result as the job's report field holds it.
func (r *Result) Report(mode string) map[string]any {
	out := map[string]any{
		"summary": r.Counts, "format": r.Format, "layout": r.Layout, "mapping": r.Mapping,
		"errors": nonNil(r.Errors), "duplicates": nonNil(r.Duplicates), "written": r.Written, "mode": mode,
		"possible_duplicates": nonNil(r.PossibleDuplicates),
		"committed":           r.Committed,
	}
	if r.Dialect != nil {
		out["dialect"] = r.Dialect.describe()
	}
	return out
}

func nonNil(p []Problem) []Problem {
	if p == nil {
		return []Problem{}
	}
	return p
}

// ErrFile wraps what makes a whole file unreadable (as opposed to errors of
// single rows, which are counted and reported).
type ErrFile struct{ Err error }

func (e *ErrFile) Error() string { return e.Err.Error() }
func (e *ErrFile) Unwrap() error { return e.Err }

// Validate checks opts' values.
func (o Options) Validate() error {
	switch {
	case !slices.Contains(Kinds, o.Kind):
		return fmt.Errorf("kind must be one of %s, not %q", strings.Join(Kinds, ", "), o.Kind)
	case !slices.Contains(Modes, o.Mode):
		return fmt.Errorf("mode must be one of %s, not %q", strings.Join(Modes, ", "), o.Mode)
	case !slices.Contains(OnDuplicates, o.OnDuplicate):
		return fmt.Errorf("on_duplicate must be one of %s, not %q", strings.Join(OnDuplicates, ", "), o.OnDuplicate)
	}
	return CheckMapping(o.Kind, o.Mapping)
}
