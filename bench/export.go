package main

// Part 7 (-parts 7, or export): the export of -export-contacts demo contacts
// through the real HTTP route (GET /api/crm/export/contacts as the demo's
// agent, CSV and JSON, read to the end by this process), against a baseline
// measured in the same run on the same data file: a raw SQLite SELECT of the
// same columns in the same order (id) with the company's name
// joined, written with encoding/csv, with no server in between. Rounds
// alternate route CSV, route JSON, raw CSV, -export-rounds times; each line
// reports the best round. The server's peak resident memory (VmHWM) after
// the exports shows whether it held the file in memory. It asserts only that
// every side wrote every row.

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"
)

var (
	exportContacts = flag.Int("export-contacts", 100000, "part 7: demo contacts to export")
	exportRounds   = flag.Int("export-rounds", 2, "part 7: measured rounds per side (alternating)")
)

type exportLine struct {
	side  string
	rows  int64
	bytes int64
	took  time.Duration // best round
}

func (l exportLine) rowsPerSec() float64 { return float64(l.rows) / l.took.Seconds() }

// countingWriter counts bytes and newlines of what passes through.
type countingWriter struct{ bytes, lines int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.bytes += int64(len(p))
	c.lines += int64(bytes.Count(p, []byte{'\n'}))
	return len(p), nil
}

func runExportPart(ctx context.Context, opts options, root string) error {
	if err := needBinary(opts.bin, "part 7"); err != nil {
		return err
	}
	n := *exportContacts
	dir := filepath.Join(root, "export")
	defer os.RemoveAll(dir)
	if err := demoData(opts.bin, dir, "[export]", n); err != nil {
		return err
	}
	s, err := serve(ctx, opts.bin, dir)
	if err != nil {
		return err
	}
	defer s.stop()
	client := &http.Client{Timeout: 10 * time.Minute}
	token, _, err := signIn(client, s.url, "staff", agentEmail, agentPassword)
	if err != nil {
		return err
	}
	db, err := openSide(dir)
	if err != nil {
		return err
	}
	defer db.Close()
	var total int64
	if err := db.QueryRow("SELECT COUNT(*) FROM contacts").Scan(&total); err != nil {
		return err
	}
	rssBefore := procStatus(s, "VmRSS")

	// The route's CSV header names the columns the raw side selects.
	header, err := exportHeader(client, s.url, token)
	if err != nil {
		return err
	}
	lines := map[string]*exportLine{}
	order := []string{"route CSV", "route JSON", "raw SQLite + encoding/csv"}
	for round := 0; round < *exportRounds; round++ {
		for _, side := range order {
			var rows, size int64
			t0 := time.Now()
			switch side {
			case "route CSV":
				rows, size, err = exportRoute(client, s.url, token, "csv")
				rows-- // the header
			case "route JSON":
				rows, size, err = exportRoute(client, s.url, token, "json")
				rows -= 2 // "[" and "]" lines
			default:
				rows, size, err = exportRaw(db, header)
			}
			took := time.Since(t0)
			if err != nil {
				return fmt.Errorf("%s: %w", side, err)
			}
			if rows != total {
				return fmt.Errorf("%s wrote %d rows, the table has %d", side, rows, total)
			}
			fmt.Printf("[export] round %d %-26s %d rows, %s in %s\n", round+1, side, rows, mb(size), took.Round(time.Millisecond))
			if l := lines[side]; l == nil || took < l.took {
				lines[side] = &exportLine{side: side, rows: rows, bytes: size, took: took}
			}
		}
	}
	rssPeak := procStatus(s, "VmHWM")

	fmt.Printf("\nExport of %d contacts (%d columns), best of %d rounds; route = GET /api/crm/export/contacts over loopback HTTP, read to the end here\n", total, len(header), *exportRounds)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "side\trows\tsize\ttime\trows/s\tvs raw\t")
	raw := lines[order[2]]
	for _, side := range order {
		l := lines[side]
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%.0f\t%s\t\n", l.side, l.rows, mb(l.bytes), l.took.Round(time.Millisecond), l.rowsPerSec(), ratio(l.rowsPerSec(), raw.rowsPerSec()))
	}
	tw.Flush()
	fmt.Printf("Server memory: %s resident before the exports, %s peak after them (the route reads one SELECT row by row and flushes every 500 rows)\n", rssBefore, rssPeak)
	return nil
}

func exportHeader(client *http.Client, base, token string) ([]string, error) {
	req, _ := http.NewRequest(http.MethodGet, base+"/api/crm/export/contacts?format=csv&filter="+"id%3D%27none%27", nil)
	req.Header.Set("Authorization", token)
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		return nil, fmt.Errorf("export header: HTTP %d: %s", resp.StatusCode, body)
	}
	rec, err := csv.NewReader(bufio.NewReader(resp.Body)).Read()
	if err != nil {
		return nil, err
	}
	rec[0] = strings.TrimPrefix(rec[0], "\uFEFF")
	return rec, nil
}

// exportRoute downloads one export and returns its line count and size.
func exportRoute(client *http.Client, base, token, format string) (lines, size int64, err error) {
	req, _ := http.NewRequest(http.MethodGet, base+"/api/crm/export/contacts?format="+format, nil)
	req.Header.Set("Authorization", token)
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		return 0, 0, fmt.Errorf("HTTP %d: %s", resp.StatusCode, body)
	}
	var c countingWriter
	if _, err := io.Copy(&c, resp.Body); err != nil {
		return 0, 0, err
	}
	return c.lines, c.bytes, nil
}

// exportRaw is the baseline: the same columns and order straight from
// SQLite, written as CSV.
func exportRaw(db *sql.DB, header []string) (rows, size int64, err error) {
	var cols []string
	for _, h := range header {
		if h == "company_name" {
			cols = append(cols, "co.name")
		} else {
			cols = append(cols, "c.`"+h+"`")
		}
	}
	q := "SELECT " + strings.Join(cols, ", ") + " FROM contacts c LEFT JOIN companies co ON co.id = c.company ORDER BY c.id"
	rs, err := db.Query(q)
	if err != nil {
		return 0, 0, err
	}
	defer rs.Close()
	var c countingWriter
	w := csv.NewWriter(&c)
	if err := w.Write(header); err != nil {
		return 0, 0, err
	}
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	rec := make([]string, len(cols))
	for rs.Next() {
		if err := rs.Scan(ptrs...); err != nil {
			return 0, 0, err
		}
		for i, v := range vals {
			rec[i] = v.String
		}
		if err := w.Write(rec); err != nil {
			return 0, 0, err
		}
		rows++
	}
	w.Flush()
	return rows, c.bytes, rs.Err()
}

// procStatus reads one line of the child's /proc status (Linux), or "n/a".
func procStatus(s *server, key string) string {
	if s.cmd.Process == nil {
		return "n/a"
	}
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return "n/a"
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, key+":") {
			return strings.TrimSpace(strings.TrimPrefix(line, key+":"))
		}
	}
	return "n/a"
}
