package campaigns

import (
	"fmt"
	"sort"
	"time"

	"vinculo/plugins/outbox"
)

// Tally counts the messages of one state for one reason (and channel): the
// rows of a preview and of the results alike, so the two compare.
type Tally struct {
	State   string `json:"state"`   // the outbox's: queued, waiting, sent, refused, failed
	Reason  string `json:"reason"`  // the reason's code; a wait's own (hours, pause, weekly_limit, held)
	Channel string `json:"channel"` // the channel the reason names, if any
	Count   int    `json:"count"`
	// Waiting: the earliest and latest time the messages may go.
	First time.Time `json:"first,omitzero"`
	Last  time.Time `json:"last,omitzero"`
}

// reasonOf is the reason a tally counts under: the outbox's code, but a
// waiting message by what it waits for first (the customer's hours, their
// pause, the weekly limit, a hold) and a hold by its name.
func reasonOf(code string, data map[string]any) (reason, channel string) {
	channel, _ = data["channel"].(string)
	switch code {
	case outbox.ReasonWaiting:
		if waits := asList(data["for"]); len(waits) > 0 {
			if c, ok := waits[0]["code"].(string); ok && c != "" {
				return c, channel
			}
		}
	case outbox.ReasonHeld:
		if h, ok := data["hold"].(string); ok && h != "" {
			return "held:" + h, channel
		}
	}
	return code, channel
}

// asList reads the waits of a reason, as the outbox builds them or as
// they come back from the database.
func asList(v any) []map[string]any {
	switch l := v.(type) {
	case []map[string]any:
		return l
	case []any:
		var out []map[string]any
		for _, x := range l {
			if m, ok := x.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

// tallies counts outcomes by state, reason and channel.
type tallies map[string]*Tally

func (ts tallies) add(state, code string, data map[string]any, at time.Time) {
	reason, channel := reasonOf(code, data)
	k := fmt.Sprint(state, "\x00", reason, "\x00", channel)
	t := ts[k]
	if t == nil {
		t = &Tally{State: state, Reason: reason, Channel: channel}
		ts[k] = t
	}
	t.Count++
	if !at.IsZero() {
		if t.First.IsZero() || at.Before(t.First) {
			t.First = at
		}
		if at.After(t.Last) {
			t.Last = at
		}
	}
}

// list is the tallies in the order people read them: by state (goes now,
// later, never), then the largest first.
func (ts tallies) list() []Tally {
	rank := map[string]int{outbox.StateSent: 0, outbox.StateQueued: 1, outbox.StateWaiting: 2, outbox.StateRefused: 3, outbox.StateFailed: 4}
	out := make([]Tally, 0, len(ts))
	for _, t := range ts {
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if rank[a.State] != rank[b.State] {
			return rank[a.State] < rank[b.State]
		}
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Reason+a.Channel < b.Reason+b.Channel
	})
	return out
}

// byState sums tallies per state.
func byState(list []Tally) map[string]int {
	out := map[string]int{outbox.StateQueued: 0, outbox.StateWaiting: 0, outbox.StateSent: 0, outbox.StateRefused: 0, outbox.StateFailed: 0}
	for _, t := range list {
		out[t.State] += t.Count
	}
	return out
}
