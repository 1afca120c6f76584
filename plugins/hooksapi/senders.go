package hooksapi

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/dop251/goja"

	"vinculo/crm"
	"vinculo/plugins/outbox"
)

// The outbox's senders are per app (outbox.SetSender). The channels whose
// sender an app's hooks set are removed when that app terminates.
var jsSenders = struct {
	sync.Mutex
	channels map[*engine]map[string]bool // the engine -> the channels its JS senders serve
}{channels: map[*engine]map[string]bool{}}

// registerSender makes fn the outbox's sender of channel. fn is compiled
// on its own, like a handler; each send runs it on a runtime the pool
// lends, with the message as its argument, outside any transaction. It
// returns normally once the channel accepted the message; what it throws
// is a failed attempt, retried with back-off, unless it throws
// $crm.permanentError(...). When the outbox stops (the app terminates) a
// send still running is interrupted.
func (en *engine) registerSender(vm *goja.Runtime, channel string, fn goja.Value) error {
	if !slices.Contains(crm.Channels, channel) {
		return fmt.Errorf("registerSender: %q is not a channel (one of %v)", channel, crm.Channels)
	}
	if en.pool == nil {
		return fmt.Errorf("registerSender: call it from a hook file (%s)", en.dir)
	}
	h := en.compile(vm, "sender "+channel, fn, plainProgram)
	jsSenders.Lock()
	defer jsSenders.Unlock()
	if jsSenders.channels[en] == nil {
		jsSenders.channels[en] = map[string]bool{}
	}
	jsSenders.channels[en][channel] = true
	outbox.SetSender(en.app, channel, func(ctx context.Context, m outbox.Message) error {
		return en.pool.run(func(vm *goja.Runtime) error {
			stop := context.AfterFunc(ctx, func() { vm.Interrupt("the outbox stopped") })
			defer stop()
			return en.exec(vm, h, nil, m)
		})
	})
	return nil
}

// unregisterSenders removes en's senders still registered.
func unregisterSenders(en *engine) {
	jsSenders.Lock()
	defer jsSenders.Unlock()
	for channel := range jsSenders.channels[en] {
		outbox.SetSender(en.app, channel, nil)
	}
	delete(jsSenders.channels, en)
}
