package hooksapi

import (
	"fmt"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
)

// The delivery worker: one goroutine per app sends the outbound webhooks
// that are due, a few at a time, then sleeps until the next one is due. It
// starts when the app serves (resuming what a restart left) or when a
// delivery is first queued, wakes when one is queued or set back to
// pending, and stops when the app terminates. A delivery being sent when
// the process dies is sent again on the next start: delivery is at least
// once, and a receiver ignores a repeat by its X-Vinculo-Delivery id.

const (
	webhookParallel = 4                   // requests in flight at once
	webhookBatch    = 50                  // deliveries read per query
	webhookPoll     = time.Minute         // the longest sleep, whatever is due
	keepSent        = 7 * 24 * time.Hour  // then a sent delivery is removed
	keepFailed      = 30 * 24 * time.Hour // then a failed one
)

type webhookWorker struct {
	en      *engine
	wake    chan struct{}
	stopped sync.WaitGroup

	mu      sync.Mutex
	idle    *sync.Cond
	started bool
	closed  bool
	busy    bool // a pass is running
	dirty   bool // woken since the pass began
	pruned  time.Time
}

func newWebhookWorker(en *engine) *webhookWorker {
	q := &webhookWorker{en: en, wake: make(chan struct{}, 1)}
	q.idle = sync.NewCond(&q.mu)
	return q
}

// bindDeliveries starts the worker when the app serves and wakes it when a
// delivery is committed pending and due.
func (en *engine) bindDeliveries(app core.App) {
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		en.webhooks.kick()
		return e.Next()
	})
	due := func(e *core.RecordEvent) error {
		at := e.Record.GetDateTime("next_at")
		if e.Record.GetString("state") == crm.WebhookPending && (at.IsZero() || !at.Time().After(time.Now())) {
			en.webhooks.kick()
		}
		return e.Next()
	}
	app.OnRecordAfterCreateSuccess(crm.WebhookDeliveries).BindFunc(due)
	app.OnRecordAfterUpdateSuccess(crm.WebhookDeliveries).BindFunc(due)
}

// kick wakes the worker, starting it the first time.
func (q *webhookWorker) kick() {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	q.dirty = true
	if !q.started {
		q.started = true
		q.stopped.Add(1)
		go q.run()
	}
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// wait returns when the worker has nothing due left to send.
func (q *webhookWorker) wait() {
	q.mu.Lock()
	defer q.mu.Unlock()
	for (q.busy || q.dirty) && !q.closed {
		q.idle.Wait()
	}
}

// close stops the worker and waits for the requests in flight (their
// context is the engine's, canceled first).
func (q *webhookWorker) close() {
	q.mu.Lock()
	q.closed = true
	q.idle.Broadcast()
	q.mu.Unlock()
	q.stopped.Wait()
}

func (q *webhookWorker) run() {
	defer q.stopped.Done()
	for q.en.ctx.Err() == nil {
		q.mu.Lock()
		q.dirty, q.busy = false, true
		q.mu.Unlock()
		next := q.pass()
		q.mu.Lock()
		q.busy = false
		again := q.dirty
		if !again {
			q.idle.Broadcast()
		}
		q.mu.Unlock()
		if !again && !q.sleep(next) {
			return
		}
	}
}

// sleep waits until next (at most webhookPoll), a kick or the app's end,
// and says whether to go on.
func (q *webhookWorker) sleep(next time.Time) bool {
	wait := webhookPoll
	if !next.IsZero() {
		wait = min(wait, max(time.Until(next), 0))
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-q.en.ctx.Done():
		return false
	case <-q.wake:
	case <-timer.C:
	}
	return true
}

// pass sends every delivery due now, each once, and returns when the next
// pending one is due (zero for none).
func (q *webhookWorker) pass() (next time.Time) {
	app := q.en.app
	defer func() {
		if r := recover(); r != nil {
			app.Logger().Error("Webhook deliveries: the run panicked", "panic", fmt.Sprint(r))
			next = time.Now().Add(webhookPoll)
		}
	}()
	if _, err := app.FindCachedCollectionByNameOrId(crm.WebhookDeliveries); err != nil {
		return time.Time{} // no webhook schema in this database
	}
	q.prune()
	tried := map[string]bool{}
	for q.en.ctx.Err() == nil {
		due, err := app.FindRecordsByFilter(crm.WebhookDeliveries, "state = {:pending} && (next_at = '' || next_at <= {:now})",
			"next_at", webhookBatch, 0, dbx.Params{"pending": crm.WebhookPending, "now": types.NowDateTime().String()})
		if err != nil {
			app.Logger().Error("Webhook deliveries: the due ones could not be read", "error", err)
			return time.Now().Add(webhookPoll)
		}
		var fresh []*core.Record
		for _, r := range due {
			if !tried[r.Id] {
				tried[r.Id] = true
				fresh = append(fresh, r)
			}
		}
		if len(fresh) == 0 {
			break
		}
		q.sendAll(fresh)
	}
	return q.nextDue()
}

// sendAll attempts the deliveries, webhookParallel at a time.
func (q *webhookWorker) sendAll(list []*core.Record) {
	slots := make(chan struct{}, webhookParallel)
	var wg sync.WaitGroup
	for _, r := range list {
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			q.en.attempt(r)
		}()
	}
	wg.Wait()
}

func (q *webhookWorker) nextDue() time.Time {
	list, err := q.en.app.FindRecordsByFilter(crm.WebhookDeliveries, "state = {:pending}", "next_at", 1, 0,
		dbx.Params{"pending": crm.WebhookPending})
	if err != nil || len(list) == 0 {
		return time.Time{}
	}
	if at := list[0].GetDateTime("next_at"); !at.IsZero() {
		return at.Time()
	}
	return time.Now()
}

// prune removes, at most once an hour, the deliveries sent more than
// keepSent ago and those failed more than keepFailed ago.
func (q *webhookWorker) prune() {
	if time.Since(q.pruned) < time.Hour {
		return
	}
	q.pruned = time.Now()
	now := types.NowDateTime()
	_, err := q.en.app.DB().NewQuery("DELETE FROM `" + crm.WebhookDeliveries + "` WHERE " +
		"(`state` = {:sent} AND `updated` < {:sentBefore}) OR (`state` = {:failed} AND `updated` < {:failedBefore})").
		Bind(dbx.Params{"sent": crm.WebhookSent, "sentBefore": now.Add(-keepSent).String(),
			"failed": crm.WebhookFailed, "failedBefore": now.Add(-keepFailed).String()}).Execute()
	if err != nil {
		q.en.app.Logger().Error("Webhook deliveries: pruning", "error", err)
	}
}
