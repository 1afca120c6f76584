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
	}
	fmt.Println()
}

func printInserts(rows []insertRow, demoLines []demoLine) {
	fmt.Printf("2. Bulk insert of the demo's contact rows: the demo generator's bulk path vs raw SQLite\n")
	fmt.Printf("   Same rows (demo.ContactRows), same table DDL (%d statements from PocketBase's sqlite_master: the table and its indexes),\n", rows[0].ddlStmts)
	fmt.Printf("   same PRAGMAs (core.DefaultDBConnect: WAL, synchronous=NORMAL, ...), one connection, a transaction per %d rows.\n", rawRowsPerTx)
	fmt.Printf("   demo = demo.InsertContacts, the code vinculo demo runs (multi-row prepared INSERT OR IGNORE), into a fresh PocketBase app;\n")
	fmt.Printf("   raw = database/sql + modernc.org/sqlite into a fresh file: %s, prepared.\n", rows[0].rawCfg)
	fmt.Printf("   Both sides make their rows on the fly; \"rows made alone\" is the row function without any database.\n")
	fmt.Printf("   demo/raw below 1 means the demo is slower than raw SQLite.\n\n")
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "rows\tdemo rows/s\traw rows/s\tdemo/raw\tdemo time\traw time\trows made alone/s\t")
	for _, r := range rows {
		demoRate, rawRate := float64(r.demoN)/r.demo.Seconds(), float64(r.rawN)/r.raw.Seconds()
		fmt.Fprintf(w, "%d\t%.0f\t%.0f\t%s\t%s\t%s\t%.0f\t\n", r.rows, demoRate, rawRate, ratio(demoRate, rawRate),
			r.demo.Round(time.Millisecond), r.raw.Round(time.Millisecond), float64(r.rows)/r.gen.Seconds())
	}
	w.Flush()
	for _, r := range rows {
		if len(r.variants) == 0 {
			continue
		}
		fmt.Printf("\n   Other plain shapes of the raw side at %d rows (why the baseline has its shape):\n", r.rows)
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
