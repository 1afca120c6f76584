package email

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// A mail Vinculo sends for outbox row X has the Message-ID
// <v1.X.S@domain>, where S is an HMAC of X keyed from the customers
// collection's token secret: an answer naming it in In-Reply-To or
// References leads back to the row (its contact and request) and cannot be
// forged by someone who only knows a row id.

const tokenVersion = "v1"

func tokenKey(app core.App) ([]byte, error) {
	c, err := app.FindCachedCollectionByNameOrId(crm.Customers)
	if err != nil {
		return nil, err
	}
	if c.AuthToken.Secret == "" {
		return nil, errors.New("mail tokens: the customers collection has no token secret")
	}
	h := hmac.New(sha256.New, []byte(c.AuthToken.Secret))
	h.Write([]byte("vinculo.mail-thread.v1"))
	return h.Sum(nil), nil
}

func tokenSig(key []byte, outboxID string) string {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(outboxID))
	return hex.EncodeToString(h.Sum(nil))[:20]
}

// MessageID returns the Message-ID (with its angle brackets) of the mail sent
// for the outbox row outboxID; domain is the part after the @ (the sender's
// domain).
func MessageID(app core.App, outboxID, domain string) (string, error) {
	key, err := tokenKey(app)
	if err != nil {
		return "", err
	}
	if domain == "" {
		domain = "vinculo.invalid"
	}
	return "<" + tokenVersion + "." + outboxID + "." + tokenSig(key, outboxID) + "@" + domain + ">", nil
}

// ParseMessageID returns the outbox row a Message-ID names when its
// signature is right; angle brackets are optional.
func ParseMessageID(app core.App, id string) (outboxID string, ok bool) {
	id = strings.TrimSpace(id)
	id = strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">")
	local, _, found := strings.Cut(id, "@")
	if !found {
		return "", false
	}
	parts := strings.Split(local, ".")
	if len(parts) != 3 || parts[0] != tokenVersion || parts[1] == "" {
		return "", false
	}
	key, err := tokenKey(app)
	if err != nil {
		return "", false
	}
	if !hmac.Equal([]byte(parts[2]), []byte(tokenSig(key, parts[1]))) {
		return "", false
	}
	return parts[1], true
}
