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
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dop251/goja"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
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

// world is a small business with Vinculo's plugins and the hooks of dir.
type world struct {
	app *tests.TestApp
	cfg *crm.Config
	srv *testkit.Server
	en  *engine

	manager, agent *core.Record
	contact        *core.Record // owned by agent, with a portal account
	customer       *core.Record
	other          *core.Record // no owner, no account
	caseType       *core.Record
	tokens         map[string]string
}

// monday10 is the outbox's clock: a Monday at 10:00 in São Paulo.
var monday10 = time.Date(2026, 11, 23, 13, 0, 0, 0, time.UTC)

func newWorld(t *testing.T, dir string, configure ...func(*crm.Config)) *world {
	t.Helper()
	app := testkit.NewApp(t)
	cfg := testkit.Config(t)
	cfg.HooksDir = dir
	cfg.HooksPoolSize = 2
	cfg.Automations = crm.Automations{NotifyOwner: true, RatingRequest: true, RatingPage: true, HoldMarketing: true}
	for _, f := range configure {
		f(cfg)
	}
	if err := Register(app, cfg); err != nil {
		t.Fatal(err)
	}
	if err := plugins.All(app, cfg); err != nil {
		t.Fatal(err)
	}
	if err := outbox.Configure(app, outbox.Options{Manual: true, Now: func() time.Time { return monday10 }}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { engineOf(app).close() })
	w := &world{app: app, cfg: cfg, en: engineOf(app), tokens: map[string]string{}}
	w.manager = w.make(t, crm.Staff, map[string]any{"name": "Marina", "email": "marina@vinculo.test", "role": crm.RoleManager})
	w.agent = w.make(t, crm.Staff, map[string]any{"name": "Rafael", "email": "rafael@vinculo.test", "role": crm.RoleAgent})
	w.contact = w.make(t, crm.Contacts, map[string]any{"name": "João Conceição", "email": "joao@example.com",
		"mobile": "+5511987654321", "owner": w.agent.Id, "stage": "customer", "language": "pt-BR"})
	w.other = w.make(t, crm.Contacts, map[string]any{"name": "Lúcia Brandão", "email": "lucia@example.com", "language": "en"})
	w.customer = w.make(t, crm.Customers, map[string]any{"email": "joao@example.com", "contact": w.contact.Id, "company_role": crm.CompanyMember})
	w.caseType = w.make(t, crm.CaseTypes, map[string]any{
		"name": "Suporte", "code": "SUP", "category": "support", "active": true, "hold_marketing": true,
		"statuses": []requests.Status{
			{Key: "new", Label: "Novo", PublicLabel: "Recebido"},
			{Key: "triage", Label: "Em triagem", PublicLabel: "Em análise"},
			{Key: "solved", Label: "Resolvido", PublicLabel: "Resolvido", Closed: true},
		},
		"transitions": map[string][]string{"new": {"triage", "solved"}, "triage": {"solved"}},
	})
	w.srv = testkit.Serve(t, app)
	w.tokens["manager"] = testkit.Token(t, w.manager)
	w.tokens["agent"] = testkit.Token(t, w.agent)
	w.tokens["customer"] = testkit.Token(t, w.customer)
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

// make saves a record as the system (no request, no rules).
func (w *world) make(t *testing.T, collection string, fields map[string]any) *core.Record {
	t.Helper()
	c, err := w.app.FindCollectionByNameOrId(collection)
	if err != nil {
		t.Fatal(err)
	}
	r := core.NewRecord(c)
	r.Load(fields)
	if c.IsAuth() {
		r.SetPassword("a-long-test-password")
		r.SetVerified(true)
	}
	if err := w.app.Save(r); err != nil {
		t.Fatalf("create %s: %v", collection, err)
	}
	return r
}

func (w *world) reload(t *testing.T, collection, id string) *core.Record {
	t.Helper()
	r, err := w.app.FindRecordById(collection, id)
	if err != nil {
		t.Fatalf("reload %s/%s: %v", collection, id, err)
	}
	return r
}

func (w *world) count(t *testing.T, collection, filter string, params dbx.Params) int {
	t.Helper()
	n, err := w.app.CountRecords(collection, dbx.NewExp(filter, params))
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// counts of every collection a hook may write, to check that nothing changed.
func (w *world) counts(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, c := range []string{crm.Contacts, crm.Activities, crm.Tasks, crm.Cases, crm.CaseMessages, crm.Outbox} {
		out[c] = w.count(t, c, "1=1", nil)
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

// api sends a JSON request to the test server.
func (w *world) api(t *testing.T, method, path, who string, body any) testkit.Response {
	t.Helper()
	return w.srv.Do(t, method, path, w.tokens[who], body)
}

// raw sends a request with a raw body and headers.
func (w *world) raw(t *testing.T, method, path string, body []byte, headers map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, w.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(out)
}

// openCase opens a request as the portal customer, through the API.
func (w *world) openCase(t *testing.T, subject string) *core.Record {
	t.Helper()
	res := w.api(t, http.MethodPost, "/api/collections/cases/records", "customer", map[string]any{
		"type": w.caseType.Id, "contact": w.contact.Id, "subject": subject, "description": "Desde ontem à noite.", "channel": "portal"})
	if res.Status != http.StatusOK {
		t.Fatalf("open case: %d %s", res.Status, res.Body)
	}
	var out struct{ ID string }
	res.JSON(t, &out)
	return w.reload(t, crm.Cases, out.ID)
}

// mails reads every message in the mail folder.
func (w *world) mails(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(w.cfg.MailDir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".eml") {
			raw, err := os.ReadFile(filepath.Join(w.cfg.MailDir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, string(raw))
		}
	}
	return out
}

// keepLogs makes the app store its logs (the test app's settings keep none).
func (w *world) keepLogs() { w.app.Settings().Logs.MaxDays = 1 }

// logs flushes the app's log buffer and returns the entries whose message
// contains text.
func (w *world) logs(t *testing.T, text string) []*core.Log {
	t.Helper()
	if h, ok := w.app.Logger().Handler().(*logger.BatchHandler); ok {
		if err := h.WriteAll(context.WithValue(context.Background(), logger.BlockKey, true)); err != nil {
			t.Fatal(err)
		}
	}
	var out []*core.Log
	if err := w.app.LogQuery().AndWhere(dbx.Like("message", text)).All(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// js runs script on a runtime the pool lends, with $app the app, and
// returns what it evaluates to, exported.
func (w *world) js(t *testing.T, script string) (any, error) {
	t.Helper()
	var out any
	err := w.en.pool.run(func(vm *goja.Runtime) error {
		v, err := vm.RunString(script)
		if err != nil {
			return normalizeException(err)
		}
		out = v.Export()
		return nil
	})
	return out, err
}

func (w *world) mustJS(t *testing.T, script string) any {
	t.Helper()
	v, err := w.js(t, script)
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

// newBareApp is a test app without plugins.
func newBareApp(t *testing.T) *tests.TestApp { return testkit.NewApp(t) }

func testConfig(t *testing.T, dir string) *crm.Config {
	t.Helper()
	cfg := testkit.Config(t)
	cfg.HooksDir = dir
	cfg.HooksPoolSize = 1
	return cfg
}
