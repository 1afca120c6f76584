package notifications

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
)

// kick runs the schedules and sends what is due in the background now, or
// once more after the run in progress: never two background runs of one
// app at a time. The cron job (every minute), the start of the server and
// each commit of a mail to send at once call it.
func (p *plugin) kick() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.opts.Manual {
		return
	}
	if p.running {
		p.again = true
		return
	}
	p.running = true
	go p.loop()
}

func (p *plugin) loop() {
	for {
		p.runOnce()
		p.mu.Lock()
		if !p.again || p.closed {
			p.running = false
			p.idle.Broadcast()
			p.mu.Unlock()
			return
		}
		p.again = false
		p.mu.Unlock()
	}
}

func (p *plugin) runOnce() {
	defer func() {
		if r := recover(); r != nil {
			p.app.Logger().Error("Notifications: the background run panicked", "panic", fmt.Sprint(r))
		}
	}()
	now := p.now()
	if err := Check(p.app, now); err != nil {
		p.app.Logger().Error("Notifications: the schedules failed", "error", err)
	}
	if _, _, err := SendDue(p.app, now); err != nil {
		p.app.Logger().Warn("Notifications: some mails were not sent", "error", err)
	}
	if _, err := SendDigests(p.app, now); err != nil {
		p.app.Logger().Warn("Notifications: some digests were not sent", "error", err)
	}
}

// Wait returns when app's background run is idle: tests wait for the run
// a commit started before they look.
func Wait(app core.App) {
	p, err := pluginOf(app)
	if err != nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.running {
		p.idle.Wait()
	}
}

// close stops background runs and waits for the one in progress, so that
// a stopping server leaves every mail it has not sent pending.
func (p *plugin) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for p.running {
		p.idle.Wait()
	}
}
