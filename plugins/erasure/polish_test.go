package erasure_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	. "vinculo/plugins/erasure"
	"vinculo/plugins/outbox"
)

// A receipt a mail client saved with CRLF line endings (or without its last
// new line) is still the business's receipt; a changed byte of its content
// still fails, with either line ending.
func TestReceiptVerifiesAfterCRLF(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	text := "Loja — Recibo de eliminação\n\nReferência: ER-ABCDEFGH\n\nEliminado\n- Contato: 1\n"
	signed, digest, _ := Sign(priv, text)
	crlf := strings.ReplaceAll(signed, "\n", "\r\n")
	for name, receipt := range map[string]string{
		"as signed":          signed,
		"CRLF":               crlf,
		"CRLF, no last line": strings.TrimSuffix(crlf, "\r\n"),
		"no last new line":   strings.TrimSuffix(signed, "\n"),
	} {
		got, err := Verify(pub, []byte(receipt))
		if err != nil || got != digest {
			t.Errorf("%s: %v (digest %s, want %s)", name, err, got, digest)
		}
	}
	at := strings.Index(crlf, "ER-ABCDEFGH") + 3
	for name, receipt := range map[string]string{
		"CRLF, one byte of content changed": crlf[:at] + "X" + crlf[at+1:],
		"LF, one byte of content changed":   strings.Replace(signed, "ER-ABCDEFGH", "ER-ABCXEFGH", 1),
		"a lone CR added to the content":    strings.Replace(signed, "ER-", "ER\r-", 1),
		"a blank line added":                strings.Replace(crlf, "\r\n\r\n", "\r\n\r\n\r\n", 1),
	} {
		if _, err := Verify(pub, []byte(receipt)); err == nil {
			t.Errorf("%s: verifies", name)
		}
	}
}

// After an approved erasure, the person's messages still waiting or queued
// are refused for good, with the reason, and no later run of the outbox
// tries to send them; a message already sent stays sent.
func TestErasureCancelsWaitingMessages(t *testing.T) {
	w := world(t)
	person(t, w) // queues a service message
	var sends atomic.Int32
	for _, ch := range []string{"email", "sms", "whatsapp"} {
		outbox.SetSender(w.App, ch, func(_ context.Context, m outbox.Message) error {
			if m.Contact == w.ID("zu") {
				sends.Add(1)
			}
			return nil
		})
	}
	queue := func(subject string) string {
		var id string
		err := w.App.RunInTransaction(func(tx core.App) error {
			r, err := outbox.Queue(tx, outbox.Queued{Contact: w.ID("zu"), Purpose: crm.PurposeService, Subject: subject, Body: "-"})
			if r != nil {
				id = r.Id
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	waiting, claimed, sent := queue("waiting"), queue("claimed"), queue("sent")
	set := func(id string, p dbx.Params) {
		if _, err := w.App.DB().Update(crm.Outbox, p, dbx.HashExp{"id": id}).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	later := w.Clock.Now().Add(72 * time.Hour).UTC().Format("2006-01-02 15:04:05.000Z")
	set(waiting, dbx.Params{"state": crm.OutboxWaiting, "not_before": later})
	set(claimed, dbx.Params{"state": crm.OutboxQueued, "claim": "other-process-claim", "claimed_at": w.Clock.Now().UTC().Format("2006-01-02 15:04:05.000Z")})
	set(sent, dbx.Params{"state": crm.OutboxSent})
	open, err := w.App.FindRecordsByFilter(crm.Outbox, "contact = {:c} && (state = 'queued' || state = 'waiting')", "", 0, 0, dbx.Params{"c": w.ID("zu")})
	if err != nil || len(open) < 3 { // the person's request notices too
		t.Fatalf("before: %d messages waiting or queued (%v), want 3 or more", len(open), err)
	}

	id := ask(t, w)
	if res := w.Do(t, "POST", "/api/crm/erasure/"+id+"/decide", "manager", map[string]any{"decision": "approve"}); res.Status != 200 {
		t.Fatalf("approve: %d %s", res.Status, res.Body)
	}
	check := func(when string) {
		for _, r := range open {
			m := w.Find(t, crm.Outbox, r.Id)
			if m.GetString("state") != crm.OutboxRefused || m.GetString("reason_code") != outbox.ReasonContactGone ||
				m.GetString("claim") != "" || !strings.Contains(m.GetString("reason"), "erased") {
				t.Errorf("%s: message %q is %s (%s, claim %q), want refused: contact_gone", when, r.GetString("subject"),
					m.GetString("state"), m.GetString("reason"), m.GetString("claim"))
			}
		}
		if m := w.Find(t, crm.Outbox, sent); m.GetString("state") != crm.OutboxSent {
			t.Errorf("%s: the sent message is now %s", when, m.GetString("state"))
		}
	}
	check("after the erasure")
	if _, err := outbox.Deliver(w.App, w.Clock.Now().Add(96*time.Hour)); err != nil {
		t.Fatal(err)
	}
	check("after the outbox ran")
	if n := sends.Load(); n != 0 {
		t.Errorf("the outbox tried %d sends", n)
	}
}
