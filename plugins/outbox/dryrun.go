package outbox

import (
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// Decision is what the customer's rules would make of a message queued
// now: the state it would take (queued: it goes now; waiting until
// NotBefore; refused; failed), the reason's code and data (reasons.go), and
// the channel and contact point it would go on.
type Decision struct {
	State     string         `json:"state"`
	Code      string         `json:"code"`
	Data      map[string]any `json:"data,omitempty"`
	Reason    string         `json:"reason"`
	NotBefore time.Time      `json:"not_before,omitzero"`
	Channel   string         `json:"channel,omitempty"`
	To        string         `json:"to,omitempty"`
}

// Decide is a dry run of Queue: the very decision Queue would record for q
// at the outbox's now, read in tx, with nothing saved. A campaign's preview
// asks it for each member, so the preview and the send can never disagree
// on a rule.
func Decide(tx core.App, q Queued) (Decision, error) {
	p, err := pluginOf(tx)
	if err != nil {
		return Decision{}, err
	}
	rec, err := newRecord(tx, q)
	if err != nil {
		return Decision{}, err
	}
	d, _, err := p.decide(tx, rec, p.now())
	if err != nil {
		return Decision{}, err
	}
	out := Decision{State: d.state, Code: d.code, Data: d.data, Reason: d.reason, Channel: d.channel, To: d.to}
	if d.state == StateWaiting {
		out.NotBefore = d.notBefore
	}
	return out, nil
}

// Now is the clock app's outbox decides by (time.Now unless configured).
func Now(app core.App) time.Time {
	p, err := pluginOf(app)
	if err != nil {
		return time.Now()
	}
	return p.now()
}
