// Package dealsum keeps the Sales board's (and the Team board's, team.go) running sums: per UTC day the
// deals created, won, lost and expected to close (by pipeline, owner,
// currency, stage and reason), and per UTC day the entries into each stage
// with how many of them moved forward since. SQLite triggers keep them in
// the same transaction as every write to deals, their stage history and the
// pipelines' stages, whoever writes (the app, an import, plain SQL), so the
// figures read from them are exact and live. The migration that creates
// them and the plugin that reads them share this one definition.
//
// Plain SQL tables, not collections: nobody reads them through the record
// API (the board reads them, and falls back to the deals themselves for a
// reader who may see only part of them), they need composite keys and are
// written only by the triggers.
package dealsum

import (
	"strings"

	"github.com/pocketbase/dbx"
)

// Tables.
const (
	DealDays   = "insights_deal_days"     // deals by day: created, won, lost, open by expected close
	StageDays  = "insights_stage_days"    // entries into a stage by day, and how many moved forward
	StageEntry = "insights_stage_entries" // one row per stage history row: its day, previous entry, forward or not
)

// Kinds of DealDays rows: the date that puts a deal in the row's day.
const (
	KindCreated = "created" // created; every deal
	KindWon     = "won"     // closed_at; status won
	KindLost    = "lost"    // closed_at; status lost, by reason
	KindOpen    = "open"    // expected_close; status open, by stage
)

// day is the UTC day of a stored date, as a stored date ("2026-03-01 00:00:00.000Z").
func day(col string) string { return "substr(" + col + ", 1, 10) || ' 00:00:00.000Z'" }

var tables = []string{
	`CREATE TABLE IF NOT EXISTS ` + DealDays + ` (
		kind TEXT NOT NULL, day TEXT NOT NULL, pipeline TEXT NOT NULL, owner TEXT NOT NULL, currency TEXT NOT NULL,
		stage TEXT NOT NULL, reason TEXT NOT NULL,
		n INTEGER NOT NULL, amount REAL NOT NULL, own REAL NOT NULL, staged REAL NOT NULL,
		PRIMARY KEY (kind, day, pipeline, owner, currency, stage, reason)
	) WITHOUT ROWID`,
	`CREATE TABLE IF NOT EXISTS ` + StageEntry + ` (
		id TEXT PRIMARY KEY NOT NULL, deal TEXT NOT NULL, pipeline TEXT NOT NULL, stage TEXT NOT NULL,
		at TEXT NOT NULL, prev_at TEXT NOT NULL, adv INTEGER NOT NULL
	) WITHOUT ROWID`,
	`CREATE INDEX IF NOT EXISTS idx_ise_deal ON ` + StageEntry + ` (deal)`,
	`CREATE INDEX IF NOT EXISTS idx_ise_at ON ` + StageEntry + ` (at, pipeline, stage, adv)`,
	`CREATE INDEX IF NOT EXISTS idx_ise_again ON ` + StageEntry + ` (prev_at, at, pipeline, stage, adv) WHERE prev_at != ''`,
	`CREATE TABLE IF NOT EXISTS ` + StageDays + ` (
		day TEXT NOT NULL, pipeline TEXT NOT NULL, stage TEXT NOT NULL, n INTEGER NOT NULL, adv INTEGER NOT NULL,
		PRIMARY KEY (day, pipeline, stage)
	) WITHOUT ROWID`,
}

// contributions is the SELECT of the DealDays rows deal r (NEW or OLD, or
// the alias of deals read from), times sign (1 or -1).
func contributions(r, sign, from string) string {
	c := func(col string) string { return "COALESCE(" + r + "." + col + ", '')" }
	amount := "COALESCE(" + r + ".amount, 0)"
	prob := "COALESCE(" + r + ".probability, 0)"
	row := func(kind, date, stage, reason, own, staged, cond string) string {
		return "SELECT '" + kind + "' AS kind, " + day(c(date)) + " AS day, " + c("pipeline") + " AS pipeline, " + c("owner") + " AS owner, " +
			c("currency") + " AS currency, " + stage + " AS stage, " + reason + " AS reason, " + sign + " AS n, " + sign + " * " + amount + " AS amount, " +
			sign + " * (" + own + ") AS own, " + sign + " * (" + staged + ") AS staged" + from + " WHERE " + c(date) + " != ''" + cond
	}
	return strings.Join([]string{
		row(KindCreated, "created", "''", "''", "0", "0", ""),
		row(KindWon, "closed_at", "''", "''", "0", "0", " AND "+r+".status = 'won'"),
		row(KindLost, "closed_at", "''", c("lost_reason"), "0", "0", " AND "+r+".status = 'lost'"),
		row(KindOpen, "expected_close", c("stage"), "''",
			"CASE WHEN "+prob+" != 0 THEN "+amount+" * "+prob+" / 100.0 ELSE 0 END",
			"CASE WHEN "+prob+" = 0 THEN "+amount+" ELSE 0 END", " AND "+r+".status = 'open'"),
	}, " UNION ALL ")
}

// addDeal adds (sign 1) or takes away (-1) deal r's rows.
func addDeal(r, sign string) string {
	return `INSERT INTO ` + DealDays + ` (kind, day, pipeline, owner, currency, stage, reason, n, amount, own, staged)
		SELECT * FROM (` + contributions(r, sign, "") + `) WHERE true
		ON CONFLICT (kind, day, pipeline, owner, currency, stage, reason) DO UPDATE SET
		n = n + excluded.n, amount = amount + excluded.amount, own = own + excluded.own, staged = staged + excluded.staged;`
}

// dropEmpty removes the rows left with no deal on the days deal r counted in.
func dropEmpty(r string) string {
	days := []string{}
	for _, col := range []string{"created", "closed_at", "expected_close"} {
		days = append(days, day("COALESCE("+r+"."+col+", '')"))
	}
	return `DELETE FROM ` + DealDays + ` WHERE kind IN ('created', 'won', 'lost', 'open') AND day IN (` + strings.Join(days, ", ") + `) AND n = 0;`
}

// dealColumns are the deal's columns the sums read; an update of any other
// column leaves them alone.
var dealColumns = []string{"created", "closed_at", "expected_close", "status", "pipeline", "owner", "currency", "stage", "lost_reason", "amount", "probability"}

func dealChanged() string {
	var c []string
	for _, col := range dealColumns {
		c = append(c, "OLD."+col+" IS NOT NEW."+col)
	}
	return strings.Join(c, " OR ")
}

// forward tells whether the deal of entry h moved forward out of h's stage
// at or after h: to a later stage (by position) that is not a lost one.
const forward = `EXISTS (SELECT 1 FROM deal_stage_history f
	JOIN pipeline_stages a ON a.id = f.from_stage JOIN pipeline_stages b ON b.id = f.to_stage
	WHERE f.deal = h.deal AND f.at >= h.at AND f.from_stage = h.to_stage AND b.kind != 'lost' AND b.position > a.position)`

// previous is when the deal last entered h's stage before h (” never):
// entries at the same moment are ordered by id.
const previous = `COALESCE((SELECT p.at FROM deal_stage_history p WHERE p.deal = h.deal AND p.to_stage = h.to_stage
	AND (p.at < h.at OR p.at = h.at AND p.id < h.id) ORDER BY p.at DESC, p.id DESC LIMIT 1), '')`

// restage makes the StageEntry and StageDays rows of the deals that cond
// selects (an SQL condition in which $ stands for the column of the deal)
// again from their history.
func restage(cond string) string {
	deals := strings.ReplaceAll(cond, "$", "deal")
	return `INSERT INTO ` + StageDays + ` (day, pipeline, stage, n, adv)
		SELECT ` + day("at") + `, pipeline, stage, -COUNT(*), -SUM(adv) FROM ` + StageEntry + ` WHERE ` + deals + ` GROUP BY 1, 2, 3
		ON CONFLICT (day, pipeline, stage) DO UPDATE SET n = n + excluded.n, adv = adv + excluded.adv;
	DELETE FROM ` + StageDays + ` WHERE n = 0 AND day IN (SELECT ` + day("at") + ` FROM ` + StageEntry + ` WHERE ` + deals + `);
	DELETE FROM ` + StageEntry + ` WHERE ` + deals + `;
	INSERT INTO ` + StageEntry + ` (id, deal, pipeline, stage, at, prev_at, adv)
		SELECT h.id, h.deal, COALESCE(h.pipeline, ''), COALESCE(h.to_stage, ''), h.at, ` + previous + `, ` + forward + `
		FROM deal_stage_history h WHERE h.at != '' AND ` + strings.ReplaceAll(cond, "$", "h.deal") + `;
	INSERT INTO ` + StageDays + ` (day, pipeline, stage, n, adv)
		SELECT ` + day("at") + `, pipeline, stage, COUNT(*), SUM(adv) FROM ` + StageEntry + ` WHERE ` + deals + ` GROUP BY 1, 2, 3
		ON CONFLICT (day, pipeline, stage) DO UPDATE SET n = n + excluded.n, adv = adv + excluded.adv;`
}

// Triggers by name: deals keep DealDays; a stage history row written or
// removed makes its deal's stage rows again; a stage moved or removed (what
// counts as forward changes) makes every deal's again.
var Triggers = []struct{ Name, SQL string }{
	{"insights_deal_days_ai", `CREATE TRIGGER insights_deal_days_ai AFTER INSERT ON deals BEGIN ` + addDeal("NEW", "1") + ` END`},
	{"insights_deal_days_ad", `CREATE TRIGGER insights_deal_days_ad AFTER DELETE ON deals BEGIN ` + addDeal("OLD", "-1") + dropEmpty("OLD") + ` END`},
	{"insights_deal_days_au", `CREATE TRIGGER insights_deal_days_au AFTER UPDATE OF ` + strings.Join(dealColumns, ", ") + ` ON deals
		WHEN ` + dealChanged() + ` BEGIN ` + addDeal("OLD", "-1") + addDeal("NEW", "1") + dropEmpty("OLD") + ` END`},
	{"insights_stage_ai", `CREATE TRIGGER insights_stage_ai AFTER INSERT ON deal_stage_history BEGIN ` + restage("$ = NEW.deal") + ` END`},
	{"insights_stage_ad", `CREATE TRIGGER insights_stage_ad AFTER DELETE ON deal_stage_history BEGIN ` + restage("$ = OLD.deal") + ` END`},
	{"insights_stage_au", `CREATE TRIGGER insights_stage_au AFTER UPDATE ON deal_stage_history BEGIN ` +
		restage("$ = OLD.deal") + restage("$ = NEW.deal AND NEW.deal IS NOT OLD.deal") + ` END`},
	{"insights_stage_moved", `CREATE TRIGGER insights_stage_moved AFTER UPDATE OF position, kind ON pipeline_stages
		WHEN OLD.position IS NOT NEW.position OR OLD.kind IS NOT NEW.kind BEGIN ` + restageAll + ` END`},
	{"insights_stage_gone", `CREATE TRIGGER insights_stage_gone AFTER DELETE ON pipeline_stages BEGIN ` + restageAll + ` END`},
}

// restageAll makes every stage row again.
var restageAll = `DELETE FROM ` + StageDays + `; DELETE FROM ` + StageEntry + `;
	INSERT INTO ` + StageEntry + ` (id, deal, pipeline, stage, at, prev_at, adv)
		SELECT h.id, h.deal, COALESCE(h.pipeline, ''), COALESCE(h.to_stage, ''), h.at, ` + previous + `, ` + forward + `
		FROM deal_stage_history h WHERE h.at != '';
	INSERT INTO ` + StageDays + ` (day, pipeline, stage, n, adv)
		SELECT ` + day("at") + `, pipeline, stage, COUNT(*), SUM(adv) FROM ` + StageEntry + ` GROUP BY 1, 2, 3;`

// Rebuild makes every sum again from the deals and their history.
func Rebuild(db dbx.Builder) error {
	for _, s := range []string{
		`DELETE FROM ` + DealDays,
		`INSERT INTO ` + DealDays + ` (kind, day, pipeline, owner, currency, stage, reason, n, amount, own, staged)
			SELECT kind, day, pipeline, owner, currency, stage, reason, SUM(n), SUM(amount), SUM(own), SUM(staged)
			FROM (` + contributions("d", "1", " FROM deals d") + `) GROUP BY 1, 2, 3, 4, 5, 6, 7`,
	} {
		if _, err := db.NewQuery(s).Execute(); err != nil {
			return err
		}
	}
	return execAll(db, restageAll)
}

// execAll runs statements separated by ";\n" or "; ".
func execAll(db dbx.Builder, script string) error {
	for _, s := range strings.Split(script, ";") {
		if strings.TrimSpace(s) == "" {
			continue
		}
		if _, err := db.NewQuery(s).Execute(); err != nil {
			return err
		}
	}
	return nil
}

// Create makes the tables and triggers as this version has them, and fills
// the sums from the rows when a trigger was missing or different (a new
// data dir, an older version's, a table PocketBase made again). It reads
// only sqlite_master when all is as it should be.
func Create(db dbx.Builder) error {
	all := append(append([]struct{ Name, SQL string }{}, Triggers...), TeamTriggers...)
	where := "name LIKE 'insights_deal_days_%' OR name LIKE 'insights_stage_%' OR name LIKE 'insights_team_%'"
	return renew(db, where, all, append(tables, teamTable), func(db dbx.Builder) error {
		if err := Rebuild(db); err != nil {
			return err
		}
		return RebuildTeam(db)
	})
}

// renew keeps a kept table's triggers as this version has them: when the
// triggers named by where differ from want in any way, they are dropped,
// the tables made (CREATE … IF NOT EXISTS), filled again by rebuild, and
// the triggers made anew. It reads only sqlite_master when all is as it
// should be.
func renew(db dbx.Builder, where string, want []struct{ Name, SQL string }, tables []string, rebuild func(dbx.Builder) error) error {
	var stored []struct {
		Name string `db:"name"`
		SQL  string `db:"sql"`
	}
	if err := db.NewQuery("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND (" + where + ")").All(&stored); err != nil {
		return err
	}
	have := map[string]string{}
	for _, s := range stored {
		have[s.Name] = s.SQL
	}
	same := len(have) == len(want)
	for _, t := range want {
		same = same && have[t.Name] == t.SQL
	}
	if same {
		return nil
	}
	for name := range have {
		if _, err := db.NewQuery("DROP TRIGGER IF EXISTS " + name).Execute(); err != nil {
			return err
		}
	}
	for _, s := range tables {
		if _, err := db.NewQuery(s).Execute(); err != nil {
			return err
		}
	}
	if err := rebuild(db); err != nil {
		return err
	}
	for _, t := range want {
		if _, err := db.NewQuery(t.SQL).Execute(); err != nil {
			return err
		}
	}
	return nil
}

// Drop removes the tables and triggers.
func Drop(db dbx.Builder) error {
	for _, t := range append(append([]struct{ Name, SQL string }{}, Triggers...), TeamTriggers...) {
		if _, err := db.NewQuery("DROP TRIGGER IF EXISTS " + t.Name).Execute(); err != nil {
			return err
		}
	}
	for _, t := range []string{DealDays, StageDays, StageEntry, TeamDays} {
		if _, err := db.NewQuery("DROP TABLE IF EXISTS " + t).Execute(); err != nil {
			return err
		}
	}
	return nil
}
