package hooksapi

import (
	"fmt"
	"strings"
	"time"

	"github.com/dop251/goja"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cast"

	"vinculo/plugins/outbox"
)

// holdMessages adds a hold to the outbox (outbox.SetHold): before a
// non-service message may go, fn(message, contact, now) runs on a pooled
// runtime with $app the decision's transaction. It returns nothing to let
// the message go, or {until, reason} to keep it waiting until then (the
// outbox looks at it again at `until`, or at once when the contact's
// requests or preferences change). What it throws fails the decision, as
// a Go hold's error would: the message stays as it was.
func (en *engine) holdMessages(vm *goja.Runtime, name string, fn goja.Value) error {
	name = strings.TrimSpace(name)
	if name == "" {
		return fmt.Errorf("holdMessages: give the hold a name")
	}
	if en.pool == nil {
		return fmt.Errorf("holdMessages: call it from a hook file (%s)", en.dir)
	}
	h := en.compile(vm, "hold "+name, fn, plainProgram)
	outbox.SetHold(en.app, name, func(tx core.App, message, contact *core.Record, now time.Time) (until time.Time, reason string, err error) {
		err = en.pool.run(func(vm *goja.Runtime) error {
			res, err := en.call(vm, h, tx, message, contact, stamp(now))
			if err != nil {
				return err
			}
			until, reason, err = holdAnswer(name, res)
			return err
		})
		return until, reason, err
	})
	return nil
}

// holdAnswer reads a hold's return value: nothing, or {until, reason}.
func holdAnswer(name string, res goja.Value) (time.Time, string, error) {
	if res == nil || goja.IsUndefined(res) || goja.IsNull(res) {
		return time.Time{}, "", nil
	}
	m, ok := res.Export().(map[string]any)
	if !ok {
		return time.Time{}, "", fmt.Errorf("hold %s: return nothing or {until, reason}, not %v", name, res)
	}
	if m["until"] == nil {
		return time.Time{}, "", nil
	}
	until, err := toTime(m["until"])
	if err != nil {
		return time.Time{}, "", fmt.Errorf("hold %s: until: %w", name, err)
	}
	return until, cast.ToString(m["reason"]), nil
}
