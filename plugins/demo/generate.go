package demo

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/pocketbase/pocketbase/core"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"vinculo/crm"
	"vinculo/plugins/deals"
)

// Options scale the demo business.
type Options struct {
	Contacts             int // 300 for the demo; up to millions for benchmarks
	ActivitiesPerContact int
	Now                  time.Time // "today" for the generated history
	Language             string    // the business's language, for its own words (pt-BR unless given)
	// Config is the business's (its calendar, for the hours requests are
	// answered in, and the objectives' measures); the shipped defaults when nil.
	Config *crm.Config
}

// Login is a demo account to sign in with.
type Login struct {
	Who, Email, Password, Where string
}

// Summary tells what Generate did.
type Summary struct {
	Logins      []Login
	NewContacts int64
	NewRows     int64 // rows written by the bulk path (contacts, activities, consents)
	// Indexed is how many of them the bulk path indexed for search itself,
	// before each batch committed (the insert triggers set aside).
	Indexed  int64
	BulkTime time.Duration
}

const (
	baseContacts  = 300
	companyCount  = 50
	demoPassword  = "vinculo-demo-2026"
	demoTimeStamp = "2006-01-02 15:04:05.000Z"
)

// Fixed ids make the demo idempotent: a second run finds what the first made.
func id(prefix string, n int) string { return fmt.Sprintf("%s%0*d", prefix, 15-len(prefix), n) }

func contactID(i int) string { return id("ct", i) }
func companyID(i int) string { return id("co", i) }

// Generate fills app with the demo business. Running it again adds only what
// is missing; a larger Contacts adds the extra contacts.
func Generate(app core.App, opts Options) (*Summary, error) {
	if opts.Contacts <= 0 {
		opts.Contacts = baseContacts
	}
	if opts.ActivitiesPerContact < 0 {
		opts.ActivitiesPerContact = 0
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now().UTC()
	}
	if opts.Language == "" {
		opts.Language = "pt-BR"
	}
	if opts.Config == nil {
		opts.Config = crm.DefaultConfig()
	}
	g := &generator{app: app, opts: opts, rng: rand.New(rand.NewPCG(2026, 11)),
		cal: opts.Config.BusinessNow().Calendar(), dated: map[string]bool{}}
	sum := &Summary{}

	if err := app.RunInTransaction(func(tx core.App) error {
		g.app = tx
		return g.catalogue()
	}); err != nil {
		return nil, err
	}
	g.app = app

	db, err := writerDB(app)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if sum.NewContacts, err = g.contacts(db); err != nil {
		return nil, err
	}
	sum.NewRows += sum.NewContacts
	sum.BulkTime += time.Since(start)

	if err := app.RunInTransaction(func(tx core.App) error {
		g.app = tx
		return g.relationships()
	}); err != nil {
		return nil, err
	}
	g.app = app

	start = time.Now()
	n, err := g.timeline(db)
	if err != nil {
		return nil, err
	}
	sum.NewRows += n
	sum.BulkTime += time.Since(start)
	sum.Indexed = g.indexed
	if err := g.oldLeads(); err != nil { // plugins/demo/retention.go
		return nil, err
	}

	sum.Logins = []Login{
		{"Staff manager", "marina@vinculo.example", demoPassword, "staff workspace and API (staff)"},
		{"Staff agent", "rafael@vinculo.example", demoPassword, "staff workspace and API (staff)"},
		{"Staff read-only", "beatriz@vinculo.example", demoPassword, "staff workspace and API (staff)"},
		{"Partner technician", "paulo@vinculo.example", demoPassword, "staff workspace: only the requests assigned to him"},
		{"Portal customer (member)", g.email(1), "one-time code by email", "customer portal"},
		{"Portal customer (company admin)", g.email(2), "one-time code by email", "customer portal"},
	}
	return sum, nil
}

type generator struct {
	app   core.App
	opts  Options
	rng   *rand.Rand
	cal   crm.Calendar    // the business's opening hours
	dated map[string]bool // timeline entries already moved to when they happened
	// indexed counts the search index entries the bulk path wrote itself.
	indexed int64
}

// save creates the record with the given id unless it exists already.
func (g *generator) save(collection, recordID string, fields map[string]any) (*core.Record, error) {
	r, _, err := g.create(collection, recordID, fields, time.Time{})
	return r, err
}

// create is save for a record of the past: created is when it was made
// (now when zero). isNew tells whether this run made it.
func (g *generator) create(collection, recordID string, fields map[string]any, created time.Time) (r *core.Record, isNew bool, err error) {
	if r, err := g.app.FindRecordById(collection, recordID); err == nil {
		return r, false, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return nil, false, err
	}
	c, err := g.app.FindCachedCollectionByNameOrId(collection)
	if err != nil {
		return nil, false, err
	}
	r = core.NewRecord(c)
	r.Id = recordID
	for k, v := range fields {
		r.Set(k, v)
	}
	if !created.IsZero() {
		r.SetRaw("created", stamp(created))
	}
	crm.Quietly(r) // the demo's records are history: nothing to tell their customers now
	if c.IsAuth() {
		r.SetPassword(demoPassword)
		r.SetVerified(true)
	}
	if err := g.app.Save(r); err != nil {
		return nil, false, fmt.Errorf("demo %s %s: %w", collection, recordID, err)
	}
	return r, true, nil
}

func (g *generator) ago(days int) string {
	return g.opts.Now.Add(-time.Duration(days)*24*time.Hour - time.Duration(g.rng.IntN(9*3600))*time.Second).Format(demoTimeStamp)
}

func jsonText(v any) string {
	raw, _ := json.Marshal(v)
	return string(raw)
}

var staffIDs = []string{id("st", 1), id("st", 2), id("st", 3)}

// catalogue: the team, companies, pipelines, request types and products.
func (g *generator) catalogue() error {
	team := []map[string]any{
		{"name": "Marina Duarte", "email": "marina@vinculo.example", "role": crm.RoleManager, "language": "pt-BR", "timezone": "America/Sao_Paulo"},
		{"name": "Rafael Lima", "email": "rafael@vinculo.example", "role": crm.RoleAgent, "language": "pt-BR", "timezone": "America/Sao_Paulo"},
		{"name": "Beatriz Nogueira", "email": "beatriz@vinculo.example", "role": crm.RoleReadonly, "language": "en", "timezone": "America/Sao_Paulo"},
	}
	for i, s := range team {
		if _, err := g.save(crm.Staff, staffIDs[i], s); err != nil {
			return err
		}
	}

	for i := 1; i <= companyCount; i++ {
		name, domain := companyName(i)
		r := rand.New(rand.NewPCG(7, uint64(i)))
		sizes := []string{"1-10", "11-50", "51-200", "201-1000"}
		if _, err := g.save(crm.Companies, companyID(i), map[string]any{
			"name": name, "domain": domain, "industry": industries[i%len(industries)],
			"size": sizes[r.IntN(len(sizes))], "city": cities[i%len(cities)], "country": "BR",
			"phone": fmt.Sprintf("+55%d3%07d", 11+i%80, r.IntN(10000000)),
			"owner": staffIDs[i%2], "tags": []string{[]string{"b2b", "vip", "prospect", "parceiro"}[i%4]},
		}); err != nil {
			return err
		}
	}

	pipelines := []struct {
		name   string
		stages []string
		prob   []int
	}{
		{"Vendas", []string{"Qualificação", "Proposta", "Negociação", "Ganho", "Perdido"}, []int{10, 40, 70, 100, 0}},
		{"Renovações", []string{"Contato", "Proposta de renovação", "Ganho", "Perdido"}, []int{30, 60, 100, 0}},
	}
	for p, pl := range pipelines {
		if _, err := g.save(crm.Pipelines, id("pl", p+1), map[string]any{"name": pl.name, "position": p, "currency": "BRL"}); err != nil {
			return err
		}
		for s, name := range pl.stages {
			kind := "open"
			switch pl.prob[s] {
			case 100:
				kind = "won"
			case 0:
				kind = "lost"
			}
			if _, err := g.save(crm.PipelineStages, id(fmt.Sprintf("ps%d", p+1), s+1), map[string]any{
				"pipeline": id("pl", p+1), "name": name, "position": s, "probability": pl.prob[s], "kind": kind, "stale_after_days": 21,
			}); err != nil {
				return err
			}
		}
	}

	for i, t := range caseTypeList {
		if _, err := g.save(crm.CaseTypes, id("tp", i+1), map[string]any{
			"name": t.name, "code": t.code, "category": t.category, "description": t.description,
			"statuses": t.statuses, "transitions": t.transitions(), "fields": t.fields,
			"sla_first_response_hours": t.firstResponse, "sla_resolution_hours": t.resolution,
			"hold_marketing": true, "active": true, "public": t.code == "LIC" || t.code == "INF", "position": i,
		}); err != nil {
			return err
		}
	}

	for i, p := range productList {
		if _, err := g.save(crm.Products, id("pr", i+1), p); err != nil {
			return err
		}
	}
	return nil
}

func companyName(i int) (name, domain string) {
	head := companyHeads[(i-1)%len(companyHeads)]
	tail := companyTails[((i-1)/len(companyHeads)+(i-1))%len(companyTails)]
	english := strings.Contains("Blue Harbor Northwind Greenfield Silverline Redwood", head)
	if english {
		name = fmt.Sprintf("%s %s", head, []string{"Logistics", "Foods", "Clinics", "Studio", "Systems"}[i%5])
	} else {
		name = fmt.Sprintf("%s %s %s", head, tail, companySuffixes[true])
	}
	return name, slug(strings.TrimSuffix(strings.TrimSuffix(name, " Ltda."), " Ltd.")) + fmt.Sprintf("%d.example", i)
}

// slug folds accents and keeps letters and digits: "Pão Dourado" -> "paodourado".
func slug(s string) string {
	folded, _, _ := transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC), s)
	var b strings.Builder
	for _, r := range strings.ToLower(folded) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// person returns contact i's name; contact 1 and 2 are the portal customers.
func person(i int) (first, last string, r *rand.Rand) {
	r = rand.New(rand.NewPCG(11, uint64(i)))
	switch i {
	case 1:
		return "João", "Conceição", r
	case 2:
		return "Ana Luísa", "Gonçalves", r
	}
	first = firstNames[r.IntN(len(firstNames))]
	last = lastNames[r.IntN(len(lastNames))]
	if r.IntN(3) == 0 {
		last = lastNames[r.IntN(len(lastNames))] + " " + last
	}
	return first, last, r
}

// companyOf: most of the first contacts work at one of the companies; the rest
// are individual customers.
func companyOf(i int) int {
	if i == 2 {
		return 1 // Ana works with João
	}
	if i <= 250 {
		return (i-1)%companyCount + 1
	}
	if i%5 < 2 {
		return i%companyCount + 1
	}
	return 0
}

func (g *generator) email(i int) string {
	first, last, _ := person(i)
	local := slug(strings.Fields(first)[0]) + "." + slug(strings.Fields(last)[len(strings.Fields(last))-1])
	if i > 2 {
		local += fmt.Sprint(i)
	}
	if c := companyOf(i); c > 0 {
		_, domain := companyName(c)
		return local + "@" + domain
	}
	return local + "@mail.example"
}

var contactColumns = []string{
	"id", "name", "email", "phone", "mobile", "job_title", "company", "owner", "stage", "tags", "score", "source",
	"preferred_channel", "preferred_days", "preferred_hours_start", "preferred_hours_end", "timezone", "language",
	"max_contacts_per_week", "created", "updated",
}

// language is the language contact i speaks (as contactRow gives it): what
// people write about them is in it.
func (g *generator) language(i int) string {
	row := g.contactRow(i)
	if s, ok := row[slices.Index(contactColumns, "language")].(string); ok && s != "" {
		return s
	}
	return "pt-BR"
}

// contactRow is contact i's values in contactColumns order.
func (g *generator) contactRow(i int) []any {
	first, last, r := person(i)
	company := ""
	if c := companyOf(i); c > 0 {
		company = companyID(c)
	}
	stage := crm.LifecycleStages[r.IntN(len(crm.LifecycleStages))]
	if i <= 2 {
		stage = "customer"
	}
	channels := []string{"email", "whatsapp", "phone", "sms", "email"}
	days := []string{"mon", "tue", "wed", "thu", "fri"}
	start, end := []string{"08:00", "09:00", "13:00"}[r.IntN(3)], []string{"12:00", "18:00", "20:00"}[r.IntN(3)]
	if start >= end {
		start, end = "09:00", "18:00"
	}
	language, tz := "pt-BR", "America/Sao_Paulo"
	if r.IntN(6) == 0 {
		language, tz = "en", []string{"Europe/London", "America/New_York", "Europe/Lisbon"}[r.IntN(3)]
	}
	created := g.opts.Now.Add(-time.Duration(30+r.IntN(700)) * 24 * time.Hour).Format(demoTimeStamp)
	mobile := fmt.Sprintf("+55%d9%08d", 11+r.IntN(88), r.IntN(100000000))
	return []any{
		contactID(i), first + " " + last, g.email(i), "", mobile,
		jobTitles[r.IntN(len(jobTitles))], company, staffIDs[r.IntN(2)], stage,
		jsonText([]string{[]string{"newsletter", "b2b", "vip", "indicação"}[r.IntN(4)]}), r.IntN(101),
		[]string{"site", "indicação", "evento", "import"}[r.IntN(4)],
		channels[r.IntN(len(channels))], jsonText(days), start, end, tz, language, 2 + r.IntN(4),
		created, created,
	}
}

func (g *generator) contacts(db *sql.DB) (int64, error) {
	w, err := newBulkWriter(g.app, db, crm.Contacts, g.opts.Contacts, contactColumns...)
	if err != nil {
		return 0, err
	}
	for i := 1; i <= g.opts.Contacts; i++ {
		if err := w.Add(g.contactRow(i)...); err != nil {
			w.abort()
			return w.Inserted, err
		}
	}
	err = w.Close()
	g.indexed += w.Indexed
	return w.Inserted, err
}

// lostReasons: the business's reasons for losing a deal (written first in its
// language when the server has not started yet), so that the demo's lost
// deals give one of them. Should a manager have deleted them all, the first
// list's words, as a deal brought in from elsewhere keeps its own.
func (g *generator) lostReasons() ([]string, error) {
	if err := deals.SeedLostReasons(g.app, g.opts.Language); err != nil {
		return nil, err
	}
	rows, err := g.app.FindRecordsByFilter(crm.LostReasons, "active = true", "position", 0, 0)
	if err != nil {
		return nil, err
	}
	names := []string{}
	for _, r := range rows {
		names = append(names, r.GetString("name"))
	}
	if len(names) == 0 {
		names = deals.FirstLostReasons(g.opts.Language)
	}
	return names, nil
}

// relationships: portal customers, deals, requests, orders, subscriptions and tasks
// of the first contacts.
func (g *generator) relationships() error {
	base := min(g.opts.Contacts, baseContacts)
	for i, role := range []string{crm.CompanyMember, crm.CompanyAdmin} {
		n := i + 1
		if n > base {
			break
		}
		first, last, _ := person(n)
		if _, err := g.save(crm.Customers, id("cu", n), map[string]any{
			"email": g.email(n), "contact": contactID(n), "company_role": role,
			"name": first + " " + last, "language": "pt-BR",
		}); err != nil {
			return err
		}
	}

	reasons, err := g.lostReasons()
	if err != nil {
		return err
	}
	if err := g.deals(base, reasons); err != nil {
		return err
	}

	if err := g.requests(base); err != nil {
		return err
	}

	if err := g.orders(base); err != nil {
		return err
	}
	if err := g.subscriptions(base); err != nil {
		return err
	}
	if err := g.buyingRhythms(base); err != nil { // suggestions.go
		return err
	}
	if err := g.quotes(base); err != nil {
		return err
	}
	if err := g.personal(); err != nil {
		return err
	}
	if err := g.services(); err != nil {
		return err
	}
	if err := g.mentionNote(); err != nil {
		return err
	}
	if err := g.teams(); err != nil { // teams.go
		return err
	}
	if err := g.npsAnswers(base); err != nil {
		return err
	}

	for t := 1; t <= base/4; t++ {
		r := rand.New(rand.NewPCG(23, uint64(t)))
		status := []string{"open", "open", "open", "done"}[r.IntN(4)]
		fields := map[string]any{
			"title":    []string{"Retornar ligação", "Enviar proposta revisada", "Confirmar agendamento da visita", "Send the renewal quote", "Cobrar documentos da licença"}[r.IntN(5)],
			"due":      g.opts.Now.AddDate(0, 0, r.IntN(14)-5).Format(demoTimeStamp),
			"assignee": staffIDs[r.IntN(2)], "created_by": staffIDs[r.IntN(2)], "status": status,
			"contact": contactID((t*13)%base + 1),
		}
		if status == "done" {
			fields["done_at"] = g.ago(r.IntN(5))
		}
		if _, err := g.save(crm.Tasks, id("tk", t), fields); err != nil {
			return err
		}
	}
	return g.objectives()
}

var activityColumns = []string{
	"id", "type", "channel", "direction", "subject", "body", "occurred_at", "actor_type", "staff",
	"contact", "company", "outcome", "duration_minutes", "public", "created", "updated",
}

var consentColumns = []string{"id", "contact", "purpose", "channel", "state", "text", "source", "at", "created", "updated"}

var activityTypes = []string{"call", "email", "meeting", "visit", "note", "chat", "letter", "call", "email", "note"}

// timeline: every contact's history of interactions and their consents.
func (g *generator) timeline(db *sql.DB) (int64, error) {
	acts, err := newBulkWriter(g.app, db, crm.Activities, g.opts.Contacts*g.opts.ActivitiesPerContact, activityColumns...)
	if err != nil {
		return 0, err
	}
	for i := 1; i <= g.opts.Contacts; i++ {
		r := rand.New(rand.NewPCG(31, uint64(i)))
		company := ""
		if c := companyOf(i); c > 0 {
			company = companyID(c)
		}
		lang := g.language(i)
		for j := 0; j < g.opts.ActivitiesPerContact; j++ {
			kind := activityTypes[r.IntN(len(activityTypes))]
			subjects := activitySubjects[lang][kind]
			when := g.opts.Now.Add(-time.Duration(r.IntN(365*24*60)) * time.Minute).Format(demoTimeStamp)
			direction, outcome, duration := "outbound", "", 0
			switch kind {
			case "note":
				direction = "internal"
			case "call", "meeting", "visit":
				outcome, duration = outcomes[lang][r.IntN(len(outcomes[lang]))], 5+r.IntN(55)
			}
			if r.IntN(3) == 0 && kind != "note" {
				direction = "inbound"
			}
			err := acts.Add(
				id("ac", (i-1)*g.opts.ActivitiesPerContact+j+1), kind, activityChannels[kind], direction,
				subjects[r.IntN(len(subjects))], "", when, "staff", staffIDs[r.IntN(2)],
				contactID(i), company, outcome, duration, kind == "email" || kind == "letter", when, when,
			)
			if err != nil {
				acts.abort()
				return acts.Inserted, err
			}
		}
	}
	if err := acts.Close(); err != nil {
		return acts.Inserted, err
	}
	g.indexed += acts.Indexed

	consents, err := newBulkWriter(g.app, db, crm.Consents, g.opts.Contacts*2, consentColumns...)
	if err != nil {
		return acts.Inserted, err
	}
	surveyed := map[int]bool{}
	if base := min(g.opts.Contacts, baseContacts); base >= 3 {
		for n := 1; n <= base/2; n++ {
			surveyed[npsContact(n, base)] = true
		}
	}
	for i := 1; i <= g.opts.Contacts; i++ {
		r := rand.New(rand.NewPCG(37, uint64(i)))
		at := g.opts.Now.Add(-time.Duration(30+r.IntN(600)) * 24 * time.Hour).Format(demoTimeStamp)
		rows := [][]any{
			{id("cn", i*3-2), contactID(i), "service", "email", "granted", "Aceito receber comunicações sobre meus pedidos e serviços.", "portal", at, at, at},
			{id("cn", i*3-1), contactID(i), "marketing", "email", []string{"granted", "withdrawn"}[r.IntN(2)], "Aceito receber ofertas e novidades por e-mail.", "public_form", at, at, at},
		}
		if r.IntN(3) == 0 {
			rows = append(rows, []any{id("cn", i*3), contactID(i), "marketing", "whatsapp", "granted", "Aceito receber ofertas pelo WhatsApp.", "staff", at, at, at})
		}
		if surveyed[i] { // they answered the NPS survey: they agreed to be asked
			rows = append(rows, []any{id("cr", i), contactID(i), crm.PurposeResearch, "email", "granted", "Aceito responder pesquisas de satisfação.", "portal", at, at, at})
		}
		for _, row := range rows {
			if err := consents.Add(row...); err != nil {
				consents.abort()
				return acts.Inserted + consents.Inserted, err
			}
		}
	}
	err = consents.Close()
	return acts.Inserted + consents.Inserted, err
}
