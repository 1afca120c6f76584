package search_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/search"
	"vinculo/testkit"
)

// newWorld is a real app with every plugin and the search, served over
// HTTP, with staff of every role (labelled by role), a customer ("customer",
// of the contact "contact") and a superuser ("superuser").
func newWorld(t *testing.T) *testkit.World {
	t.Helper()
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All), testkit.Served()) // search included
	for _, role := range []string{crm.RoleManager, crm.RoleAgent, crm.RoleReadonly} {
		w.Make(t, role, crm.Staff, map[string]any{"email": role + "@staff.test", "name": "Staff " + role, "role": role})
	}
	contact := w.Make(t, "contact", crm.Contacts, map[string]any{"name": "Portal Person", "email": "portal@cust.test"})
	w.Make(t, "customer", crm.Customers, map[string]any{"email": "portal@cust.test", "contact": contact.Id, "company_role": crm.CompanyMember})
	w.Make(t, "superuser", core.CollectionNameSuperusers, map[string]any{"email": "root@staff.test"})
	return w
}

type hit struct {
	Collection string  `json:"collection"`
	ID         string  `json:"id"`
	Title      string  `json:"title"`
	Subtitle   string  `json:"subtitle"`
	Snippet    string  `json:"snippet"`
	Score      float64 `json:"score"`
}

// find searches as a manager and fails the test on anything but 200.
func find(t testing.TB, w *testkit.World, q string, extra ...string) []hit {
	t.Helper()
	return findAs(t, w, crm.RoleManager, q, extra...)
}

func findAs(t testing.TB, w *testkit.World, who, q string, extra ...string) []hit {
	t.Helper()
	res := get(t, w, who, q, extra...)
	if res.Status != http.StatusOK {
		t.Fatalf("search %q: %d %s", q, res.Status, res.Body)
	}
	var body struct{ Items []hit }
	res.JSON(t, &body)
	return body.Items
}

func get(t testing.TB, w *testkit.World, who, q string, extra ...string) testkit.Response {
	t.Helper()
	v := url.Values{"q": {q}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Add(extra[i], extra[i+1])
	}
	return w.Do(t, http.MethodGet, "/api/crm/search?"+v.Encode(), who, nil)
}

func ids(hits []hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.ID
	}
	return out
}

func has(hits []hit, id string) bool { return slices.Contains(ids(hits), id) }

func mustFind(t testing.TB, w *testkit.World, q, id string) {
	t.Helper()
	if hits := find(t, w, q); !has(hits, id) {
		t.Errorf("search %q does not find %s; got %+v", q, id, hits)
	}
}

func mustNotFind(t testing.TB, w *testkit.World, q, id string) {
	t.Helper()
	if hits := find(t, w, q); has(hits, id) {
		t.Errorf("search %q finds %s; want it gone", q, id)
	}
}

// fixtures for records that need a pipeline or a request type.
func newDeal(t testing.TB, w *testkit.World, title string) *core.Record {
	t.Helper()
	pl := w.Make(t, "", crm.Pipelines, map[string]any{"name": "Sales"})
	st := w.Make(t, "", crm.PipelineStages, map[string]any{"pipeline": pl.Id, "name": "Proposal", "position": 1, "kind": "open"})
	return w.Make(t, "", crm.Deals, map[string]any{"title": title, "pipeline": pl.Id, "stage": st.Id, "status": "open", "amount": 1200, "currency": "BRL"})
}

func newCase(t testing.TB, w *testkit.World, contact, subject, description string) *core.Record {
	t.Helper()
	seq := w.Unique()
	statuses := []map[string]any{{"key": "new", "label": "New", "public_label": "Received"}}
	tp := w.Make(t, "", crm.CaseTypes, map[string]any{"name": "Support", "code": "S" + strings.Repeat("X", seq), "category": "support", "statuses": statuses, "active": true})
	return w.Make(t, "", crm.Cases, map[string]any{"type": tp.Id, "contact": contact, "subject": subject, "description": description})
}

func activity(t testing.TB, w *testkit.World, staff *core.Record, subject, body string) *core.Record {
	t.Helper()
	return w.Make(t, "", crm.Activities, map[string]any{"type": "note", "actor_type": "staff", "staff": staff.Id, "subject": subject, "body": body})
}

func TestAccentsAndCaseFoldBothWays(t *testing.T) {
	w := newWorld(t)
	accented := w.Make(t, "", crm.Contacts, map[string]any{"name": "João Conceição"})
	plain := w.Make(t, "", crm.Contacts, map[string]any{"name": "Joao Silva"})
	other := w.Make(t, "", crm.Contacts, map[string]any{"name": "Maria Souza"})

	for q, want := range map[string][]string{
		"joão":           {accented.Id, plain.Id},
		"joao":           {accented.Id, plain.Id},
		"JOAO":           {accented.Id, plain.Id},
		"joao conceicao": {accented.Id},
		"JOÃO CONCEIÇÃO": {accented.Id},
		"Conceicao":      {accented.Id},
		"joão silva":     {plain.Id},
		"souza":          {other.Id},
	} {
		got := ids(find(t, w, q))
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("search %q = %v, want %v", q, got, want)
		}
	}
	// The exact name comes first, with its title as stored.
	hits := find(t, w, "joao conceicao")
	if len(hits) == 0 || hits[0].Title != "João Conceição" || hits[0].Collection != crm.Contacts {
		t.Errorf("first hit %+v, want the contact João Conceição", hits)
	}
}

func TestPrefixes(t *testing.T) {
	w := newWorld(t)
	joao := w.Make(t, "", crm.Contacts, map[string]any{"name": "João Conceição", "job_title": "Gerente de compras"})
	company := w.Make(t, "", crm.Companies, map[string]any{"name": "Padaria Pão Dourado", "city": "São Paulo"})
	for q, id := range map[string]string{
		"joa": joao.Id, "Jo": joao.Id, "joao conc": joao.Id, "conc jo": joao.Id, "gerente comp": joao.Id,
		"pada": company.Id, "pao dour": company.Id, "sao pau": company.Id,
	} {
		mustFind(t, w, q, id)
	}
	mustNotFind(t, w, "joaquim", joao.Id)
}

func TestPhoneSpellings(t *testing.T) {
	w := newWorld(t)
	mobile := w.Make(t, "", crm.Contacts, map[string]any{"name": "Ana Mobile", "mobile": "+5511987654321"})
	phone := w.Make(t, "", crm.Contacts, map[string]any{"name": "Bia Phone", "phone": "+551133224455"})
	company := w.Make(t, "", crm.Companies, map[string]any{"name": "Loja", "phone": "+551133224455"})
	other := w.Make(t, "", crm.Contacts, map[string]any{"name": "Caio Other", "mobile": "+5521912345678"})

	for _, q := range []string{"+5511987654321", "(11) 98765-4321", "11987654321", "98765-4321", "+55 11 98765 4321",
		"+55 (11) 98765-4321", "5511987654321", "11 98765-4321", "987654321", "+55 11 9876"} {
		hits := find(t, w, q)
		if !has(hits, mobile.Id) || has(hits, other.Id) {
			t.Errorf("search %q = %+v, want Ana Mobile and not Caio", q, hits)
		}
	}
	for _, q := range []string{"(11) 3322-4455", "1133224455", "3322-4455", "+55 11 3322 4455"} {
		hits := find(t, w, q)
		if !has(hits, phone.Id) || !has(hits, company.Id) {
			t.Errorf("search %q = %+v, want the contact and the company with that phone", q, hits)
		}
	}
	mustNotFind(t, w, "(11) 98765-0000", mobile.Id)
	// A number written in free text is found by the same spelling.
	note := activity(t, w, w.R(crm.RoleAgent), "Retorno", "Ligar de volta no (11) 98765-4321 amanhã")
	mustFind(t, w, "(11) 98765-4321", note.Id)
}

func TestEmailSpellings(t *testing.T) {
	w := newWorld(t)
	joao := w.Make(t, "", crm.Contacts, map[string]any{"name": "João", "email": "joao.conceicao@padariapaodourado1.example"})
	maria := w.Make(t, "", crm.Contacts, map[string]any{"name": "Maria", "email": "maria@outra.example"})
	for _, q := range []string{
		"joao.conceicao@padariapaodourado1.example", "JOAO.CONCEICAO@PadariaPaoDourado1.Example", // full, any case
		"joao.conceicao",                                            // local part
		"padariapaodourado1.example", "@padariapaodourado1.example", // domain
		"padariapaodourado1", "joao.conceicao@padaria", // and their beginnings
	} {
		hits := find(t, w, q)
		if !has(hits, joao.Id) || has(hits, maria.Id) {
			t.Errorf("search %q = %+v, want João only", q, hits)
		}
	}
	mustFind(t, w, "maria@outra.example", maria.Id)
	mustNotFind(t, w, "maria@padariapaodourado1.example", joao.Id)
}

func TestNameMatchesRankAboveMentions(t *testing.T) {
	w := newWorld(t)
	agent := w.R(crm.RoleAgent)
	// Mentions first, so insertion order cannot explain the result.
	note := activity(t, w, agent, "Visita", "Helena Prado pediu desconto. Helena Prado volta amanhã; falar com Helena Prado antes.")
	other := w.Make(t, "", crm.Contacts, map[string]any{"name": "Rita"})
	kase := newCase(t, w, other.Id, "Entrega atrasada", "A cliente Helena Prado reclamou da entrega")
	longer := w.Make(t, "", crm.Contacts, map[string]any{"name": "Helena Prado Neto"})
	exact := w.Make(t, "", crm.Contacts, map[string]any{"name": "Helena Prado", "job_title": "Compras"})

	hits := find(t, w, "helena prado")
	got := ids(hits)
	if len(got) < 4 || got[0] != exact.Id || got[1] != longer.Id {
		t.Fatalf("order %+v: want the exact name, then the name that starts with it", hits)
	}
	if !has(hits, note.Id) || !has(hits, kase.Id) {
		t.Errorf("the mentions are missing: %+v", hits)
	}
	for i := 1; i < len(hits); i++ {
		if hits[i].Score > hits[i-1].Score {
			t.Errorf("scores not descending at %d: %+v", i, hits)
		}
	}
	// Mentions in long text come with an escaped excerpt, the match marked.
	for _, h := range hits {
		if h.ID == note.Id && !strings.Contains(h.Snippet, "<mark>Helena</mark> <mark>Prado</mark>") {
			t.Errorf("snippet %q", h.Snippet)
		}
		if h.ID == exact.Id && (h.Snippet != "" || h.Subtitle != "Compras") {
			t.Errorf("contact hit %+v: want the job title as subtitle and no snippet", h)
		}
	}
	// A case's subject ranks above a case that only mentions the word.
	subject := newCase(t, w, other.Id, "Forno quebrado", "")
	mention := newCase(t, w, other.Id, "Pedido", "O forno chegou quebrado")
	got = ids(find(t, w, "forno", "collection", crm.Cases))
	if len(got) != 2 || got[0] != subject.Id || got[1] != mention.Id {
		t.Errorf("cases %v, want %s (subject) before %s (description)", got, subject.Id, mention.Id)
	}
}

func TestIndexFollowsTheRecordAPI(t *testing.T) {
	w := newWorld(t)
	res := w.Do(t, http.MethodPost, "/api/collections/contacts/records", crm.RoleManager, map[string]any{"name": "Otávio Quintela", "mobile": "+5531999887766"})
	if res.Status != http.StatusOK {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	var created struct{ ID string }
	res.JSON(t, &created)
	mustFind(t, w, "otavio quintela", created.ID)
	mustFind(t, w, "(31) 99988-7766", created.ID)

	res = w.Do(t, http.MethodPatch, "/api/collections/contacts/records/"+created.ID, crm.RoleManager, map[string]any{"name": "Otávio Ferraz", "mobile": ""})
	if res.Status != http.StatusOK {
		t.Fatalf("update: %d %s", res.Status, res.Body)
	}
	mustFind(t, w, "ferraz", created.ID)
	mustNotFind(t, w, "quintela", created.ID)
	mustNotFind(t, w, "(31) 99988-7766", created.ID)

	res = w.Do(t, http.MethodDelete, "/api/collections/contacts/records/"+created.ID, crm.RoleManager, nil)
	if res.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", res.Status, res.Body)
	}
	mustNotFind(t, w, "ferraz", created.ID)
	assertIndexMatchesTables(t, w.App)
}

func TestIndexFollowsRolledBackTransactions(t *testing.T) {
	w := newWorld(t)
	kept := w.Make(t, "", crm.Contacts, map[string]any{"name": "Wanda Kept"})
	rollback := errors.New("roll back")
	var inside []search.Hit
	var newID string
	err := w.App.RunInTransaction(func(tx core.App) error {
		r := testkit.Save(t, tx, crm.Contacts, map[string]any{"name": "Zuleica Phantom"})
		newID = r.Id
		kept.Set("name", "Wanda Renamed")
		if err := tx.Save(kept); err != nil {
			return err
		}
		// Inside the transaction the index already holds the write.
		var err error
		inside, err = search.Search(tx, &core.RequestInfo{Auth: w.R(crm.RoleAgent)}, search.Params{Q: "zuleica phantom", Limit: 5})
		if err != nil {
			return err
		}
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatalf("transaction: %v", err)
	}
	if len(inside) != 1 || inside[0].ID != newID {
		t.Errorf("inside the transaction: %+v, want %s", inside, newID)
	}
	mustNotFind(t, w, "zuleica", newID)
	mustFind(t, w, "wanda kept", kept.Id)
	mustNotFind(t, w, "renamed", kept.Id)

	// And a committed app.Save is there.
	err = w.App.RunInTransaction(func(tx core.App) error {
		newID = testkit.Save(t, tx, crm.Contacts, map[string]any{"name": "Zuleica Real"}).Id
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	mustFind(t, w, "zuleica", newID)
	assertIndexMatchesTables(t, w.App)
}

// assertIndexMatchesTables: one index entry per indexed record of each
// collection, no more, no less (timeline entries written by the system are
// not indexed).
func assertIndexMatchesTables(t testing.TB, app core.App) {
	t.Helper()
	for _, name := range search.Collections() {
		var missing, extra, system int
		kept := "1"
		if name == crm.Activities {
			kept = "event = ''"
			if err := app.DB().NewQuery("SELECT count(*) FROM `" + search.MapTable + "` m JOIN activities a ON a.id = m.record WHERE m.collection = 'activities' AND a.event != ''").Row(&system); err != nil {
				t.Fatal(err)
			}
			if system != 0 {
				t.Errorf("%d system timeline entries are in the index", system)
			}
		}
		if err := app.DB().NewQuery(fmt.Sprintf("SELECT count(*) FROM `%s` WHERE %s AND id NOT IN (SELECT record FROM `%s` WHERE collection = {:c})", name, kept, search.MapTable)).
			Bind(map[string]any{"c": name}).Row(&missing); err != nil {
			t.Fatal(err)
		}
		if err := app.DB().NewQuery(fmt.Sprintf("SELECT count(*) FROM `%s` WHERE collection = {:c} AND record NOT IN (SELECT id FROM `%s`)", search.MapTable, name)).
			Bind(map[string]any{"c": name}).Row(&extra); err != nil {
			t.Fatal(err)
		}
		if missing != 0 || extra != 0 {
			t.Errorf("%s: %d records missing from the index, %d entries without a record", name, missing, extra)
		}
	}
	var maps, docs, shorts int
	_ = app.DB().NewQuery("SELECT count(*) FROM `" + search.MapTable + "`").Row(&maps)
	_ = app.DB().NewQuery("SELECT count(*) FROM `" + search.Table + "`").Row(&docs)
	_ = app.DB().NewQuery("SELECT count(*) FROM `" + search.ShortTable + "`").Row(&shorts)
	if maps != docs || shorts != docs {
		t.Errorf("%d map rows for %d index rows and %d rows of the short columns", maps, docs, shorts)
	}
	assertShortTableMatches(t, app)
}

// assertShortTableMatches: the short columns' table holds every word of
// the index's name, detail and keys columns, in the same row, column and
// place, and no other (read through fts5vocab, as its rows hold no text).
func assertShortTableMatches(t testing.TB, app core.App) {
	t.Helper()
	db := app.NonconcurrentDB() // one connection: the vocabulary tables are temporary
	for _, q := range []string{
		"CREATE VIRTUAL TABLE temp.every_word USING fts5vocab(main, `" + search.Table + "`, instance)",
		"CREATE VIRTUAL TABLE temp.short_word USING fts5vocab(main, `" + search.ShortTable + "`, instance)",
	} {
		if _, err := db.NewQuery(q).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	defer func() {
		for _, table := range []string{"every_word", "short_word"} {
			_, _ = db.NewQuery("DROP TABLE temp." + table).Execute()
		}
	}()
	var words, missing, extra int
	for q, n := range map[string]*int{
		"SELECT count(*) FROM temp.short_word": &words,
		"SELECT count(*) FROM (SELECT term, doc, col, offset FROM temp.every_word WHERE col != 'body' EXCEPT SELECT term, doc, col, offset FROM temp.short_word)": &missing,
		"SELECT count(*) FROM (SELECT term, doc, col, offset FROM temp.short_word EXCEPT SELECT term, doc, col, offset FROM temp.every_word)":                     &extra,
	} {
		if err := db.NewQuery(q).Row(n); err != nil {
			t.Fatal(err)
		}
	}
	if missing != 0 || extra != 0 {
		t.Errorf("the short columns' table lacks %d of the index's words and has %d it does not (of %d)", missing, extra, words)
	}
}

func TestHostileQueriesArePlainWords(t *testing.T) {
	w := newWorld(t)
	target := w.Make(t, "", crm.Contacts, map[string]any{"name": "Near Andor", "job_title": "Not Or"})
	hostile := []string{
		`"`, `""`, `"near`, `near"`, `"near andor"`, `near AND andor`, `near OR zzz`, `near NOT andor`, `NEAR(near andor)`,
		`NEAR(near andor, 2)`, `near*`, `*`, `**near`, `-near`, `near -andor`, `name:near`, `{name}:near`, `{name detail}: near`,
		`^near`, `near^`, `(near`, `near)`, `)(`, `+near`, `near + andor`, `AND`, `OR OR`, `NOT`, `'; DROP TABLE contacts; --`,
		`near' OR '1'='1`, "near\x00andor", "near\tandor", `\"near\"`, `near:`, `:`, `.`, `@`, `%`, `_`, `near%`, `[near]`,
		`{{contacts}}`, `[[id]]`, `{:match}`, "\xff\xfe near", strings.Repeat("(", 50) + "near", `"near" "andor"*`,
	}
	for _, q := range hostile {
		res := get(t, w, crm.RoleManager, q)
		if res.Status != http.StatusOK && res.Status != http.StatusBadRequest {
			t.Errorf("q %q: %d %s", q, res.Status, res.Body)
		}
		if res.Status == http.StatusBadRequest && !strings.Contains(string(res.Body), `"q"`) {
			t.Errorf("q %q: 400 without naming q: %s", q, res.Body)
		}
	}
	// Operators are words: they match the words, not a syntax.
	for _, q := range []string{`near AND andor`, `NOT OR`, `"near andor"`, `Andor: near`, `NEAR near andor`, `-near`, `near*`, `(near)`, `near"`} {
		mustFind(t, w, q, target.Id)
	}
	mustNotFind(t, w, `near OR zzz`, target.Id) // every word must match; OR is a word
	if _, err := w.App.FindRecordById(crm.Contacts, target.Id); err != nil {
		t.Fatalf("the contacts are gone: %v", err)
	}
	assertIndexMatchesTables(t, w.App)
}

func TestWhoMaySearch(t *testing.T) {
	w := newWorld(t)
	c := w.Make(t, "", crm.Contacts, map[string]any{"name": "Quitéria"})
	if res := w.Do(t, http.MethodGet, "/api/crm/search?q=quiteria", "", nil); res.Status != http.StatusUnauthorized {
		t.Errorf("anonymous: %d %s", res.Status, res.Body)
	}
	if res := get(t, w, "customer", "quiteria"); res.Status != http.StatusForbidden {
		t.Errorf("customer: %d %s", res.Status, res.Body)
	}
	for _, who := range []string{crm.RoleManager, crm.RoleAgent, crm.RoleReadonly, "superuser"} {
		if hits := findAs(t, w, who, "quiteria"); !has(hits, c.Id) {
			t.Errorf("%s does not find the contact: %+v", who, hits)
		}
	}
}

func TestBadParametersAreNamed(t *testing.T) {
	w := newWorld(t)
	for _, k := range []struct {
		query, param string
	}{
		{"", "q"}, {"q=", "q"}, {"q=%20%20", "q"}, {"q=a", "q"}, {"q=*", "q"}, {"q=%22-%22", "q"}, {"q=a+b", "q"},
		{"q=" + strings.Repeat("x", 201), "q"}, {"q=" + strings.TrimSuffix(strings.Repeat("ab+", 13), "+"), "q"},
		{"q=ana&limit=0", "limit"}, {"q=ana&limit=101", "limit"}, {"q=ana&limit=-1", "limit"}, {"q=ana&limit=ten", "limit"},
		{"q=ana&limit=", "limit"}, {"q=ana&limit=2.5", "limit"},
		{"q=ana&collection=staff", "collection"}, {"q=ana&collection=customers", "collection"}, {"q=ana&collection=", "collection"},
		{"q=ana&collection=contacts,users", "collection"},
	} {
		res := w.Do(t, http.MethodGet, "/api/crm/search?"+k.query, crm.RoleAgent, nil)
		var body struct {
			Data map[string]json.RawMessage `json:"data"`
		}
		_ = json.Unmarshal(res.Body, &body)
		if res.Status != http.StatusBadRequest || body.Data[k.param] == nil {
			t.Errorf("%s: %d %s, want 400 naming %s", k.query, res.Status, res.Body, k.param)
		}
	}
	// Bad input is judged only after who is asking.
	if res := w.Do(t, http.MethodGet, "/api/crm/search?q=a", "", nil); res.Status != http.StatusUnauthorized {
		t.Errorf("anonymous with bad q: %d", res.Status)
	}
}

func TestLimitAndCollectionFilter(t *testing.T) {
	w := newWorld(t)
	var contacts []string
	for i := range 30 {
		contacts = append(contacts, w.Make(t, "", crm.Contacts, map[string]any{"name": fmt.Sprintf("Tereza %02d", i)}).Id)
	}
	deal := newDeal(t, w, "Tereza renewal")
	company := w.Make(t, "", crm.Companies, map[string]any{"name": "Tereza Ltda"})

	if n := len(find(t, w, "tereza")); n != search.DefaultLimit {
		t.Errorf("default limit: %d hits, want %d", n, search.DefaultLimit)
	}
	if n := len(find(t, w, "tereza", "limit", "5")); n != 5 {
		t.Errorf("limit 5: %d hits", n)
	}
	if n := len(find(t, w, "tereza", "limit", "100")); n != 32 {
		t.Errorf("limit 100: %d hits, want all 32", n)
	}
	only := find(t, w, "tereza", "collection", crm.Deals)
	if len(only) != 1 || only[0].ID != deal.Id || only[0].Subtitle != "open · 1200 BRL" {
		t.Errorf("deals only: %+v", only)
	}
	for _, extra := range [][]string{
		{"collection", "deals,companies"},
		{"collection", "deals", "collection", "companies"},
		{"collection", " deals , companies "},
	} {
		got := ids(find(t, w, "tereza", extra...))
		slices.Sort(got)
		want := []string{deal.Id, company.Id}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%v: %v, want the deal and the company", extra, got)
		}
	}
	got := ids(find(t, w, "tereza", "collection", crm.Contacts, "limit", "100"))
	slices.Sort(got)
	slices.Sort(contacts)
	if !slices.Equal(got, contacts) {
		t.Errorf("contacts only: %v, want the %d contacts", got, len(contacts))
	}
}

// The search returns only what the caller could list: the check runs each
// collection's list rule, so tightening a rule narrows the search.
func TestSearchFollowsListRules(t *testing.T) {
	w := newWorld(t)
	agent, readonly := w.R(crm.RoleAgent), w.R(crm.RoleReadonly)
	mine := activity(t, w, agent, "Orçamento Xisto", "")
	theirs := activity(t, w, readonly, "Orçamento Xisto", "")
	contact := w.Make(t, "", crm.Contacts, map[string]any{"name": "Xisto Cliente"})
	kase := newCase(t, w, contact.Id, "Xisto quebrado", "")

	if got := findAs(t, w, crm.RoleAgent, "xisto"); len(got) != 4 {
		t.Fatalf("before: %+v, want all four", got)
	}
	activities, _ := w.App.FindCollectionByNameOrId(crm.Activities)
	activities.ListRule = ptr(`@request.auth.collectionName = 'staff' && staff = @request.auth.id`)
	if err := w.App.Save(activities); err != nil {
		t.Fatal(err)
	}
	cases, _ := w.App.FindCollectionByNameOrId(crm.Cases)
	cases.ListRule = nil // superusers only
	if err := w.App.Save(cases); err != nil {
		t.Fatal(err)
	}
	got := findAs(t, w, crm.RoleAgent, "xisto")
	if !has(got, mine.Id) || has(got, theirs.Id) || has(got, kase.Id) || !has(got, contact.Id) {
		t.Errorf("agent after tightening: %+v, want their activity and the contact only", got)
	}
	got = findAs(t, w, "superuser", "xisto")
	if len(got) != 4 {
		t.Errorf("superuser: %+v, want all four", got)
	}
	// The saves above changed no field: the index still follows writes.
	later := activity(t, w, agent, "Xisto de novo", "")
	if got := findAs(t, w, crm.RoleAgent, "xisto"); !has(got, later.Id) {
		t.Errorf("a new activity after the rule change is not found: %+v", got)
	}
}

func ptr(s string) *string { return &s }

// A word mentioned in many long texts: the search ranks the names and
// subjects that hold it, then the newest mentions, without ranking every
// mention (what keeps a common word as quick as a rare one).
func TestManyMentionsNewestFirst(t *testing.T) {
	w := newWorld(t)
	agent := w.R(crm.RoleAgent)
	var notes []string
	for i := range 120 {
		notes = append(notes, activity(t, w, agent, fmt.Sprintf("Visita %d", i), "O cliente pediu um orçamento novo.").Id)
	}
	named := w.Make(t, "", crm.Contacts, map[string]any{"name": "Orçamento Rápido Ltda"})
	subject := activity(t, w, agent, "Orçamento de dezembro", "")

	hits := find(t, w, "orcamento", "limit", "10")
	got := ids(hits)
	// The two names that start with the word (their order is bm25's), then the mentions.
	if len(got) != 10 || !slices.Contains(got[:2], named.Id) || !slices.Contains(got[:2], subject.Id) {
		t.Fatalf("order %+v: want the name %s, then the subject %s, then mentions (newest %s)", hits, named.Id, subject.Id, notes[len(notes)-1])
	}
	// Then the mentions, newest first.
	for i, id := range got[2:] {
		if want := notes[len(notes)-1-i]; id != want {
			t.Errorf("mention %d: %s, want %s (the newest first)", i, id, want)
		}
	}
	for i := 1; i < len(hits); i++ {
		if hits[i].Score > hits[i-1].Score {
			t.Errorf("scores not descending at %d: %+v", i, hits)
		}
	}
}

// Too many matches in names to rank: the newest come, still in name tiers.
func TestTooManyNameMatchesNewestFirst(t *testing.T) {
	old := search.SetRankAtMost(5)
	t.Cleanup(func() { search.SetRankAtMost(old) })
	w := newWorld(t)
	exact := w.Make(t, "", crm.Contacts, map[string]any{"name": "Tereza"})
	var others []string
	for i := range 12 {
		others = append(others, w.Make(t, "", crm.Contacts, map[string]any{"name": fmt.Sprintf("Tereza %02d", i)}).Id)
	}
	got := ids(find(t, w, "tereza", "limit", "6"))
	want := append([]string{exact.Id}, others[11], others[10], others[9], others[8], others[7])
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want the exact name, then the newest: %v", got, want)
	}
}

// As many searches run at once as the process has cores; the next waits
// for one to end (then runs), and one whose caller goes away while it
// waits takes no turn.
func TestSearchesTakeTurns(t *testing.T) {
	w := newWorld(t)
	target := w.Make(t, "", crm.Contacts, map[string]any{"name": "Teodora Vez"})
	srv, token := w.Serve(t), w.Token(t, crm.RoleManager)
	ask := func(ctx context.Context) (int, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/crm/search?q=teodora", nil)
		req.Header.Set("Authorization", token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		defer res.Body.Close()
		_, _ = io.Copy(io.Discard, res.Body)
		return res.StatusCode, nil
	}

	release, ok := search.HoldSearches()
	if !ok {
		t.Fatal("a search slot is taken before any search")
	}
	gone, cancel := context.WithCancel(context.Background())
	goneDone := make(chan error, 1)
	go func() { _, err := ask(gone); goneDone <- err }()
	waiting := make(chan int, 1)
	go func() { status, _ := ask(context.Background()); waiting <- status }()
	time.Sleep(200 * time.Millisecond) // both are waiting by now, or the checks below still hold
	cancel()
	if err := <-goneDone; err == nil {
		t.Error("a search whose caller went away answered")
	}
	select {
	case status := <-waiting:
		release()
		t.Fatalf("a search ran while every slot was taken (HTTP %d)", status)
	case <-time.After(300 * time.Millisecond):
	}
	release()
	if status := <-waiting; status != http.StatusOK {
		t.Fatalf("the waiting search: HTTP %d", status)
	}
	mustFind(t, w, "teodora vez", target.Id)
	if release, ok := search.HoldSearches(); !ok {
		t.Error("a slot stayed taken after every search ended")
	} else {
		release()
	}
}
