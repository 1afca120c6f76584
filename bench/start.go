package main

// Part 18 (-parts 18, or start): how fast `vinculo serve` answers on a big
// data dir, and what it holds in memory once idle (issue 21, goal 7).
//
// The data dir is a copy of -start-dir (made before, e.g. by `vinculo demo
// --contacts 1000000`), or else `vinculo demo --contacts -start-contacts
// --activities-per-contact -start-activities` in the run's temp dir. Then
// -start-runs times: `vinculo serve` on a free loopback port, timed from the
// moment before exec to the first 200 of GET /api/health (asked every 5 ms),
// and stopped (SIGINT) before the next. The last one is left idle for
// -start-idle (30 s by default), no request at all, and its VmRSS read from
// /proc. The operating system's file cache is left as it is (warm: the dir
// was just written or copied), since dropping it would slow everyone else
// on the machine; the run says so. It asserts nothing.

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

var (
	startDir        = flag.String("start-dir", "", "part 18: copy this data dir (read-only, made before by `vinculo demo --contacts N`) instead of running the demo")
	startContacts   = flag.Int("start-contacts", 1000000, "part 18: demo contacts when there is no -start-dir")
	startActivities = flag.Int("start-activities", 5, "part 18: demo timeline entries per contact when there is no -start-dir")
	startRuns       = flag.Int("start-runs", 5, "part 18: how many times the server is started")
	startIdle       = flag.Duration("start-idle", 30*time.Second, "part 18: how long the last server idles before its RSS is read")
)

// Goal 7's bounds.
const (
	startBound   = time.Second
	idleRSSBound = 80 << 10 // kB
)

func runStartPart(ctx context.Context, opts options, root string) error {
	if err := needBinary(opts.bin, "part 18"); err != nil {
		return err
	}
	if *startRuns < 1 {
		return fmt.Errorf("part 18: -start-runs must be 1 or more")
	}
	dir := filepath.Join(root, "start")
	defer os.RemoveAll(dir)
	what, err := startData(opts.bin, dir)
	if err != nil {
		return err
	}
	contacts, entries := countRows(dir)
	fmt.Printf("[start] %s: %d contacts, %d timeline entries, data.db %s; %d starts ...\n", what, contacts, entries, mb(fileSize(filepath.Join(dir, "data.db"))), *startRuns)

	var took, cpu sample
	var atHealth, idle, hwm int64
	for i := 0; i < *startRuns; i++ {
		s, d, err := timedServe(ctx, opts.bin, dir)
		if err != nil {
			return err
		}
		took.latencies = append(took.latencies, d)
		cpu.latencies = append(cpu.latencies, cpuTime(s))
		if i == *startRuns-1 {
			atHealth = kbOf(procStatus(s, "VmRSS"))
			fmt.Printf("[start] the last server idles %s ...\n", *startIdle)
			select {
			case <-ctx.Done():
			case <-time.After(*startIdle):
			}
			idle, hwm = kbOf(procStatus(s, "VmRSS")), kbOf(procStatus(s, "VmHWM"))
		}
		s.stop()
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}

	p50, worst := took.quantile(0.5), took.quantile(1)
	fmt.Printf("\nStart and idle (part 18): `vinculo serve` on %s (%d contacts, %d timeline entries); the OS file cache warm\n", what, contacts, entries)
	fmt.Printf("  exec to the first 200 of /api/health, %d starts: p50 %s, max %s (each: %s)\n", *startRuns, ms(p50), ms(worst), msList(took.latencies))
	fmt.Printf("  CPU time the server used until then (user + system; what the machine's load does not stretch): p50 %s, max %s\n", ms(cpu.quantile(0.5)), ms(cpu.quantile(1)))
	fmt.Printf("  RSS of the last server: %d kB at its first health answer, %d kB after %s idle (VmHWM %d kB). Load average: %s\n",
		atHealth, idle, *startIdle, hwm, loadAverage())
	size := fmt.Sprintf("at %d contacts", contacts)
	recordGoal("18", "serve answers /api/health ≤ 1 s "+size, fmt.Sprintf("p50 %s, max %s", ms(p50), ms(worst)), "1 s (max)", worst <= startBound)
	recordGoal("18", fmt.Sprintf("idle RSS ≤ 80 MB after %s %s", *startIdle, size), fmt.Sprintf("%.1f MB", float64(idle)/1024), "80 MB", idle > 0 && idle <= idleRSSBound)
	return nil
}

// startData makes part 18's data dir and says what it is.
func startData(bin, dir string) (string, error) {
	if *startDir != "" {
		fmt.Printf("[start] copying %s ...\n", *startDir)
		if out, err := exec.Command("cp", "-a", *startDir, dir).CombinedOutput(); err != nil {
			return "", fmt.Errorf("part 18: copying %s: %v: %s", *startDir, err, out)
		}
		return "a copy of " + *startDir, nil
	}
	fmt.Printf("[start] vinculo demo --contacts %d --activities-per-contact %d ...\n", *startContacts, *startActivities)
	if _, err := runDemo(bin, dir, *startContacts, *startActivities); err != nil {
		return "", err
	}
	return fmt.Sprintf("vinculo demo --contacts %d", *startContacts), nil
}

// timedServe starts `vinculo serve` and returns it with the time from the
// moment before exec to its first 200 on /api/health.
func timedServe(ctx context.Context, bin, dir string) (*server, time.Duration, error) {
	port, err := freePort()
	if err != nil {
		return nil, 0, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	client := &http.Client{Timeout: 2 * time.Second}
	t0 := time.Now()
	s, err := startChild(bin, append([]string{"serve", "--dir", dir, "--http", addr}, childArgs...)...)
	if err != nil {
		return nil, 0, err
	}
	s.url = "http://" + addr
	for deadline := t0.Add(5 * time.Minute); time.Now().Before(deadline); {
		resp, err := client.Get(s.url + "/api/health")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, time.Since(t0), nil
			}
		}
		select {
		case <-s.done:
			return nil, 0, fmt.Errorf("part 18: vinculo serve ended early:\n%s", s.output())
		case <-ctx.Done():
			s.stop()
			return nil, 0, ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
	s.stop()
	return nil, 0, fmt.Errorf("part 18: vinculo serve did not answer /api/health in 5 minutes:\n%s", s.output())
}

// countRows counts contacts and timeline entries in a data dir no server has
// open, or -1 each where it cannot.
func countRows(dir string) (contacts, entries int64) {
	contacts, entries = -1, -1
	db, err := openSide(dir)
	if err != nil {
		return
	}
	defer db.Close()
	_ = db.QueryRow("SELECT count(*) FROM contacts").Scan(&contacts)
	_ = db.QueryRow("SELECT count(*) FROM activities").Scan(&entries)
	return
}

// cpuTime is the user and system CPU time s has used so far (Linux), or 0.
func cpuTime(s *server) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// The fields after the command's name, which ends with the last ')':
	// utime and stime are the 12th and 13th, in clock ticks of 1/100 s.
	f := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

func msList(ds []time.Duration) string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = ms(d)
	}
	return strings.Join(out, ", ")
}
