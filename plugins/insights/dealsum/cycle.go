package dealsum

import (
	"github.com/pocketbase/dbx"
)

// WonCycles holds, for each won deal, what the sales cycle (a median) reads:
// its close, pipeline and owner, the time from its creation to its win in
// whole milliseconds as SQLite works it out (NULL when a date does not read
// as one) and that time's whole day (its bucket). A median finds its bucket
// from the counts per bucket (an index without the table) and reads the
// rank-th deal of that bucket only, in the order of an index. SQLite
// triggers keep it in the same transaction as every write to deals, whoever
// writes: a copy of the won deals' dates, nothing summed that could drift.
const WonCycles = "insights_won_cycles"

// CycleMS is a deal's time from creation to win in whole milliseconds
// (dates are stored to the millisecond; julianday keeps them exact to well
// under one).
func CycleMS(r string) string {
	return "CAST(ROUND((julianday(" + r + ".closed_at) - julianday(" + r + ".created)) * 86400000) AS INTEGER)"
}

// DayMS is a day in milliseconds: a cycle's bucket is its ms / DayMS.
const DayMS = 86400000

var cycleTables = []string{
	`CREATE TABLE IF NOT EXISTS ` + WonCycles + ` (
		id TEXT PRIMARY KEY NOT NULL, closed_at TEXT NOT NULL, pipeline TEXT NOT NULL, owner TEXT NOT NULL,
		ms INTEGER, bucket INTEGER
	) WITHOUT ROWID`,
	`CREATE INDEX IF NOT EXISTS idx_iwc_closed ON ` + WonCycles + ` (closed_at, bucket, pipeline, owner)`,
	`CREATE INDEX IF NOT EXISTS idx_iwc_bucket ON ` + WonCycles + ` (bucket, ms, closed_at, pipeline, owner)`,
}

// addWon copies deal r (NEW, or the alias of deals read from) when it is won.
func addWon(r, from string) string {
	ms := CycleMS(r)
	return `INSERT INTO ` + WonCycles + ` (id, closed_at, pipeline, owner, ms, bucket)
		SELECT ` + r + `.id, ` + r + `.closed_at, COALESCE(` + r + `.pipeline, ''), COALESCE(` + r + `.owner, ''), ` + ms + `, ` + ms + ` / 86400000` + from + ` WHERE ` + r + `.status = 'won' AND COALESCE(` + r + `.closed_at, '') != '';`
}

// CycleTriggers keep WonCycles.
var CycleTriggers = []struct{ Name, SQL string }{
	{"insights_won_cycle_ai", `CREATE TRIGGER insights_won_cycle_ai AFTER INSERT ON deals BEGIN ` + addWon("NEW", "") + ` END`},
	{"insights_won_cycle_ad", `CREATE TRIGGER insights_won_cycle_ad AFTER DELETE ON deals BEGIN DELETE FROM ` + WonCycles + ` WHERE id = OLD.id; END`},
	{"insights_won_cycle_au", `CREATE TRIGGER insights_won_cycle_au AFTER UPDATE OF id, status, closed_at, created, pipeline, owner ON deals BEGIN
		DELETE FROM ` + WonCycles + ` WHERE id = OLD.id; DELETE FROM ` + WonCycles + ` WHERE id = NEW.id; ` + addWon("NEW", "") + ` END`},
}

// RebuildCycles makes WonCycles again from the deals.
func RebuildCycles(db dbx.Builder) error {
	for _, s := range []string{`DELETE FROM ` + WonCycles, addWon("d", " FROM deals d")} {
		if _, err := db.NewQuery(s).Execute(); err != nil {
			return err
		}
	}
	return nil
}

// CreateCycles makes the table and its triggers, and fills it again, when
// a trigger is missing or from another version (a deals table made again
// by a change of its collection loses them); it reads only sqlite_master
// when all is as it should be.
func CreateCycles(db dbx.Builder) error {
	return renew(db, "name LIKE 'insights_won_cycle_%'", CycleTriggers, cycleTables, RebuildCycles)
}

// DropCycles removes the table and its triggers.
func DropCycles(db dbx.Builder) error {
	for _, t := range CycleTriggers {
		if _, err := db.NewQuery("DROP TRIGGER IF EXISTS " + t.Name).Execute(); err != nil {
			return err
		}
	}
	_, err := db.NewQuery("DROP TABLE IF EXISTS " + WonCycles).Execute()
	return err
}
