package hooksapi

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"
	"github.com/spf13/cast"

	"vinculo/crm"
)

// Webhooks are signed like this (the scheme Stripe made common): the header
//
//	X-Vinculo-Signature: t=1767225600,v1=5257a869e7...
//
// carries the Unix time of signing and the hex HMAC-SHA256, keyed with the
// shared secret, of "<t>.<raw body>". A receiver recomputes it over the raw
// body, compares in constant time, and refuses a time too far from its
// clock (DefaultTolerance), so a captured request cannot be replayed
// later. Several v1= entries may be given (while a secret is rotated); one
// match is enough.
const (
	SignatureHeader  = "X-Vinculo-Signature"
	EventHeader      = "X-Vinculo-Event"
	DeliveryHeader   = "X-Vinculo-Delivery"
	DefaultTolerance = 5 * time.Minute
)

// Errors of Verify.
var (
	ErrNoSignature  = errors.New("no signature")
	ErrBadSignature = errors.New("the signature does not match")
	ErrStale        = errors.New("the signature's time is too far from now")
)

// Sign returns the signature header value of body at t.
func Sign(secret string, body []byte, t time.Time) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret, ts string, body []byte) []byte {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(ts))
	h.Write([]byte("."))
	h.Write(body)
	return h.Sum(nil)
}

// Verify checks a signature header value for body at now. An empty secret
// verifies nothing.
func Verify(secret string, body []byte, header string, tolerance time.Duration, now time.Time) error {
	if secret == "" || strings.TrimSpace(header) == "" {
		return ErrNoSignature
	}
	var ts string
	var sigs [][]byte
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			if sig, err := hex.DecodeString(v); err == nil {
				sigs = append(sigs, sig)
			}
		}
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return ErrNoSignature
	}
	want := mac(secret, ts, body)
	match := false
	for _, sig := range sigs {
		if hmac.Equal(sig, want) { // constant time
			match = true
		}
	}
	if !match {
		return ErrBadSignature
	}
	if d := now.Sub(time.Unix(unix, 0)); d > tolerance || d < -tolerance {
		return ErrStale
	}
	return nil
}

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

// Delivery attempts and the waits between them.
var retryWaits = []time.Duration{0, 2 * time.Second, 10 * time.Second, time.Minute}

// postWebhook sends event with data to opts.url (default webhooks.url),
// signed with opts.secret (default webhooks.secret), in the background.
// Inside a transaction it goes once the transaction commits, and not at all
// when it rolls back. It returns the delivery id, or "" when no URL is set.
func (en *engine) postWebhook(app core.App, event string, data any, opts map[string]any) (string, error) {
	url := cast.ToString(opt(opts, "url"))
	secret := cast.ToString(opt(opts, "secret"))
	if url == "" {
		url, secret = en.cfg.Webhooks.URL, en.cfg.Webhooks.Secret
	}
	if url == "" {
		return "", nil
	}
	if secret == "" {
		return "", errors.New("postWebhook: no secret to sign with")
	}
	id := security.RandomString(20)
	body, err := json.Marshal(Payload{ID: id, Event: event, OccurredAt: time.Now().UTC().Format(time.RFC3339), Data: data})
	if err != nil {
		return "", fmt.Errorf("postWebhook: the data is not JSON: %w", err)
	}
	send := func() {
		en.deliveries.Add(1)
		go func() {
			defer en.deliveries.Done()
			en.deliver(url, secret, event, id, body)
		}()
	}
	if info := app.TxInfo(); info != nil {
		info.OnComplete(func(txErr error) error {
			if txErr == nil {
				send()
			}
			return nil
		})
	} else {
		send()
	}
	return id, nil
}

// deliver posts until a 2xx answer, retrying after a network error, a 429
// or a 5xx, and logs a delivery that gives up. It stops when the app does.
func (en *engine) deliver(url, secret, event, id string, body []byte) {
	var last string
	for i, wait := range retryWaits {
		if wait > 0 {
			select {
			case <-en.ctx.Done():
				en.app.Logger().Warn("Webhook not delivered: the app stopped", "url", url, "event", event, "delivery", id, "attempts", i, "error", last)
				return
			case <-time.After(wait):
			}
		}
		req, err := http.NewRequestWithContext(en.ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			last = err.Error()
			break
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "Vinculo-Webhooks/1")
		req.Header.Set(EventHeader, event)
		req.Header.Set(DeliveryHeader, id)
		req.Header.Set(SignatureHeader, Sign(secret, body, time.Now()))
		res, err := en.httpClient.Do(req)
		if err != nil {
			last = err.Error()
			if en.ctx.Err() != nil {
				break
			}
			continue
		}
		io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
		res.Body.Close()
		if res.StatusCode/100 == 2 {
			return
		}
		last = res.Status
		if res.StatusCode != http.StatusTooManyRequests && res.StatusCode < 500 {
			break // the receiver refuses it: retrying will not help
		}
	}
	en.app.Logger().Error("Webhook not delivered", "url", url, "event", event, "delivery", id, "error", last)
}

// Signed links let a page trust a link it sent (a rating link in an email)
// without a sign-in: the token is "<expiry unix>.<hex HMAC-SHA256 of
// path and expiry>", keyed with a key derived from the customers
// collection's token secret (regenerating that secret voids every link).

func (en *engine) linkKey(app core.App) ([]byte, error) {
	c, err := app.FindCachedCollectionByNameOrId(crm.Customers)
	if err != nil {
		return nil, err
	}
	if c.AuthToken.Secret == "" {
		return nil, errors.New("signed links: the customers collection has no token secret")
	}
	h := hmac.New(sha256.New, []byte(c.AuthToken.Secret))
	h.Write([]byte("vinculo.links.v1"))
	return h.Sum(nil), nil
}

func (en *engine) signLink(app core.App, path string, valid time.Duration, now time.Time) (string, error) {
	if valid <= 0 {
		valid = 30 * 24 * time.Hour
	}
	key, err := en.linkKey(app)
	if err != nil {
		return "", err
	}
	exp := strconv.FormatInt(now.Add(valid).Unix(), 10)
	h := hmac.New(sha256.New, key)
	h.Write([]byte(path + "\n" + exp))
	return exp + "." + hex.EncodeToString(h.Sum(nil)), nil
}

var errBadLink = errors.New("the link is not valid")

func (en *engine) verifyLink(app core.App, path, token string, now time.Time) error {
	exp, sig, ok := strings.Cut(token, ".")
	unix, err := strconv.ParseInt(exp, 10, 64)
	got, hexErr := hex.DecodeString(sig)
	if !ok || err != nil || hexErr != nil {
		return errBadLink
	}
	key, err := en.linkKey(app)
	if err != nil {
		return err
	}
	h := hmac.New(sha256.New, key)
	h.Write([]byte(path + "\n" + exp))
	if !hmac.Equal(got, h.Sum(nil)) || now.Unix() > unix {
		return errBadLink
	}
	return nil
}
