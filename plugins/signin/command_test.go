package signin_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"vinculo/crm"
	"vinculo/plugins/signin"
)

// `vinculo unlock EMAIL` lets a locked account sign in again, and refuses a
// collection it does not know.
func TestUnlockCommand(t *testing.T) {
	w := newWorld(t, false, signin.Options{})
	email := w.R("manager").Email()
	for i := range 3 {
		res := post(t, w.Srv.URL, addr(i), "/api/collections/staff/auth-with-password", map[string]any{"identity": email, "password": "wrong"})
		if res.Status != http.StatusBadRequest {
			t.Fatalf("failed sign-in %d: %d %s", i, res.Status, res.Body)
		}
	}
	since := w.Clock.Now().Add(-time.Hour)
	if n, err := signin.Failures(w.App, crm.Staff, email, since); err != nil || n != 3 {
		t.Fatalf("%d failures (%v), want 3", n, err)
	}

	bad := signin.Command(w.App)
	bad.SetArgs([]string{"--collection", "partners", email})
	bad.SetOut(&bytes.Buffer{})
	bad.SetErr(&bytes.Buffer{})
	if err := bad.Execute(); err == nil || !strings.Contains(err.Error(), "--collection") {
		t.Errorf("an unknown collection: %v", err)
	}

	var out bytes.Buffer
	cmd := signin.Command(w.App)
	cmd.SetArgs([]string{"--collection", "staff", strings.ToUpper(email)})
	cmd.SetOut(&out)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "may sign in again") {
		t.Errorf("the command says %q", out.String())
	}
	if n, err := signin.Failures(w.App, crm.Staff, email, since); err != nil || n != 0 {
		t.Errorf("%d failures after unlock (%v), want 0", n, err)
	}
}
