package hooksapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
	"github.com/spf13/cast"

	"vinculo/crm"
)

// Outbound webhooks are kept in the database (crm.WebhookDeliveries): each
// delivery with its URL, event, payload, attempts, next try, state and last
// error. postWebhook writes one in the caller's transaction, so a change
// and its webhook are committed, or rolled back, together; the delivery
// worker (deliveries.go) sends it once committed and retries it with
// back-off, and a restart resumes what is due.

// Headers of an outbound webhook, besides its SignatureHeader.
const (
	EventHeader    = "X-Vinculo-Event"
	DeliveryHeader = "X-Vinculo-Delivery"
)

// Payload is the JSON body of an outbound webhook.
type Payload struct {
	ID         string `json:"id"`
	Event      string `json:"event"`
	OccurredAt string `json:"occurred_at"`
	Data       any    `json:"data"`
}

type httpDoer interface {
	Do(*http.Request) (*http.Response, error)
}

func defaultHTTPClient() httpDoer { return &http.Client{Timeout: 10 * time.Second} }

// retryWaits: a delivery's attempts and the wait before each (7 attempts
// over about 8 hours and a half).
var retryWaits = []time.Duration{0, 5 * time.Second, time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour}

// postWebhook queues event with data to opts.url (default webhooks.url),
// signed with opts.secret (default webhooks.secret). Inside a transaction
// the delivery is written in it: it goes once the transaction commits, and
// not at all when it rolls back. It returns the delivery id, or "" when no
// URL is set.
func (en *engine) postWebhook(app core.App, event string, data any, opts map[string]any) (string, error) {
	url := cast.ToString(opt(opts, "url"))
	secret := cast.ToString(opt(opts, "secret"))
	own := url != "" // a delivery with its own secret keeps it
	if !own {
		url, secret = en.cfg.Webhooks.URL, en.cfg.Webhooks.Secret
	}
	if url == "" {
		return "", nil
	}
	if secret == "" {
		return "", errors.New("postWebhook: no secret to sign with")
	}
	coll, err := app.FindCachedCollectionByNameOrId(crm.WebhookDeliveries)
	if err != nil {
		return "", fmt.Errorf("postWebhook: %w", err)
	}
	rec := core.NewRecord(coll)
	rec.Id = core.GenerateDefaultRandomId()
	body, err := json.Marshal(Payload{ID: rec.Id, Event: event, OccurredAt: time.Now().UTC().Format(time.RFC3339), Data: data})
	if err != nil {
		return "", fmt.Errorf("postWebhook: the data is not JSON: %w", err)
	}
	rec.Set("url", url)
	if own {
		rec.Set("secret", secret)
	}
	rec.Set("event", event)
	rec.Set("payload", types.JSONRaw(body))
	rec.Set("state", crm.WebhookPending)
	rec.Set("next_at", types.NowDateTime())
	if err := app.Save(rec); err != nil {
		return "", fmt.Errorf("postWebhook: %w", err)
	}
	return rec.Id, nil
}

// attempt posts a delivery once and saves its outcome: sent on a 2xx
// answer; tried again later after a network error, a 429 or a 5xx, until
// its attempts run out; failed at once when the receiver refuses it (other
// 4xx). An attempt cut short because the app stops is not counted: the
// delivery stays due, for the next start.
func (en *engine) attempt(rec *core.Record) {
	secret := rec.GetString("secret")
	if secret == "" {
		secret = en.cfg.Webhooks.Secret
	}
	failure, permanent := en.post(rec.GetString("url"), secret, rec.GetString("event"), rec.Id, []byte(rec.GetString("payload")))
	if failure != "" && en.ctx.Err() != nil {
		return
	}
	attempts := rec.GetInt("attempts") + 1
	rec.Set("attempts", attempts)
	rec.Set("last_error", crm.Clip(failure, 1000))
	switch {
	case failure == "":
		rec.Set("state", crm.WebhookSent)
		rec.Set("sent_at", types.NowDateTime())
		rec.Set("next_at", nil)
	case permanent || attempts >= len(retryWaits):
		rec.Set("state", crm.WebhookFailed)
		rec.Set("next_at", nil)
		en.app.Logger().Error("Webhook not delivered", "url", rec.GetString("url"), "event", rec.GetString("event"),
			"delivery", rec.Id, "attempts", attempts, "error", failure)
	default:
		rec.Set("next_at", types.NowDateTime().Add(retryWaits[attempts]))
	}
	if err := en.app.Save(rec); err != nil {
		en.app.Logger().Error("Webhook delivery: its outcome could not be saved", "delivery", rec.Id, "error", err)
	}
}

// post sends one signed request, and says what went wrong ("" when the
// receiver answered 2xx) and whether retrying cannot help.
func (en *engine) post(url, secret, event, id string, body []byte) (failure string, permanent bool) {
	if secret == "" {
		return "no secret to sign with (webhooks.secret)", true
	}
	req, err := http.NewRequestWithContext(en.ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err.Error(), true
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Vinculo-Webhooks/1")
	req.Header.Set(EventHeader, event)
	req.Header.Set(DeliveryHeader, id)
	req.Header.Set(SignatureHeader, Sign(secret, body, time.Now()))
	res, err := en.httpClient.Do(req)
	if err != nil {
		return err.Error(), false
	}
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	if res.StatusCode/100 == 2 {
		return "", false
	}
	return res.Status, res.StatusCode != http.StatusTooManyRequests && res.StatusCode < 500
}
