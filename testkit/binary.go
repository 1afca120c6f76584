package testkit

import (
	"bytes"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var built struct {
	once     sync.Once
	dir, bin string
	out      []byte
	err      error
}

// Binary builds the vinculo command from the module's root once per test
// process and returns its path; `go test -short` skips the test. A package
// that calls it removes the build in its TestMain with RunRemovingBinary.
func Binary(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	built.once.Do(func() {
		gomod, err := exec.Command("go", "env", "GOMOD").Output()
		if err != nil {
			built.err = err
			return
		}
		root := filepath.Dir(strings.TrimSpace(string(gomod)))
		if built.dir, built.err = os.MkdirTemp("", "vinculo-bin-"); built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "vinculo")
		cmd := exec.Command("go", "build", "-o", built.bin, ".")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GOTOOLCHAIN=auto")
		built.out, built.err = cmd.CombinedOutput()
	})
	if built.err != nil {
		t.Fatalf("go build: %v\n%s", built.err, built.out)
	}
	return built.bin
}

// RunRemovingBinary runs the package's tests and then removes what Binary
// built: `func TestMain(m *testing.M) { os.Exit(testkit.RunRemovingBinary(m)) }`.
func RunRemovingBinary(m *testing.M) int {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	return code
}

// CleanEnv is the test's environment without the developer's VINCULO_*
// variables, plus extra.
func CleanEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "VINCULO_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// FreeLoopbackAddr is a loopback address with a port nobody listens on.
func FreeLoopbackAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Output collects what a running process writes, for reading meanwhile.
type Output struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

func (o *Output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// Process is one `vinculo serve` on a free loopback port.
type Process struct {
	Addr, URL      string // 127.0.0.1:port, http://127.0.0.1:port
	Stdout, Stderr *Output
	cmd            *exec.Cmd
	exited         chan struct{}
}

// StartBinary runs `bin serve --dir dataDir --http <free loopback address>`
// in workDir ("" for the test's own) with CleanEnv(env...), and waits until
// /api/health answers 200. The test's end stops it if it still runs.
func StartBinary(t testing.TB, bin, workDir, dataDir string, env ...string) *Process {
	t.Helper()
	addr := FreeLoopbackAddr(t)
	p := &Process{Addr: addr, URL: "http://" + addr, Stdout: &Output{}, Stderr: &Output{}, exited: make(chan struct{})}
	p.cmd = exec.Command(bin, "serve", "--dir", dataDir, "--http", addr)
	p.cmd.Dir = workDir
	p.cmd.Env = CleanEnv(env...)
	p.cmd.Stdout, p.cmd.Stderr = p.Stdout, p.Stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(p.Stop)
	client := &http.Client{Timeout: 5 * time.Second}
	defer client.CloseIdleConnections()
	p.WaitFor(t, "an answer on "+addr, func() bool {
		res, err := client.Get(p.URL + "/api/health")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	})
	return p
}

// Output is what the process wrote so far: its standard output, then its
// standard error.
func (p *Process) Output() string {
	return "stdout:\n" + p.Stdout.String() + "\nstderr:\n" + p.Stderr.String()
}

// WaitFor polls until ready says yes; the test fails if the process exits
// first or a minute passes.
func (p *Process) WaitFor(t testing.TB, what string, ready func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !ready() {
		select {
		case <-p.exited:
			t.Fatalf("serve exited before %s; %s", what, p.Output())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s within a minute; %s", what, p.Output())
		}
	}
}

// Exited is closed once the process has ended.
func (p *Process) Exited() <-chan struct{} { return p.exited }

// Running tells whether the process has not ended yet.
func (p *Process) Running() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// Signal sends sig to the process.
func (p *Process) Signal(sig os.Signal) error { return p.cmd.Process.Signal(sig) }

// Stop asks the process to stop as Ctrl-C does (PocketBase shuts down
// gracefully), kills it after 15 s, and waits for it.
func (p *Process) Stop() {
	if !p.Running() {
		return
	}
	_ = p.Signal(os.Interrupt)
	select {
	case <-p.exited:
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// Kill ends the process with SIGKILL, as a crash does, and waits for it.
func (p *Process) Kill() {
	if !p.Running() {
		return
	}
	_ = p.Signal(syscall.SIGKILL)
	<-p.exited
}
