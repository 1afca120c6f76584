package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// newClient keeps a warm connection per concurrent client: no reconnects are
// measured.
func newClient(concurrency int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 2 * concurrency
	t.MaxIdleConnsPerHost = 2 * concurrency
	t.IdleConnTimeout = 5 * time.Minute
	return &http.Client{Transport: t, Timeout: 60 * time.Second}
}

// sample is the outcome of measured requests, possibly from several rounds.
type sample struct {
	latencies []time.Duration // of the successful requests
	wall      time.Duration   // sum of the rounds' wall times
	sent      int
	errors    int
	firstErr  string
	cut       bool // a round hit its time limit
}

func (s *sample) add(o sample) {
	s.latencies = append(s.latencies, o.latencies...)
	s.wall += o.wall
	s.sent += o.sent
	s.errors += o.errors
	s.cut = s.cut || o.cut
	if s.firstErr == "" {
		s.firstErr = o.firstErr
	}
}

// quantile is the nearest-rank quantile q of the successful latencies.
func (s *sample) quantile(q float64) time.Duration {
	if len(s.latencies) == 0 {
		return 0
	}
	l := slices.Clone(s.latencies)
	slices.Sort(l)
	i := int(float64(len(l))*q+0.999999) - 1
	return l[max(0, min(i, len(l)-1))]
}

// mean is the mean of the successful latencies.
func (s *sample) mean() time.Duration {
	if len(s.latencies) == 0 {
		return 0
	}
	var sum time.Duration
	for _, l := range s.latencies {
		sum += l
	}
	return sum / time.Duration(len(s.latencies))
}

// perSecond counts successful requests per second of wall time.
func (s *sample) perSecond() float64 {
	if s.wall <= 0 {
		return 0
	}
	return float64(len(s.latencies)) / s.wall.Seconds()
}

// load sends total GETs of url with the token from concurrency workers, each
// with one request in flight, and stops early at limit.
func load(ctx context.Context, client *http.Client, url, token string, total, concurrency int, limit time.Duration) sample {
	return loadFunc(ctx, client, func(context.Context, int) *http.Request {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		return req
	}, token, http.StatusOK, total, concurrency, limit)
}

// loadMix sends total GETs that go round the urls in order (request i asks
// urls[i % len(urls)]): a fixed mix.
func loadMix(ctx context.Context, client *http.Client, urls []string, token string, total, concurrency int, limit time.Duration) sample {
	return loadFunc(ctx, client, func(_ context.Context, i int) *http.Request {
		req, _ := http.NewRequest(http.MethodGet, urls[i%len(urls)], nil)
		return req
	}, token, http.StatusOK, total, concurrency, limit)
}

// loadPost sends total POSTs of the same JSON body to url: creates, expected
// to answer 200.
func loadPost(ctx context.Context, client *http.Client, url string, body []byte, token string, total, concurrency int, limit time.Duration) sample {
	return loadFunc(ctx, client, func(context.Context, int) *http.Request {
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		return req
	}, token, http.StatusOK, total, concurrency, limit)
}

// loadFunc sends total requests made by newReq (i counts from 0 across all
// workers) with the token from concurrency workers, each with one request in
// flight, and stops early at limit. A request counts as successful when it
// answers want and its body is read in full.
func loadFunc(ctx context.Context, client *http.Client, newReq func(ctx context.Context, i int) *http.Request, token string, want, total, concurrency int, limit time.Duration) sample {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	var next atomic.Int64
	var mu sync.Mutex
	var out sample
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine sample
			for {
				i := next.Add(1)
				if i > int64(total) {
					break
				}
				if ctx.Err() != nil {
					mine.cut = true
					break
				}
				req := newReq(ctx, int(i-1)).WithContext(ctx)
				if token != "" {
					req.Header.Set("Authorization", token)
				}
				t0 := time.Now()
				err := roundTrip(client, req, want)
				took := time.Since(t0)
				mine.sent++
				if err != nil {
					if ctx.Err() != nil {
						mine.cut = true
						mine.sent--
						break
					}
					mine.errors++
					if mine.firstErr == "" {
						mine.firstErr = err.Error()
					}
					continue
				}
				mine.latencies = append(mine.latencies, took)
			}
			mu.Lock()
			out.add(mine)
			mu.Unlock()
		}()
	}
	wg.Wait()
	out.wall = time.Since(start)
	return out
}

// getJSON fetches u with the token and decodes the answer into out.
func getJSON(client *http.Client, u, token string, out any) error {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Authorization", token)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: HTTP %d: %.500s", u, resp.StatusCode, raw)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	return nil
}

// roundTrip sends req and reads the whole answer; an answer other than
// want is an error that quotes it.
func roundTrip(client *http.Client, req *http.Request, want int) error {
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		raw, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("%s %s: HTTP %d: %.300s", req.Method, req.URL.Path, resp.StatusCode, raw)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}
