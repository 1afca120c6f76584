package testkit

import "testing"

// Must fails the test unless res has the status; what names the request.
func Must(t testing.TB, res Response, status int, what string) Response {
	t.Helper()
	if res.Status != status {
		t.Fatalf("%s: status %d, want %d: %s", what, res.Status, status, res.Body)
	}
	return res
}
