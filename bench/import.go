package main

// Part 6 (-parts 6, or import): `vinculo import` of a generated CSV file of
// -sizes contacts (a Portuguese spreadsheet: semicolons, local phone
// numbers, company names, tags, stages) through the import engine
// (plugins/importer: read, detect, normalise to E.164, dedupe against the
// database and the file, write, build the search index of the new rows in
// bulk, all or nothing in one transaction) into a fresh PocketBase app,
// against raw SQLite inserts of the same rows, already normalised, into a
// fresh file with the contacts table and its b-tree indexes only (no search
// index: the goal's baseline), and again with the search index's triggers
// (what a row-by-row index costs), read from the migrated app, in the same
// multi-row INSERT shape, in this run. After the import the bench checks
// that every imported row is in the search index and found by a search for
// its name. Memory, sampled every 20 ms
// on both sides: the import's peak Go heap in use (its own buffers: flat
// means it does not grow with the file) and the process's resident size
// before and at its peak, which also holds SQLite's page cache and what the
// search index's FTS5 triggers keep, the same for the raw side.

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/plugins/importer"
	"vinculo/plugins/search"
)

type importLine struct {
	rows      int
	fileBytes int64
	imp, raw  time.Duration
	impN      int64
	rawN      int64
	// The raw side with the search index's triggers: what indexing row by
	// row costs the same inserts.
	rawTrig   time.Duration
	rawTrigN  int64
	indexed   int64 // contacts in the search index after the import
	companies int64
	peakHeap  uint64 // bytes, sampled during the import
	rssBefore int64  // kB, resident size just before the import
	peakRSS   int64  // kB, resident size sampled during the import
	// The raw side's, for comparison: the search index's triggers (FTS5)
	// grow SQLite's memory with the index, whoever writes.
	rawRSSBefore, rawPeakRSS int64
}

// startSampling samples the Go heap in use and the resident size every 20
// ms until the returned function is called, which gives the peaks and the
// resident size at the start.
func startSampling() func() (peakHeap uint64, rssBefore, peakRSS int64) {
	runtime.GC()
	before := selfStatusKB("VmRSS:")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var heap uint64
	var rss int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			heap = max(heap, m.HeapInuse)
			rss = max(rss, selfStatusKB("VmRSS:"))
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() (uint64, int64, int64) {
		close(stop)
		wg.Wait()
		return heap, before, rss
	}
}

var importFirst = []string{"Ana", "João", "Maria", "José", "Francisco", "Antônia", "Carlos", "Luíza", "Paulo", "Conceição", "Sebastião", "Letícia"}
var importLast = []string{"Silva", "Santos", "Oliveira", "Souza", "Conceição", "Araújo", "Ribeiro", "Gonçalves", "Melo", "Antunes"}

// importRow is contact i of the generated file, as people type it, and as
// the import writes it (normalised).
func importRow(i int) (csvLine string, name, email, mobileE164, job, company, stage string) {
	first, last := importFirst[i%len(importFirst)], importLast[(i/len(importFirst))%len(importLast)]
	name = fmt.Sprintf("%s %s %d", first, last, i)
	email = fmt.Sprintf("contato%d@exemplo.com.br", i)
	area := 11 + i%89
	if area%10 == 0 { // no Brazilian area code ends in 0
		area++
	}
	local := 90000000 + i%10000000
	mobileE164 = fmt.Sprintf("+55%d9%08d", area, local)
	job = []string{"Gerente", "Sócia", "Técnico", "Comprador", ""}[i%5]
	company = fmt.Sprintf("Empresa %d Ltda", i%5000)
	stage = []string{"lead", "cliente", "oportunidade", ""}[i%4]
	csvLine = fmt.Sprintf("%s;%s;(%d) 9%04d-%04d;%s;%s;cliente, b2b;%s\n", name, strings.ToUpper(email[:1])+email[1:],
		area, local/10000, local%10000, job, company, stage)
	return
}

var importStages = map[string]string{"lead": "lead", "cliente": "customer", "oportunidade": "prospect", "": ""}

func runImportPart(ctx context.Context, opts options, root string) error {
	var lines []importLine
	for _, n := range opts.sizes {
		l, err := benchImport(ctx, root, n)
		if err != nil {
			return fmt.Errorf("part 6, import of %d rows: %w", n, err)
		}
		lines = append(lines, l)
	}
	printImportPart(lines)
	return nil
}

func benchImport(ctx context.Context, root string, n int) (importLine, error) {
	res := importLine{rows: n}
	dir := filepath.Join(root, fmt.Sprintf("import-%d", n))
	defer os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return res, err
	}
	path := filepath.Join(dir, "contatos.csv")
	fmt.Printf("[%d rows] writing the CSV file ...\n", n)
	if err := writeImportFile(path, n); err != nil {
		return res, err
	}
	if st, err := os.Stat(path); err == nil {
		res.fileBytes = st.Size()
	}

	fmt.Printf("[%d rows] import into a fresh PocketBase app (all or nothing, one transaction) ...\n", n)
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: filepath.Join(dir, "app"), QueryTimeout: time.Hour})
	if err := app.Bootstrap(); err != nil {
		return res, err
	}
	defer app.ResetBootstrapState()
	if err := app.RunAllMigrations(); err != nil {
		return res, err
	}
	tableOnly, triggers, err := tableDDL(app.NonconcurrentDB().(*dbx.DB).DB(), "contacts")
	if err != nil {
		return res, err
	}
	f, err := os.Open(path)
	if err != nil {
		return res, err
	}
	defer f.Close()

	sample := startSampling()
	start := time.Now()
	out, err := importer.Run(ctx, app, f, importer.Options{Kind: importer.KindContacts, Mode: importer.ModeAllOrNothing,
		OnDuplicate: importer.DupSkip, Country: "BR"})
	res.imp = time.Since(start)
	res.peakHeap, res.rssBefore, res.peakRSS = sample()
	if err != nil {
		return res, err
	}
	if out.Created != int64(n) || out.Counts.Errors != 0 || !out.Written {
		return res, fmt.Errorf("the import wrote %d of %d rows (%d errors, first %v)", out.Created, n, out.Counts.Errors, out.Errors[:min(3, len(out.Errors))])
	}
	res.impN, res.companies = out.Created, out.CompaniesCreated
	// Searchable when it ends: every row in the index, and a name found.
	db := app.DB()
	if err := db.NewQuery("SELECT count(*) FROM `" + search.MapTable + "` m JOIN `" + search.Table + "` s ON s.rowid = m.id WHERE m.collection = 'contacts'").Row(&res.indexed); err != nil {
		return res, err
	}
	_, name, _, _, _, _, _ := importRow(n / 2)
	var found int
	if err := db.NewQuery("SELECT count(*) FROM `" + search.Table + "` WHERE `" + search.Table + "` MATCH {:q}").
		Bind(dbx.Params{"q": `"` + strings.ReplaceAll(name, " ", `" "`) + `"`}).Row(&found); err != nil {
		return res, err
	}
	if res.indexed != int64(n) || found == 0 {
		return res, fmt.Errorf("after the import %d of %d contacts are in the search index, and a search for %q found %d", res.indexed, n, name, found)
	}
	app.ResetBootstrapState()
	os.RemoveAll(filepath.Join(dir, "app"))

	// Raw: the same rows, normalised as the import writes them, same columns.
	fmt.Printf("[%d rows] raw SQLite inserts of the same rows into a fresh file ...\n", n)
	columns := []string{"id", "name", "email", "phone", "mobile", "job_title", "address", "company", "owner", "stage", "tags", "source", "created", "updated"}
	now := time.Now().UTC().Format("2006-01-02 15:04:05.000Z")
	companyIDs := make([]string, 5000)
	for i := range companyIDs {
		companyIDs[i] = core.GenerateDefaultRandomId()
	}
	row := func(i int) []any {
		_, name, email, mobile, job, _, stage := importRow(i)
		return []any{core.GenerateDefaultRandomId(), name, email, "", mobile, job, "", companyIDs[i%5000], "", importStages[stage], `["cliente","b2b"]`, "", now, now}
	}
	sample = startSampling()
	res.rawN, res.raw, err = rawRun(root, fmt.Sprintf("import-raw-%d", n), tableOnly, columns, n, row, rawConfig{verb: "INSERT", perStmt: 900 / len(columns)})
	_, res.rawRSSBefore, res.rawPeakRSS = sample()
	if err != nil {
		return res, err
	}
	fmt.Printf("[%d rows] raw SQLite inserts again, with the search index's triggers ...\n", n)
	ddl := append(append([]string(nil), tableOnly...), triggers...)
	res.rawTrigN, res.rawTrig, err = rawRun(root, fmt.Sprintf("import-rawtrig-%d", n), ddl, columns, n, row, rawConfig{verb: "INSERT", perStmt: 900 / len(columns)})
	if err != nil {
		return res, err
	}
	if res.rawN != int64(n) || res.rawTrigN != int64(n) {
		return res, fmt.Errorf("raw wrote %d and %d of %d rows", res.rawN, res.rawTrigN, n)
	}
	return res, nil
}

func writeImportFile(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("Nome;E-mail;Celular;Cargo;Empresa;Tags;Etapa\n")
	for i := 1; i <= n; i++ {
		line, _, _, _, _, _, _ := importRow(i)
		w.WriteString(line)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// selfStatusKB is a size in kB from /proc/self/status (Linux), or 0.
func selfStatusKB(key string) int64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, key); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

func printImportPart(lines []importLine) {
	fmt.Println("\n6. CSV import (plugins/importer, all or nothing, one transaction, search index built in bulk) vs raw SQLite inserts of the same rows")
	fmt.Println("   (raw: the contacts table and its b-tree indexes, no search index; rows pre-normalised, made on the fly, INSERT of 64 rows per statement,")
	fmt.Println("   a transaction per 20,000 rows; \"raw + triggers\": the same with the search index's triggers, indexing row by row)")
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "rows\tfile MB\timport rows/s\traw rows/s\timport / raw\tgoal\traw + triggers rows/s\timport time\tindexed\tcompanies made\timport: peak Go heap\tRSS before -> peak\traw: RSS before -> peak\t")
	for _, l := range lines {
		imp, raw, trig := float64(l.impN)/l.imp.Seconds(), float64(l.rawN)/l.raw.Seconds(), float64(l.rawTrigN)/l.rawTrig.Seconds()
		met := "met"
		if imp < raw/4 {
			met = "not met"
		}
		fmt.Fprintf(tw, "%d\t%.1f\t%.0f\t%.0f\t%.0f%%\t%s\t%.0f\t%s\t%d\t%d\t%.1f MB\t%.0f -> %.0f MB\t%.0f -> %.0f MB\t\n", l.rows, float64(l.fileBytes)/1e6, imp, raw, 100*imp/raw, met,
			trig, l.imp.Round(100*time.Millisecond), l.indexed, l.companies, float64(l.peakHeap)/(1<<20), float64(l.rssBefore)/1024, float64(l.peakRSS)/1024,
			float64(l.rawRSSBefore)/1024, float64(l.rawPeakRSS)/1024)
	}
	tw.Flush()
	fmt.Println("   Goal: import (searchable when it ends) at least 25% of raw without a search index; peak memory flat from the smallest size to the largest.")
}
