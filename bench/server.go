package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// server is a child process of the vinculo binary: a `serve` or a `demo`.
// Every child is registered in running until it ends, so cleanup (also on
// SIGINT/SIGTERM) stops it; on Linux it also dies with this program.
type server struct {
	cmd     *exec.Cmd
	out     *lockedBuffer
	done    chan struct{}
	stopped bool
	url     string
}

// lockedBuffer lets the child write its output while we may read it. It has
// its own lock: cleanupMu is held while a child stops, and the child's last
// words must still get through.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func startChild(bin string, args ...string) (*server, error) {
	cmd := exec.Command(bin, args...)
	s := &server{cmd: cmd, out: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout = s.out
	cmd.Stderr = s.out
	cmd.SysProcAttr = childProcAttr()
	cleanupMu.Lock()
	defer cleanupMu.Unlock()
	if cleanedUp {
		return nil, fmt.Errorf("interrupted")
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	running[s] = true
	go func() {
		_ = cmd.Wait()
		close(s.done)
	}()
	return s, nil
}

// output is what the child printed so far.
func (s *server) output() string { return s.out.String() }

// wait waits for a child that ends on its own (vinculo demo).
func (s *server) wait() error {
	<-s.done
	cleanupMu.Lock()
	defer cleanupMu.Unlock()
	delete(running, s)
	s.stopped = true
	if !s.cmd.ProcessState.Success() {
		return fmt.Errorf("%s: %s\n%s", strings.Join(s.cmd.Args, " "), s.cmd.ProcessState, s.out.String())
	}
	return nil
}

func (s *server) stop() {
	cleanupMu.Lock()
	defer cleanupMu.Unlock()
	s.stopLocked()
}

// stopLocked asks the child to stop (SIGINT, as Ctrl-C: PocketBase shuts
// down gracefully), kills it after 15 s, and waits for it. Holds cleanupMu.
func (s *server) stopLocked() {
	if s.stopped {
		return
	}
	s.stopped = true
	delete(running, s)
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// childArgs go to every vinculo command the bench starts: where to find the
// JavaScript hooks and migrations as they were when the run began (see
// snapshotInputs).
var childArgs []string

// snapshotInputs copies what vinculo reads at run time rather than build
// time — ./hooks (its *.pb.js files) and ./pb_migrations (its *.js files) —
// into the run's temp dir, and points every child at the copies: the binary
// `make bench` built and the hooks it runs then belong to the same moment,
// whatever changes in the working tree during a long run. It says what it
// copied.
func snapshotInputs(root string) (string, error) {
	var notes []string
	for _, in := range []struct{ dir, flag, pattern string }{
		{"hooks", "--hooks-dir", "*.pb.js"},
		{"pb_migrations", "--migrations-dir", "*.js"},
	} {
		fi, err := os.Stat(in.dir)
		if err != nil || !fi.IsDir() {
			notes = append(notes, fmt.Sprintf("no ./%s", in.dir))
			continue
		}
		dst := filepath.Join(root, "inputs", in.dir)
		if err := os.CopyFS(dst, os.DirFS(in.dir)); err != nil {
			return "", fmt.Errorf("copying ./%s: %w", in.dir, err)
		}
		files, _ := filepath.Glob(filepath.Join(dst, in.pattern))
		childArgs = append(childArgs, in.flag, dst)
		notes = append(notes, fmt.Sprintf("%d %s files of ./%s", len(files), in.pattern, in.dir))
	}
	return strings.Join(notes, ", "), nil
}

// needBinary says how to get the binary a part runs when it is missing.
func needBinary(bin, part string) error {
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("%s: %v (run `make bench`, which builds ./vinculo first)", part, err)
	}
	return nil
}

// demoData fills dir with the demo's contacts (no activities), saying so
// after tag.
func demoData(bin, dir, tag string, contacts int) error {
	fmt.Printf("%s vinculo demo --contacts %d --activities-per-contact 0 ...\n", tag, contacts)
	_, err := runDemo(bin, dir, contacts, 0)
	return err
}

// runDemo fills dir with `vinculo demo` and returns what it printed.
func runDemo(bin, dir string, contacts, activitiesPerContact int) (string, error) {
	args := append([]string{"demo", "--dir", dir, "--contacts", strconv.Itoa(contacts), "--activities-per-contact", strconv.Itoa(activitiesPerContact)}, childArgs...)
	s, err := startChild(bin, args...)
	if err != nil {
		return "", err
	}
	if err := s.wait(); err != nil {
		return "", err
	}
	return s.output(), nil
}

// demoLine is the demo's own summary: "N new contacts, M rows in bulk (R rows/s)".
type demoLine struct {
	contacts     int
	newContacts  int64
	bulkRows     int64
	rowsPerSec   float64
	wholeCommand time.Duration
	raw          string
}

var demoSummary = regexp.MustCompile(`(\d+) new contacts, (\d+) rows in bulk \((\d+) rows/s\)`)

func parseDemo(out string, contacts int, took time.Duration) (demoLine, error) {
	m := demoSummary.FindStringSubmatch(out)
	if m == nil {
		return demoLine{}, fmt.Errorf("vinculo demo printed no summary line:\n%s", out)
	}
	d := demoLine{contacts: contacts, wholeCommand: took, raw: strings.TrimSpace(strings.SplitN(out, "\n", 2)[0])}
	d.newContacts, _ = strconv.ParseInt(m[1], 10, 64)
	d.bulkRows, _ = strconv.ParseInt(m[2], 10, 64)
	d.rowsPerSec, _ = strconv.ParseFloat(m[3], 64)
	return d, nil
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// serve starts `vinculo serve` on a free loopback port, rate limits off, and
// waits until /api/health answers.
func serve(ctx context.Context, bin, dir string) (*server, error) {
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ { // the port may be taken between freePort and listen
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		s, err := startChild(bin, append([]string{"serve", "--dir", dir, "--http", addr, "--rate-limits=false"}, childArgs...)...)
		if err != nil {
			return nil, err
		}
		s.url = "http://" + addr
		if lastErr = waitHealthy(ctx, s); lastErr == nil {
			return s, nil
		}
		s.stop()
	}
	return nil, lastErr
}

func waitHealthy(ctx context.Context, s *server) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("vinculo serve ended early:\n%s", s.output())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		resp, err := client.Get(s.url + "/api/health")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return fmt.Errorf("vinculo serve did not answer /api/health in 90 s:\n%s", s.output())
}

// signIn signs in with a password and returns the token and the record id.
func signIn(client *http.Client, base, collection, identity, password string) (token, id string, err error) {
	body, _ := json.Marshal(map[string]string{"identity": identity, "password": password})
	resp, err := client.Post(base+"/api/collections/"+collection+"/auth-with-password", "application/json", bytes.NewReader(body))
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", "", fmt.Errorf("sign in as %s: HTTP %d: %s", identity, resp.StatusCode, raw)
	}
	var out struct {
		Token  string `json:"token"`
		Record struct {
			ID string `json:"id"`
		} `json:"record"`
	}
	if err := json.Unmarshal(raw, &out); err != nil || out.Token == "" {
		return "", "", fmt.Errorf("sign in as %s: unexpected answer %s", identity, raw)
	}
	return out.Token, out.Record.ID, nil
}
