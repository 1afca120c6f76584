// Package summarydb holds the tables of the Insights boards' summaries, so
// that the migration that creates them and the plugin that fills them share
// one definition.
package summarydb

import (
	"github.com/pocketbase/dbx"
)

// Tables of the Service board's summary.
const (
	CaseFacts  = "insights_case_facts"  // one row per request
	CaseMonths = "insights_case_months" // monthly counts made from the facts
	CaseDirty  = "insights_case_dirty"  // requests written since their facts were made
	Meta       = "insights_summary_meta"
)

// serviceDDL creates the tables, their indexes and the triggers that note a
// request written by plain SQL. Every statement can run twice.
var serviceDDL = []string{
	`CREATE TABLE IF NOT EXISTS ` + CaseFacts + ` (
		id TEXT PRIMARY KEY NOT NULL,
		type TEXT NOT NULL DEFAULT '', channel TEXT NOT NULL DEFAULT '', assignee TEXT NOT NULL DEFAULT '',
		created TEXT NOT NULL DEFAULT '', closed INTEGER NOT NULL DEFAULT 0, closed_at TEXT NOT NULL DEFAULT '',
		first_at TEXT NOT NULL DEFAULT '', shut_at TEXT NOT NULL DEFAULT '',
		opened_m TEXT NOT NULL DEFAULT '', closed_m TEXT NOT NULL DEFAULT '', first_m TEXT NOT NULL DEFAULT '', shut_m TEXT NOT NULL DEFAULT '',
		frt_ns INTEGER, res_ns INTEGER, frt_b INTEGER, res_b INTEGER, sla INTEGER
	) WITHOUT ROWID`,
	`CREATE INDEX IF NOT EXISTS idx_icf_created ON ` + CaseFacts + ` (created, type, channel, assignee, closed, closed_at)`,
	`CREATE INDEX IF NOT EXISTS idx_icf_closed ON ` + CaseFacts + ` (closed_at, type, channel, assignee, sla, res_b)`,
	`CREATE INDEX IF NOT EXISTS idx_icf_first ON ` + CaseFacts + ` (first_at, type, frt_b)`,
	`CREATE INDEX IF NOT EXISTS idx_icf_shut ON ` + CaseFacts + ` (shut_at, type, channel, assignee)`,
	`CREATE INDEX IF NOT EXISTS idx_icf_open ON ` + CaseFacts + ` (created, type, channel, assignee) WHERE closed = 0`,
	`CREATE INDEX IF NOT EXISTS idx_icf_frt ON ` + CaseFacts + ` (frt_b, first_at, type, frt_ns)`,
	`CREATE INDEX IF NOT EXISTS idx_icf_res ON ` + CaseFacts + ` (res_b, closed_at, type, res_ns)`,
	// The Team board's response times per person: a person's bucket in
	// order of time, every person's bucket in order of time, and a
	// stretch of days by person and bucket.
	`CREATE INDEX IF NOT EXISTS idx_icf_person_frt ON ` + CaseFacts + ` (assignee, frt_b, frt_ns, first_at)`,
	`CREATE INDEX IF NOT EXISTS idx_icf_frt_order ON ` + CaseFacts + ` (frt_b, frt_ns, first_at, assignee)`,
	`CREATE INDEX IF NOT EXISTS idx_icf_first_person ON ` + CaseFacts + ` (first_at, assignee, frt_b)`,
	`CREATE TABLE IF NOT EXISTS ` + CaseMonths + ` (
		measure TEXT NOT NULL, month TEXT NOT NULL, type TEXT NOT NULL, channel TEXT NOT NULL, assignee TEXT NOT NULL,
		bucket INTEGER NOT NULL, n INTEGER NOT NULL,
		PRIMARY KEY (measure, month, type, channel, assignee, bucket)
	) WITHOUT ROWID`,
	`CREATE TABLE IF NOT EXISTS ` + CaseDirty + ` (id TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID`,
	`CREATE TABLE IF NOT EXISTS ` + Meta + ` (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID`,
}

// MeasureFirstByPerson is the measure of CaseMonths that counts, per
// month of the first answer and assignee (type and channel left blank),
// the requests by quarter hour of their first-response time: the Team
// board's response times per person.
const MeasureFirstByPerson = "frp"

// FillFirstByPerson makes the counts of MeasureFirstByPerson again from the
// facts (a summary made before they were kept gets them so, without being
// made again from the requests).
func FillFirstByPerson(db dbx.Builder) error {
	for _, s := range []string{
		`DELETE FROM ` + CaseMonths + ` WHERE measure = '` + MeasureFirstByPerson + `'`,
		`INSERT INTO ` + CaseMonths + ` (measure, month, type, channel, assignee, bucket, n)
			SELECT '` + MeasureFirstByPerson + `', first_m, '', '', assignee, frt_b, COUNT(*) FROM ` + CaseFacts + `
			WHERE frt_ns IS NOT NULL AND first_m != '' AND assignee != '' GROUP BY first_m, assignee, frt_b`,
	} {
		if _, err := db.NewQuery(s).Execute(); err != nil {
			return err
		}
	}
	return nil
}

// ServiceTriggers note in CaseDirty every request inserted, deleted, or
// updated in a column the summary reads, whoever writes it.
var ServiceTriggers = map[string]string{
	"insights_cases_ai": `CREATE TRIGGER IF NOT EXISTS insights_cases_ai AFTER INSERT ON cases BEGIN
		INSERT OR IGNORE INTO ` + CaseDirty + ` (id) VALUES (NEW.id); END`,
	"insights_cases_au": `CREATE TRIGGER IF NOT EXISTS insights_cases_au AFTER UPDATE OF id, type, channel, assignee, created, closed, closed_at,
		first_response_at, first_response_due, resolution_due ON cases BEGIN
		INSERT OR IGNORE INTO ` + CaseDirty + ` (id) VALUES (OLD.id);
		INSERT OR IGNORE INTO ` + CaseDirty + ` (id) VALUES (NEW.id); END`,
	"insights_cases_ad": `CREATE TRIGGER IF NOT EXISTS insights_cases_ad AFTER DELETE ON cases BEGIN
		INSERT OR IGNORE INTO ` + CaseDirty + ` (id) VALUES (OLD.id); END`,
}

// CreateService creates the Service summary's tables and triggers.
func CreateService(db dbx.Builder) error {
	for _, s := range serviceDDL {
		if _, err := db.NewQuery(s).Execute(); err != nil {
			return err
		}
	}
	for _, s := range ServiceTriggers {
		if _, err := db.NewQuery(s).Execute(); err != nil {
			return err
		}
	}
	return nil
}

// DropService removes them.
func DropService(db dbx.Builder) error {
	for name := range ServiceTriggers {
		if _, err := db.NewQuery("DROP TRIGGER IF EXISTS " + name).Execute(); err != nil {
			return err
		}
	}
	for _, t := range []string{CaseFacts, CaseMonths, CaseDirty, Meta} {
		if _, err := db.NewQuery("DROP TABLE IF EXISTS " + t).Execute(); err != nil {
			return err
		}
	}
	return nil
}

// Tables of the Customers board's summary.
const (
	CustomerSpans  = "insights_customer_spans"  // each customer's spans of activity
	CustomerMonths = "insights_customer_months" // monthly counts made from the spans
	CustomerDirty  = "insights_customer_dirty"  // customers whose purchases were written since
	// CustomerBuys: each customer's counted orders per month and currency;
	// CustomerRevenue: their totals per month and currency.
	CustomerBuys    = "insights_customer_buys"
	CustomerRevenue = "insights_customer_revenue"
)

var customerDDL = []string{
	`CREATE TABLE IF NOT EXISTS ` + CustomerSpans + ` (
		contact TEXT NOT NULL, start TEXT NOT NULL, end TEXT NOT NULL DEFAULT '', prev_end TEXT NOT NULL DEFAULT '',
		cohort TEXT NOT NULL DEFAULT '',
		PRIMARY KEY (contact, start)
	) WITHOUT ROWID`,
	`CREATE INDEX IF NOT EXISTS idx_ics_start ON ` + CustomerSpans + ` (start, prev_end, cohort)`,
	`CREATE INDEX IF NOT EXISTS idx_ics_end ON ` + CustomerSpans + ` (end, prev_end, cohort)`,
	`CREATE INDEX IF NOT EXISTS idx_ics_prev ON ` + CustomerSpans + ` (prev_end, start, end)`,
	`CREATE TABLE IF NOT EXISTS ` + CustomerMonths + ` (
		measure TEXT NOT NULL, month TEXT NOT NULL, month2 TEXT NOT NULL, n INTEGER NOT NULL,
		PRIMARY KEY (measure, month, month2)
	) WITHOUT ROWID`,
	`CREATE TABLE IF NOT EXISTS ` + CustomerDirty + ` (contact TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID`,
	`CREATE TABLE IF NOT EXISTS ` + CustomerBuys + ` (
		contact TEXT NOT NULL, month TEXT NOT NULL, currency TEXT NOT NULL, total REAL NOT NULL, n INTEGER NOT NULL,
		PRIMARY KEY (contact, month, currency)
	) WITHOUT ROWID`,
	`CREATE TABLE IF NOT EXISTS ` + CustomerRevenue + ` (
		month TEXT NOT NULL, currency TEXT NOT NULL, total REAL NOT NULL, n INTEGER NOT NULL,
		PRIMARY KEY (month, currency)
	) WITHOUT ROWID`,
	`CREATE TABLE IF NOT EXISTS ` + Meta + ` (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID`,
}

// CustomerTriggers note in CustomerDirty the customer of every order and
// subscription inserted, deleted, or updated in a column the spans read.
var CustomerTriggers = map[string]string{}

func init() {
	for table, cols := range map[string]string{
		"orders":        "contact, status, placed_at, currency, total",
		"subscriptions": "contact, status, started_at, cancelled_at",
	} {
		note := func(who string) string {
			return "INSERT OR IGNORE INTO " + CustomerDirty + " (contact) VALUES (" + who + ".contact);"
		}
		CustomerTriggers["insights_"+table+"_ai"] = "CREATE TRIGGER IF NOT EXISTS insights_" + table + "_ai AFTER INSERT ON " + table + " BEGIN " + note("NEW") + " END"
		CustomerTriggers["insights_"+table+"_au"] = "CREATE TRIGGER IF NOT EXISTS insights_" + table + "_au AFTER UPDATE OF " + cols + " ON " + table + " BEGIN " + note("OLD") + note("NEW") + " END"
		CustomerTriggers["insights_"+table+"_ad"] = "CREATE TRIGGER IF NOT EXISTS insights_" + table + "_ad AFTER DELETE ON " + table + " BEGIN " + note("OLD") + " END"
	}
}

// CreateCustomers creates the Customers summary's tables and triggers.
func CreateCustomers(db dbx.Builder) error {
	for _, s := range customerDDL {
		if _, err := db.NewQuery(s).Execute(); err != nil {
			return err
		}
	}
	for _, s := range CustomerTriggers {
		if _, err := db.NewQuery(s).Execute(); err != nil {
			return err
		}
	}
	return nil
}

// DropCustomers removes them.
func DropCustomers(db dbx.Builder) error {
	for name := range CustomerTriggers {
		if _, err := db.NewQuery("DROP TRIGGER IF EXISTS " + name).Execute(); err != nil {
			return err
		}
	}
	for _, t := range []string{CustomerSpans, CustomerMonths, CustomerDirty, CustomerBuys, CustomerRevenue} {
		if _, err := db.NewQuery("DROP TABLE IF EXISTS " + t).Execute(); err != nil {
			return err
		}
	}
	return nil
}
