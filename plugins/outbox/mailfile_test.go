package outbox_test

import (
	"net/mail"
	"strings"
	"testing"

	"vinculo/crm"
)

// With no SMTP server the mail folder keeps each email the outbox sends;
// its X-Vinculo-Message header names the outbox record, so a person or a
// test matches a mail to its message.
func TestMailFileNamesItsOutboxMessage(t *testing.T) {
	w := newWorld(t)
	first := queue(t, w, "2026-11-24 10:00", map[string]any{"purpose": "service", "subject": "Primeira"})
	second := queue(t, w, "2026-11-24 10:00", map[string]any{"purpose": "service", "subject": "Segunda"})
	if res := deliver(t, w, "2026-11-24 10:00"); res.Sent != 2 {
		t.Fatalf("deliver: %+v", res)
	}
	expect(t, w, first, crm.OutboxSent, "")
	bySubject := map[string]string{}
	for _, raw := range w.Mails(t) {
		m, err := mail.ReadMessage(strings.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		bySubject[parseMail(t, raw).subject] = m.Header.Get("X-Vinculo-Message")
	}
	if bySubject["Primeira"] != first.Id || bySubject["Segunda"] != second.Id || len(bySubject) != 2 {
		t.Errorf("mails by subject -> X-Vinculo-Message: %v; want Primeira -> %s, Segunda -> %s", bySubject, first.Id, second.Id)
	}
}
