package importer

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// Run imports the rows of r into app, streaming: memory does not grow with
// the file. Rows are written with multi-row INSERTs (the search index's
// triggers fire as for any write); duplicates are found through a table of
// keys (email, E.164 phone, name + company; see NameKey) filled from the
// database first and from the file as it goes, so duplicates within the file
// are found as well as those already stored.
//
// A dry run and an all-or-nothing run are one transaction, so they hold the
// database's single writer connection for their whole run (other writes
// wait): rolled back at the end of a dry run, and of an all-or-nothing run
// that met a bad row. A valid-only run commits every BatchRows rows and
// gives the connection back between batches, so other writes run between.
// The error return is for what stops the import as a whole (a file that is
// not a table, a database failure, ctx done); bad rows are in the Result.
func Run(ctx context.Context, app core.App, r io.Reader, opts Options) (*Result, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	res := &Result{}
	src, err := open(r, opts, res)
	if err != nil {
		return res, err
	}
	guessCustom(app, opts, src, res)
	if opts.OnStart != nil {
		opts.OnStart(res)
	}
	db, ok := app.NonconcurrentDB().(*dbx.DB)
	if !ok {
		return res, fmt.Errorf("import needs the app's own database, not a transaction")
	}
	w := &run{ctx: ctx, db: db.DB(), opts: opts, res: res, pending: map[string]hit{},
		keysTable: keysTablePrefix + core.GenerateDefaultRandomId()}
	defer w.close()
	if err := w.acquire(); err != nil {
		return res, err
	}
	if err := w.begin(); err != nil {
		return res, err
	}
	if err := w.prepare(app); err != nil {
		w.rollback()
		return res, err
	}
	if err := w.importRows(src); err != nil {
		return res, err
	}
	if err := w.flush(); err != nil {
		w.rollback()
		return res, err
	}
	if opts.Mode == ModeDryRun || (opts.Mode == ModeAllOrNothing && res.Counts.Errors > 0) {
		return res, w.rollback()
	}
	if err := w.commit(); err != nil {
		return res, err
	}
	res.Written = true
	return res, nil
}

// importRows checks and writes every row of src, telling progress on the
// way; a valid-only run commits a batch every BatchRows rows. On an error
// the open transaction is rolled back.
func (w *run) importRows(src source) error {
	last := time.Now()
	for n := 0; ; n++ {
		row, err := src.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			w.rollback()
			return &ErrFile{err}
		}
		w.res.Processed++
		if err := w.row(row); err != nil {
			w.rollback()
			return err
		}
		if n%256 == 0 {
			if err := w.ctx.Err(); err != nil {
				w.rollback()
				return err
			}
			if w.opts.OnProgress != nil && time.Since(last) >= ProgressEvery {
				last = time.Now()
				w.opts.OnProgress(w.res)
			}
		}
		if w.opts.Mode == ModeValidOnly && w.inTx >= BatchRows {
			if err := w.nextBatch(); err != nil {
				return err
			}
		} else if w.inTx-w.caught >= BatchRows && w.opts.Mode != ModeDryRun {
			if err := w.catchUp(); err != nil { // one transaction: the search index keeps up every batch
				w.rollback()
				return err
			}
		}
	}
}

// Open reads a file's first bytes and returns the source of its rows.
func open(r io.Reader, opts Options, res *Result) (source, error) {
	br := bufio.NewReaderSize(r, SniffSize)
	head, _ := br.Peek(SniffSize)
	d, err := DetectDialect(head)
	if err != nil {
		return nil, &ErrFile{err}
	}
	res.Dialect = &d
	if IsVCard(head) {
		if opts.Kind != KindContacts {
			return nil, &ErrFile{errors.New("a vCard file holds contacts: import it as contacts")}
		}
		res.Format, res.Layout = FormatVCard, LayoutVCard
		res.Mapping = map[string]string{"FN/N": "name", "EMAIL": "email", "TEL": "phone/mobile", "ORG": "company", "TITLE": "job_title", "ADR": "address", "CATEGORIES": "tags"}
		return newVCardSource(br, d), nil
	}
	s, err := newCSVSource(br, d, opts.Kind, opts.Mapping)
	if err != nil {
		return nil, &ErrFile{err}
	}
	res.Format, res.Layout, res.Mapping = FormatCSV, s.layout.name, s.layout.mapping
	return s, nil
}

// Read parses a file without touching any database: each row, as the import
// would see it, before checks. For tests, fuzzing and previews.
func Read(r io.Reader, kind string, mapping map[string]string, each func(Row) error) (*Result, error) {
	res := &Result{}
	src, err := open(r, Options{Kind: kind, Mapping: mapping}, res)
	if err != nil {
		return res, err
	}
	for {
		row, err := src.Next()
		if errors.Is(err, io.EOF) {
			return res, nil
		}
		if err != nil {
			return res, &ErrFile{err}
		}
		res.Processed++
		if err := each(row); err != nil {
			return res, err
		}
	}
}
