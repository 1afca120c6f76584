// Package accesslog records who looked at a customer's data, and shows it
// to the customer in the portal and to managers on the customer's page.
//
// What is a look: a staff member, a partner or an integration (a superuser
// token, an automation) opening one customer's data — the 360 page and its
// timeline pages (plugins/customer360), a record of the customer's contact,
// requests, request messages, orders, subscriptions or consents opened
// through the record API, a list of that one customer's records (the
// messages of one request, say), a search result opened (the 360 page asked
// with ?via=search), and an export that held them. A list of many customers
// (the contacts list, the search results themselves) is not a look: nobody
// opened anyone's data yet. Reads by the customer themselves are not listed.
//
// How it is cheap: a look is a line appended to a spool file in the data
// dir (one write, no fsync) and an entry in a memory queue; a goroutine
// writes the queue in one transaction per batch (every FlushEvery, or at
// once when BatchSize entries wait) and then drops the spool file it wrote
// from. Nothing waits for the database in the request. On app termination
// the queue is written; after a kill -9 the spool file is still there (the
// kernel holds it) and is written at the next start. A power cut can lose
// what the kernel had not yet put on disk: up to a few seconds of looks.
//
// An export is one audit_log row (its filter and count) and one
// export_members row per customer it held, written in bulk by the same
// goroutine after the export was sent.
//
// The consent proof of issue 20 lives in plugins/consents; this package
// only reads.
package accesslog
