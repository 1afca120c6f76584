package main

import (
	"context"
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
			for next.Add(1) <= int64(total) {
				if ctx.Err() != nil {
					mine.cut = true
					break
				}
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
				if token != "" {
					req.Header.Set("Authorization", token)
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("HTTP %d", resp.StatusCode)
					}
				}
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
