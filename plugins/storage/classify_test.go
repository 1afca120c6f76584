package storage

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/tools/router"
	_ "modernc.org/sqlite"
)

// realFull is SQLite's own "database or disk is full", from the driver the
// app uses, on a database held to a few pages.
func realFull(t *testing.T) error {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "small.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{"PRAGMA max_page_count = 3", "CREATE TABLE t (v TEXT)"} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	for range 1000 {
		if _, err := db.Exec("INSERT INTO t VALUES (?)", string(make([]byte, 2000))); err != nil {
			return err
		}
	}
	t.Fatal("a 3-page database took 2 MB")
	return nil
}

// realConstraint is another SQLite error: not a storage failure.
func realConstraint(t *testing.T) error {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "unique.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE t (v TEXT UNIQUE); INSERT INTO t VALUES ('a')"); err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec("INSERT INTO t VALUES ('a')")
	if err == nil {
		t.Fatal("a duplicate was accepted")
	}
	return err
}

// realNoSpace is the kernel's ENOSPC: /dev/full refuses every write.
func realNoSpace(t *testing.T) error {
	t.Helper()
	f, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("no /dev/full on this system: %v", err)
	}
	defer f.Close()
	if _, err = f.Write([]byte("x")); err == nil {
		t.Fatal("/dev/full took a write")
	}
	return err
}

func TestClassify(t *testing.T) {
	full, noSpace, constraint := realFull(t), realNoSpace(t), realConstraint(t)
	// How PocketBase wraps a failed save: the record API's 400 keeps the
	// error as raw data; a failed upload joins the file's error.
	apiWrap := func(err error) error { return router.NewBadRequestError("Failed to create record.", err) }
	uploadWrap := func(err error) error {
		return fmt.Errorf("failed to upload all files: %w", errors.Join(fmt.Errorf("%q: %w", "a.pdf", err), nil))
	}
	cases := []struct {
		name string
		err  error
		want Kind
	}{
		{"nil", nil, None},
		{"sqlite full", full, Full},
		{"sqlite full in a 400", apiWrap(full), Full},
		{"sqlite full in a 400 in a 400", apiWrap(apiWrap(full)), Full},
		{"sqlite full wrapped", fmt.Errorf("save contact: %w", full), Full},
		{"sqlite full as text", fmt.Errorf("hook threw: %v", full), Full},
		{"sqlite full in a field", validation.Errors{"attachments": full}, Full},
		{"upload ENOSPC", noSpace, Full},
		{"upload ENOSPC as PocketBase says it", apiWrap(uploadWrap(noSpace)), Full},
		{"quota", &os.PathError{Op: "write", Path: "x", Err: syscall.EDQUOT}, Full},
		{"io error", &os.PathError{Op: "write", Path: "x", Err: syscall.EIO}, IOError},
		{"sqlite io error as text", apiWrap(errors.New("disk I/O error (10)")), IOError},
		{"constraint", apiWrap(constraint), None},
		{"validation", apiWrap(validation.Errors{"name": validation.NewError("validation_required", "Cannot be blank.")}), None},
		{"not found", router.NewNotFoundError("", sql.ErrNoRows), None},
		{"plain", errors.New("something else"), None},
	}
	for _, c := range cases {
		if got := Classify(c.err); got != c.want {
			t.Errorf("%s: Classify(%v) = %v, want %v", c.name, c.err, got, c.want)
		}
	}
	if got := cause(apiWrap(apiWrap(full))); got != full.Error() {
		t.Errorf("cause = %q, want SQLite's %q", got, full.Error())
	}
	t.Logf("SQLite says %q; the kernel says %q", full, noSpace)
}
