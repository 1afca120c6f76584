package main

// Part 12 (-parts 12, or insights): the Insights boards at scale. A data dir
// of the demo business at -insights-contacts contacts gets, by bulk SQL
// inserts while no server runs (the fill is not what is measured),
// -insights-deals deals with their stage history, -insights-orders orders,
// -insights-requests requests and tasks (a fifth of the requests), spread over
// the last two years. Then, for each board with figures and the periods
// this_month and this_year, the board's API answer (GET
// /api/crm/insights/<board> as the demo's agent, one request at a time, every
// figure for the period and the previous one) against the same figures'
// SQL run straight on SQLite in the same run: every query the board's
// figures send, captured in process, replayed on a plain connection and read
// to the end, without HTTP, Go aggregation or JSON. Last, EXPLAIN QUERY PLAN
// of every captured query, flagging a full scan of a big table.

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/insights"
)

var (
	insightsContacts  = flag.Int("insights-contacts", 1000000, "part 12: demo contacts")
	insightsDeals     = flag.Int("insights-deals", 200000, "part 12: deals added by SQL (with about two stage history rows each)")
	insightsOrders    = flag.Int("insights-orders", 1000000, "part 12: orders added by SQL")
	insightsRequests  = flag.Int("insights-requests", 500000, "part 12: requests added by SQL (and a fifth as many tasks)")
	insightsDemoDir   = flag.String("insights-demo-dir", "", "part 12: copy this data dir, made before by `vinculo demo --contacts N --activities-per-contact 0`, instead of running the demo")
	insightsRounds    = flag.Int("insights-requests-per-line", 40, "part 12: measured board requests per board and period (and as many SQL replays)")
	insightsSQLRounds = flag.Int("insights-sql-rounds", 0, "part 12: SQL replays per line when fewer than the board requests (0: one beside each request, after 3 unmeasured); with N > 0 the SQL side runs only beside the first N measured requests, unwarmed (the Customers board's plain SQL takes minutes a round at 1M)")
	insightsDir       = flag.String("insights-dir", "", "part 12: a data dir kept between runs: if it holds the fill already (its marker file "+insightsMarker+"), measure it in place, no copy; otherwise make it (copy -insights-demo-dir or run the demo into it), fill it and write the marker. Never removed by the bench")
	insightsBoards    = flag.String("insights-boards", "", "part 12: the boards to measure, comma separated (sales,service,customers,team); all by default")
)

// insightsMarker is the file a kept data dir gets once its fill is complete;
// it holds what the fill added.
const insightsMarker = "insights-fill.txt"

// bigTables are the tables a figure may never scan whole.
var bigTables = []string{"deals", "deal_stage_history", "cases", "tasks", "orders", "contacts", "activities", "subscriptions", "survey_answers",
	"insights_case_facts", "insights_case_months", "insights_customer_spans", "insights_customer_months", "insights_customer_buys"}

func runInsightsPart(ctx context.Context, opts options, root string) error {
	if err := needBinary(opts.bin, "part 12"); err != nil {
		return err
	}
	boards, err := chosenBoards()
	if err != nil {
		return err
	}
	dir, counts, err := insightsData(opts, root)
	if err != nil {
		return err
	}
	if *insightsDir == "" {
		defer os.RemoveAll(dir)
	}
	if err := ensureInsightsSummaries(dir); err != nil { // insights_summaries.go
		return err
	}
	// The server first: it applies the migrations a kept data dir may not
	// have yet, before the figures' queries are captured in process.
	s, err := serve(ctx, opts.bin, dir)
	if err != nil {
		return err
	}
	defer s.stop()
	queries, err := captureQueries(dir, boards)
	if err != nil {
		return fmt.Errorf("capturing the figures' queries: %w", err)
	}
	client := &http.Client{Timeout: 5 * time.Minute}
	token, _, err := signIn(client, s.url, "staff", agentEmail, agentPassword)
	if err != nil {
		return err
	}
	db, err := openSide(dir)
	if err != nil {
		return err
	}
	defer db.Close()

	fmt.Printf("\nInsights boards (%s); one request at a time, %d measured per line after 3 unmeasured; load average %s\n", counts, *insightsRounds, loadAverage())
	if n := *insightsSQLRounds; n > 0 && n < *insightsRounds {
		fmt.Printf("SQL side: %d round(s) per line only (-insights-sql-rounds), beside the first measured requests, without unmeasured ones: its p50 and p99 are of %d value(s)\n", n, n)
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "board\tperiod\tfigures\tSQL aggregates\tAPI p50\tAPI p99\tSQL p50\tSQL p99\tp50 ratio\t")
	for _, key := range queries.order {
		qs := queries.sqlSide[key]
		api, sqlSide, err := measureBoard(ctx, client, s.url, token, db, key, qs)
		if err != nil {
			return err
		}
		board, period, _ := strings.Cut(key, " ")
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t\n", board, period, len(insights.Figures(board)), len(qs),
			ms(api.quantile(0.5)), ms(api.quantile(0.99)), ms(sqlSide.quantile(0.5)), ms(sqlSide.quantile(0.99)),
			ratio(api.quantile(0.5).Seconds(), sqlSide.quantile(0.5).Seconds()))
		p50, sqlP50 := api.quantile(0.5), sqlSide.quantile(0.5)
		recordGoal("12", fmt.Sprintf("insights %s board, %s: p50 ≤ 2× its SQL aggregates' p50 and < 300 ms", board, period),
			fmt.Sprintf("p50 %s, p99 %s", ms(p50), ms(api.quantile(0.99))),
			fmt.Sprintf("SQL p50 %s, p99 %s (%d queries, SQL rounds: %d)", ms(sqlP50), ms(sqlSide.quantile(0.99)), len(qs), len(sqlSide.latencies)),
			p50 <= 2*sqlP50 && p50 < 300*time.Millisecond)
	}
	tw.Flush()
	fmt.Printf("load average after the boards: %s\n", loadAverage())
	return printPlans(db, queries)
}

// insightsData makes (or finds) the filled data dir and says what it holds:
// a temp dir under root filled now, or -insights-dir, filled once and kept.
func insightsData(opts options, root string) (dir, counts string, err error) {
	dir = filepath.Join(root, "insights")
	if *insightsDir != "" {
		dir = *insightsDir
		if b, err := os.ReadFile(filepath.Join(dir, insightsMarker)); err == nil {
			counts = strings.TrimSpace(string(b))
			fmt.Printf("[insights] measuring %s in place, filled before: %s (the size flags are ignored)\n", dir, counts)
			return dir, counts, nil
		}
		if _, err := os.Stat(dir); err == nil {
			return "", "", fmt.Errorf("%s exists without %s (a fill that did not finish?): remove it, or give another -insights-dir", dir, insightsMarker)
		}
	}
	t0 := time.Now()
	if *insightsDemoDir != "" {
		fmt.Printf("[insights] copying the demo data dir %s (made before by vinculo demo --contacts N) ...\n", *insightsDemoDir)
		if out, err := exec.Command("cp", "-a", *insightsDemoDir, dir).CombinedOutput(); err != nil {
			return "", "", fmt.Errorf("copying %s: %v: %s", *insightsDemoDir, err, out)
		}
	} else if err := demoData(opts.bin, dir, "[insights]", *insightsContacts); err != nil {
		return "", "", err
	}
	fmt.Printf("[insights] demo data dir ready in %s\n", time.Since(t0).Round(time.Second))
	t0 = time.Now()
	if counts, err = fillInsights(dir); err != nil {
		return "", "", fmt.Errorf("filling: %w", err)
	}
	fmt.Printf("[insights] bulk SQL fill: %s in %s (load average %s)\n", counts, time.Since(t0).Round(time.Second), loadAverage())
	if *insightsDir != "" {
		if err := os.WriteFile(filepath.Join(dir, insightsMarker), []byte(counts+"\n"), 0o644); err != nil {
			return "", "", err
		}
	}
	return dir, counts, nil
}

// chosenBoards are the boards -insights-boards names (every board with
// figures when it is empty).
func chosenBoards() ([]string, error) {
	var out []string
	for _, b := range insights.Boards {
		if len(insights.Figures(b)) > 0 && (*insightsBoards == "" || slices.Contains(strings.Split(*insightsBoards, ","), b)) {
			out = append(out, b)
		}
	}
	for _, b := range strings.Split(*insightsBoards, ",") {
		if b != "" && !slices.Contains(insights.Boards, b) {
			return nil, fmt.Errorf("-insights-boards: unknown board %q (known: %s)", b, strings.Join(insights.Boards, ", "))
		}
	}
	return out, nil
}

// captured are the queries each board's figures send, by "board period".
type captured struct {
	order   []string
	byBoard map[string][]string
	figure  map[string]string   // query -> board/figure
	sqlSide map[string][]string // "board period" -> the figures' plain SQL aggregates, both periods
}

// captureQueries opens the data dir in process, computes every figure of
// every board for this_month and this_year (and the previous periods), and
// records the SQL each sends, with its parameters written in.
func captureQueries(dir string, boards []string) (*captured, error) {
	var mu sync.Mutex
	var log []string
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir, DBConnect: func(path string) (*dbx.DB, error) {
		db, err := core.DefaultDBConnect(path)
		if err == nil {
			db.QueryLogFunc = func(_ context.Context, _ time.Duration, s string, _ *sql.Rows, _ error) {
				mu.Lock()
				log = append(log, s)
				mu.Unlock()
			}
		}
		return db, err
	}})
	if err := app.Bootstrap(); err != nil {
		return nil, err
	}
	defer app.ResetBootstrapState()
	cfg := crm.DefaultConfig()
	if b, err := storedBusiness(app); err == nil { // insights_summaries.go: the server's settings
		cfg.SetBusiness(b)
	}
	out := &captured{byBoard: map[string][]string{}, figure: map[string]string{}, sqlSide: map[string][]string{}}
	churn := cfg.BusinessNow().ChurnWindow()
	for _, board := range boards {
		for _, period := range []string{insights.PeriodThisMonth, insights.PeriodThisYear} {
			cur, prev, err := insights.ParsePeriod(url.Values{"period": {period}}, time.Now(), cfg.BusinessNow().Location())
			if err != nil {
				return nil, err
			}
			key := board + " " + period
			out.order = append(out.order, key)
			out.sqlSide[key] = append(sqlFigures(board, insights.ForBusiness(cfg, cur), churn), sqlFigures(board, insights.ForBusiness(cfg, prev), churn)...)
			for _, d := range insights.Figures(board) {
				mu.Lock()
				log = log[:0]
				mu.Unlock()
				for _, q := range []insights.Query{cur, prev} {
					if _, err := d.Compute(app, insights.ForBusiness(cfg, q)); err != nil {
						return nil, fmt.Errorf("%s/%s: %w", board, d.Key, err)
					}
				}
				mu.Lock()
				for _, s := range log {
					out.byBoard[key] = append(out.byBoard[key], s)
					out.figure[s] = board + "/" + d.Key
				}
				mu.Unlock()
			}
		}
	}
	return out, nil
}

// measureBoard times the board's route and the replay of its queries,
// alternating, one at a time.
func measureBoard(ctx context.Context, client *http.Client, base, token string, db *sql.DB, key string, queries []string) (api, sqlSide sample, err error) {
	board, period, _ := strings.Cut(key, " ")
	u := base + "/api/crm/insights/" + board + "?period=" + period
	replay := func() error {
		for _, q := range queries {
			rows, err := db.QueryContext(ctx, q)
			if err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
			for rows.Next() {
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	}
	for i := 0; i < 3+*insightsRounds; i++ {
		t0 := time.Now()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		req.Header.Set("Authorization", token)
		if err := roundTrip(client, req, http.StatusOK); err != nil {
			return api, sqlSide, fmt.Errorf("%s: %w", u, err)
		}
		took := time.Since(t0)
		// fewer SQL rounds (-insights-sql-rounds): only beside the first
		// measured requests
		withSQL := *insightsSQLRounds <= 0 || i >= 3 && i < 3+*insightsSQLRounds
		t1 := time.Now()
		if withSQL {
			if err := replay(); err != nil {
				return api, sqlSide, err
			}
		}
		tookSQL := time.Since(t1)
		if i >= 3 {
			api.latencies = append(api.latencies, took)
			if withSQL {
				sqlSide.latencies = append(sqlSide.latencies, tookSQL)
			}
		}
	}
	return api, sqlSide, nil
}

// printPlans prints the query plan of every distinct captured query, and
// says whether any scans a big table whole.
func printPlans(db *sql.DB, c *captured) error {
	fmt.Printf("\nQuery plans of the figures' queries (this_year; SCAN of a big table without an index = full scan)\n")
	seen := map[string]bool{}
	full := 0
	for _, key := range c.order {
		if !strings.HasSuffix(key, insights.PeriodThisYear) {
			continue
		}
		for _, q := range c.byBoard[key] {
			shape := c.figure[q] + " " + planKey(q)
			if seen[shape] {
				continue
			}
			seen[shape] = true
			rows, err := db.Query("EXPLAIN QUERY PLAN " + q)
			if err != nil {
				return fmt.Errorf("plan of %s: %w", q, err)
			}
			var lines []string
			for rows.Next() {
				var id, parent, notused int
				var detail string
				if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
					rows.Close()
					return err
				}
				flag := ""
				if isFullScan(detail) {
					flag, full = "   <-- FULL SCAN", full+1
				}
				lines = append(lines, "    "+detail+flag)
			}
			rows.Close()
			took, err := timeQuery(db, q)
			if err != nil {
				return err
			}
			fmt.Printf("  %s (%s)\n%s\n", c.figure[q], ms(took), strings.Join(lines, "\n"))
		}
	}
	fmt.Printf("Full scans of a big table: %d\n", full)
	return nil
}

// timeQuery runs q once, reading every row.
func timeQuery(db *sql.DB, q string) (time.Duration, error) {
	t0 := time.Now()
	rows, err := db.Query(q)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
	}
	rows.Close()
	return time.Since(t0), rows.Err()
}

// planKey is a query without its literal values, so that the current and
// previous periods' queries print one plan.
func planKey(q string) string {
	var b strings.Builder
	in := false
	for _, r := range q {
		if r == '\'' {
			in = !in
			continue
		}
		if !in {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isFullScan: a SCAN (with or without an index: a whole index walked is as
// long) of a big table, named or under the aliases the figures give them.
func isFullScan(detail string) bool {
	f := strings.Fields(detail)
	if len(f) < 2 || f[0] != "SCAN" {
		return false
	}
	return slices.Contains(bigTables, f[1]) || slices.Contains([]string{"d", "h", "f", "x"}, f[1])
}

// fillInsights adds deals, stage history, orders, requests and tasks by
// plain SQL while no server runs; the search triggers index them as any
// insert. It returns what it added.
func fillInsights(dir string) (string, error) {
	db, err := openSide(dir)
	if err != nil {
		return "", err
	}
	defer db.Close()
	f := &filler{db: db, r: rand.New(rand.NewPCG(12, 17)), now: time.Now().UTC()}
	if err := f.load(); err != nil {
		return "", err
	}
	for _, step := range []func() error{f.deals, f.orders, f.requests, f.tasks} {
		if err := step(); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("%d contacts, %d deals, %d stage moves, %d orders, %d requests, %d tasks",
		len(f.contacts), *insightsDeals, f.moves, *insightsOrders, *insightsRequests, *insightsRequests/5), nil
}

// filler writes the rows, one transaction per table.
type filler struct {
	db       *sql.DB
	r        *rand.Rand
	now      time.Time
	contacts []string
	staff    []string
	types    []string
	stages   map[string][]stageRow // by pipeline
	pipes    []string
	moves    int
}

type stageRow struct {
	id, kind string
}

func (f *filler) load() error {
	var err error
	if f.contacts, err = column(f.db, "SELECT id FROM contacts"); err != nil {
		return err
	}
	if f.staff, err = column(f.db, "SELECT id FROM staff WHERE role != 'readonly'"); err != nil {
		return err
	}
	if f.types, err = column(f.db, "SELECT id FROM case_types"); err != nil {
		return err
	}
	if f.pipes, err = column(f.db, "SELECT id FROM pipelines"); err != nil {
		return err
	}
	f.stages = map[string][]stageRow{}
	rows, err := f.db.Query("SELECT pipeline, id, kind FROM pipeline_stages ORDER BY pipeline, position")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var p string
		var s stageRow
		if err := rows.Scan(&p, &s.id, &s.kind); err != nil {
			return err
		}
		f.stages[p] = append(f.stages[p], s)
	}
	if len(f.contacts) == 0 || len(f.staff) == 0 || len(f.types) == 0 || len(f.pipes) == 0 {
		return fmt.Errorf("the demo made no contacts, staff, request types or pipelines")
	}
	return rows.Err()
}

func column(db *sql.DB, q string) ([]string, error) {
	rows, err := db.Query(q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

const idChars = "abcdefghijklmnopqrstuvwxyz0123456789"

func (f *filler) id() string {
	b := make([]byte, 15)
	for i := range b {
		b[i] = idChars[f.r.IntN(len(idChars))]
	}
	return string(b)
}

func (f *filler) pick(list []string) string { return list[f.r.IntN(len(list))] }

// past is a moment in the last two years, more of them recent.
func (f *filler) past() time.Time {
	return f.now.Add(-time.Duration(f.r.Float64() * f.r.Float64() * 730 * 24 * float64(time.Hour)))
}

func ts(t time.Time) string { return insights.DBTime(t) }

// rowWriter inserts rows with multi-row prepared INSERTs (as many rows per
// statement as stay under 900 parameters) inside one transaction per table:
// the fill's rows go in at SQLite's bulk speed, with every index and search
// trigger of the app in place (they index each row as any insert).
type rowWriter struct {
	tx      *sql.Tx
	table   string
	cols    []string
	perStmt int
	stmt    *sql.Stmt
	args    []any
}

func newRowWriter(tx *sql.Tx, table string, cols ...string) *rowWriter {
	return &rowWriter{tx: tx, table: table, cols: cols, perStmt: max(1, 900/len(cols))}
}

func (w *rowWriter) insertSQL(rows int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(w.cols)), ",") + ")"
	return "INSERT INTO " + w.table + " (" + strings.Join(w.cols, ", ") + ") VALUES " + strings.TrimSuffix(strings.Repeat(one+",", rows), ",")
}

// add queues one row, writing a full statement's worth.
func (w *rowWriter) add(values ...any) error {
	w.args = append(w.args, values...)
	if len(w.args) < w.perStmt*len(w.cols) {
		return nil
	}
	if w.stmt == nil {
		var err error
		if w.stmt, err = w.tx.Prepare(w.insertSQL(w.perStmt)); err != nil {
			return err
		}
	}
	_, err := w.stmt.Exec(w.args...)
	w.args = w.args[:0]
	return err
}

// flush writes what is queued.
func (w *rowWriter) flush() error {
	if w.stmt != nil {
		defer w.stmt.Close()
	}
	if len(w.args) == 0 {
		return nil
	}
	_, err := w.tx.Exec(w.insertSQL(len(w.args)/len(w.cols)), w.args...)
	w.args = w.args[:0]
	return err
}

// batch writes n rows of table in one transaction; row gives each row's
// values in cols' order, and may queue rows of other tables through more.
func (f *filler) batch(n int, table string, cols []string, row func(i int, more *extraRows) ([]any, error), extra ...tableCols) error {
	tx, err := f.db.Begin()
	if err != nil {
		return err
	}
	w := newRowWriter(tx, table, cols...)
	more := &extraRows{}
	for _, e := range extra {
		more.writers = append(more.writers, newRowWriter(tx, e.table, e.cols...))
	}
	for i := 0; i < n; i++ {
		values, err := row(i, more)
		if err == nil {
			err = w.add(values...)
		}
		if err != nil {
			tx.Rollback()
			return fmt.Errorf("%s: %w", table, err)
		}
	}
	for _, x := range append([]*rowWriter{w}, more.writers...) {
		if err := x.flush(); err != nil {
			tx.Rollback()
			return fmt.Errorf("%s: %w", x.table, err)
		}
	}
	return tx.Commit()
}

type tableCols struct {
	table string
	cols  []string
}

// extraRows are the writers of the other tables a batch fills alongside.
type extraRows struct{ writers []*rowWriter }

// deals: each in a pipeline, created in the last two years, its history
// from its first stage to where it is: a third won, a quarter lost, the
// rest open with an expected close date around now.
func (f *filler) deals() error {
	currencies := []string{"BRL", "BRL", "BRL", "BRL", "USD", "EUR"}
	cols := strings.Fields("id title contact pipeline stage amount currency expected_close probability owner status lost_reason closed_at stage_changed_at created updated")
	history := tableCols{"deal_stage_history", strings.Fields("id deal pipeline from_stage to_stage status at days_in_previous created updated")}
	return f.batch(*insightsDeals, "deals", cols, func(i int, more *extraRows) ([]any, error) {
		p := f.pick(f.pipes)
		stages := f.stages[p]
		created := f.past()
		status, stage, closed, reason := "open", stages[f.r.IntN(len(stages))], "", ""
		roll := f.r.Float64()
		for _, s := range stages {
			if roll < 0.33 && s.kind == "won" || roll >= 0.33 && roll < 0.58 && s.kind == "lost" {
				stage = s
			}
		}
		if stage.kind != "open" {
			status = stage.kind
			closed = ts(created.Add(time.Duration(1+f.r.IntN(90)) * 24 * time.Hour))
			if stage.kind == "lost" {
				reason = []string{"Price", "Timing", "Competitor", "No budget"}[f.r.IntN(4)]
			}
		}
		expected := f.now.Add(time.Duration(f.r.IntN(240)-60) * 24 * time.Hour)
		row := []any{f.id(), fmt.Sprintf("Deal %d", i), f.pick(f.contacts), p, stage.id, float64(100 + f.r.IntN(50000)),
			currencies[f.r.IntN(len(currencies))], ts(expected), 0, f.pick(f.staff), status, reason, closed, ts(created), ts(created), ts(created)}
		return row, f.history(more.writers[0], row)
	}, history)
}

// history writes the deal's moves: created in the first stage, then each
// stage up to its own (a won or lost one straight from the last open).
func (f *filler) history(w *rowWriter, a []any) error {
	deal, p, stage, created := a[0].(string), a[3].(string), a[4].(string), a[14].(string)
	at := insights.ParseDBTime(created)
	prev := ""
	for _, s := range f.stages[p] {
		if s.kind != "open" && s.id != stage {
			continue
		}
		if err := w.add(f.id(), deal, p, prev, s.id, s.kind, ts(at), 1, ts(at), ts(at)); err != nil {
			return err
		}
		f.moves++
		if s.id == stage {
			break
		}
		prev, at = s.id, at.Add(time.Duration(1+f.r.IntN(20))*24*time.Hour)
	}
	return nil
}

func (f *filler) orders() error {
	cols := strings.Fields("id number contact items total currency status placed_at created updated")
	return f.batch(*insightsOrders, "orders", cols, func(i int, _ *extraRows) ([]any, error) {
		at := ts(f.past())
		total := float64(10 + f.r.IntN(2000))
		return []any{f.id(), fmt.Sprintf("B-%08d", i), f.pick(f.contacts), fmt.Sprintf(`[{"name":"Item","quantity":1,"unit_price":%v}]`, total),
			total, "BRL", []string{"paid", "paid", "delivered", "placed", "cancelled"}[f.r.IntN(5)], at, at, at}, nil
	})
}

// requests: most closed within days, a tenth still open; answered within
// hours, most of them.
func (f *filler) requests() error {
	channels := []string{"email", "phone", "portal", "whatsapp"}
	cols := strings.Fields("id reference type contact subject status closed priority assignee channel first_response_at closed_at created updated")
	return f.batch(*insightsRequests, "cases", cols, func(i int, _ *extraRows) ([]any, error) {
		created := f.past()
		answered, closedAt, closed, status := "", "", false, "new"
		if f.r.IntN(10) > 0 {
			answered = ts(created.Add(time.Duration(1+f.r.IntN(48)) * time.Hour))
		}
		if f.r.IntN(10) > 0 {
			closedAt, closed, status = ts(created.Add(time.Duration(2+f.r.IntN(300))*time.Hour)), true, "done"
		}
		assignee := ""
		if f.r.IntN(8) > 0 {
			assignee = f.pick(f.staff)
		}
		return []any{f.id(), fmt.Sprintf("BEN-%07d", i), f.pick(f.types), f.pick(f.contacts), fmt.Sprintf("Request %d", i), status, closed,
			"normal", assignee, channels[f.r.IntN(len(channels))], answered, closedAt, ts(created), ts(created)}, nil
	})
}

func (f *filler) tasks() error {
	cols := strings.Fields("id title due assignee status done_at contact created updated")
	return f.batch(*insightsRequests/5, "tasks", cols, func(i int, _ *extraRows) ([]any, error) {
		created := f.past()
		due := created.Add(time.Duration(1+f.r.IntN(14)) * 24 * time.Hour)
		status, done := "open", ""
		if f.r.IntN(4) > 0 {
			status, done = "done", ts(created.Add(time.Duration(1+f.r.IntN(20))*24*time.Hour))
		}
		return []any{f.id(), fmt.Sprintf("Task %d", i), ts(due), f.pick(f.staff), status, done, f.pick(f.contacts), ts(created), ts(created)}, nil
	})
}
