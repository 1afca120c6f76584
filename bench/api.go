package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"time"
)

const (
	agentEmail    = "rafael@vinculo.example" // the demo's staff agent
	agentPassword = "vinculo-demo-2026"
	bareName      = "bench_contacts"
)

// apiRow is one query at one size, on both collections.
type apiRow struct {
	contacts  int
	query     string
	vinculo   sample
	bare      sample
	pageItems int
	sameRows  bool
	counted   bool // every item of the vinculo page carries open_cases
}

// benchAPI fills a data dir with n demo contacts, adds the bare copy, serves
// it and measures the staff workspace's contact lists on both collections.
func benchAPI(ctx context.Context, opts options, root string, n int) ([]apiRow, demoLine, error) {
	dir := filepath.Join(root, fmt.Sprintf("api-%d", n))
	defer os.RemoveAll(dir)

	fmt.Printf("[%d contacts] vinculo demo --contacts %d --activities-per-contact 0 ...\n", n, n)
	t0 := time.Now()
	out, err := runDemo(opts.bin, dir, n, 0)
	if err != nil {
		return nil, demoLine{}, err
	}
	line, err := parseDemo(out, n, time.Since(t0))
	if err != nil {
		return nil, demoLine{}, err
	}
	fmt.Printf("[%d contacts]   %s\n", n, line.raw)

	fmt.Printf("[%d contacts] creating %s (same fields and indexes, list rule \"\", rows copied by SQL) ...\n", n, bareName)
	t0 = time.Now()
	note, err := createBare(dir, false)
	if err != nil {
		return nil, line, fmt.Errorf("bare collection: %w", err)
	}
	fmt.Printf("[%d contacts]   done in %s; %s\n", n, time.Since(t0).Round(time.Millisecond), note)

	s, err := serve(ctx, opts.bin, dir)
	if err != nil {
		return nil, line, err
	}
	defer s.stop()
	fmt.Printf("[%d contacts] vinculo serve on %s (rate limits off)\n", n, s.url)

	client := newClient(opts.concurrency)
	token, agentID, err := signIn(client, s.url, "staff", agentEmail, agentPassword)
	if err != nil {
		return nil, line, err
	}
	if opts.customField {
		name, took, err := addCustomField(client, s.url)
		if err != nil {
			return nil, line, err
		}
		fmt.Printf("[%d contacts] custom field %s added to contacts in %s (schema change, index, search triggers; bare has none)\n", n, name, took.Round(time.Millisecond))
	}

	queries := []struct{ name, filter string }{
		{"owner=agent, -created", fmt.Sprintf("(owner='%s')", agentID)},
		{"stage=customer, -created", "(stage='customer')"},
	}
	var rows []apiRow
	for _, q := range queries {
		params := url.Values{"filter": {q.filter}, "sort": {"-created"}, "perPage": {"50"}, "skipTotal": {"1"}}.Encode()
		vURL := s.url + "/api/collections/contacts/records?" + params
		bURL := s.url + "/api/collections/" + bareName + "/records?" + params

		row := apiRow{contacts: n, query: q.name}
		vIDs, counted, err := pageItems(client, vURL, token)
		if err != nil {
			return nil, line, err
		}
		row.counted = counted
		bIDs, _, err := pageItems(client, bURL, token)
		if err != nil {
			return nil, line, err
		}
		row.pageItems, row.sameRows = len(vIDs), slices.Equal(vIDs, bIDs)
		if len(vIDs) == 0 {
			return nil, line, fmt.Errorf("%s: the list is empty", vURL)
		}

		// Two rounds, in alternating order, so neither side always runs first.
		per := max(1, opts.requests/2)
		measure := func(u string) sample {
			load(ctx, client, u, token, opts.warmup, opts.concurrency, opts.runLimit)
			return load(ctx, client, u, token, per, opts.concurrency, opts.runLimit)
		}
		for round := 0; round < 2; round++ {
			if round == 0 {
				row.vinculo.add(measure(vURL))
				row.bare.add(measure(bURL))
			} else {
				row.bare.add(measure(bURL))
				row.vinculo.add(measure(vURL))
			}
			if ctx.Err() != nil {
				return nil, line, ctx.Err()
			}
		}
		fmt.Printf("[%d contacts]   %-26s vinculo p50 %s, bare p50 %s\n", n, q.name,
			ms(row.vinculo.quantile(0.5)), ms(row.bare.quantile(0.5)))
		rows = append(rows, row)
	}
	s.stop()
	return rows, line, nil
}

// pageItems fetches one page and returns its record ids, in order, and
// whether every item carries open_cases.
func pageItems(client *http.Client, u, token string) ([]string, bool, error) {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Authorization", token)
	resp, err := client.Do(req)
	if err != nil {
		return nil, false, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, false, fmt.Errorf("GET %s: HTTP %d: %s", u, resp.StatusCode, raw)
	}
	var page struct {
		Items []struct {
			ID        string `json:"id"`
			OpenCases *int   `json:"open_cases"`
		} `json:"items"`
	}
	if err := json.Unmarshal(raw, &page); err != nil {
		return nil, false, fmt.Errorf("GET %s: %w", u, err)
	}
	ids := make([]string, len(page.Items))
	counted := true
	for i, it := range page.Items {
		ids[i] = it.ID
		counted = counted && it.OpenCases != nil
	}
	return ids, counted, nil
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}
