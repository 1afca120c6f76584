package demo

import (
	"time"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// This file exposes the demo's contact rows and its bulk path for contacts to
// the benchmark (go run ./bench), which compares them with raw SQLite inserts
// of the very same rows. The demo itself does not use it.

// ContactRows returns the columns of the contacts the demo writes and the row
// function that makes contact i (1-based) as of now, values in column order:
// the same rows `vinculo demo` inserts.
func ContactRows(n int, now time.Time) (columns []string, row func(i int) []any) {
	g := &generator{opts: Options{Contacts: n, Now: now.UTC()}}
	return append([]string(nil), contactColumns...), g.contactRow
}

// InsertContacts writes contacts 1..n into app's contacts table through the
// demo's own bulk path (the one Generate uses), and returns how many rows
// were new. It writes contacts only: no staff, companies, consents or
// timeline, so the contacts' relations point at records that may not exist.
func InsertContacts(app core.App, n int, now time.Time) (int64, error) {
	db, err := writerDB(app)
	if err != nil {
		return 0, err
	}
	g := &generator{app: app, opts: Options{Contacts: n, Now: now.UTC()}}
	return g.contacts(db)
}

// ContactsTable is the name of the table ContactRows and InsertContacts fill.
const ContactsTable = crm.Contacts
