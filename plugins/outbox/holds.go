package outbox

import (
	"sort"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// HoldFunc may keep a non-service message waiting: it returns the time the
// message may be looked at again and why, or a zero time to let it go. It
// runs inside the decision's transaction (tx) at the decision's now.
type HoldFunc func(tx core.App, message, contact *core.Record, now time.Time) (until time.Time, reason string, err error)

// holds are the app's named holds. They live in the app's store, not in the
// plugin, so JavaScript hooks loaded before the outbox registers can add theirs.
type holds struct {
	sync.RWMutex
	m map[string]HoldFunc
}

const holdsKey = "vinculo.outbox.holds"

func holdsOf(app core.App) *holds {
	return app.Store().GetOrSet(holdsKey, func() any { return &holds{m: map[string]HoldFunc{}} }).(*holds)
}

// SetHold adds the hold name to app's outbox, replacing an earlier one of
// that name; a nil fn removes it. The shipped hooks/15_hold_marketing.pb.js
// adds "open_request". Safe for concurrent use.
func SetHold(app core.App, name string, fn HoldFunc) {
	h := holdsOf(app)
	h.Lock()
	defer h.Unlock()
	if fn == nil {
		delete(h.m, name)
		return
	}
	h.m[name] = fn
}

// held asks every hold, in name order, about a non-service message; the
// first that holds it wins. It returns the time, the hold's name and why.
func held(tx core.App, message, contact *core.Record, now time.Time) (time.Time, string, string, error) {
	h := holdsOf(tx)
	h.RLock()
	names := make([]string, 0, len(h.m))
	for name := range h.m {
		names = append(names, name)
	}
	fns := make(map[string]HoldFunc, len(h.m))
	for k, v := range h.m {
		fns[k] = v
	}
	h.RUnlock()
	sort.Strings(names)
	for _, name := range names {
		until, reason, err := fns[name](tx, message, contact, now)
		if err != nil {
			return time.Time{}, "", "", err
		}
		if until.After(now) {
			if reason == "" {
				reason = "held by " + name
			}
			return until, name, reason, nil
		}
	}
	return time.Time{}, "", "", nil
}
