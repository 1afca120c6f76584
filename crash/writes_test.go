package crash

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"vinculo/testkit"
)

// write is one create a client sent: its id, chosen by the client, and
// whether a 2xx answer came back.
type write struct {
	id, kind string // kind: contacts or activities
	acked    bool
}

// Clients create contacts and timeline activities through the record API
// at a few hundred a second while the server is killed with SIGKILL. After
// a restart every acknowledged create is there, a contact with its
// "contact created" timeline entry, each with its search row, and the
// database is whole.
func TestCrashWhileWriting(t *testing.T) {
	bin := testkit.Binary(t)
	dir := newDataDir(t, bin)
	s := start(t, bin, dir)
	token, staffID := s.staff(t)
	var seed struct {
		ID string `json:"id"`
	}
	s.must(t, "POST", "/api/collections/contacts/records", token, map[string]any{"name": "Seed Contact"}, &seed)

	for run := 1; run <= runs(t); run++ {
		writes, elapsed := writeUntilKilled(t, s, token, staffID, seed.ID, run)
		s = start(t, bin, dir)
		checkWrites(t, s, dir, run, writes, elapsed)
		token, _ = s.staff(t)
	}
}

const (
	writers    = 12
	writesPerS = 300  // all writers together
	maxWrites  = 2000 // per run
)

// writeUntilKilled runs the writers and kills the server at a random moment
// between 0.7 and 1.5 s; the writers stop when it no longer answers.
func writeUntilKilled(t *testing.T, s *server, token, staffID, seed string, run int) ([]*write, time.Duration) {
	t.Helper()
	var (
		mu     sync.Mutex
		writes []*write
		n      atomic.Int64
		stop   atomic.Bool
		wg     sync.WaitGroup
	)
	tick := time.NewTicker(time.Second / writesPerS)
	defer tick.Stop()
	tokens := make(chan struct{})
	go func() {
		for range tick.C {
			if stop.Load() {
				close(tokens)
				return
			}
			tokens <- struct{}{}
		}
	}()
	began := time.Now()
	for g := 0; g < writers; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range tokens {
				i := int(n.Add(1))
				if i > maxWrites || stop.Load() {
					continue
				}
				w := &write{kind: "contacts"}
				var body map[string]any
				if i%3 == 0 {
					w.kind, w.id = "activities", newID(fmt.Sprintf("r%da", run), i)
					body = map[string]any{"id": w.id, "type": "note", "actor_type": "staff", "staff": staffID, "contact": seed,
						"subject": fmt.Sprintf("Crash note %d of run %d", i, run), "body": "written while the server may die"}
				} else {
					w.id = newID(fmt.Sprintf("r%dc", run), i)
					body = map[string]any{"id": w.id, "name": fmt.Sprintf("Crash Contact %d-%d", run, i),
						"email": fmt.Sprintf("crash%d.%d@writes.test", run, i)}
				}
				mu.Lock()
				writes = append(writes, w)
				mu.Unlock()
				status, raw, err := s.do("POST", "/api/collections/"+w.kind+"/records", token, body)
				if err != nil {
					continue // no answer: unacknowledged
				}
				if status/100 == 2 {
					mu.Lock()
					w.acked = true
					mu.Unlock()
				} else {
					t.Errorf("create %s: %d %s", w.kind, status, raw)
				}
			}
		}()
	}
	time.Sleep(700*time.Millisecond + rand.N(800*time.Millisecond))
	s.kill()
	elapsed := time.Since(began)
	stop.Store(true)
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	return writes, elapsed
}

func checkWrites(t *testing.T, s *server, dir string, run int, writes []*write, elapsed time.Duration) {
	t.Helper()
	db := openDB(t, dir)
	var acked, lost, unackedPresent, unackedAbsent, noTimeline, noSearch int
	for _, w := range writes {
		present := count(t, db, "SELECT count(*) FROM `"+w.kind+"` WHERE id = ?", w.id) == 1
		switch {
		case w.acked && !present:
			lost++
			t.Errorf("acknowledged %s %s is lost", w.kind, w.id)
		case !w.acked && present:
			unackedPresent++
		case !w.acked:
			unackedAbsent++
		}
		if w.acked {
			acked++
		}
		if !present {
			continue
		}
		if w.kind == "contacts" && count(t, db, "SELECT count(*) FROM activities WHERE contact = ? AND event = 'contact.created'", w.id) != 1 {
			noTimeline++
			t.Errorf("contact %s has no 'contact created' timeline entry", w.id)
		}
		if !searchRow(t, db, w.kind, w.id) {
			noSearch++
			t.Errorf("%s %s has no search row", w.kind, w.id)
		}
	}
	check := integrity(t, dir)
	if acked == 0 {
		t.Errorf("run %d: no write was acknowledged before the kill", run)
	}
	t.Logf("crash-writes run=%d sent=%d acknowledged=%d lost=%d unacknowledged_present=%d unacknowledged_absent=%d "+
		"missing_timeline=%d missing_search=%d rate=%.0f/s killed_after=%s integrity=%s",
		run, len(writes), acked, lost, unackedPresent, unackedAbsent, noTimeline, noSearch,
		float64(acked)/elapsed.Seconds(), elapsed.Round(time.Millisecond), check)
}

// searchRow: the record has its row in the search index (_crm_search, tied
// to records by _crm_search_map).
func searchRow(t *testing.T, db *sql.DB, collection, id string) bool {
	t.Helper()
	return count(t, db, "SELECT count(*) FROM _crm_search_map m JOIN _crm_search s ON s.rowid = m.id "+
		"WHERE m.collection = ? AND m.record = ?", collection, id) == 1
}
