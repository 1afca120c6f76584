package requests_test

import (
	"net/http"
	"testing"

	"vinculo/crm"
	"vinculo/plugins/requests"
)

// POST /api/crm/cases/{id}/read: managers and agents mark the customer's
// messages read (a write: readonly staff and customers may not); the
// team's own messages are not the customer's to be read by staff.
func TestStaffMarkCustomerMessagesRead(t *testing.T) {
	w := newWorld(t)
	w.Make(t, "readonly", crm.Staff, map[string]any{"name": "Beatriz", "email": "beatriz@vinculo.example", "role": crm.RoleReadonly})
	c, err := newCase(t, w, w.R("support"), w.R("contact"), nil)
	if err != nil {
		t.Fatal(err)
	}
	message(t, w, w.Token(t, "customer"), c.Id, false)
	message(t, w, w.Token(t, "agent"), c.Id, false)
	read := func() (customer, staff string) {
		t.Helper()
		list, err := w.App.FindAllRecords(crm.CaseMessages)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range list {
			if m.GetString("author_customer") != "" {
				customer = m.GetString("read_by_staff_at")
			} else {
				staff = m.GetString("read_by_staff_at")
			}
		}
		return customer, staff
	}

	path := "/api/crm/cases/" + c.Id + "/read"
	for who, status := range map[string]int{"": http.StatusUnauthorized, "customer": http.StatusForbidden, "readonly": http.StatusForbidden} {
		if res := w.Do(t, http.MethodPost, path, who, nil); res.Status != status {
			t.Errorf("%q marks read: %d, want %d: %s", who, res.Status, status, res.Body)
		}
	}
	if customer, _ := read(); customer != "" {
		t.Fatalf("a refused read was recorded at %s", customer)
	}
	if res := w.Do(t, http.MethodPost, "/api/crm/cases/nosuchcase/read", "agent", nil); res.Status != http.StatusNotFound {
		t.Errorf("an unknown request: %d", res.Status)
	}

	res := w.Do(t, http.MethodPost, path, "agent", nil)
	var out struct {
		Marked int    `json:"marked"`
		ReadAt string `json:"read_at"`
	}
	res.JSON(t, &out)
	if res.Status != http.StatusOK || out.Marked != 1 || out.ReadAt == "" {
		t.Fatalf("the agent marks read: %d %s", res.Status, res.Body)
	}
	if customer, staff := read(); customer != out.ReadAt || staff != "" {
		t.Errorf("read_by_staff_at: customer's message %q, team's %q; want %q and none", customer, staff, out.ReadAt)
	}
	if res := w.Do(t, http.MethodPost, path, "agent", nil); res.Status != http.StatusOK {
		t.Errorf("again: %d", res.Status)
	} else if res.JSON(t, &out); out.Marked != 0 {
		t.Errorf("marked %d again", out.Marked)
	}
}

// MarkRead for the customer stamps the team's public messages only.
func TestCustomerReadsTheTeamsPublicMessages(t *testing.T) {
	w := newWorld(t)
	c, err := newCase(t, w, w.R("support"), w.R("contact"), nil)
	if err != nil {
		t.Fatal(err)
	}
	message(t, w, w.Token(t, "agent"), c.Id, false)
	message(t, w, w.Token(t, "agent"), c.Id, true)
	message(t, w, w.Token(t, "customer"), c.Id, false)
	n, at, err := requests.MarkRead(w.App, c.Id, requests.ReaderCustomer)
	if err != nil || n != 1 {
		t.Fatalf("marked %d: %v", n, err)
	}
	list, err := w.App.FindAllRecords(crm.CaseMessages)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range list {
		want := ""
		if crm.IsStaffAnswer(m) {
			want = at.String()
		}
		if got := m.GetString("read_by_customer_at"); got != want {
			t.Errorf("message by %q%q internal %v: read_by_customer_at %q, want %q",
				m.GetString("author_staff"), m.GetString("author_customer"), m.GetBool("internal"), got, want)
		}
	}
}
