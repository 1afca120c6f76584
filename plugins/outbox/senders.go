package outbox

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/pocketbase/pocketbase/core"
)

// Message is what a sender receives: one message, rendered in the
// customer's language, with the contact point of its channel.
type Message struct {
	ID       string         `json:"id"`      // the outbox record
	Contact  string         `json:"contact"` // the contact record
	Name     string         `json:"name"`    // the contact's name
	Channel  string         `json:"channel"` // the channel it goes on (never empty)
	To       string         `json:"to"`      // email, phone number, address, portal account... of that channel
	Purpose  string         `json:"purpose"`
	Template string         `json:"template"`
	Data     map[string]any `json:"data"`
	Language string         `json:"language"` // en or pt-BR
	Subject  string         `json:"subject"`
	Body     string         `json:"body"` // plain text
	HTML     string         `json:"html"` // the body as HTML, for email
	Urgent   bool           `json:"urgent"`
	Case     string         `json:"case"`
	Attempt  int            `json:"attempt"` // 1 on the first try
	// For email: the other addresses of a reply-all, the names of the files
	// stored on the outbox record, and whether a person wrote it (a message
	// nobody wrote is marked Auto-Submitted: auto-generated).
	Cc          []string `json:"cc"`
	Attachments []string `json:"attachments"`
	Personal    bool     `json:"personal"`
	// Readdressed: the message goes to an address of its own (to_address,
	// the old address of an email change), not the contact's: it is sent
	// without the contact's name beside the address.
	Readdressed bool `json:"readdressed"`
}

// SenderFunc delivers a message on one channel. It returns nil once the
// channel has accepted the message; an error wrapping ErrPermanent fails the
// message at once, any other error is retried with back-off.
type SenderFunc func(ctx context.Context, m Message) error

// ErrPermanent marks a send error no retry can cure (a number that is not on
// WhatsApp, an address the provider rejects).
var ErrPermanent = errors.New("permanent failure")

// senders are the app's senders by channel. They live in the app's store,
// not in the plugin, so JavaScript hooks loaded before the outbox registers
// can set theirs.
type senders struct {
	sync.RWMutex
	m map[string]SenderFunc
}

const sendersKey = "vinculo.outbox.senders"

func sendersOf(app core.App) *senders {
	return app.Store().GetOrSet(sendersKey, func() any { return &senders{m: map[string]SenderFunc{}} }).(*senders)
}

// SetSender makes fn the sender of channel on app's outbox, replacing any
// earlier one; a nil fn removes it. Email goes through PocketBase's mailer
// unless a sender is set for "email". Safe for concurrent use: JavaScript
// hooks set senders from many runtimes.
func SetSender(app core.App, channel string, fn SenderFunc) {
	s := sendersOf(app)
	s.Lock()
	defer s.Unlock()
	if fn == nil {
		delete(s.m, channel)
		return
	}
	s.m[channel] = fn
}

func senderFor(app core.App, channel string) (SenderFunc, bool) {
	s := sendersOf(app)
	s.RLock()
	defer s.RUnlock()
	fn, ok := s.m[channel]
	return fn, ok
}

// canSend: email always can (the mailer, or the mail folder without SMTP).
func canSend(app core.App, channel string) bool {
	if channel == "email" {
		return true
	}
	_, ok := senderFor(app, channel)
	return ok
}

// callSender runs a registered sender; a panic in it (a JavaScript error,
// a bug) is a failed attempt, not a crashed worker.
func callSender(ctx context.Context, fn SenderFunc, m Message) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the %s sender panicked: %v", m.Channel, r)
		}
	}()
	return fn(ctx, m)
}
