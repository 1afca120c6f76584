package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/plugins/demo"
	"vinculo/plugins/search"
)

// bigData is the one data dir parts 3 and 4 share: the demo business at
// opts.big contacts with opts.bigActivities timeline entries each, one
// contact topped up to timelineTarget entries, and the bare copy of contacts.
type bigData struct {
	dir        string
	contacts   int
	activities int           // per contact, as asked of the demo
	fill       time.Duration // 0 when copied from -big-dir
	demo       demoLine
	dbBytes    int64  // data.db + WAL after the fill
	copied     string // -big-dir, when the data dir was copied instead of filled
	// indexedInBulk: rows the demo indexed for search itself, as it says.
	indexedInBulk int64

	contact      string // the contact with timelineTarget entries (demo contact 1)
	hadEntries   int    // its entries after the demo
	added        int    // entries copied in by SQL
	hasEntries   int    // its entries after the top-up
	addedIndexed int64  // search index rows the triggers wrote for the copies
	topUp        time.Duration

	bareNote string
	bare     time.Duration

	triggers     map[string][]string // search triggers by table
	bareTriggers int                 // triggers on bench_contacts (want 0)
}

// fillDemo runs `vinculo demo` into the data dir and records goal 8: the
// fill's wall time against what the demo's help claims (scaled to the rows
// asked), beside part 2's raw insert rate when this run measured it.
func (b *bigData) fillDemo(opts options) error {
	tag := fmt.Sprintf("[%d contacts, %d activities]", b.contacts, b.contacts*b.activities)
	fmt.Printf("%s vinculo demo --contacts %d --activities-per-contact %d (the import's bulk path: search index built in bulk) ...\n", tag, b.contacts, b.activities)
	load := loadAverage()
	t0 := time.Now()
	out, err := runDemo(opts.bin, b.dir, b.contacts, b.activities)
	if err != nil {
		return err
	}
	b.fill = time.Since(t0)
	if b.demo, err = parseDemo(out, b.contacts, b.fill); err != nil {
		return err
	}
	if m := demoIndexed.FindStringSubmatch(out); m != nil {
		b.indexedInBulk, _ = strconv.ParseInt(m[1], 10, 64)
	}
	b.dbBytes = fileSize(filepath.Join(b.dir, "data.db")) + fileSize(filepath.Join(b.dir, "data.db-wal"))
	fmt.Printf("%s   %s\n", tag, b.demo.raw)
	fmt.Printf("%s   whole command %s; data.db %s; load average before %s, after %s\n", tag, b.fill.Round(time.Second), mb(b.dbBytes), load, loadAverage())
	b.recordFillGoal()
	return nil
}

// fillText says how the data dir was made, for the report of parts 3-4.
func (b *bigData) fillText() string {
	if b.copied != "" {
		return fmt.Sprintf("   Copied from -big-dir %s (made before by vinculo demo; the fill, goal 8, not measured in this run), data.db %s.\n", b.copied, mb(b.dbBytes))
	}
	return fmt.Sprintf("   Fill, through the import's bulk path (one transaction per table, plain indexes made again after the load, search index\n"+
		"   built in bulk: %d rows): %s in all (the command's wall time; the help claims %s), data.db %s.\n"+
		"   The demo's own summary: %d new contacts, %d rows in bulk (contacts, activities, consents), %.0f rows/s.\n",
		b.indexedInBulk, b.fill.Round(time.Second), demo.ClaimedFill(b.contacts, b.activities).Round(time.Second), mb(b.dbBytes),
		b.demo.newContacts, b.demo.bulkRows, b.demo.rowsPerSec)
}

// demoIndexed is the demo summary's count of rows it indexed for search in bulk.
var demoIndexed = regexp.MustCompile(`(\d+) of them indexed for search in bulk`)

// recordFillGoal records goal 8. Its baseline is the help's claim (what
// the goal asks to make true); part 2's raw SQLite rate is given beside it
// for scale, not judged: it writes contacts alone, with no timeline,
// consents or search index.
func (b *bigData) recordFillGoal() {
	rows := b.demo.bulkRows
	rate := float64(rows) / b.fill.Seconds()
	claim := demo.ClaimedFill(b.contacts, b.activities)
	baseline := fmt.Sprintf("help: %s for 1M contacts × %d entries, scaled: %s", demo.MillionFill, demo.DefaultActivities, claim.Round(time.Second))
	if raw, n, ok := rawNoSearchRate(b.contacts); ok {
		baseline += fmt.Sprintf("; part 2 raw inserts (%d contacts, no search index): %.0f rows/s, fill %.2fx", n, raw, rate/raw)
	}
	recordGoal("3", fmt.Sprintf("8: vinculo demo --contacts %d --activities-per-contact %d within its help", b.contacts, b.activities),
		fmt.Sprintf("%s, %d rows, %.0f rows/s (load %s)", b.fill.Round(time.Second), rows, rate, loadAverage()), baseline, b.fill <= claim)
}

// copyFrom copies a data dir `vinculo demo` made before, and reads its size
// from its ids: the demo's contacts are ct<n>, its logged entries ac<n>.
func (b *bigData) copyFrom(src string) error {
	fmt.Printf("[big] copying the demo data dir %s (made before by vinculo demo) ...\n", src)
	t0 := time.Now()
	if out, err := exec.Command("cp", "-a", src, b.dir).CombinedOutput(); err != nil {
		return fmt.Errorf("copying %s: %v: %s", src, err, out)
	}
	db, err := openSide(b.dir)
	if err != nil {
		return err
	}
	defer db.Close()
	var contacts, entries int
	if err := db.QueryRow("SELECT IFNULL(CAST(substr(max(id), 3) AS INTEGER), 0) FROM contacts WHERE id GLOB 'ct[0-9]*'").Scan(&contacts); err != nil {
		return err
	}
	if err := db.QueryRow("SELECT IFNULL(CAST(substr(max(id), 3) AS INTEGER), 0) FROM activities WHERE id GLOB 'ac[0-9]*'").Scan(&entries); err != nil {
		return err
	}
	if contacts < 3 {
		return fmt.Errorf("%s holds %d demo contacts: not a data dir of vinculo demo", src, contacts)
	}
	b.contacts, b.activities, b.copied = contacts, entries/contacts, src
	b.dbBytes = fileSize(filepath.Join(b.dir, "data.db")) + fileSize(filepath.Join(b.dir, "data.db-wal"))
	fmt.Printf("[big]   %d contacts, %d timeline entries each, data.db %s, copied in %s\n", b.contacts, b.activities, mb(b.dbBytes), time.Since(t0).Round(time.Second))
	return nil
}

// timelineTarget is how many timeline entries the contact of part 3a has.
const timelineTarget = 1000

// targetContact is the demo's contact 1 (João Conceição, a portal customer):
// the one with requests, orders, subscriptions and consents, so every section
// of the 360 answer has something in it.
const targetContact = "ct0000000000001"

// bigDir is a data dir made before, copied instead of filling one.
var bigDir = flag.String("big-dir", "", "parts 3 and 4: copy this data dir, made before by `vinculo demo --contacts N --activities-per-contact 5` "+
	"(its N and 5 are read from it; -big and -big-activities-per-contact are then ignored), instead of filling one; the fill, goal 8, is then not measured")

// prepareBig fills the data dir of parts 3 and 4 (or copies -big-dir) and,
// while no server runs, gives the target contact timelineTarget entries
// and adds the bare copy of contacts (with a create rule, for part 4).
func prepareBig(opts options, root string) (*bigData, error) {
	b := &bigData{dir: filepath.Join(root, "big"), contacts: opts.big, activities: opts.bigActivities}
	if *bigDir != "" {
		if err := b.copyFrom(*bigDir); err != nil {
			return nil, err
		}
	} else if err := b.fillDemo(opts); err != nil {
		return nil, err
	}
	tag := fmt.Sprintf("[%d contacts, %d activities]", b.contacts, b.contacts*b.activities)

	fmt.Printf("%s giving %s %d timeline entries by SQL (the search triggers index them) ...\n", tag, targetContact, timelineTarget)
	t0 := time.Now()
	if err := b.topUpTimeline(); err != nil {
		return nil, fmt.Errorf("timeline top-up: %w", err)
	}
	b.topUp = time.Since(t0)
	fmt.Printf("%s   %d entries before, %d copied in, %d now; %d search index rows written by the triggers; %s\n",
		tag, b.hadEntries, b.added, b.hasEntries, b.addedIndexed, b.topUp.Round(time.Millisecond))

	fmt.Printf("%s creating %s (same fields and indexes, list/view/create rules \"\", rows copied by SQL) ...\n", tag, bareName)
	t0 = time.Now()
	var err error
	if b.bareNote, err = createBare(b.dir, true); err != nil {
		return nil, fmt.Errorf("bare collection: %w", err)
	}
	b.bare = time.Since(t0)
	fmt.Printf("%s   done in %s; %s\n", tag, b.bare.Round(time.Millisecond), b.bareNote)

	db, err := openSide(b.dir)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if b.triggers, err = searchTriggersByTable(db); err != nil {
		return nil, err
	}
	if err := db.QueryRow("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", bareName).Scan(&b.bareTriggers); err != nil {
		return nil, err
	}
	fmt.Printf("%s   triggers: %s; on %s: %d\n", tag, describeTriggers(b.triggers), bareName, b.bareTriggers)
	if b.bareTriggers != 0 {
		return nil, fmt.Errorf("%s has %d triggers; the baseline must have none", bareName, b.bareTriggers)
	}
	if len(b.triggers[demoContacts]) == 0 || len(b.triggers[demoActivities]) == 0 {
		return nil, fmt.Errorf("no search triggers on contacts or activities: %s", describeTriggers(b.triggers))
	}
	return b, nil
}

const (
	demoContacts   = "contacts"
	demoActivities = "activities"
)

// openSide opens the data dir's database beside the server (or while none
// runs) with PocketBase's own connection function and one connection.
func openSide(dir string) (*sql.DB, error) {
	conn, err := core.DefaultDBConnect(filepath.Join(dir, "data.db"))
	if err != nil {
		return nil, err
	}
	db := conn.DB()
	db.SetMaxOpenConns(1)
	return db, nil
}

// topUpTimeline copies existing staff-written entries of other contacts
// (event = ”, so the search triggers index them, as they index the demo's)
// to the target contact, with new ids, until it has timelineTarget entries.
// Plain SQL while no server runs: the triggers fire as for any insert.
func (b *bigData) topUpTimeline() error {
	db, err := openSide(b.dir)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.QueryRow("SELECT count(*) FROM activities WHERE contact = ?", targetContact).Scan(&b.hadEntries); err != nil {
		return err
	}
	var company string
	if err := db.QueryRow("SELECT company FROM contacts WHERE id = ?", targetContact).Scan(&company); err != nil {
		return fmt.Errorf("contact %s: %w", targetContact, err)
	}
	need := timelineTarget - b.hadEntries
	if need > 0 {
		var columns []string
		rows, err := db.Query("SELECT name FROM pragma_table_info('activities')")
		if err != nil {
			return err
		}
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				rows.Close()
				return err
			}
			columns = append(columns, name)
		}
		rows.Close()
		set := map[string]string{
			"id": "printf('bx%013d', n)", "contact": "?1", "company": "?2",
			"customer": "''", "deal": "''", "case": "''",
		}
		var names, values []string
		for _, c := range columns {
			names = append(names, "`"+c+"`")
			if v, ok := set[c]; ok {
				values = append(values, v)
			} else {
				values = append(values, "`"+c+"`")
			}
		}
		tx, err := db.Begin()
		if err != nil {
			return err
		}
		res, err := tx.Exec(fmt.Sprintf("INSERT INTO activities (%s) SELECT %s FROM (SELECT *, row_number() OVER () AS n FROM (SELECT * FROM activities WHERE contact != ?1 AND event = '' ORDER BY rowid LIMIT ?3))",
			strings.Join(names, ", "), strings.Join(values, ", ")), targetContact, company, need)
		if err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		b.added = int(n)
	}
	if err := db.QueryRow("SELECT count(*) FROM activities WHERE contact = ?", targetContact).Scan(&b.hasEntries); err != nil {
		return err
	}
	if err := db.QueryRow(fmt.Sprintf("SELECT count(*) FROM `%s` WHERE collection = 'activities' AND record LIKE 'bx%%'", search.MapTable)).Scan(&b.addedIndexed); err != nil {
		return err
	}
	if b.hasEntries != timelineTarget && b.hadEntries < timelineTarget {
		return fmt.Errorf("%s has %d entries, not %d", targetContact, b.hasEntries, timelineTarget)
	}
	return nil
}

// trigger is one search trigger as sqlite_master holds it.
type trigger struct{ name, table, sql string }

// searchTriggers are the triggers the search plugin made (see
// plugins/search/index.go: three per indexed collection).
func searchTriggers(db *sql.DB) ([]trigger, error) {
	rows, err := db.Query("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE ? ESCAPE '\\' ORDER BY name",
		strings.ReplaceAll(search.Table, "_", "\\_")+"\\_%")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []trigger
	for rows.Next() {
		var t trigger
		if err := rows.Scan(&t.name, &t.table, &t.sql); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func searchTriggersByTable(db *sql.DB) (map[string][]string, error) {
	list, err := searchTriggers(db)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, t := range list {
		out[t.table] = append(out[t.table], t.name)
	}
	return out, nil
}

func describeTriggers(m map[string][]string) string {
	var tables []string
	for t := range m {
		tables = append(tables, t)
	}
	slices.Sort(tables)
	var parts []string
	for _, t := range tables {
		parts = append(parts, fmt.Sprintf("%d search triggers on %s", len(m[t]), t))
	}
	if len(parts) == 0 {
		return "no search triggers"
	}
	return strings.Join(parts, ", ")
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

func mb(n int64) string {
	return fmt.Sprintf("%.0f MB", float64(n)/(1<<20))
}

// latRow is one measured line of parts 3 and 4.
type latRow struct {
	group       string // what the line belongs to
	name        string // what was asked
	concurrency int
	s           sample
	note        string // a check on what the answers held
}

// runBig serves the big data dir and measures parts 3a, 3b and 4 (those
// asked for) against the one server.
func runBig(ctx context.Context, opts options, b *bigData) (r360, rSearch []latRow, searchNotes []string, creates *createResult, err error) {
	s, err := serve(ctx, opts.bin, b.dir)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	defer s.stop()
	tag := fmt.Sprintf("[%d contacts, %d activities]", b.contacts, b.contacts*b.activities)
	fmt.Printf("%s vinculo serve on %s (rate limits off)\n", tag, s.url)

	client := newClient(max(10, opts.concurrency))
	token, agentID, err := signIn(client, s.url, "staff", agentEmail, agentPassword)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if opts.has("3a") {
		if r360, err = bench360(ctx, opts, client, s.url, token, tag); err != nil {
			return nil, nil, nil, nil, fmt.Errorf("part 3a: %w", err)
		}
	}
	if opts.has("3b") {
		if rSearch, searchNotes, err = benchSearch(ctx, opts, client, s.url, token, b, tag); err != nil {
			return nil, nil, nil, nil, fmt.Errorf("part 3b: %w", err)
		}
	}
	if opts.has("4") {
		if creates, err = benchCreates(ctx, opts, client, s.url, token, agentID, b, tag); err != nil {
			return nil, nil, nil, nil, fmt.Errorf("part 4: %w", err)
		}
	}
	s.stop()
	return r360, rSearch, searchNotes, creates, nil
}

// bigConcurrencies are the concurrency levels of parts 3 and 4.
var bigConcurrencies = []int{1, 10}

// measureAlternating measures each of urls at each concurrency level in two
// rounds, the second in reverse order, warm-up before each round.
func measureAlternating(ctx context.Context, opts options, client *http.Client, token string, group string, names, urls []string, notes []string, requests, warmup int) ([]latRow, error) {
	var rows []latRow
	for _, c := range bigConcurrencies {
		samples := make([]sample, len(urls))
		per := max(1, requests/2)
		for round := 0; round < 2; round++ {
			order := make([]int, len(urls))
			for i := range order {
				order[i] = i
			}
			if round == 1 {
				slices.Reverse(order)
			}
			for _, i := range order {
				load(ctx, client, urls[i], token, warmup, c, opts.runLimit)
				samples[i].add(load(ctx, client, urls[i], token, per, c, opts.runLimit))
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
			}
		}
		for i := range urls {
			rows = append(rows, latRow{group: group, name: names[i], concurrency: c, s: samples[i], note: notes[i]})
			fmt.Printf("    %-44s c=%-2d p50 %s, p99 %s\n", names[i], c, ms(samples[i].quantile(0.5)), ms(samples[i].quantile(0.99)))
		}
	}
	return rows, nil
}
