package testkit

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"vinculo/crm"
	"vinculo/plugins/outbox"
)

// World is the one test fixture: a real app on a temporary database with the
// CRM schema, the configuration it was given, a clock the test moves, the
// records a test made under short labels, their tokens, and (when served) a
// real HTTP server. Every package's tests build on it; what a package needs
// beyond it are plain functions that take a *World.
//
//	w := testkit.NewWorld(t, testkit.Plugins(plugins.All))
//	w.Business(t)                          // the demo business's actors
//	w.Make(t, "csA", crm.Cases, map[string]any{"contact": w.ID("ctA"), ...})
//	res := w.Do(t, "GET", "/api/crm/contacts/"+w.ID("ctA")+"/360", "manager", nil)
type World struct {
	TestApp *tests.TestApp
	App     core.App // the test app, or the one a test put in its place after a restart
	Cfg     *crm.Config
	Clock   *Clock
	Srv     *Server // set by Serve (or the Served option)

	mu     sync.Mutex
	rec    map[string]*core.Record
	tokens map[string]string
	seq    int
}

// Option tunes a World before its app registers anything.
type Option func(*worldSetup)

type worldSetup struct {
	tune     []func(*crm.Config)
	register []func(core.App, *crm.Config) error
	after    []func(*World) error
	serve    bool
	now      time.Time
}

// Configure changes the configuration before the plugins see it.
func Configure(f func(*crm.Config)) Option {
	return func(s *worldSetup) { s.tune = append(s.tune, f) }
}

// Plugins registers these on the app, in order (plugins.All for the app as it
// ships; one plugin's Register to test it alone).
func Plugins(register ...func(core.App, *crm.Config) error) Option {
	return func(s *worldSetup) { s.register = append(s.register, register...) }
}

// Then runs f once the plugins are registered, before any record is made
// (an outbox set to deliver only when the test says, say).
func Then(f func(*World) error) Option {
	return func(s *worldSetup) { s.after = append(s.after, f) }
}

// Served starts a real HTTP server on a free loopback port.
func Served() Option { return func(s *worldSetup) { s.serve = true } }

// At sets the clock (by default Tuesday 2026-11-24 10:00 in São Paulo).
func At(t time.Time) Option { return func(s *worldSetup) { s.now = t } }

// SaoPaulo is the time zone of the test business.
func SaoPaulo() *time.Location {
	loc, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		panic(err)
	}
	return loc
}

// NewWorld builds a World; it is torn down when the test ends.
func NewWorld(t testing.TB, opts ...Option) *World {
	t.Helper()
	s := worldSetup{now: time.Date(2026, 11, 24, 10, 0, 0, 0, SaoPaulo())}
	for _, o := range opts {
		o(&s)
	}
	app := NewApp(t)
	cfg := Config(t)
	for _, f := range s.tune {
		f(cfg)
	}
	w := &World{TestApp: app, App: app, Cfg: cfg, Clock: NewClock(s.now),
		rec: map[string]*core.Record{}, tokens: map[string]string{}}
	for _, register := range s.register {
		if err := register(app, cfg); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range s.after {
		if err := f(w); err != nil {
			t.Fatal(err)
		}
	}
	if s.serve {
		w.Serve(t)
	}
	return w
}

// Serve starts the HTTP server (once).
func (w *World) Serve(t testing.TB) *Server {
	t.Helper()
	if w.Srv == nil {
		w.Srv = Serve(t, w.TestApp)
	}
	return w.Srv
}

// Make saves a record as the system would (no request, no rules) and keeps
// it under label ("" keeps nothing).
func (w *World) Make(t testing.TB, label, collection string, fields map[string]any) *core.Record {
	t.Helper()
	r := Save(t, w.App, collection, fields)
	if label != "" {
		w.mu.Lock()
		w.rec[label] = r
		w.mu.Unlock()
	}
	return r
}

// Keep puts r under label.
func (w *World) Keep(label string, r *core.Record) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.rec[label] = r
}

// R is the record made under label, as it was made.
func (w *World) R(label string) *core.Record {
	w.mu.Lock()
	defer w.mu.Unlock()
	r, ok := w.rec[label]
	if !ok {
		panic("no world record " + label)
	}
	return r
}

// ID is the id of the record made under label.
func (w *World) ID(label string) string { return w.R(label).Id }

// IDs are the ids of the records under labels, in their order.
func (w *World) IDs(labels ...string) []string {
	out := make([]string, len(labels))
	for i, l := range labels {
		out[i] = w.ID(l)
	}
	return out
}

// Has tells whether a record was kept under label.
func (w *World) Has(label string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	_, ok := w.rec[label]
	return ok
}

// Unique is a fresh number for the records a test makes.
func (w *World) Unique() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seq++
	return w.seq
}

// Reload reads r again from the database.
func (w *World) Reload(t testing.TB, r *core.Record) *core.Record {
	t.Helper()
	return w.Find(t, r.Collection().Name, r.Id)
}

// Find reads one record by id; the test fails if it is not there.
func (w *World) Find(t testing.TB, collection, id string) *core.Record {
	t.Helper()
	r, err := w.App.FindRecordById(collection, id)
	if err != nil {
		t.Fatalf("find %s/%s: %v", collection, id, err)
	}
	return r
}

// Update sets fields on the stored r and saves it as the system would.
func (w *World) Update(t testing.TB, r *core.Record, fields map[string]any) *core.Record {
	t.Helper()
	fresh := w.Reload(t, r)
	for k, v := range fields {
		fresh.Set(k, v)
	}
	if err := w.App.Save(fresh); err != nil {
		t.Fatalf("update %s/%s: %v", r.Collection().Name, r.Id, err)
	}
	return fresh
}

// Count counts the records of collection that match where (a dbx
// expression; "" counts them all).
func (w *World) Count(t testing.TB, collection, where string, params ...dbx.Params) int {
	t.Helper()
	var exps []dbx.Expression
	if where != "" {
		var p dbx.Params
		if len(params) > 0 {
			p = params[0]
		}
		exps = append(exps, dbx.NewExp(where, p))
	}
	n, err := w.App.CountRecords(collection, exps...)
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// Token is an auth token of the auth record under label (made once).
func (w *World) Token(t testing.TB, label string) string {
	t.Helper()
	if label == "" {
		return ""
	}
	w.mu.Lock()
	tok, ok := w.tokens[label]
	w.mu.Unlock()
	if ok {
		return tok
	}
	tok = Token(t, w.R(label))
	w.SetToken(label, tok)
	return tok
}

// SetToken names a token (a superuser's, say) so that Do can use it.
func (w *World) SetToken(who, token string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.tokens[who] = token
}

// Do sends a JSON request to the server as who: the label of an auth
// record or of a token set with SetToken ("" for nobody).
func (w *World) Do(t testing.TB, method, path, who string, body any) Response {
	t.Helper()
	return w.Serve(t).Do(t, method, path, w.Token(t, who), body)
}

// Mails are the messages written to the mail folder, oldest first, once
// the outbox's background delivery (which every mail to a customer goes
// through) is idle.
func (w *World) Mails(t testing.TB) []string {
	t.Helper()
	outbox.Wait(w.App)
	return MailFiles(t, w.Cfg.MailDir)
}

// MailFiles are the .eml files of dir, by name (oldest first).
func MailFiles(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if filepath.Ext(e.Name()) == ".eml" {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	out := make([]string, 0, len(names))
	for _, n := range names {
		raw, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(raw))
	}
	return out
}

// Clock is a time the test sets; plugins that take a Now func read it.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock is a clock stopped at now.
func NewClock(now time.Time) *Clock { return &Clock{now: now} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Add moves the clock by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Wall reads a wall time in São Paulo: "2026-11-24 14:00" (a Tuesday).
func Wall(t testing.TB, value string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", value, SaoPaulo())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Business adds the demo business's cast, small and fast, under these labels:
//
//	staff      manager, agent, agent2, readonly
//	companies  coA (Padaria Pão Dourado, agent's), coC (Oficina Central, agent2's)
//	contacts   ctA Ana (coA, agent's, with an account: member)
//	           ctB Bruno (coA, agent's, with an account: company admin)
//	           ctC Carla (coC, agent2's, with an account: company admin)
//	           ctX Xavier (no company, agent2's, no account)
//	customers  cuA, cuB, cuC
//	requests   tpSup (Support: new, triage, done), a public type
//	sales      pipeline, stQual, stProp, stWon, stLost
//	catalogue  prFibre (a subscription customers may pause, cancel and change)
//
// A package adds what its tests need on top, under labels of its own.
func (w *World) Business(t testing.TB) *World {
	t.Helper()
	staff := func(label, name, role string) {
		w.Make(t, label, crm.Staff, map[string]any{"name": name, "email": label + "@staff.test", "role": role})
	}
	staff("manager", "Marina Duarte", crm.RoleManager)
	staff("agent", "Rafael Lima", crm.RoleAgent)
	staff("agent2", "Otávio Reis", crm.RoleAgent)
	staff("readonly", "Beatriz Nogueira", crm.RoleReadonly)
	w.Make(t, "coA", crm.Companies, map[string]any{"name": "Padaria Pão Dourado", "owner": w.ID("agent")})
	w.Make(t, "coC", crm.Companies, map[string]any{"name": "Oficina Central", "owner": w.ID("agent2")})
	contact := func(label, name, email, company, owner string) {
		fields := map[string]any{"name": name, "email": email, "owner": w.ID(owner), "language": "pt-BR", "timezone": "America/Sao_Paulo"}
		if company != "" {
			fields["company"] = w.ID(company)
		}
		w.Make(t, label, crm.Contacts, fields)
	}
	contact("ctA", "Ana Souza", "ana@a.test", "coA", "agent")
	contact("ctB", "Bruno Alves", "bruno@a.test", "coA", "agent")
	contact("ctC", "Carla Dias", "carla@c.test", "coC", "agent2")
	contact("ctX", "Xavier Nunes", "xavier@x.test", "", "agent2")
	customer := func(label, contact, role string) {
		c := w.R(contact)
		w.Make(t, label, crm.Customers, map[string]any{"email": c.GetString("email"), "name": c.GetString("name"),
			"contact": c.Id, "company_role": role})
	}
	customer("cuA", "ctA", crm.CompanyMember)
	customer("cuB", "ctB", crm.CompanyAdmin)
	customer("cuC", "ctC", crm.CompanyAdmin)
	w.Make(t, "tpSup", crm.CaseTypes, map[string]any{"name": "Support", "code": "SUP", "category": "support",
		"active": true, "public": true, "sla_first_response_hours": 4, "sla_resolution_hours": 40,
		"statuses": []map[string]any{
			{"key": "new", "label": "New", "public_label": "Received"},
			{"key": "triage", "label": "Triage by L2", "public_label": "Being looked at"},
			{"key": "done", "label": "Done", "public_label": "Solved", "closed": true},
		}})
	w.Make(t, "pipeline", crm.Pipelines, map[string]any{"name": "Sales", "currency": "BRL"})
	for i, s := range []struct{ label, name, kind string }{
		{"stQual", "Qualification", "open"}, {"stProp", "Proposal", "open"}, {"stWon", "Won", "won"}, {"stLost", "Lost", "lost"},
	} {
		w.Make(t, s.label, crm.PipelineStages, map[string]any{"pipeline": w.ID("pipeline"), "name": s.name, "kind": s.kind, "position": i + 1})
	}
	w.Make(t, "prFibre", crm.Products, map[string]any{"name": "Fibre 300", "code": "F300", "price": 100, "currency": "BRL",
		"kind": "subscription", "interval": "month", "active": true,
		"customer_can_pause": true, "customer_can_cancel": true, "customer_can_change_plan": true})
	return w
}

// Label is a short description of a record for test messages.
func Label(r *core.Record) string {
	if r == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%s/%s", r.Collection().Name, r.Id)
}
