package storage

import (
	"errors"
	"strings"
	"syscall"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/tools/router"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Kind is the kind of storage failure an error is.
type Kind int

const (
	None    Kind = iota // not a storage failure
	Full                // no space left: SQLITE_FULL, ENOSPC, EDQUOT
	IOError             // the disk failed a read or a write: SQLITE_IOERR, EIO
)

func (k Kind) String() string {
	switch k {
	case Full:
		return "full"
	case IOError:
		return "io_error"
	}
	return "none"
}

// Message is what a client is told when its request failed for this kind.
func (k Kind) Message() string {
	if k == IOError {
		return "The server's storage failed: nothing was saved. Try again later."
	}
	return "The server's storage is full: nothing was saved. Try again later."
}

// Texts of storage failures for errors that reach us as text only (a
// JavaScript hook's exception, an error formatted with %v).
var failureTexts = []struct {
	text string
	kind Kind
}{
	{"database or disk is full", Full},
	{"no space left on device", Full},
	{"disk quota exceeded", Full},
	{"disk i/o error", IOError},
	{"sqlite_full", Full},
	{"sqlite_ioerr", IOError},
}

// Classify tells whether err, however wrapped, is a storage failure. It
// looks through wrapped and joined errors, PocketBase's API errors (their raw
// error) and validation errors (their fields).
func Classify(err error) Kind {
	return classify(err, 0)
}

func classify(err error, depth int) Kind {
	if err == nil || depth > 8 {
		return None
	}
	var sqlErr *sqlite.Error
	if errors.As(err, &sqlErr) {
		switch sqlErr.Code() & 0xff { // the primary code of an extended one
		case sqlite3.SQLITE_FULL:
			return Full
		case sqlite3.SQLITE_IOERR:
			return IOError
		}
	}
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return Full
	}
	if errors.Is(err, syscall.EIO) {
		return IOError
	}
	var apiErr *router.ApiError
	if errors.As(err, &apiErr) {
		if raw, ok := apiErr.RawData().(error); ok {
			if k := classify(raw, depth+1); k != None {
				return k
			}
		}
	}
	var fields validation.Errors
	if errors.As(err, &fields) {
		for _, fieldErr := range fields {
			if k := classify(fieldErr, depth+1); k != None {
				return k
			}
		}
	}
	text := strings.ToLower(err.Error())
	for _, f := range failureTexts {
		if strings.Contains(text, f.text) {
			return f.kind
		}
	}
	return None
}

// cause is the text of the error under PocketBase's API error ("database or
// disk is full" rather than "Failed to create record.").
func cause(err error) string {
	for range 8 {
		var apiErr *router.ApiError
		if !errors.As(err, &apiErr) {
			break
		}
		raw, ok := apiErr.RawData().(error)
		if !ok || raw == nil {
			break
		}
		err = raw
	}
	return err.Error()
}
