package accesslog

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// How often the queue is written, and how many waiting looks write it at once.
var (
	FlushEvery = 250 * time.Millisecond
	BatchSize  = 500
)

// spoolDir is where waiting looks are kept on disk, under the data dir.
const spoolDir = "accesslog_spool"

// Entry is one look (or one export), as queued and spooled.
type Entry struct {
	ID         string    `json:"id"`
	At         time.Time `json:"at"`
	Kind       string    `json:"kind"`       // staff, partner, automation
	ActorType  string    `json:"actor_type"` // audit_log.actor_type: staff, superuser, integration, system
	Staff      string    `json:"staff,omitempty"`
	Name       string    `json:"name,omitempty"`
	Role       string    `json:"role,omitempty"`
	Contact    string    `json:"contact,omitempty"`
	Collection string    `json:"collection"`
	Record     string    `json:"record,omitempty"`
	Case       string    `json:"case,omitempty"` // a request's messages: the request, whose customer the writer finds
	Screen     string    `json:"screen"`
	Action     string    `json:"action"` // read or export
	Reason     string    `json:"reason,omitempty"`
	Count      int       `json:"count,omitempty"`
	IP         string    `json:"ip,omitempty"`
	UserAgent  string    `json:"ua,omitempty"`
	Members    []string  `json:"members,omitempty"` // an export: the customers it held
}

// logger is one app's queue, spool and writer.
type logger struct {
	app core.App
	dir string

	mu      sync.Mutex
	pending []Entry
	spool   *os.File // the file the pending looks are appended to
	written []string // spool files whose looks wait to be written again after a failure
	seq     int

	flushMu sync.Mutex // one writer at a time
	wake    chan struct{}
	stop    chan struct{}
	done    chan struct{}
	stopped bool
	started bool // start ran: the loop goes until close
}

func newLogger(app core.App) *logger {
	return &logger{app: app, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
}

// start replays what an earlier process left in the spool, then writes the
// queue every FlushEvery until stopped.
func (l *logger) start() {
	if d := l.app.DataDir(); d != "" {
		l.dir = filepath.Join(d, spoolDir)
		if err := os.MkdirAll(l.dir, 0o700); err != nil {
			l.app.Logger().Warn("access log: no spool dir; looks wait in memory only", "error", err)
			l.dir = ""
		}
	}
	l.replay()
	l.mu.Lock()
	l.started = true
	l.mu.Unlock()
	go l.loop()
}

func (l *logger) loop() {
	defer close(l.done)
	t := time.NewTicker(FlushEvery)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		case <-l.wake:
		}
		l.flush()
	}
}

// close writes what waits and stops the goroutine.
func (l *logger) close() {
	l.mu.Lock()
	if l.stopped {
		l.mu.Unlock()
		return
	}
	l.stopped = true
	started := l.started
	l.mu.Unlock()
	if !started { // the app never bootstrapped (`vinculo --help`): no loop, nothing logged
		return
	}
	close(l.stop)
	<-l.done
	l.flush()
}

// add queues e, appending it to the spool first.
func (l *logger) add(e Entry) {
	line, err := json.Marshal(e)
	l.mu.Lock()
	if err == nil && l.dir != "" {
		if l.spool == nil {
			l.seq++
			name := filepath.Join(l.dir, "spool-"+strconv.FormatInt(time.Now().UnixNano(), 10)+"-"+strconv.Itoa(l.seq)+".jsonl")
			l.spool, err = os.OpenFile(name, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		}
		if err == nil {
			_, err = l.spool.Write(append(line, '\n'))
		}
	}
	l.pending = append(l.pending, e)
	full := len(l.pending) >= BatchSize
	l.mu.Unlock()
	if err != nil {
		l.app.Logger().Warn("access log: a look was not spooled; it waits in memory", "error", err)
	}
	if full {
		select {
		case l.wake <- struct{}{}:
		default:
		}
	}
}

// flush writes every waiting look in one transaction; on success it drops
// the spool files they came from, on failure they wait for the next turn.
func (l *logger) flush() {
	l.flushMu.Lock()
	defer l.flushMu.Unlock()
	l.mu.Lock()
	batch := l.pending
	l.pending = nil
	files := l.written
	l.written = nil
	if l.spool != nil {
		files = append(files, l.spool.Name())
		_ = l.spool.Close()
		l.spool = nil
	}
	l.mu.Unlock()
	if len(batch) == 0 && len(files) == 0 {
		return
	}
	if err := write(l.app, batch); err != nil {
		report(l.app, err)
		l.mu.Lock()
		l.pending = append(batch, l.pending...)
		l.written = append(files, l.written...)
		l.mu.Unlock()
		return
	}
	for _, f := range files {
		_ = os.Remove(f)
	}
}

// replay writes the looks a process that ended without writing them left in
// the spool (a kill -9, a crash). Every look has its id, so one written
// before the crash is not written twice.
func (l *logger) replay() {
	if l.dir == "" {
		return
	}
	names, _ := filepath.Glob(filepath.Join(l.dir, "spool-*.jsonl"))
	sort.Strings(names)
	var batch []Entry
	for _, name := range names {
		batch = append(batch, readSpool(name)...)
	}
	if len(batch) == 0 {
		for _, n := range names {
			_ = os.Remove(n)
		}
		return
	}
	if err := write(l.app, batch); err != nil {
		report(l.app, err)
		return // kept for the next start
	}
	for _, n := range names {
		_ = os.Remove(n)
	}
	l.app.Logger().Info("access log: looks left by an earlier process written", "looks", len(batch))
}

// readSpool reads one spool file; a line cut short by the crash is skipped.
func readSpool(name string) []Entry {
	f, err := os.Open(name)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []Entry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 64<<20) // an export's line holds its members
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var e Entry
		if json.Unmarshal([]byte(line), &e) == nil && e.ID != "" {
			out = append(out, e)
		}
	}
	return out
}
