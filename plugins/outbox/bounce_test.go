package outbox_test

import (
	"testing"

	"vinculo/crm"
)

// An address whose mail came back (plugins/channels/email marks it on the
// contact) is not written to again: a marketing mail is refused with the
// reason; once the address is changed (the mark cleared) mail goes again.
func TestBouncingAddressIsNotWritten(t *testing.T) {
	w := newWorld(t)
	consent(t, w, w.R("contact"), "marketing", "email", "granted")
	w.Update(t, w.R("contact"), map[string]any{
		crm.ContactEmailFailingAt: "2026-11-20 10:00:00.000Z", crm.ContactEmailFailingReason: "550 mailbox unavailable",
	})
	m := queue(t, w, "2026-11-24 10:00", marketing("Ofertas"))
	m = expect(t, w, m, crm.OutboxRefused, "comes back undelivered")
	if m.GetString("reason_code") != "address_bounces" {
		t.Errorf("reason_code %q, want address_bounces", m.GetString("reason_code"))
	}
	if res := deliver(t, w, "2026-11-24 10:05"); res.Sent != 0 {
		t.Errorf("a message to a bouncing address was sent: %+v", res)
	}

	w.Update(t, w.R("contact"), map[string]any{crm.ContactEmailFailingAt: "", crm.ContactEmailFailingReason: ""})
	n := queue(t, w, "2026-11-24 10:00", marketing("Ofertas de novo"))
	if n.GetString("state") == crm.OutboxRefused {
		t.Errorf("refused once the address was cleared: %s", n.GetString("reason"))
	}
}
