package realtime

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/subscriptions"

	"vinculo/testkit"
)

// wait is a safety net for what happens in another goroutine, not a measure.
const wait = 20 * time.Second

// liveConn is a raw live connection: what a browser's EventSource sends and reads.
type liveConn struct {
	conn   net.Conn
	res    *http.Response
	events *bufio.Reader
}

func openLive(t *testing.T, srv *testkit.Server) *liveConn {
	t.Helper()
	return openLiveProto(t, srv, "HTTP/1.1")
}

func openLiveProto(t *testing.T, srv *testkit.Server, proto string) *liveConn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(wait))
	if _, err := io.WriteString(conn, "GET /api/realtime "+proto+"\r\nHost: crm.example\r\nAccept: text/event-stream\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	return &liveConn{conn: conn, res: res, events: bufio.NewReader(res.Body)}
}

// next reads one server-sent event: its name and data.
func (c *liveConn) next(t *testing.T) (string, string) {
	t.Helper()
	var name, data string
	for {
		line, err := c.events.ReadString('\n')
		if err != nil {
			t.Fatalf("the stream ended before an event: %v (read %q)", err, line)
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case strings.HasPrefix(line, "event:"):
			name = strings.TrimPrefix(line, "event:")
		case strings.HasPrefix(line, "data:"):
			data = strings.TrimPrefix(line, "data:")
		case line == "" && name != "":
			return name, data
		}
	}
}

func (c *liveConn) clientID(t *testing.T) string {
	t.Helper()
	name, data := c.next(t)
	if name != "PB_CONNECT" {
		t.Fatalf("first event %q, want PB_CONNECT", name)
	}
	var v struct {
		ClientID string `json:"clientId"`
	}
	if err := json.Unmarshal([]byte(data), &v); err != nil || v.ClientID == "" {
		t.Fatalf("PB_CONNECT data %q: %v", data, err)
	}
	return v.ClientID
}

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestLiveConnectionsAreTakenOver(t *testing.T) {
	app := testkit.NewApp(t)
	register(app)
	var sent atomic.Int32
	app.OnRealtimeMessageSend().BindFunc(func(e *core.RealtimeMessageEvent) error {
		sent.Add(1)
		return e.Next()
	})
	srv := testkit.Serve(t, app)
	broker := app.SubscriptionsBroker()

	c := openLive(t, srv)
	// The head PocketBase and its middlewares would have written.
	if c.res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", c.res.StatusCode)
	}
	for k, want := range map[string]string{
		"Content-Type":           "text/event-stream",
		"Cache-Control":          "no-store",
		"X-Accel-Buffering":      "no",
		"X-Content-Type-Options": "nosniff", // PocketBase's security headers middleware
	} {
		if got := c.res.Header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	if len(c.res.TransferEncoding) != 1 || c.res.TransferEncoding[0] != "chunked" {
		t.Errorf("transfer encoding %v, want chunked", c.res.TransferEncoding)
	}
	id := c.clientID(t)
	client, err := broker.ClientById(id)
	if err != nil {
		t.Fatalf("the client %s is not in PocketBase's broker: %v", id, err)
	}

	// Nothing is left parked in PocketBase's handler: the stream is held
	// outside the HTTP handler and its middleware chain.
	// (PB_CONNECT is written before the handler returns: wait for it to.)
	eventually(t, "no goroutine waits in PocketBase's realtime handler", func() bool {
		stacks := make([]byte, 1<<22)
		stacks = stacks[:runtime.Stack(stacks, true)]
		return !strings.Contains(string(stacks), "apis.realtimeConnect")
	})

	// A message to the client arrives, through the message hooks.
	client.Send(subscriptions.Message{Name: "cases/abc", Data: []byte(`{"action":"update"}`)})
	if name, data := c.next(t); name != "cases/abc" || data != `{"action":"update"}` {
		t.Errorf("event %q %q", name, data)
	}
	if n := sent.Load(); n != 2 {
		t.Errorf("the message hook ran %d times, want 2 (PB_CONNECT and the message)", n)
	}

	// The customer closes the page: the client leaves the broker.
	c.conn.Close()
	eventually(t, "the closed connection's client left the broker", func() bool {
		_, err := broker.ClientById(id)
		return err != nil
	})
}

func TestLiveConnectionEndsWhenIdle(t *testing.T) {
	app := testkit.NewApp(t)
	register(app)
	// A connect hook of its own (bound at the default priority) runs
	// before the take-over and sets the timeouts, as it would with PocketBase.
	app.OnRealtimeConnectRequest().BindFunc(func(e *core.RealtimeConnectRequestEvent) error {
		e.IdleTimeout = 300 * time.Millisecond
		return e.Next()
	})
	srv := testkit.Serve(t, app)
	c := openLive(t, srv)
	id := c.clientID(t)
	// The stream ends cleanly (the last chunk), so the page opens it again.
	rest, err := io.ReadAll(c.events)
	if err != nil {
		t.Fatalf("the idle stream did not end cleanly: %v", err)
	}
	if len(rest) != 0 {
		t.Errorf("after PB_CONNECT: %q", rest)
	}
	eventually(t, "the idle client left the broker", func() bool {
		_, err := app.SubscriptionsBroker().ClientById(id)
		return err != nil
	})
}

func TestLiveConnectionsCloseWithTheApp(t *testing.T) {
	app := testkit.NewApp(t)
	p := register(app)
	srv := testkit.Serve(t, app)
	a, b := openLive(t, srv), openLive(t, srv)
	a.clientID(t)
	b.clientID(t)
	if n := app.SubscriptionsBroker().TotalClients(); n != 2 {
		t.Fatalf("%d clients, want 2", n)
	}
	p.closeAll() // what the app's OnTerminate runs
	for _, c := range []*liveConn{a, b} {
		if _, err := io.ReadAll(c.events); err == nil {
			t.Error("a stream read to its end after the app closed it, want a cut connection")
		}
	}
	eventually(t, "every client left the broker", func() bool { return app.SubscriptionsBroker().TotalClients() == 0 })
	// A connection that arrives after is not kept.
	c := openLive(t, srv)
	if _, err := io.ReadAll(c.events); err != nil {
		t.Logf("late connection: %v", err)
	}
	if n := app.SubscriptionsBroker().TotalClients(); n != 0 {
		t.Errorf("%d clients after the app closed, want 0", n)
	}
}

// A message hook that panics ends its own stream (the page opens it again),
// not the server; one that panics on PB_CONNECT leaves no client behind.
func TestAPanickingMessageHookEndsOnlyItsStream(t *testing.T) {
	app := testkit.NewApp(t)
	register(app)
	var failConnect atomic.Bool
	app.OnRealtimeMessageSend().BindFunc(func(e *core.RealtimeMessageEvent) error {
		if e.Message.Name == "boom" || (e.Message.Name == "PB_CONNECT" && failConnect.Load()) {
			panic("a hook's bug")
		}
		return e.Next()
	})
	srv := testkit.Serve(t, app)
	broker := app.SubscriptionsBroker()

	a, b := openLive(t, srv), openLive(t, srv)
	idA := a.clientID(t)
	idB := b.clientID(t)
	clientA, err := broker.ClientById(idA)
	if err != nil {
		t.Fatal(err)
	}
	clientA.Send(subscriptions.Message{Name: "boom", Data: []byte(`{}`)})
	if _, err := io.ReadAll(a.events); err != nil {
		t.Errorf("the stream whose hook panicked did not end cleanly: %v", err)
	}
	eventually(t, "the panicked stream's client left the broker", func() bool {
		_, err := broker.ClientById(idA)
		return err != nil
	})
	// The other stream and the server go on.
	clientB, err := broker.ClientById(idB)
	if err != nil {
		t.Fatalf("the other customer's client is gone: %v", err)
	}
	clientB.Send(subscriptions.Message{Name: "cases/xyz", Data: []byte(`{"action":"update"}`)})
	if name, _ := b.next(t); name != "cases/xyz" {
		t.Errorf("the other stream got %q", name)
	}

	failConnect.Store(true)
	c := openLive(t, srv)
	if rest, err := io.ReadAll(c.events); err != nil || len(rest) != 0 {
		t.Errorf("a stream whose PB_CONNECT panicked: %q, %v; want a clean, empty end", rest, err)
	}
	if n := broker.TotalClients(); n != 1 {
		t.Errorf("%d clients, want only the other customer's", n)
	}
}

// A HEAD is routed to the same handler: it gets the head and no stream.
func TestHeadGetsNoStream(t *testing.T) {
	app := testkit.NewApp(t)
	register(app)
	srv := testkit.Serve(t, app)
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(wait))
	if _, err := io.WriteString(conn, "HEAD /api/realtime HTTP/1.1\r\nHost: crm.example\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(conn)
	res, err := http.ReadResponse(r, &http.Request{Method: http.MethodHead})
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Errorf("HEAD: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	// Nothing follows the head (a stream would send PB_CONNECT at once).
	_ = conn.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	if b, err := r.ReadByte(); err == nil {
		t.Errorf("HEAD got a body: %q...", b)
	}
}

// HTTP/1.0 (nginx's default towards its upstream) is taken over too: the
// body has no chunks and runs until the connection closes.
func TestHTTP10IsTakenOverWithoutChunks(t *testing.T) {
	app := testkit.NewApp(t)
	p := register(app)
	srv := testkit.Serve(t, app)
	c := openLiveProto(t, srv, "HTTP/1.0")
	if len(c.res.TransferEncoding) != 0 || c.res.Header.Get("Content-Type") != "text/event-stream" {
		t.Errorf("HTTP/1.0 head: transfer encoding %v, type %q", c.res.TransferEncoding, c.res.Header.Get("Content-Type"))
	}
	id := c.clientID(t)
	client, err := app.SubscriptionsBroker().ClientById(id)
	if err != nil {
		t.Fatal(err)
	}
	client.Send(subscriptions.Message{Name: "cases/abc", Data: []byte(`{"action":"update"}`)})
	if name, data := c.next(t); name != "cases/abc" || data != `{"action":"update"}` {
		t.Errorf("event %q %q", name, data)
	}
	eventually(t, "no goroutine waits in PocketBase's realtime handler", func() bool {
		stacks := make([]byte, 1<<22)
		stacks = stacks[:runtime.Stack(stacks, true)]
		return !strings.Contains(string(stacks), "apis.realtimeConnect")
	})
	p.closeAll()
	if rest, _ := io.ReadAll(c.events); len(rest) != 0 {
		t.Errorf("after the last event: %q", rest)
	}
	eventually(t, "the client left the broker", func() bool {
		_, err := app.SubscriptionsBroker().ClientById(id)
		return err != nil
	})
}
