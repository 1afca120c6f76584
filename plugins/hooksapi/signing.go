package hooksapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// Signatures: of the webhooks Vinculo sends and receives, and of the links
// it sends.

// Webhooks are signed like this (the scheme Stripe made common): the header
//
//	X-Vinculo-Signature: t=1767225600,v1=5257a869e7...
//
// carries the Unix time of signing and the hex HMAC-SHA256, keyed with the
// shared secret, of "<t>.<raw body>". A receiver recomputes it over the raw
// body, compares in constant time, and refuses a time too far from its
// clock (DefaultTolerance), so a captured request cannot be replayed
// later, and a signature it accepted before, so it cannot be replayed
// sooner either. Several v1= entries may be given (while a secret is
// rotated); one match is enough.
const (
	SignatureHeader  = "X-Vinculo-Signature"
	DefaultTolerance = 5 * time.Minute
)

// Errors of Verify and Accept.
var (
	ErrNoSignature  = errors.New("no signature")
	ErrBadSignature = errors.New("the signature does not match")
	ErrStale        = errors.New("the signature's time is too far from now")
	ErrReplayed     = errors.New("the signature was accepted before")
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
// verifies nothing. It does not remember what it verified: a receiver
// accepts a request with Accept.
func Verify(secret string, body []byte, header string, tolerance time.Duration, now time.Time) error {
	_, _, err := verify(secret, body, header, tolerance, now)
	return err
}

// verify returns the matching signature and its time.
func verify(secret string, body []byte, header string, tolerance time.Duration, now time.Time) ([]byte, int64, error) {
	if secret == "" || strings.TrimSpace(header) == "" {
		return nil, 0, ErrNoSignature
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
		return nil, 0, ErrNoSignature
	}
	want := mac(secret, ts, body)
	match := false
	for _, sig := range sigs {
		if hmac.Equal(sig, want) { // constant time
			match = true
		}
	}
	if !match {
		return nil, 0, ErrBadSignature
	}
	if d := now.Sub(time.Unix(unix, 0)); d > tolerance || d < -tolerance {
		return nil, 0, ErrStale
	}
	return want, unix, nil
}

// Accept verifies a signed inbound request like Verify and accepts each
// signature once: one accepted before answers ErrReplayed, so a request
// captured on its way cannot be played again while its time is still
// fresh. What it accepted is kept in the database (a restart forgets
// nothing) until its time is too old for Verify anyway, then pruned. In a
// transaction that rolls back, the signature is not kept.
func Accept(app core.App, secret string, body []byte, header string, tolerance time.Duration, now time.Time) error {
	sig, unix, err := verify(secret, body, header, tolerance, now)
	if err != nil {
		return err
	}
	expires := unix + int64(tolerance/time.Second) + 1
	db := app.DB()
	if _, err := db.NewQuery("DELETE FROM `" + crm.WebhookSignaturesTable + "` WHERE `expires` < {:now}").
		Bind(dbx.Params{"now": now.Unix()}).Execute(); err != nil {
		return fmt.Errorf("webhook signatures: %w", err)
	}
	res, err := db.NewQuery("INSERT INTO `" + crm.WebhookSignaturesTable + "` (`mac`, `expires`) VALUES ({:mac}, {:expires}) ON CONFLICT (`mac`) DO NOTHING").
		Bind(dbx.Params{"mac": hex.EncodeToString(sig), "expires": expires}).Execute()
	if err != nil {
		return fmt.Errorf("webhook signatures: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return ErrReplayed
	}
	return nil
}

// refusal names why Accept refused a request, for the hooks: "" when it
// accepted it.
func refusal(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrNoSignature):
		return "unsigned"
	case errors.Is(err, ErrBadSignature):
		return "mismatch"
	case errors.Is(err, ErrStale):
		return "stale"
	case errors.Is(err, ErrReplayed):
		return "replayed"
	}
	return "error"
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
