package hooksapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/dop251/goja"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/logger"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/outbox"
	"vinculo/plugins/requests"
	"vinculo/testkit"
)

// shippedHooks is the repository's hooks/ folder: the tests load the real
// files.
func shippedHooks(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs("../../hooks")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// monday10 is the outbox's clock: a Monday at 10:00 in São Paulo.
var monday10 = time.Date(2026, 11, 23, 13, 0, 0, 0, time.UTC)

// newWorld is a small business with Vinculo's plugins and the hooks of dir,
// served, with the outbox sending only when a test calls outbox.Deliver.
// Labels: manager, agent (staff); contact (João, the agent's, with a portal
// account: customer); other (Lúcia, nobody's, no account); caseType
// (Suporte, which holds marketing).
func newWorld(t *testing.T, dir string, configure ...func(*crm.Config)) *testkit.World {
	t.Helper()
	return newWorldWith(t, dir, dir == shippedHooks(t), configure...)
}

// newWorldWith is newWorld with the shipped (embedded) hooks loaded under
// the folder's or not: a test's own hooks are tested alone.
func newWorldWith(t *testing.T, dir string, shipped bool, configure ...func(*crm.Config)) *testkit.World {
	t.Helper()
	w := testkit.NewWorld(t, testkit.At(monday10),
		testkit.Configure(func(cfg *crm.Config) {
			cfg.HooksDir = dir
			cfg.HooksPoolSize = 2
			cfg.Automations = crm.Automations{NotifyOwner: true, RatingRequest: true, RatingPage: true, HoldMarketing: true}
			for _, f := range configure {
				f(cfg)
			}
		}),
		testkit.Plugins(func(app core.App, cfg *crm.Config) error {
			if !shipped {
				WithoutShipped(app) // the test's own hooks alone
			}
			return Register(app, cfg)
		}, plugins.All),
		testkit.Then(func(w *testkit.World) error {
			t.Cleanup(func() { engineOf(w.App).close() })
			return outbox.Configure(w.App, outbox.Options{Manual: true, Now: w.Clock.Now})
		}),
		testkit.Served())
	w.Make(t, "manager", crm.Staff, map[string]any{"name": "Marina", "email": "marina@vinculo.test", "role": crm.RoleManager})
	w.Make(t, "agent", crm.Staff, map[string]any{"name": "Rafael", "email": "rafael@vinculo.test", "role": crm.RoleAgent})
	w.Make(t, "contact", crm.Contacts, map[string]any{"name": "João Conceição", "email": "joao@example.com",
		"mobile": "+5511987654321", "owner": w.ID("agent"), "stage": "customer", "language": "pt-BR"})
	w.Make(t, "other", crm.Contacts, map[string]any{"name": "Lúcia Brandão", "email": "lucia@example.com", "language": "en"})
	w.Make(t, "customer", crm.Customers, map[string]any{"email": "joao@example.com", "contact": w.ID("contact"), "company_role": crm.CompanyMember})
	w.Make(t, "caseType", crm.CaseTypes, map[string]any{
		"name": "Suporte", "code": "SUP", "category": "support", "active": true, "hold_marketing": true,
		"statuses": []requests.Status{
			{Key: "new", Label: "Novo", PublicLabel: "Recebido"},
			{Key: "triage", Label: "Em triagem", PublicLabel: "Em análise"},
			{Key: "solved", Label: "Resolvido", PublicLabel: "Resolvido", Closed: true},
		},
		"transitions": map[string][]string{"new": {"triage", "solved"}, "triage": {"solved"}},
	})
	return w
}

// fixture writes files into a new hooks dir.
func fixture(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// counts of every collection a hook may write, to check that nothing changed.
func counts(t *testing.T, w *testkit.World) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, c := range []string{crm.Contacts, crm.Activities, crm.Tasks, crm.Cases, crm.CaseMessages, crm.Outbox} {
		out[c] = w.Count(t, c, "")
	}
	return out
}

func sameCounts(t *testing.T, what string, before, after map[string]int) {
	t.Helper()
	for c, n := range before {
		if after[c] != n {
			t.Errorf("%s: %s went from %d to %d records", what, c, n, after[c])
		}
	}
}

// sendRaw sends a request with a raw body and headers.
func sendRaw(t *testing.T, w *testkit.World, method, path string, body []byte, headers map[string]string) (int, string) {
	t.Helper()
	res, out := w.Request(t, method, path, "", bytes.NewReader(body), headers)
	return res.StatusCode, string(out)
}

// openCase opens a request as the portal customer, through the API.
func openCase(t *testing.T, w *testkit.World, subject string) *core.Record {
	t.Helper()
	res := w.Do(t, http.MethodPost, "/api/collections/cases/records", "customer", map[string]any{
		"type": w.ID("caseType"), "contact": w.ID("contact"), "subject": subject, "description": "Desde ontem à noite.", "channel": "portal"})
	if res.Status != http.StatusOK {
		t.Fatalf("open case: %d %s", res.Status, res.Body)
	}
	var out struct{ ID string }
	res.JSON(t, &out)
	return w.Find(t, crm.Cases, out.ID)
}

// keepLogs makes the app store its logs (the test app's settings keep none).
func keepLogs(w *testkit.World) { w.App.Settings().Logs.MaxDays = 1 }

// logs flushes the app's log buffer and returns the entries whose message
// contains text.
func logs(t *testing.T, w *testkit.World, text string) []*core.Log {
	t.Helper()
	if h, ok := w.App.Logger().Handler().(*logger.BatchHandler); ok {
		if err := h.WriteAll(context.WithValue(context.Background(), logger.BlockKey, true)); err != nil {
			t.Fatal(err)
		}
	}
	var out []*core.Log
	if err := w.App.LogQuery().AndWhere(dbx.Like("message", text)).All(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// js runs script on a runtime the pool lends, with $app the app, and
// returns what it evaluates to, exported.
func js(t *testing.T, w *testkit.World, script string) (any, error) {
	t.Helper()
	var out any
	err := engineOf(w.App).pool.run(func(vm *goja.Runtime) error {
		v, err := vm.RunString(script)
		if err != nil {
			return normalizeException(err)
		}
		out = v.Export()
		return nil
	})
	return out, err
}

func mustJS(t *testing.T, w *testkit.World, script string) any {
	t.Helper()
	v, err := js(t, w, script)
	if err != nil {
		t.Fatalf("script failed: %v\n%s", err, script)
	}
	return v
}

// receiver is a loopback HTTP server that keeps what is posted to it.
type receiver struct {
	URL    string
	mu     sync.Mutex
	got    []received
	status int
}

type received struct {
	Header http.Header
	Body   []byte
}

func newReceiver(t *testing.T) *receiver {
	t.Helper()
	r := &receiver{status: http.StatusOK}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{Header: req.Header.Clone(), Body: body})
		status := r.status
		r.mu.Unlock()
		rw.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	r.URL = srv.URL
	return r
}

func (r *receiver) all() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

func decode(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("not JSON (%v): %s", err, raw)
	}
	return out
}

func testConfig(t *testing.T, dir string) *crm.Config {
	t.Helper()
	cfg := testkit.Config(t)
	cfg.HooksDir = dir
	cfg.HooksPoolSize = 1
	return cfg
}
