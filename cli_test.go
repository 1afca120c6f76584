package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"vinculo/testkit"
)

func TestMain(m *testing.M) { os.Exit(testkit.RunRemovingBinary(m)) }

// TestCLI builds the real binary once and runs it as a subprocess, as people
// do. Each subtest uses its own working dir and data dir.
func TestCLI(t *testing.T) {
	bin := testkit.Binary(t)

	t.Run("config prints every key with its source", func(t *testing.T) { testCLIConfig(t, bin) })
	t.Run("config finds the file in the data dir", func(t *testing.T) { testCLIConfigDataDir(t, bin) })
	t.Run("config errors exit 2 naming key and source", func(t *testing.T) { testCLIConfigErrors(t, bin) })
	t.Run("help lists the config flags", func(t *testing.T) { testCLIHelp(t, bin) })
	t.Run("demo prints sign-ins and is safe to rerun", func(t *testing.T) { testCLIDemo(t, bin) })
	t.Run("serve answers and says where to go", func(t *testing.T) { testCLIServe(t, bin) })
	t.Run("a fresh install's first manager", func(t *testing.T) { testCLIFirstManager(t, bin) })
}

// result is a finished run of the binary.
type result struct {
	stdout, stderr string
	code           int
}

// runVinculo runs the binary in dir with the test's environment minus any
// VINCULO_* variable of the developer's, plus env.
func runVinculo(t *testing.T, bin, dir string, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = testkit.CleanEnv(env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	code := 0
	switch {
	case errors.As(err, &exitErr):
		code = exitErr.ExitCode()
	case err != nil:
		t.Fatalf("vinculo %s: %v", strings.Join(args, " "), err)
	}
	if ctx.Err() != nil {
		t.Fatalf("vinculo %s did not finish in time; stderr:\n%s", strings.Join(args, " "), stderr.String())
	}
	return result{stdout.String(), stderr.String(), code}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func testCLIConfig(t *testing.T, bin string) {
	work := t.TempDir()
	writeFile(t, filepath.Join(work, "vinculo.yaml"), "business:\n  name: Padaria Pão Dourado\n  holidays: [2026-12-25]\n")
	r := runVinculo(t, bin, work, []string{"VINCULO_SMTP_PORT=2525"},
		"config", "--business-language", "en", "--smtp-password", "hunter2")
	if r.code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", r.code, r.stderr)
	}
	if strings.Contains(r.stdout, "hunter2") {
		t.Errorf("the SMTP password is printed:\n%s", r.stdout)
	}
	file, values, sources := parseReport(t, r.stdout)
	if file != "vinculo.yaml" {
		t.Errorf("configuration file line says %q", file)
	}
	want := map[string][2]string{ // key -> value as printed, source
		"business.name":     {`"Padaria Pão Dourado"`, "vinculo.yaml"},
		"business.holidays": {`"2026-12-25"`, "vinculo.yaml"},
		"smtp.port":         {`"2525"`, "environment VINCULO_SMTP_PORT"},
		"business.language": {`"en"`, "flag --business-language"},
		"smtp.password":     {`"********"`, "flag --smtp-password"},
		"http":              {`"127.0.0.1:8090"`, "default"}, // loopback only unless changed
	}
	for _, s := range settings {
		w, ok := want[s.key]
		if !ok {
			if sources[s.key] != "default" {
				t.Errorf("%s: source %q, want default", s.key, sources[s.key])
			}
			continue
		}
		if values[s.key] != w[0] || sources[s.key] != w[1] {
			t.Errorf("%s printed as %s # %s, want %s # %s", s.key, values[s.key], sources[s.key], w[0], w[1])
		}
	}
}

func testCLIConfigDataDir(t *testing.T, bin string) {
	work := t.TempDir()
	data := filepath.Join(work, "data")
	yaml := filepath.Join(data, "vinculo.yaml")
	writeFile(t, yaml, "business:\n  name: Do Diretório\n")
	r := runVinculo(t, bin, work, nil, "config", "--dir", data)
	if r.code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", r.code, r.stderr)
	}
	file, values, sources := parseReport(t, r.stdout)
	if file != yaml || values["business.name"] != `"Do Diretório"` || sources["business.name"] != yaml {
		t.Errorf("file %q, business.name %s # %s; want the data dir's file %s", file, values["business.name"], sources["business.name"], yaml)
	}
}

func testCLIConfigErrors(t *testing.T, bin string) {
	tests := []struct {
		name  string
		files map[string]string // relative to the working dir
		args  []string
		env   []string
		want  []string // in stderr
	}{
		{
			name:  "unknown key",
			files: map[string]string{"vinculo.yaml": "business:\n  nme: Padaria\n"},
			args:  []string{"config"},
			want:  []string{"vinculo.yaml", `"business.nme"`},
		},
		{
			name:  "bad value in the data dir file",
			files: map[string]string{"data/vinculo.yaml": "business:\n  timezone: Mars/Phobos\n"},
			args:  []string{"config", "--dir", "data"},
			want:  []string{filepath.Join("data", "vinculo.yaml"), "business.timezone", "Mars/Phobos"},
		},
		{
			name: "bad environment variable",
			args: []string{"config"},
			env:  []string{"VINCULO_SMTP_PORT=70000"},
			want: []string{"environment VINCULO_SMTP_PORT", "smtp.port"},
		},
		{
			name: "bad flag",
			args: []string{"config", "--hooks-watch=maybe"},
			want: []string{"flag --hooks-watch", "hooks.watch"},
		},
		{
			name: "missing --config file",
			args: []string{"config", "--config", "nowhere.yaml"},
			want: []string{"nowhere.yaml", "--config"},
		},
		{
			name:  "bad value stops every command, serve too",
			files: map[string]string{"vinculo.yaml": "business:\n  language: fr\n"},
			args:  []string{"serve"},
			want:  []string{"vinculo.yaml", "business.language"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			work := t.TempDir()
			for path, content := range tt.files {
				writeFile(t, filepath.Join(work, path), content)
			}
			r := runVinculo(t, bin, work, tt.env, tt.args...)
			if r.code != 2 {
				t.Errorf("exit code %d, want 2; stdout:\n%s", r.code, r.stdout)
			}
			for _, want := range tt.want {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr does not contain %q:\n%s", want, r.stderr)
				}
			}
			if r.stdout != "" {
				t.Errorf("stdout is not empty:\n%s", r.stdout)
			}
		})
	}
}

func testCLIHelp(t *testing.T, bin string) {
	work := t.TempDir()
	r := runVinculo(t, bin, work, nil, "--help")
	if r.code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "--config") {
		t.Errorf("--help does not list --config:\n%s", r.stdout)
	}
	for _, s := range settings {
		switch s.flag {
		case "http": // a flag of serve, below
			continue
		case "dir": // PocketBase's own flag
			if !strings.Contains(r.stdout, "--dir") {
				t.Errorf("--help does not list --dir")
			}
			continue
		}
		if !strings.Contains(r.stdout, "--"+s.flag+" ") || !strings.Contains(r.stdout, "["+s.envName()+"]") {
			t.Errorf("--help does not list --%s with its variable %s", s.flag, s.envName())
		}
	}
	for _, command := range []string{"config", "serve", "demo", "superuser"} {
		if !regexp.MustCompile(`(?m)^\s+` + command + `\s`).MatchString(r.stdout) {
			t.Errorf("--help does not list the %s command", command)
		}
	}

	r = runVinculo(t, bin, work, nil, "serve", "--help")
	if r.code != 0 || !strings.Contains(r.stdout, "--http") || !strings.Contains(r.stdout, "--business-name") {
		t.Errorf("serve --help (exit %d) does not list --http and the config flags:\n%s", r.code, r.stdout)
	}
}

var newContacts = regexp.MustCompile(`: (\d+) new contacts`)

func testCLIDemo(t *testing.T, bin string) {
	work := t.TempDir()
	data := filepath.Join(work, "data")
	for run, wantNew := range []string{"some", "0"} {
		r := runVinculo(t, bin, work, nil, "demo", "--dir", data)
		if r.code != 0 {
			t.Fatalf("run %d: exit code %d; stderr:\n%s", run+1, r.code, r.stderr)
		}
		for _, want := range []string{
			"marina@vinculo.example", "rafael@vinculo.example", "beatriz@vinculo.example", // staff sign-ins
			"vinculo-demo-2026",         // their password
			"/portal/",                  // where customers sign in
			filepath.Join(data, "mail"), // where their one-time codes go without SMTP
		} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("run %d: output does not contain %q:\n%s", run+1, want, r.stdout)
			}
		}
		m := newContacts.FindStringSubmatch(r.stdout)
		if m == nil {
			t.Fatalf("run %d: no count of new contacts in:\n%s", run+1, r.stdout)
		}
		n, _ := strconv.Atoi(m[1])
		if wantNew == "0" && n != 0 || wantNew == "some" && n == 0 {
			t.Errorf("run %d: %d new contacts, want %s", run+1, n, wantNew)
		}
	}
}

func testCLIServe(t *testing.T, bin string) {
	work := t.TempDir()
	data := filepath.Join(work, "data")
	p := testkit.StartBinary(t, bin, work, data)
	base := p.URL
	client := &http.Client{Timeout: 5 * time.Second}
	get := func(path string) (int, string, error) {
		resp, err := client.Get(base + path)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body), err
	}

	for _, path := range []string{"/", "/portal/", "/api/health", "/_/"} {
		status, body, err := get(path)
		if err != nil || status != http.StatusOK || body == "" {
			t.Errorf("GET %s: status %d, error %v, body %q", path, status, err, body)
		}
	}
	// the dashboard is PocketBase's, not the page at /
	if _, body, _ := get("/_/"); strings.Contains(body, "Vinculo is running") {
		t.Errorf("GET /_/ answered with Vinculo's page instead of the dashboard")
	}

	p.WaitFor(t, "start message", func() bool { return strings.Contains(p.Stdout.String(), "REST API:") })
	out := p.Stdout.String()
	for _, want := range []string{
		"Staff workspace: " + base + "/",
		"Customer portal: " + base + "/portal/",
		"Dashboard:       " + base + "/_/",
		"No SMTP server is configured",
		filepath.Join(data, "mail"),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("start message does not contain %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "reachable beyond this machine") {
		t.Errorf("start message warns of a non-loopback address for %s:\n%s", p.Addr, out)
	}

	p.Stop()
}

// A fresh install needs no dashboard: the start message says how to create the
// first manager, `vinculo staff create` does it (or says which value is wrong),
// and that manager signs in to the workspace.
func testCLIFirstManager(t *testing.T, bin string) {
	work := t.TempDir()
	data := filepath.Join(work, "data")
	dir := []string{"--dir", data}

	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"staff", "create", "not-an-email", "a-long-password"}, "email:"},
		{[]string{"staff", "create", "ana@padaria.example", "short"}, "password: use 8 to 71 characters"},
		{[]string{"staff", "create", "ana@padaria.example", "a-long-password", "--role", "owner"}, "--role must be one of manager, agent, readonly"},
	} {
		r := runVinculo(t, bin, work, nil, append(bad.args, dir...)...)
		if r.code == 0 || !strings.Contains(r.stderr, bad.want) {
			t.Errorf("vinculo %v: exit %d, stderr %q, want an error with %q", bad.args, r.code, r.stderr, bad.want)
		}
	}

	p := testkit.StartBinary(t, bin, work, data)
	p.WaitFor(t, "start message", func() bool { return strings.Contains(p.Stdout.String(), "REST API:") })
	if out := p.Stdout.String(); !strings.Contains(out, "No manager yet") || !strings.Contains(out, "vinculo staff create") {
		t.Errorf("the start message of a fresh install does not say how to create the first manager:\n%s", out)
	}
	p.Stop()

	r := runVinculo(t, bin, work, nil, append([]string{"staff", "create", "Ana@Padaria.example", "a-long-password", "--name", "Ana Souza", "--language", "pt-BR"}, dir...)...)
	if r.code != 0 || !strings.Contains(r.stdout, "ana@padaria.example (manager) may sign in") {
		t.Fatalf("staff create: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := runVinculo(t, bin, work, nil, append([]string{"staff", "create", "ana@padaria.example", "another-long-one"}, dir...)...); r.code == 0 || !strings.Contains(r.stderr, "already a member") {
		t.Errorf("a second create with the same email: exit %d, stderr %q", r.code, r.stderr)
	}

	p = testkit.StartBinary(t, bin, work, data)
	p.WaitFor(t, "start message", func() bool { return strings.Contains(p.Stdout.String(), "REST API:") })
	if strings.Contains(p.Stdout.String(), "No manager yet") {
		t.Errorf("the start message still asks for a manager:\n%s", p.Stdout.String())
	}
	body := strings.NewReader(`{"identity":"ana@padaria.example","password":"a-long-password"}`)
	resp, err := http.Post(p.URL+"/api/collections/staff/auth-with-password", "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(answer), `"role":"manager"`) || !strings.Contains(string(answer), `"language":"pt-BR"`) {
		t.Errorf("the new manager's sign-in: %d %s", resp.StatusCode, answer)
	}
	p.Stop()
}
