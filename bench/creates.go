package main

// Part 4 (-parts 4, or creates): in the data dir of part 3, a record create
// on contacts through the API (the timeline hook, the search triggers, the
// other plugins) against the same create on a bare copy, and again with the
// search triggers dropped, to split the cost.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"vinculo/plugins/search"
)

// createSide is one way of creating the same contact in part 4.
type createSide struct {
	name       string
	collection string
	search     bool // the search triggers are in place
}

var createSides = []createSide{
	{"vinculo", "contacts", true},
	{"vinculo, no search triggers", "contacts", false},
	{"bare", bareName, false},
}

// createLine is one side at one concurrency level.
type createLine struct {
	side        createSide
	concurrency int
	s           sample
	timeline    int64 // activities rows added while it was measured
	indexed     int64 // search index rows added while it was measured
	// cpu is the server's CPU time (user and system) while it was
	// measured, 0 when unknown: the work each create costs the server,
	// which other load on the machine sways much less than latency.
	cpu time.Duration
}

// cpuPerCreate is the server's CPU time per measured create, 0 when unknown.
func (l createLine) cpuPerCreate() time.Duration {
	if l.cpu <= 0 || len(l.s.latencies) == 0 {
		return 0
	}
	return l.cpu / time.Duration(len(l.s.latencies))
}

// serverAt is the running child serving base, nil when none.
func serverAt(base string) *server {
	cleanupMu.Lock()
	defer cleanupMu.Unlock()
	for s := range running {
		if s.url == base {
			return s
		}
	}
	return nil
}

type createResult struct {
	lines  []createLine
	checks []string
	body   string
}

// benchCreates measures POST /api/collections/{c}/records with one JSON body
// on the real contacts collection, on it with the search triggers dropped,
// and on the bare copy.
//
// The triggers are dropped and put back through a second connection while
// the server runs, between measured blocks: the search plugin heals missing
// triggers when the server starts (search.Sync at bootstrap, which would also
// rebuild the whole index), so dropping them while it is stopped does not
// last. The server never learns of it; the triggers are plain SQLite, so the
// rest of the create (hooks, rules, the timeline entry) is unchanged. They are
// put back with their exact text, which is also what Sync expects.
func benchCreates(ctx context.Context, opts options, client *http.Client, base, token, agentID string, b *bigData, tag string) (*createResult, error) {
	fmt.Printf("%s part 4: record create ...\n", tag)
	body, _ := json.Marshal(map[string]any{
		"name": "Contato Bench Gonçalves", "email": "contato.bench@bench.example", "mobile": "+5511987654321",
		"job_title": "Gerente de compras", "company": "co0000000000001", "owner": agentID, "stage": "lead",
		"tags": []string{"b2b"}, "source": "site", "preferred_channel": "email",
		"preferred_days": []string{"mon", "tue", "wed"}, "preferred_hours_start": "09:00", "preferred_hours_end": "18:00",
		"timezone": "America/Sao_Paulo", "language": "pt-BR", "max_contacts_per_week": 3,
	})
	res := &createResult{body: string(body)}
	srv := serverAt(base)

	db, err := openSide(b.dir)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	saved, err := searchTriggers(db)
	if err != nil {
		return nil, err
	}
	triggers := &searchSwitch{db: db, saved: saved, on: true}
	defer triggers.set(true)

	// What one create does on each side, checked once.
	for _, side := range createSides {
		if err := triggers.set(side.search); err != nil {
			return nil, err
		}
		id, err := postOnce(client, base+"/api/collections/"+side.collection+"/records", token, body)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", side.name, err)
		}
		var entries, indexed int
		if err := db.QueryRow("SELECT count(*) FROM activities WHERE contact = ?", id).Scan(&entries); err != nil {
			return nil, err
		}
		if err := db.QueryRow(fmt.Sprintf("SELECT count(*) FROM `%s` WHERE record = ?", search.MapTable), id).Scan(&indexed); err != nil {
			return nil, err
		}
		check := fmt.Sprintf("%s: one create of %s wrote %d timeline entries and %d search index rows", side.name, side.collection, entries, indexed)
		res.checks = append(res.checks, check)
		fmt.Printf("%s   %s\n", tag, check)
	}

	per := max(1, opts.creates/2)
	for _, c := range bigConcurrencies {
		lines := make([]createLine, len(createSides))
		for i := range lines {
			lines[i] = createLine{side: createSides[i], concurrency: c}
		}
		// Round 1: vinculo, bare, no search; round 2 the reverse: the
		// triggers change twice per level, and no side always runs first.
		for _, order := range [][]int{{0, 2, 1}, {1, 2, 0}} {
			for _, i := range order {
				side := createSides[i]
				if err := triggers.set(side.search); err != nil {
					return nil, err
				}
				u := base + "/api/collections/" + side.collection + "/records"
				if err := measureCreates(ctx, opts, client, db, srv, u, token, body, c, per, &lines[i]); err != nil {
					return nil, err
				}
			}
		}
		for _, l := range lines {
			fmt.Printf("    %-44s c=%-2d p50 %s, p99 %s, %.0f creates/s, server CPU %s a create\n", l.side.name, c,
				ms(l.s.quantile(0.5)), ms(l.s.quantile(0.99)), l.s.perSecond(), ms(l.cpuPerCreate()))
		}
		res.lines = append(res.lines, lines...)
	}
	if err := triggers.set(true); err != nil {
		return nil, err
	}
	return res, nil
}

// searchSwitch drops the search triggers and puts them back, with their
// exact text, through its own connection.
type searchSwitch struct {
	db    *sql.DB
	saved []trigger
	on    bool
}

func (s *searchSwitch) set(on bool) error {
	if on == s.on {
		return nil
	}
	tx, err := s.db.Begin()
	if err != nil {
		return err
	}
	for _, t := range s.saved {
		stmt := "DROP TRIGGER IF EXISTS `" + t.name + "`"
		if on {
			stmt = t.sql
		}
		if _, err := tx.Exec(stmt); err != nil {
			tx.Rollback()
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	now, err := searchTriggers(s.db)
	if err != nil {
		return err
	}
	if (on && len(now) != len(s.saved)) || (!on && len(now) != 0) {
		return fmt.Errorf("search triggers: %d after setting them %v", len(now), on)
	}
	s.on = on
	return nil
}

// measureCreates posts body to u: the warm-up, then per measured creates at
// concurrency c into l, with the timeline entries and search index rows they
// added and the CPU time srv (when known) spent meanwhile.
func measureCreates(ctx context.Context, opts options, client *http.Client, db *sql.DB, srv *server, u, token string, body []byte, c, per int, l *createLine) error {
	loadPost(ctx, client, u, body, token, opts.createWarmup, c, opts.runLimit)
	actMark, err := rowMark(db, "activities")
	if err != nil {
		return err
	}
	idxMark, err := rowMark(db, search.MapTable)
	if err != nil {
		return err
	}
	var cpu0 time.Duration
	if srv != nil {
		cpu0 = cpuTime(srv)
	}
	l.s.add(loadPost(ctx, client, u, body, token, per, c, opts.runLimit))
	if srv != nil && cpu0 > 0 {
		l.cpu += cpuTime(srv) - cpu0
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	a, err := rowsSince(db, "activities", actMark)
	if err != nil {
		return err
	}
	x, err := rowsSince(db, search.MapTable, idxMark)
	if err != nil {
		return err
	}
	l.timeline += a
	l.indexed += x
	return nil
}

// postOnce creates one record and returns its id.
func postOnce(client *http.Client, u, token string, body []byte) (string, error) {
	req, _ := http.NewRequest(http.MethodPost, u, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", token)
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("POST %s: HTTP %d: %s", u, resp.StatusCode, raw)
	}
	var out struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(raw, &out); err != nil || out.ID == "" {
		return "", fmt.Errorf("POST %s: unexpected answer %s", u, raw)
	}
	return out.ID, nil
}

// rowMark is the table's highest rowid: rows inserted later have higher ones.
func rowMark(db *sql.DB, table string) (int64, error) {
	var n int64
	err := db.QueryRow("SELECT coalesce(max(rowid), 0) FROM `" + table + "`").Scan(&n)
	return n, err
}

// rowsSince counts the rows of table inserted after mark and still there.
func rowsSince(db *sql.DB, table string, mark int64) (int64, error) {
	var n int64
	err := db.QueryRow("SELECT count(*) FROM `"+table+"` WHERE rowid > ?", mark).Scan(&n)
	return n, err
}
