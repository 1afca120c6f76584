package testkit

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/tools/security"
	"github.com/pocketbase/pocketbase/tools/subscriptions"
)

// RealtimeEvent is one server-sent event of a realtime subscription.
type RealtimeEvent struct {
	Topic    string
	Action   string
	RecordID string
	Raw      string
}

// RealtimeClient is a real SSE connection to /api/realtime.
type RealtimeClient struct {
	ID     string
	srv    *Server
	events chan RealtimeEvent
	cancel context.CancelFunc
}

// maxWait bounds every wait of a realtime client, so a broken server fails
// the test instead of hanging it. It is a safety net, not a measured limit.
const maxWait = 20 * time.Second

// Realtime connects, then subscribes to topics with the given auth token
// (empty: anonymous). It returns the subscribe request's status, so tests can
// assert refusals as well.
func (s *Server) Realtime(t testing.TB, token string, topics ...string) (*RealtimeClient, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/api/realtime", nil)
	res, err := s.client.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	c := &RealtimeClient{srv: s, events: make(chan RealtimeEvent, 1024), cancel: cancel}
	t.Cleanup(func() { cancel(); res.Body.Close() })

	connected := make(chan string, 1)
	go func() {
		defer close(c.events)
		scanner := bufio.NewScanner(res.Body)
		scanner.Buffer(make([]byte, 1<<20), 1<<22)
		var name, data string
		for scanner.Scan() {
			line := scanner.Text()
			switch {
			case strings.HasPrefix(line, "event:"):
				name = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
			case strings.HasPrefix(line, "data:"):
				data = strings.TrimSpace(strings.TrimPrefix(line, "data:"))
			case line == "":
				if name == "PB_CONNECT" {
					var v struct {
						ClientID string `json:"clientId"`
					}
					_ = json.Unmarshal([]byte(data), &v)
					connected <- v.ClientID
				} else if name != "" {
					var v struct {
						Action string `json:"action"`
						Record struct {
							ID string `json:"id"`
						} `json:"record"`
					}
					_ = json.Unmarshal([]byte(data), &v)
					c.events <- RealtimeEvent{Topic: name, Action: v.Action, RecordID: v.Record.ID, Raw: data}
				}
				name, data = "", ""
			}
		}
	}()

	select {
	case c.ID = <-connected:
	case <-time.After(maxWait):
		t.Fatal("realtime: no PB_CONNECT")
	}
	res2 := s.Do(t, http.MethodPost, "/api/realtime", token, map[string]any{"clientId": c.ID, "subscriptions": topics})
	return c, res2.Status
}

// Drain waits until an event has arrived for every id in expect, then returns
// everything received up to a marker the server sends to this client at that
// point. PocketBase delivers each broadcast from its own goroutine, so order is
// not guaranteed: waiting for the expected events first means none is missed;
// an unexpected event still in flight after the marker would go unseen, so a
// test built on Drain can miss a leak only by a race, never report a false one.
func (c *RealtimeClient) Drain(t testing.TB, expect ...string) []RealtimeEvent {
	t.Helper()
	var got []RealtimeEvent
	missing := map[string]bool{}
	for _, id := range expect {
		missing[id] = true
	}
	deadline := time.After(maxWait)
	for len(missing) > 0 {
		select {
		case e, ok := <-c.events:
			if !ok {
				t.Fatal("realtime connection closed")
			}
			got = append(got, e)
			delete(missing, e.RecordID)
		case <-deadline:
			t.Errorf("realtime: no event for %v", missing)
			return got
		}
	}
	client, err := c.srv.App.SubscriptionsBroker().ClientById(c.ID)
	if err != nil {
		t.Fatalf("realtime client %s is gone: %v", c.ID, err)
	}
	marker := "marker_" + security.RandomString(10)
	client.Send(subscriptions.Message{Name: marker, Data: []byte(`{}`)})
	for {
		select {
		case e, ok := <-c.events:
			if !ok {
				t.Fatal("realtime connection closed before the marker")
			}
			if e.Topic == marker {
				return got
			}
			got = append(got, e)
		case <-deadline:
			t.Fatal("realtime: the marker never arrived")
		}
	}
}
