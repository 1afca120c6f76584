// Package realtime keeps the live connections (GET /api/realtime: the
// portal's and the workspace's server-sent events) at a small cost each.
//
// PocketBase serves a live connection inside its HTTP handler for as long as
// the connection lasts: a goroutine parked about sixty frames deep under the
// middleware chain (a 16 KB stack), net/http's background reader beside it,
// net/http's 4 KB read and write buffers and the response's 2 KB one, the
// request's clone: about 60 KB of resident memory a connected customer once
// Go's collector has its headroom (bench part 9: 1.2 GB for 20,000 idle
// customers). Nothing of that is needed to wait for an event.
//
// So this plugin takes over PocketBase's own connect event at its end, once
// every middleware has passed (the rate limiter, CORS and the security
// headers have set their headers) and every other connect hook has run:
// it takes the connection from net/http (http.Hijacker), writes the same
// response head, sends PB_CONNECT, lets the handler return, and serves the
// stream with two small goroutines: one writes the client's messages, the
// other reads, to notice the customer leaving. The client is PocketBase's
// own, registered in its broker, so the subscriptions, the rules checked at
// every broadcast and the message hooks (OnRealtimeMessageSend) stay
// PocketBase's; the stream ends as PocketBase's does, after the event's
// IdleTimeout without a message or at its MaxTimeout, and the portal opens
// it again. Only the holding of the connection is written here: no library
// serves PocketBase's broker, and the rest is PocketBase's.
//
// A connection that cannot be taken (HTTP/2, a test recorder) and a HEAD
// are served by PocketBase as before. An HTTP/1.0 request (nginx's default
// towards its upstream) gets a body that runs until the connection closes.
// A connect hook that does work after e.Next() runs it once the stream is
// set up, not when it ends.
package realtime

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/subscriptions"

	"vinculo/crm"
)

// HandlerID names the connect hook, for a test or a hook that must run after it.
const HandlerID = "vinculoLightStreams"

// handlerPriority puts the take-over after every other connect hook (Go
// plugins and JavaScript hooks bind at 0): they see the event and may
// change its timeouts or its client before the stream starts.
const handlerPriority = 1 << 20

// writeWait bounds each write: a customer whose connection stopped taking
// data (its buffers full) ends the stream instead of holding a goroutine.
const writeWait = time.Minute

// Register binds the take-over of live connections.
func Register(app core.App, _ *crm.Config) error {
	register(app)
	return nil
}

func register(app core.App) *plugin {
	p := &plugin{app: app, open: map[*stream]struct{}{}}
	app.OnRealtimeConnectRequest().Bind(&hook.Handler[*core.RealtimeConnectRequestEvent]{
		Id:       HandlerID,
		Priority: handlerPriority,
		Func:     p.connect,
	})
	// net/http's graceful shutdown leaves taken connections alone: close
	// them, so the customers' pages reconnect to the next server.
	app.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
		p.closeAll()
		return e.Next()
	})
	return p
}

type plugin struct {
	app  core.App
	mu   sync.Mutex
	open map[*stream]struct{}
}

// stream is one live connection after the take-over.
type stream struct {
	p       *plugin
	conn    net.Conn
	re      *core.RequestEvent
	client  subscriptions.Client
	idle    time.Duration
	max     time.Duration
	gone    chan struct{} // closed by the reader when the connection ends
	cancel  context.CancelFunc
	chunked bool // HTTP/1.1: the body in chunks, ended by the last one
}

func (p *plugin) connect(ce *core.RealtimeConnectRequestEvent) error {
	req := ce.Request
	if req.Method != http.MethodGet || req.ProtoMajor != 1 {
		// A HEAD (routed here by the GET route) is answered with the head
		// alone; HTTP/2 has no taking over.
		return ce.Next()
	}
	head := ce.Response.Header()
	// A client sends nothing after its GET: whatever net/http had read ahead
	// (the second result) is not a request this stream answers.
	conn, _, err := http.NewResponseController(ce.Response).Hijack()
	if err != nil {
		return ce.Next()
	}

	// net/http ends the request's context when its handler returns; the
	// stream's has the same values and ends with the stream.
	ctx, cancel := context.WithCancel(context.WithoutCancel(req.Context()))
	s := &stream{
		p:      p,
		conn:   conn,
		re:     ce.RequestEvent,
		client: ce.Client,
		idle:   ce.IdleTimeout,
		max:    ce.MaxTimeout,
		gone:   make(chan struct{}),
		cancel: cancel,
		// HTTP/1.0 (nginx's default towards its upstream) has no chunked
		// bodies: the body runs until the connection closes, as net/http does.
		chunked: req.ProtoMinor >= 1,
	}
	s.re.Request = req.WithContext(ctx)
	s.re.Response = &streamWriter{conn: conn, header: http.Header{}, chunked: s.chunked}

	if err := s.writeHead(head); err != nil {
		cancel()
		conn.Close()
		return nil
	}
	if !p.add(s) {
		cancel()
		conn.Close()
		return nil
	}
	ce.App.SubscriptionsBroker().Register(s.client)
	err = s.send(&subscriptions.Message{
		Name: "PB_CONNECT",
		Data: []byte(`{"clientId":"` + s.client.Id() + `"}`),
	})
	if err != nil {
		s.end()
		return nil
	}
	go s.watch()
	go s.serve()
	return nil
}

// writeHead writes the response head net/http would have written: the
// status, the headers the middlewares and PocketBase set, and a body the
// stream ends itself (in chunks for HTTP/1.1, until the close for HTTP/1.0).
func (s *stream) writeHead(h http.Header) error {
	var b bytes.Buffer
	b.WriteString("HTTP/1.1 200 OK\r\n")
	h = h.Clone()
	for _, k := range []string{"Content-Length", "Transfer-Encoding", "Connection"} {
		h.Del(k)
	}
	h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	if s.chunked {
		h.Set("Transfer-Encoding", "chunked")
	}
	h.Set("Connection", "close")
	if err := h.Write(&b); err != nil {
		return err
	}
	b.WriteString("\r\n")
	_ = s.conn.SetWriteDeadline(time.Now().Add(writeWait))
	_, err := s.conn.Write(b.Bytes())
	return err
}

// send gives a message to the message hooks and writes it, as PocketBase
// does. A hook that panics ends this stream, not the server: PocketBase's
// panic middleware is no longer around the stream's goroutine.
func (s *stream) send(m *subscriptions.Message) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("a realtime message hook panicked: %v", r)
			s.p.app.Logger().Error("realtime: the stream ends", "clientId", s.client.Id(), "error", err)
		}
	}()
	me := new(core.RealtimeMessageEvent)
	me.RequestEvent = s.re
	me.Client = s.client
	me.Message = m
	return s.p.app.OnRealtimeMessageSend().Trigger(me, func(me *core.RealtimeMessageEvent) error {
		if err := me.Message.WriteSSE(me.Response, me.Client.Id()); err != nil {
			return err
		}
		return me.Flush()
	})
}

// serve writes the client's messages until the customer leaves, the client
// is discarded, or the stream is idle or old enough to end.
func (s *stream) serve() {
	defer s.end()
	idle := time.NewTimer(s.idle)
	defer idle.Stop()
	old := time.NewTimer(s.max)
	defer old.Stop()
	messages := s.client.Channel()
	for {
		select {
		case <-s.gone:
			return
		case <-idle.C:
			return
		case <-old.C:
			return
		case m, ok := <-messages:
			if !ok {
				return
			}
			if s.send(&m) != nil {
				return
			}
			idle.Reset(s.idle)
		}
	}
}

// watch reads until the connection ends: a customer who closed the page,
// or closeAll.
func (s *stream) watch() {
	defer close(s.gone)
	var b [1]byte
	for {
		if _, err := s.conn.Read(b[:]); err != nil {
			return
		}
	}
}

// end unregisters the client, ends the chunked body (so the page opens the
// stream again) and closes the connection.
func (s *stream) end() {
	s.p.app.SubscriptionsBroker().Unregister(s.client.Id())
	_ = s.conn.SetWriteDeadline(time.Now().Add(time.Second))
	if s.chunked {
		_, _ = s.conn.Write([]byte("0\r\n\r\n"))
	}
	s.conn.Close()
	s.cancel()
	s.p.remove(s)
}

func (p *plugin) add(s *stream) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.open == nil {
		return false // the app is terminating
	}
	p.open[s] = struct{}{}
	return true
}

func (p *plugin) remove(s *stream) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.open, s)
}

// closeAll closes every stream's connection; each one's reader sees it and
// its writer ends it.
func (p *plugin) closeAll() {
	p.mu.Lock()
	open := p.open
	p.open = nil
	p.mu.Unlock()
	for s := range open {
		s.conn.Close()
	}
}

// streamWriter is the stream's http.ResponseWriter for the message hooks:
// what they write is kept until Flush, then written as one chunk.
type streamWriter struct {
	conn    net.Conn
	header  http.Header
	buf     []byte
	chunked bool
}

func (w *streamWriter) Header() http.Header { return w.header }

func (w *streamWriter) WriteHeader(int) {}

func (w *streamWriter) Write(b []byte) (int, error) {
	w.buf = append(w.buf, b...)
	return len(b), nil
}

// FlushError writes what was written since the last flush at once (as one chunk for HTTP/1.1).
func (w *streamWriter) FlushError() error {
	if len(w.buf) == 0 {
		return nil
	}
	chunk := w.buf
	if w.chunked {
		chunk = make([]byte, 0, len(w.buf)+16)
		chunk = strconv.AppendInt(chunk, int64(len(w.buf)), 16)
		chunk = append(chunk, '\r', '\n')
		chunk = append(chunk, w.buf...)
		chunk = append(chunk, '\r', '\n')
	}
	w.buf = nil // a stream waits far longer than it writes: keep nothing
	_ = w.conn.SetWriteDeadline(time.Now().Add(writeWait))
	_, err := w.conn.Write(chunk)
	return err
}
