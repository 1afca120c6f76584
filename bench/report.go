package main

import (
	"fmt"
	"os"
	"text/tabwriter"
	"time"
)

func printAPI(opts options, rows []apiRow) {
	fmt.Printf("1. Contact list through the HTTP API: GET .../records?filter=...&sort=-created&perPage=50&skipTotal=1\n")
	fmt.Printf("   as the demo staff agent, concurrency %d, %d measured requests per line (2 alternating rounds, %d warm-up requests before each);\n",
		opts.concurrency, opts.requests, opts.warmup)
	fmt.Printf("   vinculo = collection contacts (its rules); bare = bench_contacts, same fields, indexes and rows, list rule \"\", no hooks,\n")
	fmt.Printf("   same server process and staff token. Ratios are vinculo/bare: p50/p99 above 1 or req/s below 1 = vinculo slower.\n\n")
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "contacts\tquery\tcollection\tp50\tp99\treq/s\tok\terrors\trows/page\t")
	for _, r := range rows {
		for _, side := range []struct {
			name string
			s    *sample
		}{{"vinculo", &r.vinculo}, {"bare", &r.bare}} {
			note := ""
			if side.s.cut {
				note = " (time limit hit)"
			}
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%.0f\t%d\t%d%s\t%d\t\n", r.contacts, r.query, side.name,
				ms(side.s.quantile(0.5)), ms(side.s.quantile(0.99)), side.s.perSecond(),
				len(side.s.latencies), side.s.errors, note, r.pageItems)
		}
		same := "same rows"
		if !r.sameRows {
			same = "ROWS DIFFER"
		}
		fmt.Fprintf(w, "%d\t%s\tvinculo/bare\t%s\t%s\t%s\t\t\t%s\t\n", r.contacts, r.query,
			ratio(float64(r.vinculo.quantile(0.5)), float64(r.bare.quantile(0.5))),
			ratio(float64(r.vinculo.quantile(0.99)), float64(r.bare.quantile(0.99))),
			ratio(r.vinculo.perSecond(), r.bare.perSecond()), same)
	}
	w.Flush()
	for _, r := range rows {
		for _, s := range []*sample{&r.vinculo, &r.bare} {
			if s.firstErr != "" {
				fmt.Printf("   first error at %d contacts, %s: %s\n", r.contacts, r.query, s.firstErr)
			}
		}
		if !r.counted {
			fmt.Printf("   at %d contacts, %s: an item of the vinculo page has no open_cases\n", r.contacts, r.query)
		}
		// Issue 21, goal 4: at least 0.9x bare's throughput at concurrency
		// 50, open_cases in every answer (the size is 1M).
		v, b := r.vinculo.perSecond(), r.bare.perSecond()
		met := b > 0 && v/b >= 0.9 && r.counted && r.sameRows && r.vinculo.errors == 0
		recordGoal("1", fmt.Sprintf("contact list req/s >= 0.9x bare (c=%d), %d contacts, %s", opts.concurrency, r.contacts, r.query),
			fmt.Sprintf("%.0f req/s (%s), open_cases on every item: %v", v, ratio(v, b), r.counted), fmt.Sprintf("bare %.0f req/s", b), met)
	}
	fmt.Println()
}

func printInserts(rows []insertRow, demoLines []demoLine) {
	fmt.Printf("2. Bulk insert of the demo's contact rows: the demo generator's bulk path vs raw SQLite\n")
	fmt.Printf("   Same rows (demo.ContactRows), same table DDL (%d statements from PocketBase's sqlite_master: the table and its indexes,\n", rows[0].ddlStmts)
	fmt.Printf("   then %d for the search index: its FTS5 table and map, and the triggers on contacts that fill them on every insert),\n", rows[0].trigStmts)
	fmt.Printf("   same PRAGMAs (core.DefaultDBConnect: WAL, synchronous=NORMAL, ...), one connection; raw: a transaction per %d rows.\n", rawRowsPerTx)
	fmt.Printf("   demo = demo.InsertContacts, the code vinculo demo runs (multi-row prepared INSERT OR IGNORE in one transaction, the plain indexes\n")
	fmt.Printf("   made again after the load, the search index built in bulk instead of by the triggers), into a fresh PocketBase app;\n")
	fmt.Printf("   raw = database/sql + modernc.org/sqlite into a fresh file: %s, prepared.\n", rows[0].rawCfg)
	fmt.Printf("   Both sides make their rows on the fly; \"rows made alone\" is the row function without any database.\n")
	fmt.Printf("   demo/raw below 1 means the demo is slower than raw SQLite.\n")
	fmt.Printf("   \"raw, no triggers\": raw again with the table and its indexes only, no search index: what the triggers cost a bulk insert.\n\n")
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "rows\tdemo rows/s\traw rows/s\tdemo/raw\tdemo time\traw time\trows made alone/s\traw, no triggers rows/s\traw/raw no triggers\t")
	for _, r := range rows {
		demoRate, rawRate := float64(r.demoN)/r.demo.Seconds(), float64(r.rawN)/r.raw.Seconds()
		bare, bareRatio := "-", "-"
		if r.rawBare > 0 {
			b := float64(r.rawBareN) / r.rawBare.Seconds()
			bare, bareRatio = fmt.Sprintf("%.0f", b), ratio(rawRate, b)
		}
		fmt.Fprintf(w, "%d\t%.0f\t%.0f\t%s\t%s\t%s\t%.0f\t%s\t%s\t\n", r.rows, demoRate, rawRate, ratio(demoRate, rawRate),
			r.demo.Round(time.Millisecond), r.raw.Round(time.Millisecond), float64(r.rows)/r.gen.Seconds(), bare, bareRatio)
	}
	w.Flush()
	for _, r := range rows {
		if len(r.variants) == 0 {
			continue
		}
		fmt.Printf("\n   Other plain shapes of the raw side at %d rows, table and indexes only (why the baseline has its shape;\n", r.rows)
		fmt.Printf("   compare with \"raw, no triggers\" above, the baseline's shape on the same DDL):\n")
		w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
		for _, v := range r.variants {
			fmt.Fprintf(w, "   \t%s\t%.0f rows/s\t\n", v.cfg, v.rate)
		}
		w.Flush()
	}
	if len(demoLines) > 0 {
		fmt.Printf("\n   For reference, `vinculo demo --activities-per-contact 0` as it printed when filling part 1's data dirs\n")
		fmt.Printf("   (its bulk rows are the contacts plus 2-3 consents each; its rows/s counts both):\n")
		for _, d := range demoLines {
			fmt.Printf("   %8d contacts: %d rows in bulk, %.0f rows/s; whole command %s\n", d.contacts, d.bulkRows, d.rowsPerSec, d.wholeCommand.Round(time.Millisecond))
		}
	}
}

func ratio(a, b float64) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2fx", a/b)
}

func printBig(opts options, b *bigData) {
	fmt.Printf("\n3-4. One data dir for parts 3 and 4: vinculo demo --contacts %d --activities-per-contact %d (%d contacts, %d timeline entries)\n",
		b.contacts, b.activities, b.contacts, b.contacts*b.activities)
	fmt.Print(b.fillText()) // bench/big.go
	fmt.Printf("   %s (demo contact 1) then got %d more timeline entries, copied by SQL from other contacts' staff entries while no\n", targetContact, b.added)
	fmt.Printf("   server ran (%d before, %d after; the search triggers indexed %d of the copies; %s).\n",
		b.hadEntries, b.hasEntries, b.addedIndexed, b.topUp.Round(time.Millisecond))
	fmt.Printf("   %s for part 4 (%s): %s.\n", bareName, b.bare.Round(time.Second), b.bareNote)
	fmt.Printf("   Triggers: %s; on %s: %d.\n", describeTriggers(b.triggers), bareName, b.bareTriggers)
	fmt.Printf("   One server (vinculo serve --rate-limits=false) on loopback for parts 3a, 3b and 4, in that order; requests as the demo\n")
	fmt.Printf("   staff agent (%s); keep-alive connections; each round bounded by -round-limit %s.\n", agentEmail, opts.runLimit)
}

// latTable prints measured lines: p50, p99, mean, req/s, ok and errors.
func latTable(rows []latRow, withNote bool) {
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	head := "   request\tc\tp50\tp99\tmean\treq/s\tok\terrors\t"
	if withNote {
		head += "answers\t"
	}
	fmt.Fprintln(w, head)
	for _, r := range rows {
		cut := ""
		if r.s.cut {
			cut = " (time limit hit)"
		}
		line := fmt.Sprintf("   %s\t%d\t%s\t%s\t%s\t%.0f\t%d\t%d%s\t", r.name, r.concurrency,
			ms(r.s.quantile(0.5)), ms(r.s.quantile(0.99)), ms(r.s.mean()), r.s.perSecond(), len(r.s.latencies), r.s.errors, cut)
		if withNote {
			line += r.note + "\t"
		}
		fmt.Fprintln(w, line)
	}
	w.Flush()
	for _, r := range rows {
		if r.s.firstErr != "" {
			fmt.Printf("   first error of %s at c=%d: %s\n", r.name, r.concurrency, r.s.firstErr)
		}
	}
}

func findRow(rows []latRow, name string, c int) *latRow {
	for i := range rows {
		if rows[i].name == name && rows[i].concurrency == c {
			return &rows[i]
		}
	}
	return nil
}

func print360(opts options, rows []latRow) {
	fmt.Printf("\n3a. The customer's page: GET /api/crm/contacts/%s/360, a contact with %d timeline entries\n", targetContact, timelineTarget)
	fmt.Printf("   Reference, same contact, same run: the plain record view GET /api/collections/contacts/records/{id} and one timeline page\n")
	fmt.Printf("   GET /api/collections/activities/records?filter=(contact='{id}')&sort=-occurred_at&perPage=20&skipTotal=1.\n")
	fmt.Printf("   %d measured requests per line (2 rounds, the second in reverse order, %d warm-up requests before each), at concurrency 1 and 10.\n\n",
		opts.bigRequests, opts.bigWarmup)
	latTable(rows, false)
	fmt.Println()
	for _, c := range bigConcurrencies {
		r360 := findRow(rows, rows[0].name, c)
		for _, ref := range rows {
			if ref.concurrency != c || r360 == nil || ref.name == r360.name {
				continue
			}
			fmt.Printf("   c=%-2d 360 / %-38s p50 %s, p99 %s, req/s %s\n", c, ref.name,
				ratio(float64(r360.s.quantile(0.5)), float64(ref.s.quantile(0.5))),
				ratio(float64(r360.s.quantile(0.99)), float64(ref.s.quantile(0.99))),
				ratio(r360.s.perSecond(), ref.s.perSecond()))
		}
	}
	fmt.Printf("\n   What the answers held (checked once before measuring):\n")
	seen := map[string]bool{}
	for _, r := range rows {
		if !seen[r.name] {
			seen[r.name] = true
			fmt.Printf("   - %s: %s\n", r.name, r.note)
		}
	}
}

func printSearch(opts options, rows []latRow, inputs []string) {
	fmt.Printf("\n3b. Search: GET /api/crm/search?q=... (FTS5 over contacts, companies, deals, cases and activities; 20 hits, the list rules applied)\n")
	fmt.Printf("   Per query kind: %d measured searches per line (2 rounds, the second in reverse order, %d warm-up searches each before each round).\n",
		opts.searchRequests, opts.searchWarmup)
	nKinds := 0
	for _, r := range rows {
		if r.group == "3b" && r.concurrency == bigConcurrencies[0] {
			nKinds++
		}
	}
	fmt.Printf("   Overall: the %d kinds in turn (request i asks kind i mod %d), %d measured searches per line, %d warm-up before each round.\n",
		nKinds, nKinds, 2*max(1, opts.searchRequests*nKinds/4), opts.searchWarmup*nKinds)
	fmt.Printf("   Reference, same run: a plain record list on an indexed field, GET /api/collections/contacts/records?filter=(email='...')&skipTotal=1,\n")
	fmt.Printf("   %d measured requests per line.\n", opts.bigRequests)
	for _, in := range inputs {
		fmt.Printf("   Inputs: %s.\n", in)
	}
	fmt.Println()
	var kinds, rest []latRow
	for _, r := range rows {
		if r.group == "3b" {
			kinds = append(kinds, r)
		} else {
			rest = append(rest, r)
		}
	}
	// By kind, both concurrency levels together.
	var ordered []latRow
	for _, r := range kinds {
		if r.concurrency == bigConcurrencies[0] {
			for _, c := range bigConcurrencies {
				if x := findRow(kinds, r.name, c); x != nil {
					ordered = append(ordered, *x)
				}
			}
		}
	}
	latTable(append(ordered, rest...), false)
	fmt.Println()
	for _, c := range bigConcurrencies {
		var mix, ref *latRow
		for i := range rest {
			if rest[i].concurrency != c {
				continue
			}
			if rest[i].group == "3b-mix" {
				mix = &rest[i]
			} else {
				ref = &rest[i]
			}
		}
		if mix != nil && ref != nil {
			fmt.Printf("   c=%-2d all kinds in turn / record list by email: p50 %s, p99 %s, req/s %s\n", c,
				ratio(float64(mix.s.quantile(0.5)), float64(ref.s.quantile(0.5))),
				ratio(float64(mix.s.quantile(0.99)), float64(ref.s.quantile(0.99))),
				ratio(mix.s.perSecond(), ref.s.perSecond()))
		}
	}
	fmt.Printf("\n   What each query found (checked once before measuring):\n")
	for _, r := range ordered {
		if r.concurrency == bigConcurrencies[0] {
			fmt.Printf("   - %s: %s\n", r.name, r.note)
		}
	}
}

func printCreates(opts options, res *createResult) {
	fmt.Printf("\n4. Record create: POST /api/collections/{collection}/records, the same JSON body every time, as the demo staff agent\n")
	fmt.Printf("   vinculo = contacts: its create rule, Vinculo's hooks (datarules, the timeline entry \"contact created\", the JS hooks that\n")
	fmt.Printf("     run on a new timeline entry), the search triggers\n")
	fmt.Printf("     that index the contact (and run, indexing nothing, for the timeline entry), and the answer's enrichment (open_cases);\n")
	fmt.Printf("   vinculo, no search triggers = the same, with every search trigger dropped (by a second connection between blocks; the\n")
	fmt.Printf("     server is not told; put back afterwards with their exact text);\n")
	fmt.Printf("   bare = %s: same fields, indexes and rows, create rule \"\", no triggers; the only Vinculo hook that runs is the\n", bareName)
	fmt.Printf("     actor mark every record-API create gets (it sets a value on the record).\n")
	fmt.Printf("   %d measured creates per line (2 rounds: vinculo, bare, no search; then no search, bare, vinculo; %d warm-up creates\n", opts.creates, opts.createWarmup)
	fmt.Printf("   before each block). \"timeline +\" and \"index +\": rows added to activities and to the search index during the measured blocks.\n")
	fmt.Printf("   Body: %s\n\n", res.body)
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "   side\tc\tp50\tp99\tmean\tcreates/s\tok\terrors\ttimeline +\tindex +\t")
	for _, l := range res.lines {
		cut := ""
		if l.s.cut {
			cut = " (time limit hit)"
		}
		fmt.Fprintf(w, "   %s\t%d\t%s\t%s\t%s\t%.0f\t%d\t%d%s\t%d\t%d\t\n", l.side.name, l.concurrency,
			ms(l.s.quantile(0.5)), ms(l.s.quantile(0.99)), ms(l.s.mean()), l.s.perSecond(), len(l.s.latencies), l.s.errors, cut, l.timeline, l.indexed)
	}
	w.Flush()
	for _, l := range res.lines {
		if l.s.firstErr != "" {
			fmt.Printf("   first error of %s at c=%d: %s\n", l.side.name, l.concurrency, l.s.firstErr)
		}
	}
	fmt.Println()
	find := func(name string, c int) *createLine {
		for i := range res.lines {
			if res.lines[i].side.name == name && res.lines[i].concurrency == c {
				return &res.lines[i]
			}
		}
		return nil
	}
	for _, c := range bigConcurrencies {
		v, ns, b := find(createSides[0].name, c), find(createSides[1].name, c), find(createSides[2].name, c)
		if v == nil || ns == nil || b == nil {
			continue
		}
		for _, pair := range []struct {
			label string
			a, b  *createLine
		}{{"vinculo / bare", v, b}, {"vinculo, no search / bare", ns, b}, {"vinculo / vinculo, no search", v, ns}} {
			fmt.Printf("   c=%-2d %-30s p50 %s, p99 %s, creates/s %s\n", c, pair.label,
				ratio(float64(pair.a.s.quantile(0.5)), float64(pair.b.s.quantile(0.5))),
				ratio(float64(pair.a.s.quantile(0.99)), float64(pair.b.s.quantile(0.99))),
				ratio(pair.a.s.perSecond(), pair.b.s.perSecond()))
		}
	}
	// Issue 21, goal 3: p50 within 1.5x bare's and creates/s at least
	// 0.67x bare's, at concurrency 1 and 10.
	for _, c := range bigConcurrencies {
		v, b := find(createSides[0].name, c), find(createSides[2].name, c)
		if v == nil || b == nil {
			continue
		}
		p50, rate := float64(v.s.quantile(0.5))/float64(b.s.quantile(0.5)), v.s.perSecond()/b.s.perSecond()
		clean := v.s.errors == 0 && b.s.errors == 0 && v.timeline > 0
		recordGoal("4", fmt.Sprintf("contact create p50 <= 1.5x bare (c=%d)", c), fmt.Sprintf("%s (%.2fx)", ms(v.s.quantile(0.5)), p50),
			"bare "+ms(b.s.quantile(0.5)), clean && p50 <= 1.5)
		recordGoal("4", fmt.Sprintf("contact creates/s >= 0.67x bare (c=%d)", c), fmt.Sprintf("%.0f/s (%.2fx)", v.s.perSecond(), rate),
			fmt.Sprintf("bare %.0f/s", b.s.perSecond()), clean && rate >= 0.67)
	}
	fmt.Printf("\n   Where the extra time goes, from the mean latencies (means add up; medians do not):\n")
	for _, c := range bigConcurrencies {
		v, ns, b := find(createSides[0].name, c), find(createSides[1].name, c), find(createSides[2].name, c)
		if v == nil || ns == nil || b == nil {
			continue
		}
		extra := v.s.mean() - b.s.mean()
		srch, rest := v.s.mean()-ns.s.mean(), ns.s.mean()-b.s.mean()
		share := func(d time.Duration) string {
			if extra <= 0 {
				return "n/a"
			}
			return fmt.Sprintf("%.0f%%", 100*float64(d)/float64(extra))
		}
		fmt.Printf("   c=%-2d vinculo %s - bare %s = %s extra per create: search triggers %s (%s), timeline entry + other hooks + rules %s (%s)\n",
			c, ms(v.s.mean()), ms(b.s.mean()), ms(extra), ms(srch), share(srch), ms(rest), share(rest))
	}
	fmt.Printf("\n   What one create does (checked once before measuring):\n")
	for _, c := range res.checks {
		fmt.Printf("   - %s\n", c)
	}
}
