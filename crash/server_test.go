package crash

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"vinculo/testkit"

	_ "modernc.org/sqlite"
)

func TestMain(m *testing.M) { os.Exit(testkit.RunRemovingBinary(m)) }

// runs is how many times each test repeats (VINCULO_CRASH_RUNS, default 1).
func runs(t *testing.T) int {
	n, err := strconv.Atoi(os.Getenv("VINCULO_CRASH_RUNS"))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// server is one `vinculo serve` process on a loopback port.
type server struct {
	*testkit.Process
	dir, base string
	client    *http.Client
}

const (
	superEmail = "root@crash.test"
	staffEmail = "manager@crash.test"
	password   = "crash-test-password-1"
)

// newDataDir makes a data dir with a superuser.
func newDataDir(t *testing.T, bin string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "superuser", "upsert", superEmail, password, "--dir", dir)
	cmd.Env = testkit.CleanEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("superuser upsert: %v\n%s", err, out)
	}
	return dir
}

// start runs the server over dir on a free loopback port and waits until it
// answers; the test's end stops it if it still runs.
func start(t *testing.T, bin, dir string) *server {
	t.Helper()
	// The clients all come from 127.0.0.1: the per-address limiter is off,
	// as for any load test.
	p := testkit.StartBinary(t, bin, "", dir, "VINCULO_RATE_LIMITS=false")
	s := &server{Process: p, dir: dir, base: p.URL,
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 32}}}
	t.Cleanup(s.kill)
	return s
}

// kill ends the process with SIGKILL and waits for it.
func (s *server) kill() {
	s.Kill()
	s.client.CloseIdleConnections()
}

// do sends a JSON request; the error is the transport's (no answer).
func (s *server) do(method, path, token string, body any) (int, []byte, error) {
	var reader io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		reader = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, s.base+path, reader)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, err
}

// must sends a request that must answer 2xx and decodes the answer into out.
func (s *server) must(t *testing.T, method, path, token string, body, out any) {
	t.Helper()
	status, raw, err := s.do(method, path, token, body)
	if err != nil || status/100 != 2 {
		t.Fatalf("%s %s: %d %v %s", method, path, status, err, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
	}
}

func (s *server) signIn(t *testing.T, collection, email string) string {
	t.Helper()
	var auth struct {
		Token  string `json:"token"`
		Record struct {
			ID string `json:"id"`
		} `json:"record"`
	}
	s.must(t, "POST", "/api/collections/"+collection+"/auth-with-password", "",
		map[string]string{"identity": email, "password": password}, &auth)
	return auth.Token
}

// staff signs in as the superuser, makes the manager the clients write as
// (once per data dir) and returns the manager's token and id.
func (s *server) staff(t *testing.T) (token, id string) {
	t.Helper()
	root := s.signIn(t, "_superusers", superEmail)
	var list struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	s.must(t, "GET", "/api/collections/staff/records?filter="+urlQuery("email='"+staffEmail+"'"), root, nil, &list)
	if len(list.Items) == 0 {
		s.must(t, "POST", "/api/collections/staff/records", root, map[string]any{"email": staffEmail, "password": password,
			"passwordConfirm": password, "name": "Crash Manager", "role": "manager"}, nil)
	}
	var auth struct {
		Token  string `json:"token"`
		Record struct {
			ID string `json:"id"`
		} `json:"record"`
	}
	s.must(t, "POST", "/api/collections/staff/auth-with-password", "",
		map[string]string{"identity": staffEmail, "password": password}, &auth)
	return auth.Token, auth.Record.ID
}

func urlQuery(s string) string {
	r := strings.NewReplacer(" ", "%20", "'", "%27", "=", "%3D", "&", "%26", "@", "%40", "~", "%7E")
	return r.Replace(s)
}

// openDB opens the data dir's database beside the server (WAL: readers do
// not block it).
func openDB(t *testing.T, dir string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(dir, "data.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// integrity runs SQLite's integrity_check on the data dir's databases.
func integrity(t *testing.T, dir string) string {
	t.Helper()
	var results []string
	for _, name := range []string{"data.db", "auxiliary.db"} {
		db, err := sql.Open("sqlite", filepath.Join(dir, name)+"?_pragma=busy_timeout(10000)")
		if err != nil {
			t.Fatal(err)
		}
		var res string
		err = db.QueryRow("PRAGMA integrity_check").Scan(&res)
		db.Close()
		if err != nil {
			t.Fatalf("integrity_check of %s: %v", name, err)
		}
		if res != "ok" {
			t.Errorf("integrity_check of %s: %s", name, res)
		}
		results = append(results, res)
	}
	return strings.Join(results, ",")
}

func count(t *testing.T, db *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// newID is a record id of PocketBase's shape, chosen by the client so that
// writes whose answer never came can be looked for.
func newID(prefix string, n int) string {
	return fmt.Sprintf("%s%0*d", prefix, 15-len(prefix), n)
}
