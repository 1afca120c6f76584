package main

// Part 8 (-parts 8, or ui): the first load of the staff workspace's contacts
// page on a data dir of -big demo contacts. ui/e2e/first-rows.mjs drives
// Debian's Chromium (playwright-core) through -ui-loads loads, each in a fresh
// browser context (empty cache), and measures navigation start to the first
// contact row on screen. The baseline, measured in the same run against the
// same server: the record-API request the page makes for those rows (the
// same sort, page size, expand and fields), serial, from Go, and as the
// browser timed it. The line to read is the ratio of the page's p50 to the
// request's. It also sums the gzip size of what the first load downloads
// (index.html and the files it names).

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"time"
)

var (
	uiLoads       = flag.Int("ui-loads", 20, "part 8: measured first loads of the contacts page")
	uiAPIRequests = flag.Int("ui-api-requests", 200, "part 8: measured serial requests of the page's contact list (the baseline)")
)

// uiListQuery is the contacts page's first request (ui/src/lib/contacts.svelte.js).
const uiListQuery = "/api/collections/contacts/records?page=1&perPage=25&sort=-created&skipTotal=1&expand=company&fields=" +
	"id,name,email,phone,mobile,job_title,stage,owner,company,created,open_cases,expand.company.id,expand.company.name"

const uiScript = "ui/e2e/first-rows.mjs"

type firstRows struct {
	Loads    int       `json:"loads"`
	FirstRow []float64 `json:"first_row_ms"`
	API      []float64 `json:"api_ms"`
	APIStart []float64 `json:"api_start_ms"`
	DCL      []float64 `json:"dom_content_loaded_ms"`
	Rows     int       `json:"rows"`
}

func msSample(values []float64) sample {
	var s sample
	for _, v := range values {
		s.latencies = append(s.latencies, time.Duration(v*float64(time.Millisecond)))
	}
	return s
}

func runUIPart(ctx context.Context, opts options, root string) error {
	if err := needBinary(opts.bin, "part 8"); err != nil {
		return err
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return fmt.Errorf("part 8 needs node: %v", err)
	}
	if _, err := os.Stat("ui/node_modules/playwright-core"); err != nil {
		return fmt.Errorf("part 8 needs ui/node_modules (run `make ui`): %v", err)
	}
	n := opts.big
	dir := filepath.Join(root, "ui")
	defer os.RemoveAll(dir)
	tag := fmt.Sprintf("[ui, %d contacts]", n)
	t0 := time.Now()
	if err := demoData(opts.bin, dir, tag, n); err != nil {
		return err
	}
	fmt.Printf("%s   filled in %s\n", tag, time.Since(t0).Round(time.Second))
	s, err := serve(ctx, opts.bin, dir)
	if err != nil {
		return err
	}
	defer s.stop()
	client := newClient(1)

	// What the first load downloads, compressed as a gzip-serving proxy would.
	raw, gz, files, err := uiDownload(client, s.url)
	if err != nil {
		return err
	}

	token, _, err := signIn(client, s.url, "staff", agentEmail, agentPassword)
	if err != nil {
		return err
	}
	load(ctx, client, s.url+uiListQuery, token, 20, 1, opts.runLimit) // warm-up
	apiGo := load(ctx, client, s.url+uiListQuery, token, *uiAPIRequests, 1, opts.runLimit)
	if apiGo.errors > 0 {
		return fmt.Errorf("part 8: the contact list request failed %d times: %s", apiGo.errors, apiGo.firstErr)
	}

	fmt.Printf("%s node %s (%d loads) ...\n", tag, uiScript, *uiLoads)
	cmd := exec.CommandContext(ctx, node, uiScript, s.url, agentEmail, agentPassword, strconv.Itoa(*uiLoads))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("part 8: %s: %v", uiScript, err)
	}
	var fr firstRows
	if err := json.Unmarshal(bytes.TrimSpace(out), &fr); err != nil {
		return fmt.Errorf("part 8: %s printed %q: %v", uiScript, out, err)
	}
	if fr.Rows == 0 || len(fr.FirstRow) == 0 {
		return fmt.Errorf("part 8: the page showed no contact rows")
	}
	page := msSample(fr.FirstRow)
	apiBrowser := msSample(fr.API)

	fmt.Printf("\nPart 8: first load of the contacts page, %d contacts (-big), %d loads in fresh Chromium contexts, %d rows shown\n", n, len(fr.FirstRow), fr.Rows)
	fmt.Printf("  %-58s p50 %s, p99 %s, min %s\n", "navigation start -> first contact row on screen", ms(page.quantile(0.5)), ms(page.quantile(0.99)), ms(page.quantile(0)))
	dcl, start := msSample(fr.DCL), msSample(fr.APIStart)
	fmt.Printf("  %-58s p50 %s\n", "  of which: scripts loaded and run (DOMContentLoaded)", ms(dcl.quantile(0.5)))
	fmt.Printf("  %-58s p50 %s\n", "  of which: its contact list request sent at", ms(start.quantile(0.5)))
	fmt.Printf("  %-58s p50 %s, p99 %s\n", "baseline: its contact list request, as the browser timed it", ms(apiBrowser.quantile(0.5)), ms(apiBrowser.quantile(0.99)))
	fmt.Printf("  %-58s p50 %s, p99 %s (%d serial requests)\n", "baseline: the same request from Go, warm", ms(apiGo.quantile(0.5)), ms(apiGo.quantile(0.99)), len(apiGo.latencies))
	if b := apiGo.quantile(0.5); b > 0 {
		fmt.Printf("  ratio first row / request (p50): %.1fx\n", float64(page.quantile(0.5))/float64(b))
	}
	fmt.Printf("  first load downloads %d files: %s, %s gzip (the bar: under 1 MB gzip)\n", files, kb(raw), kb(gz))
	return nil
}

var assetRef = regexp.MustCompile(`(?:src|href)="(/assets/[^"]+)"`)

// uiDownload fetches / and the files it names; it fails when the binary
// serves no built UI.
func uiDownload(client *http.Client, base string) (raw, gz, files int, err error) {
	get := func(path string) ([]byte, error) {
		res, err := client.Get(base + path)
		if err != nil {
			return nil, err
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET %s: %d", path, res.StatusCode)
		}
		return io.ReadAll(res.Body)
	}
	index, err := get("/")
	if err != nil {
		return 0, 0, 0, err
	}
	refs := assetRef.FindAllStringSubmatch(string(index), -1)
	if len(refs) == 0 {
		return 0, 0, 0, fmt.Errorf("part 8: the binary serves no built workspace (run `make ui`, then `make build`)")
	}
	bodies := [][]byte{index}
	for _, m := range refs {
		p, _ := url.PathUnescape(m[1])
		b, err := get(p)
		if err != nil {
			return 0, 0, 0, err
		}
		bodies = append(bodies, b)
	}
	for _, b := range bodies {
		var buf bytes.Buffer
		w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		w.Write(b)
		w.Close()
		raw += len(b)
		gz += buf.Len()
	}
	return raw, gz, len(bodies), nil
}

func kb(n int) string { return fmt.Sprintf("%.1f kB", float64(n)/1000) }
